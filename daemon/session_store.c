#include "session_store.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "hashidx.h"
#include "json_parse.h"
#include "json_write.h"
#include "macro.h"
#include "strpool.h"
#include "textsafe.h"

/* {"version", "sessions": [ {…} ]}: three levels, one spare. */
#define SESSION_JSON_DEPTH 4

/* One allocation per session, its own strings inline after it (the entry's
 * pointers point there); the account and the region, which thousands of
 * sessions share, point into the store's pool. With five copies of its own
 * and a 72-byte slot a session cost 264 bytes of heap; so, 168 (slot included). */
struct held {
        struct session_entry e;
        char text[];
};

struct session_store {
        struct held **e; /* n of max slots used */
        size_t n, max;
        struct strpool *pool;
        struct hashidx *idx; /* session ID -> slot of e[] */
};

static void session_id_of(const void *ctx, uint32_t item, const char **parts) {
        const struct session_store *s = ctx;
        parts[0] = s->e[item]->e.session_id;
}

int session_store_new(size_t max, struct session_store **ret) {
        struct session_store *s;
        int r;
        if (max == 0)
                return -EINVAL;
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->max = max;
        s->e = calloc(max, sizeof(*s->e));
        if (!s->e || strpool_new(&s->pool) < 0) {
                session_store_free(s);
                return -ENOMEM;
        }
        r = hashidx_new(max, 1, session_id_of, s, NULL, &s->idx);
        if (r < 0) {
                session_store_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

/* A session_entry of strings of its own (entry_of's), not held in a store. */
static void entry_clear(struct session_entry *e) {
        free(e->session_id);
        free(e->target);
        free(e->owner);
        free(e->account_id);
        free(e->region);
        *e = (struct session_entry){ 0 };
}

static void held_free(struct session_store *s, struct held *h) {
        if (!h)
                return;
        strpool_put(s->pool, h->e.account_id);
        strpool_put(s->pool, h->e.region);
        free(h);
}

void session_store_free(struct session_store *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++)
                held_free(s, s->e[i]);
        free(s->e);
        strpool_free(s->pool);
        hashidx_free(s->idx);
        free(s);
}

size_t session_store_count(const struct session_store *s) {
        return s->n;
}

const struct session_entry *session_store_at(const struct session_store *s, size_t i) {
        return i < s->n ? &s->e[i]->e : NULL;
}

/* The slot of the session, or NULL. */
static struct held **slot_of(const struct session_store *s, const char *session_id) {
        const char *key[] = { session_id };
        uint32_t i;
        return hashidx_find(s->idx, key, &i) == 0 ? &s->e[i] : NULL;
}

static struct session_entry *find(const struct session_store *s, const char *session_id) {
        struct held **slot = slot_of(s, session_id);
        return slot ? &(*slot)->e : NULL;
}

const struct session_entry *session_store_find(const struct session_store *s, const char *session_id) {
        return session_id ? find(s, session_id) : NULL;
}

/* What the file may hold: SESSION_FIELD_MAX bytes of UTF-8 without control
 * characters, so that a value read back is as safe as one from an event. */
static bool field_ok(const char *v) {
        size_t n;
        if (!v)
                return true;
        n = strlen(v);
        if (n == 0 || n > SESSION_FIELD_MAX || !textsafe_utf8_valid(v, n))
                return false;
        for (size_t i = 0; i < n; i++)
                if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
                        return false;
        return true;
}

/* Copies v (or NULL) into the text at *p, moving *p past it. */
static char *put_text(char **p, const char *v) {
        char *at = *p;
        size_t n;
        if (!v)
                return NULL;
        n = strlen(v) + 1;
        memcpy(at, v, n);
        *p += n;
        return at;
}

static size_t text_size(const char *v) {
        return v ? strlen(v) + 1 : 0;
}

/* A held copy of e: its fields, its own strings inline, the account and the
 * region from the pool. */
static int held_new(struct session_store *s, const struct session_entry *e, struct held **ret) {
        const char *account = NULL, *region = NULL;
        struct held *h;
        char *p;

        if ((e->account_id && strpool_get(s->pool, e->account_id, &account) < 0) ||
            (e->region && strpool_get(s->pool, e->region, &region) < 0))
                goto nomem;
        h = malloc(offsetof(struct held, text) + text_size(e->session_id) + text_size(e->target) +
                   text_size(e->owner));
        if (!h)
                goto nomem;
        p = h->text;
        h->e = (struct session_entry){ .start = e->start, .resumes = e->resumes, .still_open_sent = e->still_open_sent };
        h->e.session_id = put_text(&p, e->session_id);
        h->e.target = put_text(&p, e->target);
        h->e.owner = put_text(&p, e->owner);
        /* The entry's type has no const: what it points at is only ever read. */
        h->e.account_id = (char *)(uintptr_t)account;
        h->e.region = (char *)(uintptr_t)region;
        *ret = h;
        return 0;
nomem:
        strpool_put(s->pool, account);
        strpool_put(s->pool, region);
        return -ENOMEM;
}

/* A scan of start times, integers only, and only when the store is full:
 * an index by start time would cost more at every add than this costs at
 * the rare eviction. */
static size_t oldest(const struct session_store *s) {
        size_t o = 0;
        for (size_t i = 1; i < s->n; i++)
                if (s->e[i]->e.start < s->e[o]->e.start)
                        o = i;
        return o;
}

int session_store_add(struct session_store *s, const struct session_entry *e, char **ret_evicted) {
        struct held *h, **slot;
        char *evicted = NULL;
        bool same;

        if (!e->session_id || !field_ok(e->session_id) || !field_ok(e->target) || !field_ok(e->owner) ||
            !field_ok(e->account_id) || !field_ok(e->region))
                return -EINVAL;
        slot = slot_of(s, e->session_id);
        same = slot != NULL;
        if (!slot && s->n == s->max) {
                slot = &s->e[oldest(s)];
                if (ret_evicted && !(evicted = strdup((*slot)->e.session_id)))
                        return -ENOMEM;
        }
        if (held_new(s, e, &h) < 0) {
                free(evicted);
                return -ENOMEM;
        }
        if (same) {
                /* the same session ID: the index stays as it is */
                held_free(s, *slot);
                *slot = h;
        } else if (slot) {
                uint32_t i = (uint32_t)(slot - s->e);
                /* Neither can fail: the index holds what e[] holds. */
                (void)hashidx_remove(s->idx, i);
                held_free(s, *slot);
                *slot = h;
                (void)hashidx_add(s->idx, i);
        } else {
                int r;
                s->e[s->n] = h;
                r = hashidx_add(s->idx, (uint32_t)s->n);
                if (r < 0) {
                        s->e[s->n] = NULL;
                        held_free(s, h);
                        return r;
                }
                s->n++;
        }
        if (ret_evicted)
                *ret_evicted = evicted;
        return 0;
}

int session_store_remove(struct session_store *s, const char *session_id) {
        struct held **slot = slot_of(s, session_id);
        uint32_t i;
        if (!slot)
                return -ENOENT;
        i = (uint32_t)(slot - s->e);
        (void)hashidx_remove(s->idx, i); /* found through the index: it is there */
        held_free(s, *slot);
        /* Order does not matter: the last entry fills the hole. */
        *slot = s->e[--s->n];
        s->e[s->n] = NULL;
        if (i != s->n)
                (void)hashidx_renumber(s->idx, (uint32_t)s->n, i);
        return 0;
}

int session_store_resumed(struct session_store *s, const char *session_id) {
        struct session_entry *e = find(s, session_id);
        if (!e)
                return -ENOENT;
        if (e->resumes < UINT32_MAX)
                e->resumes++;
        return 0;
}

int session_store_mark_still_open(struct session_store *s, const char *session_id) {
        struct session_entry *e = find(s, session_id);
        if (!e)
                return -ENOENT;
        e->still_open_sent = true;
        return 0;
}

int session_store_missed(struct session_store *s, const char *session_id, time_t now, long interval) {
        struct session_entry *e = find(s, session_id);
        long wait = interval > 0 ? interval : 1;
        if (!e)
                return -ENOENT;
        for (unsigned i = 0; i < e->misses && wait < SESSION_RETRY_MAX; i++)
                wait *= 2;
        if (e->misses < UINT32_MAX)
                e->misses++;
        e->retry_after = now + (wait < SESSION_RETRY_MAX ? wait : SESSION_RETRY_MAX);
        return 0;
}

/* An optional member: absent (not null) when v is NULL. */
static int put_member(struct buf *out, const char *key, const char *v) {
        if (!v)
                return 0;
        int r = buf_printf(out, ",\"%s\":", key);
        return r == 0 ? json_write_string(out, v) : r;
}

struct pieces {
        session_store_sink_fn sink; /* NULL: everything stays in out */
        void *userdata;
        size_t handed; /* bytes the sink took */
};

/* Hands out's text to the sink once there is at least `at` of it. */
static int hand_on(struct pieces *p, struct buf *out, size_t at) {
        int r;
        if (!p->sink || out->len < at)
                return 0;
        if (out->len > SESSION_FILE_MAX - p->handed)
                return -E2BIG;
        r = p->sink(p->userdata, out->data, out->len);
        p->handed += out->len;
        buf_truncate(out, 0);
        return r;
}

/* Written directly rather than through a json-c tree: the tree cost about
 * 1 KiB a session at every save (each change of the open sessions), and
 * left that much heap behind, scattered, once freed. */
static int format_pieces(const struct session_store *s, struct buf *out, struct pieces *p) {
        int r = buf_printf(out, "{\"version\":%d,\"sessions\":[", SESSION_STORE_VERSION);
        for (size_t i = 0; i < s->n && r == 0; i++) {
                const struct session_entry *e = &s->e[i]->e;
                r = buf_puts(out, i ? ",\n{\"session_id\":" : "\n{\"session_id\":");
                if (r == 0)
                        r = json_write_string(out, e->session_id);
                if (r == 0)
                        r = put_member(out, "target", e->target);
                if (r == 0)
                        r = put_member(out, "owner", e->owner);
                if (r == 0)
                        r = put_member(out, "account_id", e->account_id);
                if (r == 0)
                        r = put_member(out, "region", e->region);
                if (r == 0)
                        r = buf_printf(out, ",\"start\":%lld,\"resumes\":%u,\"still_open_sent\":%s}",
                                       (long long)e->start, e->resumes, e->still_open_sent ? "true" : "false");
                if (r == 0)
                        r = hand_on(p, out, SESSION_WRITE_CHUNK);
        }
        if (r == 0)
                r = buf_puts(out, "]}\n");
        return r == 0 ? hand_on(p, out, 0) : r;
}

int session_store_format(const struct session_store *s, struct buf *out) {
        struct pieces p = { 0 };
        return format_pieces(s, out, &p);
}

int session_store_write(const struct session_store *s, struct buf *out, session_store_sink_fn sink,
                        void *userdata) {
        struct pieces p = { .sink = sink, .userdata = userdata };
        int r;
        if (!sink)
                return -EINVAL;
        r = format_pieces(s, out, &p);
        buf_truncate(out, 0);
        return r;
}

/* An optional string member: absent leaves *ret NULL. */
static int get_string(json_object *o, const char *key, bool required, char **ret) {
        json_object *v;
        const char *str;
        if (!json_object_object_get_ex(o, key, &v))
                return required ? -EBADMSG : 0;
        if (!json_object_is_type(v, json_type_string))
                return -EBADMSG;
        str = json_object_get_string(v);
        /* A NUL inside the JSON string would hide the rest from strlen. */
        if ((size_t)json_object_get_string_len(v) != strlen(str) || !field_ok(str))
                return -EBADMSG;
        *ret = strdup(str);
        return *ret ? 0 : -ENOMEM;
}

static int get_int(json_object *o, const char *key, int64_t min, int64_t max, int64_t *ret) {
        json_object *v;
        int64_t n;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return -EBADMSG;
        errno = 0;
        n = json_object_get_int64(v);
        if (errno != 0 || n < min || n > max)
                return -EBADMSG;
        *ret = n;
        return 0;
}

static int entry_of(json_object *o, struct session_entry *ret) {
        static const char *const known[] = { "session_id", "account_id", "region", "start",
                                             "target",     "owner",      "resumes", "still_open_sent" };
        struct session_entry e = { 0 };
        json_object *flag;
        int64_t start, resumes;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        json_object_object_foreach(o, key, val) {
                bool ok = false;
                (void)val;
                for (size_t i = 0; i < ELEMENTSOF(known) && !ok; i++)
                        ok = strcmp(key, known[i]) == 0;
                if (!ok)
                        return -EBADMSG;
        }
        if ((r = get_string(o, "session_id", true, &e.session_id)) < 0 ||
            (r = get_string(o, "target", false, &e.target)) < 0 || (r = get_string(o, "owner", false, &e.owner)) < 0 ||
            (r = get_string(o, "account_id", false, &e.account_id)) < 0 ||
            (r = get_string(o, "region", false, &e.region)) < 0 ||
            (r = get_int(o, "start", 0, INT64_C(253402300799) /* 9999-12-31 */, &start)) < 0 ||
            (r = get_int(o, "resumes", 0, UINT32_MAX, &resumes)) < 0)
                goto fail;
        if (!json_object_object_get_ex(o, "still_open_sent", &flag) || !json_object_is_type(flag, json_type_boolean)) {
                r = -EBADMSG;
                goto fail;
        }
        e.start = (time_t)start;
        e.resumes = (unsigned)resumes;
        e.still_open_sent = json_object_get_boolean(flag);
        *ret = e;
        return 0;
fail:
        entry_clear(&e);
        return r;
}

int session_store_parse(const char *text, size_t len, size_t max, struct session_store **ret) {
        json_object *root = NULL, *list, *version;
        struct session_store *s = NULL;
        int r;

        if (len > SESSION_FILE_MAX)
                return -E2BIG;
        r = json_parse_whole(text, len, SESSION_JSON_DEPTH, &root);
        if (r < 0)
                return r == -ENOMEM ? r : -EBADMSG;
        r = -EBADMSG;
        if (!root || !json_object_is_type(root, json_type_object) ||
            !json_object_object_get_ex(root, "version", &version) || !json_object_is_type(version, json_type_int))
                goto out;
        if (json_object_get_int64(version) != SESSION_STORE_VERSION) {
                r = -EPROTONOSUPPORT;
                goto out;
        }
        if (!json_object_object_get_ex(root, "sessions", &list) || !json_object_is_type(list, json_type_array) ||
            json_object_object_length(root) != 2)
                goto out;
        if (json_object_array_length(list) > max) {
                r = -E2BIG;
                goto out;
        }
        r = session_store_new(max, &s);
        if (r < 0)
                goto out;
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct session_entry e;
                r = entry_of(json_object_array_get_idx(list, i), &e);
                if (r < 0)
                        goto out;
                if (find(s, e.session_id))
                        r = -EBADMSG;
                else if ((r = held_new(s, &e, &s->e[s->n])) == 0)
                        r = hashidx_add(s->idx, (uint32_t)s->n++);
                entry_clear(&e);
                if (r < 0)
                        goto out;
        }
        *ret = s;
        s = NULL;
        r = 0;
out:
        session_store_free(s);
        json_object_put(root);
        return r;
}
