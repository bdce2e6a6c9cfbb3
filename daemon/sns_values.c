#include "sns_values.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "sigv4.h"
#include "textsafe.h"

/* The length of the character at s[0..n): the shortest valid UTF-8 prefix
 * (no proper prefix of a character is valid), or 1 for an invalid byte. */
static size_t char_len(const char *s, size_t n) {
        for (size_t len = 1; len <= 4 && len <= n; len++)
                if (textsafe_utf8_valid(s, len))
                        return len;
        return 1;
}

/* Appends the escaped form of the one character s[0..len) to piece. */
static int escape_char(struct buf *piece, const char *s, size_t len) {
        /* U+FFFE and U+FFFF are valid UTF-8 but outside XML's Char, which
         * SNS's Query API takes its values from. */
        if (len == 3 && (memcmp(s, "\xef\xbf\xbe", 3) == 0 || memcmp(s, "\xef\xbf\xbf", 3) == 0))
                return buf_printf(piece, "\\u%s", s[2] == '\xbe' ? "fffe" : "ffff");
        return textsafe_escape_len(piece, s, len, len, TEXTSAFE_TEXT);
}

/* Printable ASCII but '\\': what escape_char() leaves as it is. */
static bool plain_ascii(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '\\')
                        return false;
        return true;
}

int sns_attribute_value(const char *s, char ret[static SNS_ATTRIBUTE_VALUE_MAX + 1]) {
        const size_t mark = strlen(TEXTSAFE_MARK), n = strlen(s);
        struct buf out, piece;
        size_t i = 0, fit = 0; /* fit: out's length at the last cut that leaves room for the mark */
        int r = 0;

        /* Most values (event name, outcome, account): as they are, at once. */
        if (n <= SNS_ATTRIBUTE_VALUE_MAX && plain_ascii(s, n)) {
                memcpy(ret, s, n + 1);
                return 0;
        }
        buf_init(&out, SNS_ATTRIBUTE_VALUE_MAX);
        /* one character escaped; a longer piece would not fit out anyway */
        buf_init(&piece, SNS_ATTRIBUTE_VALUE_MAX);
        while (i < n && r == 0) {
                size_t len = char_len(s + i, n - i);
                buf_truncate(&piece, 0);
                r = escape_char(&piece, s + i, len);
                if (r == 0)
                        r = buf_append(&out, piece.data, piece.len);
                if (r == 0 && out.len + mark <= SNS_ATTRIBUTE_VALUE_MAX)
                        fit = out.len;
                i += len;
        }
        if (r == -E2BIG) {
                buf_truncate(&out, fit);
                r = buf_puts(&out, TEXTSAFE_MARK);
        }
        if (r == 0)
                memcpy(ret, buf_str(&out), out.len + 1);
        buf_free(&piece);
        buf_free(&out);
        return r;
}

bool sns_fifo_id_valid(const char *s) {
        size_t n = 0;
        for (; s[n]; n++)
                if ((unsigned char)s[n] < 0x21 || (unsigned char)s[n] > 0x7e || n >= SNS_FIFO_ID_MAX)
                        return false;
        return n > 0;
}

int sns_fifo_id(const char *s, char ret[static SNS_FIFO_ID_MAX + 1]) {
        char hex[SIGV4_SHA256_HEX_LEN + 1];
        int r;

        if (sns_fifo_id_valid(s)) {
                memcpy(ret, s, strlen(s) + 1);
                return 0;
        }
        r = sigv4_sha256_hex(s, strlen(s), hex);
        if (r == 0)
                memcpy(ret, hex, sizeof(hex));
        return r;
}
