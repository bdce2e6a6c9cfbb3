/* buf: a growable byte buffer with a hard maximum size.
 *
 * Every input the daemon accumulates (HTTP bodies, rendered messages, form
 * bodies) goes through a buf so that nothing grows without a bound (STYLE.md,
 * habit 5). The data is always NUL-terminated, so text can be used as a C
 * string. Appending past the maximum fails with -E2BIG and leaves the buffer
 * unchanged. buf_init() sets the maximum, which every buffer must have: a
 * buffer without one (max 0, e.g. a zeroed struct buf) is empty and refuses
 * every append with -EINVAL. */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct buf {
        char *data;   /* NULL until the first append */
        size_t len;   /* bytes used, not counting the terminating NUL */
        size_t alloc; /* bytes allocated */
        size_t max;   /* largest len allowed, at most SIZE_MAX - 1; 0: none set, appends fail */
};

void buf_init(struct buf *b, size_t max);
/* Room for n more bytes (and the NUL) without a further allocation; -E2BIG
 * past the maximum. */
int buf_reserve(struct buf *b, size_t n);
int buf_append_slow(struct buf *b, const void *data, size_t n);
/* Appending is most of what the renderers and escapers do (some 170 calls a
 * message): the common case (room left) stays inline, as buf_putc's. */
static inline int buf_append(struct buf *b, const void *data, size_t n) {
        if (n < b->alloc - b->len && n <= b->max - b->len) {
                if (n)
                        memcpy(b->data + b->len, data, n);
                b->len += n;
                b->data[b->len] = '\0';
                return 0;
        }
        return buf_append_slow(b, data, n);
}
int buf_puts(struct buf *b, const char *s);
/* Grows b by n bytes and points *ret at them, for the caller to write in
 * place (contents undefined until then; the NUL after them is set). */
int buf_extend(struct buf *b, size_t n, char **ret);
int buf_putc_slow(struct buf *b, char c);

/* Escaping and rendering append byte by byte: the common case (room left)
 * stays inline. */
static inline int buf_putc(struct buf *b, char c) {
        if (b->len + 1 < b->alloc && b->len < b->max) {
                b->data[b->len++] = c;
                b->data[b->len] = '\0';
                return 0;
        }
        return buf_putc_slow(b, c);
}
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* buf_cat(b, s1, s2, ...) appends the strings, all or none: the hot paths'
 * "%s%s%s" without a format to interpret. buf_cat_list() takes the list
 * ended by a null pointer, which the macro adds. */
#define buf_cat(b, ...) buf_cat_list((b), __VA_ARGS__, (const char *)NULL)
int buf_cat_list(struct buf *b, ...) __attribute__((sentinel));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Returns the contents as a C string ("" when empty) owned by the caller and
 * leaves b empty; NULL only on allocation failure. */
char *buf_steal(struct buf *b);
/* The contents as a C string; "" for an empty buffer. */
const char *buf_str(const struct buf *b);
void buf_truncate(struct buf *b, size_t len);
void buf_free(struct buf *b);
/* As buf_free, but wipes the bytes first: for anything holding a secret. */
void buf_free_secure(struct buf *b);
