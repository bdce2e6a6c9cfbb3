#include "urlenc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* RFC 3986's unreserved set, which AWS SDKs leave as is. */
static const bool unreserved[256] = {
        ['A' ... 'Z'] = true, ['a' ... 'z'] = true, ['0' ... '9'] = true,
        ['-'] = true,         ['_'] = true,         ['.'] = true,         ['~'] = true,
};

static bool kept_as_is(unsigned char c, unsigned flags) {
        return unreserved[c] || (c == '/' && (flags & URLENC_KEEP_SLASH));
}

static bool as_plus(unsigned char c, unsigned flags) {
        return c == ' ' && (flags & URLENC_SPACE_PLUS);
}

static size_t encoded_len(const char *s, size_t len, unsigned flags) {
        size_t n = len;
        for (size_t i = 0; i < len; i++)
                if (!kept_as_is((unsigned char)s[i], flags) && !as_plus((unsigned char)s[i], flags))
                        n += 2;
        return n;
}

/* Written in place into room for the worst case (every byte %XX), then cut
 * to what was written: a message in Japanese is mostly bytes that become
 * %XX, and one append each, or a first pass to size it, would cost more
 * than all the rest of building the request. Sized exactly first only when
 * the worst case is beyond out's maximum. */
static int encode(struct buf *out, const char *s, size_t len, unsigned flags) {
        static const char hex[] = "0123456789ABCDEF";
        size_t start = out->len;
        char *p;
        if (len == 0)
                return 0;
        int r = len <= SIZE_MAX / 3 ? buf_extend(out, 3 * len, &p) : -E2BIG;
        if (r == -E2BIG)
                r = buf_extend(out, encoded_len(s, len, flags), &p);
        if (r < 0)
                return r;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (kept_as_is(c, flags)) {
                        *p++ = (char)c;
                } else if (as_plus(c, flags)) {
                        *p++ = '+';
                } else {
                        *p++ = '%';
                        *p++ = hex[c >> 4];
                        *p++ = hex[c & 0xf];
                }
        }
        buf_truncate(out, start + (size_t)(p - (out->data + start)));
        return 0;
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
