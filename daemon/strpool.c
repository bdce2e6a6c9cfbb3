#include "strpool.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hashidx.h"

struct item {
        size_t holds;
        char s[];
};

struct strpool {
        struct item **items; /* n of alloc used; a freed one's place goes to the last */
        size_t n, alloc;
        struct hashidx *idx; /* string -> place in items */
};

static void string_of(const void *ctx, uint32_t item, const char **parts) {
        const struct strpool *p = ctx;
        parts[0] = p->items[item]->s;
}

/* Room for 4 strings at first, as the items array when it first grows. */
#define STRPOOL_FIRST 4

int strpool_new(struct strpool **ret) {
        struct strpool *p = calloc(1, sizeof(*p));
        int r;
        if (!p)
                return -ENOMEM;
        r = hashidx_new(STRPOOL_FIRST, 1, string_of, p, NULL, &p->idx);
        if (r < 0) {
                free(p);
                return r;
        }
        *ret = p;
        return 0;
}

void strpool_free(struct strpool *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n; i++)
                free(p->items[i]);
        free(p->items);
        hashidx_free(p->idx);
        free(p);
}

/* The place of the pooled copy of s, or -ENOENT. */
static int place_of(const struct strpool *p, const char *s, uint32_t *ret) {
        const char *key[] = { s };
        return hashidx_find(p->idx, key, ret);
}

int strpool_get(struct strpool *p, const char *s, const char **ret) {
        struct item *it;
        uint32_t i;
        size_t len;
        int r;

        if (place_of(p, s, &i) == 0) {
                p->items[i]->holds++;
                *ret = p->items[i]->s;
                return 0;
        }
        if (p->n == p->alloc) {
                size_t alloc = p->alloc ? 2 * p->alloc : STRPOOL_FIRST;
                struct item **items;
                /* The index first: a larger one than needed, should the
                 * array not grow, costs nothing but its room. */
                r = hashidx_reserve(p->idx, alloc);
                if (r < 0)
                        return r;
                items = reallocarray(p->items, alloc, sizeof(*items));
                if (!items)
                        return -ENOMEM;
                p->items = items;
                p->alloc = alloc;
        }
        len = strlen(s);
        it = malloc(sizeof(*it) + len + 1);
        if (!it)
                return -ENOMEM;
        it->holds = 1;
        memcpy(it->s, s, len + 1);
        p->items[p->n] = it;
        r = hashidx_add(p->idx, (uint32_t)p->n);
        if (r < 0) {
                free(it);
                return r;
        }
        p->n++;
        *ret = it->s;
        return 0;
}

void strpool_put(struct strpool *p, const char *s) {
        uint32_t i;
        /* Equal strings share one copy, so the copy found is s, unless s
         * was not from the pool at all. */
        if (!s || place_of(p, s, &i) < 0 || p->items[i]->s != s || --p->items[i]->holds > 0)
                return;
        (void)hashidx_remove(p->idx, i); /* found through the index: it is there */
        free(p->items[i]);
        p->items[i] = p->items[--p->n];
        if (i != p->n)
                (void)hashidx_renumber(p->idx, (uint32_t)p->n, i);
}

size_t strpool_count(const struct strpool *p) {
        return p->n;
}
