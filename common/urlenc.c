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

/* The fast path's tables, one per treatment of ' ': each byte as written
 * (itself, '+' or %XX) padded to 4 bytes, and in the fourth how many of
 * them count (1 or 3). One 4-byte copy and one step per byte, instead of a
 * branch per kind of byte, which is unpredictable in mixed text. */
#define UNRESERVED(c)                                                                                \
        (((c) >= 'A' && (c) <= 'Z') || ((c) >= 'a' && (c) <= 'z') || ((c) >= '0' && (c) <= '9') || \
         (c) == '-' || (c) == '_' || (c) == '.' || (c) == '~')
#define AS_IS(c, plus) (UNRESERVED(c) || ((plus) && (c) == ' '))
#define HEX_DIGIT(n) ((char)((n) < 10 ? '0' + (n) : 'A' + (n) - 10))
#define CODE(c, plus)                                                                                  \
        { AS_IS(c, plus) ? ((c) == ' ' ? '+' : (char)(c)) : '%', AS_IS(c, plus) ? 0 : HEX_DIGIT((c) >> 4), \
          AS_IS(c, plus) ? 0 : HEX_DIGIT((c) & 15), AS_IS(c, plus) ? 1 : 3 }
#define CODES16(h, plus)                                                                          \
        CODE(h * 16 + 0, plus), CODE(h * 16 + 1, plus), CODE(h * 16 + 2, plus), CODE(h * 16 + 3, plus),     \
                CODE(h * 16 + 4, plus), CODE(h * 16 + 5, plus), CODE(h * 16 + 6, plus),                  \
                CODE(h * 16 + 7, plus), CODE(h * 16 + 8, plus), CODE(h * 16 + 9, plus),                  \
                CODE(h * 16 + 10, plus), CODE(h * 16 + 11, plus), CODE(h * 16 + 12, plus),               \
                CODE(h * 16 + 13, plus), CODE(h * 16 + 14, plus), CODE(h * 16 + 15, plus)
#define CODES(plus)                                                                                  \
        {                                                                                            \
                CODES16(0, plus), CODES16(1, plus), CODES16(2, plus), CODES16(3, plus),              \
                        CODES16(4, plus), CODES16(5, plus), CODES16(6, plus), CODES16(7, plus),      \
                        CODES16(8, plus), CODES16(9, plus), CODES16(10, plus), CODES16(11, plus),    \
                        CODES16(12, plus), CODES16(13, plus), CODES16(14, plus), CODES16(15, plus) \
        }
static const char codes[2][256][4] = { CODES(false), CODES(true) };

/* Written in place into room for the worst case (every byte %XX, plus the
 * spare byte the last 4-byte copy writes), then cut to what was written: a
 * message in Japanese is mostly bytes that become %XX, and one append each,
 * or a first pass to size it, would cost more than all the rest of building
 * the request. Sized exactly first only when the worst case is beyond out's
 * maximum; URI paths (URLENC_KEEP_SLASH) are short and take the plain loop. */
static int encode(struct buf *out, const char *s, size_t len, unsigned flags) {
        static const char hex[] = "0123456789ABCDEF";
        size_t start = out->len;
        char *room;
        if (len == 0)
                return 0;
        int r = len < SIZE_MAX / 3 ? buf_extend(out, 3 * len + 1, &room) : -E2BIG;
        if (r == -E2BIG)
                r = buf_extend(out, encoded_len(s, len, flags), &room);
        if (r < 0)
                return r;
        /* a copy whose address is never taken stays in a register */
        char *p = room;
        if (out->len - start > 3 * len && !(flags & URLENC_KEEP_SLASH)) {
                const char(*code)[4] = codes[(flags & URLENC_SPACE_PLUS) != 0];
                for (size_t i = 0; i < len; i++) {
                        const char *e = code[(unsigned char)s[i]];
                        memcpy(p, e, 4);
                        p += e[3];
                }
        } else {
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
        size_t start = out->len, worst = 0;
        int r = 0;
        /* Room for the worst case of the whole form at once, when out's
         * maximum allows it: a PublishBatch form grew by doubling to tens of
         * KiB, copied at each step. Per parameter: '&', '=', and the spare
         * byte encode() asks for with each of name and value; encode() cuts
         * what is not used. */
        for (size_t i = 0; i < n && worst < SIZE_MAX / 4; i++)
                worst += 3 * (strlen(params[i].name) + strlen(params[i].value)) + 4;
        if (worst < out->max - out->len)
                r = buf_reserve(out, worst);
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
