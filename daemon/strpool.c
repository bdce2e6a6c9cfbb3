#include "strpool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct item {
        size_t holds;
        char s[];
};

struct strpool {
        struct item **items;
        size_t n, alloc;
};

int strpool_new(struct strpool **ret) {
        struct strpool *p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

void strpool_free(struct strpool *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n; i++)
                free(p->items[i]);
        free(p->items);
        free(p);
}

int strpool_get(struct strpool *p, const char *s, const char **ret) {
        struct item *it;
        size_t len;

        for (size_t i = 0; i < p->n; i++)
                if (strcmp(p->items[i]->s, s) == 0) {
                        p->items[i]->holds++;
                        *ret = p->items[i]->s;
                        return 0;
                }
        if (p->n == p->alloc) {
                size_t alloc = p->alloc ? 2 * p->alloc : 4;
                struct item **items = reallocarray(p->items, alloc, sizeof(*items));
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
        p->items[p->n++] = it;
        *ret = it->s;
        return 0;
}

void strpool_put(struct strpool *p, const char *s) {
        if (!s)
                return;
        for (size_t i = 0; i < p->n; i++)
                if (p->items[i]->s == s) {
                        if (--p->items[i]->holds == 0) {
                                free(p->items[i]);
                                p->items[i] = p->items[--p->n];
                        }
                        return;
                }
}

size_t strpool_count(const struct strpool *p) {
        return p->n;
}
