#include "dedupe.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* CloudTrail eventIDs are UUIDs (36 bytes); the relay's per-topic memory
 * keys are a topic ARN (at most 326 bytes: awsid.h's limits) and an eventID
 * of up to 256 bytes. An ID is kept whole; anything beyond this is refused. */
#define DEDUPE_ID_MAX 600
#define NONE SIZE_MAX

/* A ring of IDs in insertion order, plus a hash table of chains through the
 * ring's slots, so a lookup costs one short chain, not a scan of the ring. */
struct dedupe {
        size_t capacity;
        size_t next;     /* ring slot of the next insert (the oldest when full) */
        size_t n_buckets;
        size_t *bucket;  /* first slot of each chain, or NONE */
        size_t *chain;   /* next slot in the same chain, or NONE */
        uint64_t *hash;
        char **id;
};

/* FNV-1a: cheap, and good enough for UUIDs chosen by AWS. */
static uint64_t hash_of(const char *s) {
        uint64_t h = 0xcbf29ce484222325u;
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 0x100000001b3u;
        return h;
}

int dedupe_new(size_t capacity, struct dedupe **ret) {
        struct dedupe *d;

        if (capacity == 0 || capacity > SIZE_MAX / 4)
                return -EINVAL;
        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->capacity = capacity;
        d->n_buckets = capacity * 2; /* load factor at most 1/2 */
        d->bucket = malloc(d->n_buckets * sizeof(*d->bucket));
        d->chain = malloc(capacity * sizeof(*d->chain));
        d->hash = calloc(capacity, sizeof(*d->hash));
        d->id = calloc(capacity, sizeof(*d->id));
        if (!d->bucket || !d->chain || !d->hash || !d->id) {
                dedupe_free(d);
                return -ENOMEM;
        }
        for (size_t i = 0; i < d->n_buckets; i++)
                d->bucket[i] = NONE;
        *ret = d;
        return 0;
}

void dedupe_free(struct dedupe *d) {
        if (!d)
                return;
        if (d->id)
                for (size_t i = 0; i < d->capacity; i++)
                        free(d->id[i]);
        free(d->id);
        free(d->hash);
        free(d->chain);
        free(d->bucket);
        free(d);
}

bool dedupe_contains(const struct dedupe *d, const char *id) {
        uint64_t h = hash_of(id);
        for (size_t s = d->bucket[h % d->n_buckets]; s != NONE; s = d->chain[s])
                if (d->hash[s] == h && strcmp(d->id[s], id) == 0)
                        return true;
        return false;
}

static void unlink_slot(struct dedupe *d, size_t slot) {
        size_t *p = &d->bucket[d->hash[slot] % d->n_buckets];
        while (*p != slot)
                p = &d->chain[*p];
        *p = d->chain[slot];
}

int dedupe_add(struct dedupe *d, const char *id) {
        if (strlen(id) > DEDUPE_ID_MAX)
                return -EINVAL;
        if (dedupe_contains(d, id))
                return 0;
        char *copy = strdup(id);
        if (!copy)
                return -ENOMEM;
        size_t slot = d->next;
        if (d->id[slot]) {
                unlink_slot(d, slot);
                free(d->id[slot]);
        }
        uint64_t h = hash_of(id);
        size_t b = h % d->n_buckets;
        d->id[slot] = copy;
        d->hash[slot] = h;
        d->chain[slot] = d->bucket[b];
        d->bucket[b] = slot;
        d->next = (slot + 1) % d->capacity;
        return 0;
}
