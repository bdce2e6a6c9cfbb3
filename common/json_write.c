#include "json_write.h"

int json_write_string(struct buf *out, const char *s) {
        static const char hex[] = "0123456789abcdef";
        const size_t start = out->len;
        int r = buf_putc(out, '"');

        while (r == 0 && *s) {
                size_t run = 0;
                /* most strings (URLs, receipt handles) need no escape at all */
                while (s[run] && s[run] != '"' && s[run] != '\\' && (unsigned char)s[run] >= 0x20)
                        run++;
                r = buf_append(out, s, run);
                s += run;
                if (r == 0 && *s) {
                        unsigned char c = (unsigned char)*s++;
                        if (c == '"' || c == '\\') {
                                char esc[2] = { '\\', (char)c };
                                r = buf_append(out, esc, sizeof(esc));
                        } else {
                                char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
                                r = buf_append(out, esc, sizeof(esc));
                        }
                }
        }
        if (r == 0)
                r = buf_putc(out, '"');
        if (r < 0)
                buf_truncate(out, start);
        return r;
}
