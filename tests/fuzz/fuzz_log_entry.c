/* fuzz_log_entry: untrusted values → journal entry fields and stderr lines.
 *
 * The input is split at NUL bytes into a message, a MESSAGE_ID and then
 * key/value pairs (a key of "-" stands for a NULL value). Besides crashes,
 * leaks and undefined behaviour it checks the contracts of log_entry.h: no
 * control character (C0, DEL, C1, U+2028/9) survives in any field or line,
 * every field is "KEY=" with a valid key, values stay within their caps,
 * the entry has one part per used field, and each stderr line is one line
 * within LOG_LINE_MAX that starts with our own "<N>". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log_entry.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_STRINGS (2 + 2 * (LOG_FIELDS_MAX + 2))

static void check_text(const char *s, size_t len) {
        for (size_t i = 0; i < len; i++) {
                const unsigned char c = (unsigned char)s[i];
                CHECK(c >= 0x20 && c != 0x7f);
                if (c == 0xc2 && i + 1 < len)
                        CHECK((unsigned char)s[i + 1] < 0x80 || (unsigned char)s[i + 1] > 0x9f);
                if (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80)
                        CHECK((unsigned char)s[i + 2] != 0xa8 && (unsigned char)s[i + 2] != 0xa9);
        }
}

static void check_line(const struct buf *b, enum log_line_style style, int level) {
        const char *s = buf_str(b);
        CHECK(b->len >= 1 && b->len <= LOG_LINE_MAX);
        CHECK(s[b->len - 1] == '\n');
        check_text(s, b->len - 1);
        if (style != LOG_LINE_TERMINAL)
                CHECK(s[0] == '<' && s[1] == '0' + level && s[2] == '>');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *copy = malloc(size + 1);
        const char *str[FUZZ_STRINGS];
        size_t n = 0, used = 0;
        struct log_field fields[LOG_FIELDS_MAX + 2];
        size_t n_fields = 0;

        if (!copy)
                return 0;
        memcpy(copy, data, size);
        copy[size] = '\0';
        for (char *p = copy; n < FUZZ_STRINGS && p <= copy + size; p += strlen(p) + 1)
                str[n++] = p;
        const char *message = n > 0 ? str[0] : "";
        const char *message_id = n > 1 && str[1][0] ? str[1] : NULL;
        for (size_t i = 2; i + 1 < n; i += 2) {
                fields[n_fields] = (struct log_field){ str[i], strcmp(str[i + 1], "-") ? str[i + 1] : NULL };
                if (n_fields < LOG_FIELDS_MAX && fields[n_fields].value && log_key_valid(fields[n_fields].key))
                        used++;
                n_fields++;
        }
        const int level = size ? data[0] & 7 : 6;

        struct log_entry e;
        if (log_entry_build(&e, level, message_id, fields, n_fields, message) == 0) {
                CHECK(e.n == 2 + (message_id != NULL) + used);
                for (size_t i = 0; i < e.n; i++) {
                        const char *part = buf_str(&e.parts[i]);
                        const char *eq = strchr(part, '=');
                        CHECK(eq);
                        CHECK(e.iov[i].iov_base == e.parts[i].data && e.iov[i].iov_len == e.parts[i].len);
                        char key[LOG_KEY_MAX + 2] = "";
                        CHECK((size_t)(eq - part) <= LOG_KEY_MAX);
                        memcpy(key, part, (size_t)(eq - part));
                        key[eq - part] = '\0';
                        CHECK(log_key_valid(key));
                        check_text(eq + 1, e.parts[i].len - (size_t)(eq + 1 - part));
                        CHECK(e.parts[i].len - (size_t)(eq + 1 - part) <=
                              LOG_MESSAGE_MAX + sizeof(LOG_TRUNCATED_MARK) - 1);
                }
                char priority[] = "PRIORITY=0";
                priority[sizeof(priority) - 2] = (char)('0' + level);
                CHECK(strcmp(buf_str(&e.parts[0]), priority) == 0);
                log_entry_free(&e);
        }

        static const enum log_line_style styles[] = { LOG_LINE_TERMINAL, LOG_LINE_STREAM, LOG_LINE_FALLBACK };
        for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
                struct buf line;
                buf_init(&line, LOG_LINE_MAX);
                if (log_line_build(&line, styles[i], level, message_id, fields, n_fields, message) == 0)
                        check_line(&line, styles[i], level);
                buf_free(&line);
        }
        free(copy);
        return 0;
}
