#include "buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

void buf_init(struct buf *b, size_t max) {
        *b = (struct buf){ .max = max };
}

int buf_reserve(struct buf *b, size_t n) {
        /* a buffer without a maximum is a bug to find, not one to grow */
        if (b->max == 0 || b->max == SIZE_MAX)
                return -EINVAL;
        if (n > b->max - b->len)
                return -E2BIG;
        size_t need = b->len + n + 1;
        if (need <= b->alloc)
                return 0;
        size_t alloc = b->alloc ? b->alloc : 64;
        while (alloc < need)
                alloc = alloc > SIZE_MAX / 2 ? need : alloc * 2;
        char *p = realloc(b->data, alloc);
        if (!p)
                return -ENOMEM;
        p[b->len] = '\0'; /* a first allocation, reserved before any append, is "" too */
        b->data = p;
        b->alloc = alloc;
        return 0;
}

int buf_append_slow(struct buf *b, const void *data, size_t n) {
        int r = buf_reserve(b, n);
        if (r < 0)
                return r;
        if (n)
                memcpy(b->data + b->len, data, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
}

int buf_extend(struct buf *b, size_t n, char **ret) {
        int r = buf_reserve(b, n);
        if (r < 0)
                return r;
        *ret = b->data + b->len;
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
}

int buf_puts(struct buf *b, const char *s) {
        return buf_append(b, s, strlen(s));
}

int buf_putc_slow(struct buf *b, char c) {
        return buf_append(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap) {
        va_list copy;
        size_t room = b->alloc > b->len ? b->alloc - b->len : 0;
        /* Formatting straight into the room left is one pass when it fits,
         * as it mostly does once the buffer has grown; else a second pass
         * after growing. */
        va_copy(copy, ap);
        int n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, copy);
        va_end(copy);
        if (n < 0) {
                if (room)
                        b->data[b->len] = '\0';
                return -EINVAL;
        }
        if ((size_t)n < room && (size_t)n <= b->max - b->len) {
                b->len += (size_t)n;
                return 0;
        }
        if (room)
                b->data[b->len] = '\0'; /* undo the cut attempt: b is unchanged on failure */
        int r = buf_reserve(b, (size_t)n);
        if (r < 0)
                return r;
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        b->len += (size_t)n;
        return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = buf_vprintf(b, fmt, ap);
        va_end(ap);
        return r;
}

int buf_cat_list(struct buf *b, ...) {
        const size_t start = b->len;
        const char *s;
        int r = 0;
        va_list ap;
        va_start(ap, b);
        while (r == 0 && (s = va_arg(ap, const char *)))
                r = buf_puts(b, s);
        va_end(ap);
        if (r < 0)
                buf_truncate(b, start);
        return r;
}

char *buf_steal(struct buf *b) {
        char *s = b->data ? b->data : strdup("");
        size_t max = b->max;
        buf_init(b, max);
        return s;
}

const char *buf_str(const struct buf *b) {
        return b->data ? b->data : "";
}

void buf_truncate(struct buf *b, size_t len) {
        if (len < b->len) {
                b->len = len;
                b->data[len] = '\0';
        }
}

void buf_free(struct buf *b) {
        if (!b)
                return;
        free(b->data);
        buf_init(b, b->max);
}

void buf_free_secure(struct buf *b) {
        if (!b)
                return;
        if (b->data)
                OPENSSL_cleanse(b->data, b->alloc);
        buf_free(b);
}
