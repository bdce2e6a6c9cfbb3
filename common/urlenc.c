#include "urlenc.h"

#include <errno.h>
#include <string.h>

static int is_unreserved(unsigned char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.' || c == '~';
}

static int kept_as_is(unsigned char c, unsigned flags) {
        return is_unreserved(c) || (c == '/' && (flags & URLENC_KEEP_SLASH));
}

/* Runs of bytes kept as they are are appended at once: bodies are mostly text. */
static int encode(struct buf *out, const char *s, size_t len, unsigned flags) {
        static const char hex[] = "0123456789ABCDEF";
        int r = 0;
        for (size_t i = 0; i < len && r == 0;) {
                size_t run = i;
                while (run < len && kept_as_is((unsigned char)s[run], flags))
                        run++;
                if (run > i) {
                        r = buf_append(out, s + i, run - i);
                        i = run;
                        continue;
                }
                unsigned char c = (unsigned char)s[i++];
                if (c == ' ' && (flags & URLENC_SPACE_PLUS))
                        r = buf_putc(out, '+');
                else
                        r = buf_append(out, (char[]){ '%', hex[c >> 4], hex[c & 0xf] }, 3);
        }
        return r;
}

int urlenc_append(struct buf *out, const char *s, size_t len, unsigned flags) {
        if (!out || (!s && len > 0))
                return -EINVAL;
        size_t start = out->len;
        int r = encode(out, s, len, flags);
        if (r < 0)
                buf_truncate(out, start);
        return r;
}

int form_encode(const struct form_param *params, size_t n, struct buf *out) {
        if (!out || (!params && n > 0))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (!params[i].name || !params[i].value)
                        return -EINVAL;
        size_t start = out->len;
        int r = 0;
        for (size_t i = 0; i < n && r == 0; i++) {
                if (i > 0)
                        r = buf_putc(out, '&');
                if (r == 0)
                        r = encode(out, params[i].name, strlen(params[i].name), URLENC_SPACE_PLUS);
                if (r == 0)
                        r = buf_putc(out, '=');
                if (r == 0)
                        r = encode(out, params[i].value, strlen(params[i].value), URLENC_SPACE_PLUS);
        }
        if (r < 0)
                buf_truncate(out, start);
        return r;
}
