#include "burst.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct window {
        char *key; /* NULL: a free slot */
        int64_t start;
        unsigned count;
};

struct burst {
        unsigned limit, window;
        struct window slot[BURST_ACTORS_MAX];
};

int burst_new(unsigned limit, unsigned window, struct burst **ret) {
        struct burst *b;

        if (limit == 0 || window == 0)
                return -EINVAL;
        if (!(b = calloc(1, sizeof(*b))))
                return -ENOMEM;
        b->limit = limit;
        b->window = window;
        *ret = b;
        return 0;
}

void burst_free(struct burst *b) {
        if (!b)
                return;
        for (size_t i = 0; i < BURST_ACTORS_MAX; i++)
                free(b->slot[i].key);
        free(b);
}

static bool open_at(const struct burst *b, const struct window *w, int64_t now) {
        return w->key && now < w->start + (int64_t)b->window;
}

enum burst_verdict burst_note(struct burst *b, const char *key, int64_t now, int64_t *ret_window_end) {
        struct window *w = NULL, *spare = NULL;

        if (!key)
                return BURST_PASS;
        for (size_t i = 0; i < BURST_ACTORS_MAX && !w; i++) {
                struct window *s = &b->slot[i];
                if (s->key && strcmp(s->key, key) == 0)
                        w = s;
                else if (!spare && !open_at(b, s, now))
                        spare = s;
        }
        if (w && open_at(b, w, now)) {
                if (++w->count <= b->limit)
                        return BURST_PASS;
                *ret_window_end = w->start + (int64_t)b->window;
                return BURST_HOLD;
        }
        if (!w) {
                char *copy;
                if (!spare || !(copy = strdup(key)))
                        return BURST_PASS;
                free(spare->key);
                spare->key = copy;
                w = spare;
        }
        w->start = now;
        w->count = 1;
        return BURST_PASS;
}
