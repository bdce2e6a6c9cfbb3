#include "name_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"

struct entry {
        char *account, *region, *id; /* NULL: a free slot */
        char *name;                  /* NULL: none (or a negative entry) */
        struct event_tag *tags;
        size_t n_tags;
        time_t expires;
};

struct name_cache {
        struct entry *e;
        size_t capacity;
        /* Slots from here on were never filled: a look-up stops here rather
         * than compare a thousand free slots for every event. */
        size_t used;
        long positive_seconds;
};

int name_cache_new(size_t capacity, long positive_seconds, struct name_cache **ret) {
        struct name_cache *c;

        if (capacity == 0 || positive_seconds < 0 || !ret)
                return -EINVAL;
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->e = calloc(capacity, sizeof(*c->e));
        if (!c->e) {
                free(c);
                return -ENOMEM;
        }
        c->capacity = capacity;
        c->positive_seconds = positive_seconds;
        *ret = c;
        return 0;
}

static void tags_free(struct event_tag *t, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(t[i].key);
                free(t[i].value);
        }
        free(t);
}

static void entry_clear(struct entry *e) {
        free(e->account);
        free(e->region);
        free(e->id);
        free(e->name);
        tags_free(e->tags, e->n_tags);
        *e = (struct entry){ 0 };
}

void name_cache_free(struct name_cache *c) {
        if (!c)
                return;
        for (size_t i = 0; i < c->capacity; i++)
                entry_clear(&c->e[i]);
        free(c->e);
        free(c);
}

static bool same(const struct entry *e, const char *account, const char *region, const char *id) {
        return e->id && strcmp(e->id, id) == 0 && strcmp(e->account, account) == 0 &&
               strcmp(e->region, region) == 0;
}

/* The slot for a new entry: the same key, else a free or expired one, else
 * the one that expires first. */
static bool reusable(const struct entry *e, time_t now) {
        return !e->id || e->expires <= now;
}

static struct entry *slot_for(struct name_cache *c, const char *account, const char *region, const char *id,
                              time_t now) {
        struct entry *best = NULL;
        for (size_t i = 0; i < c->capacity; i++) {
                struct entry *e = &c->e[i];
                if (same(e, account, region, id))
                        return e;
                if (!best || (!reusable(best, now) && (reusable(e, now) || e->expires < best->expires)))
                        best = e;
        }
        return best;
}

static int put(struct name_cache *c, const char *account, const char *region, const char *id, const char *name,
               const char *const *keys, const char *const *values, size_t n_keys, time_t expires, time_t now) {
        struct entry n = { 0 };

        if (!c || !account || !region || !id || (n_keys && (!keys || !values)))
                return -EINVAL;
        n.account = strdup(account);
        n.region = strdup(region);
        n.id = strdup(id);
        if (!n.account || !n.region || !n.id || (name && !(n.name = strdup(name))))
                goto nomem;
        for (size_t k = 0; k < n_keys; k++) {
                if (!values[k])
                        continue;
                if (!n.tags && !(n.tags = calloc(n_keys, sizeof(*n.tags))))
                        goto nomem;
                struct event_tag *t = &n.tags[n.n_tags];
                t->key = strdup(keys[k]);
                t->value = strdup(values[k]);
                n.n_tags++;
                if (!t->key || !t->value)
                        goto nomem;
        }
        n.expires = expires;
        struct entry *e = slot_for(c, account, region, id, now);
        if (!e) { /* only for a capacity of 0, which name_cache_new refuses */
                entry_clear(&n);
                return -EINVAL;
        }
        entry_clear(e);
        *e = n;
        if ((size_t)(e - c->e) >= c->used)
                c->used = (size_t)(e - c->e) + 1;
        return 0;
nomem:
        entry_clear(&n);
        return -ENOMEM;
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

int name_cache_fill(struct name_cache *c, struct ssm_event *ev, time_t now) {
        const struct entry *e = NULL;
        char *name = NULL;
        struct event_tag *tags = NULL;

        if (!c || !ev)
                return -EINVAL;
        if (!ev->account_id || !ev->region || !ev->target)
                return -ENOENT;
        for (size_t i = 0; i < c->used && !e; i++)
                if (same(&c->e[i], ev->account_id, ev->region, ev->target) && c->e[i].expires > now)
                        e = &c->e[i];
        if (!e)
                return -ENOENT;
        if (e->name && !(name = strdup(e->name)))
                return -ENOMEM;
        if (e->n_tags && !(tags = calloc(e->n_tags, sizeof(*tags))))
                goto nomem;
        for (size_t i = 0; i < e->n_tags; i++) {
                tags[i].key = strdup(e->tags[i].key);
                tags[i].value = strdup(e->tags[i].value);
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
