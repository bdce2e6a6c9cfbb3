#include "name_cache.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "hashidx.h"
#include "strpool.h"

/* One allocation per entry, its strings inline: the ID, then the name (when
 * named), then each tag's key and value. The account and the region, which
 * thousands of entries share, point into the cache's pool. With its own
 * copies and a 56-byte slot a named entry cost 184 bytes of heap; so, 88. */
struct entry {
        time_t expires;
        const char *account, *region;
        uint8_t n_tags;
        bool named; /* else a negative entry, or one without a Name tag */
        char text[];
};

struct name_cache {
        struct entry **e; /* NULL: a free slot */
        size_t capacity;
        /* Slots from here on were never filled, and every one before is
         * (entries are replaced, never dropped): the next free slot. */
        size_t used;
        long positive_seconds;
        struct strpool *pool;
        struct hashidx *idx; /* (account, region, ID) -> slot */
};

static void key_of(const void *ctx, uint32_t item, const char **parts) {
        const struct name_cache *c = ctx;
        parts[0] = c->e[item]->account;
        parts[1] = c->e[item]->region;
        parts[2] = c->e[item]->text;
}

int name_cache_new(size_t capacity, long positive_seconds, struct name_cache **ret) {
        struct name_cache *c;
        int r;

        if (capacity == 0 || positive_seconds < 0 || !ret)
                return -EINVAL;
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->e = calloc(capacity, sizeof(*c->e));
        if (!c->e || strpool_new(&c->pool) < 0) {
                name_cache_free(c);
                return -ENOMEM;
        }
        r = hashidx_new(capacity, 3, key_of, c, NULL, &c->idx);
        if (r < 0) {
                name_cache_free(c);
                return r;
        }
        c->capacity = capacity;
        c->positive_seconds = positive_seconds;
        *ret = c;
        return 0;
}

static void entry_free(struct name_cache *c, struct entry *e) {
        if (!e)
                return;
        strpool_put(c->pool, e->account);
        strpool_put(c->pool, e->region);
        free(e);
}

void name_cache_free(struct name_cache *c) {
        if (!c)
                return;
        for (size_t i = 0; i < c->used; i++)
                entry_free(c, c->e[i]);
        free(c->e);
        strpool_free(c->pool);
        hashidx_free(c->idx);
        free(c);
}

/* The string after s in an entry's text. */
static const char *next(const char *s) {
        return s + strlen(s) + 1;
}

/* The slot of the entry for this key, live or not: 0, or -ENOENT. */
static int find(const struct name_cache *c, const char *account, const char *region, const char *id,
                uint32_t *ret) {
        const char *key[] = { account, region, id };
        return hashidx_find(c->idx, key, ret);
}

/* The slot for a new key: a free one, else an expired one, else the one
 * that expires first. A scan, but of expiry times only, and only once the
 * cache is full. */
static uint32_t victim(const struct name_cache *c, time_t now) {
        size_t best = 0;
        if (c->used < c->capacity)
                return (uint32_t)c->used;
        for (size_t i = 0; i < c->capacity; i++) {
                if (c->e[i]->expires <= now)
                        return (uint32_t)i;
                if (c->e[i]->expires < c->e[best]->expires)
                        best = i;
        }
        return (uint32_t)best;
}

static int put(struct name_cache *c, const char *account, const char *region, const char *id, const char *name,
               const char *const *keys, const char *const *values, size_t n_keys, time_t expires, time_t now) {
        size_t size, n_tags = 0;
        struct entry *n;
        uint32_t i;
        char *p;

        if (!c || !account || !region || !id || (n_keys && (!keys || !values)) || n_keys > UINT8_MAX)
                return -EINVAL;
        size = offsetof(struct entry, text) + strlen(id) + 1 + (name ? strlen(name) + 1 : 0);
        for (size_t k = 0; k < n_keys; k++)
                if (values[k]) {
                        size += strlen(keys[k]) + 1 + strlen(values[k]) + 1;
                        n_tags++;
                }
        n = malloc(size);
        if (!n)
                return -ENOMEM;
        /* Member by member: a whole-struct assignment would write sizeof(*n)
         * bytes, more than an entry with a short ID has. */
        n->expires = expires;
        n->account = n->region = NULL;
        n->n_tags = (uint8_t)n_tags;
        n->named = name != NULL;
        if (strpool_get(c->pool, account, &n->account) < 0 || strpool_get(c->pool, region, &n->region) < 0) {
                entry_free(c, n);
                return -ENOMEM;
        }
        p = stpcpy(n->text, id) + 1;
        if (name)
                p = stpcpy(p, name) + 1;
        for (size_t k = 0; k < n_keys; k++)
                if (values[k]) {
                        p = stpcpy(p, keys[k]) + 1;
                        p = stpcpy(p, values[k]) + 1;
                }
        if (find(c, account, region, id, &i) == 0) {
                /* the same key: the index stays as it is */
                entry_free(c, c->e[i]);
                c->e[i] = n;
                return 0;
        }
        i = victim(c, now);
        if (c->e[i]) {
                (void)hashidx_remove(c->idx, i); /* every entry is indexed */
                entry_free(c, c->e[i]);
        } else {
                c->used++;
        }
        c->e[i] = n;
        /* Cannot fail: the index holds what e[] holds, fewer than capacity. */
        (void)hashidx_add(c->idx, i);
        return 0;
}

int name_cache_put(struct name_cache *c, const char *account, const char *region, const char *id,
                   const char *name, const char *const *tag_keys, const char *const *tag_values, size_t n_keys,
                   time_t now) {
        if (!c)
                return -EINVAL;
        return put(c, account, region, id, name, tag_keys, tag_values, tag_values ? n_keys : 0,
                   now + c->positive_seconds, now);
}

int name_cache_put_unknown(struct name_cache *c, const char *account, const char *region, const char *id,
                           time_t now) {
        return put(c, account, region, id, NULL, NULL, NULL, 0, now + NAME_CACHE_NEGATIVE, now);
}

static void tags_free(struct event_tag *t, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(t[i].key);
                free(t[i].value);
        }
        free(t);
}

int name_cache_fill(struct name_cache *c, struct ssm_event *ev, time_t now) {
        const struct entry *e;
        const char *s;
        char *name = NULL;
        uint32_t slot;
        struct event_tag *tags = NULL;

        if (!c || !ev)
                return -EINVAL;
        if (!ev->account_id || !ev->region || !ev->target ||
            find(c, ev->account_id, ev->region, ev->target, &slot) < 0 || c->e[slot]->expires <= now)
                return -ENOENT;
        e = c->e[slot];
        s = next(e->text);
        if (e->named) {
                if (!(name = strdup(s)))
                        return -ENOMEM;
                s = next(s);
        }
        if (e->n_tags && !(tags = calloc(e->n_tags, sizeof(*tags))))
                goto nomem;
        for (size_t i = 0; i < e->n_tags; i++) {
                tags[i].key = strdup(s);
                s = next(s);
                tags[i].value = strdup(s);
                s = next(s);
                if (!tags[i].key || !tags[i].value) {
                        tags_free(tags, e->n_tags);
                        goto nomem;
                }
        }
        free(ev->target_name);
        tags_free(ev->target_tags, ev->n_target_tags);
        ev->target_name = name;
        ev->target_tags = tags;
        ev->n_target_tags = e->n_tags;
        return 0;
nomem:
        free(name);
        return -ENOMEM;
}
