#include "dedupe.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* CloudTrail eventIDs are UUIDs (36 bytes); the relay's per-topic memory
 * keys are a topic ARN (at most 326 bytes: awsid.h's limits) and an eventID
 * of up to 256 bytes. Anything beyond this is refused. */
#define DEDUPE_ID_MAX 600
/* An ID is remembered by the first 128 bits of its SHA-256, not as a string:
 * 16 bytes a slot where a copy cost 48 to 112 bytes of heap (the relay keeps
 * 12,288 of them). Two IDs share a digest with a probability of about 2^-128
 * per pair, and nobody can make them (that would be a SHA-256 collision), so
 * the set answers as if it kept the IDs whole. */
#define DIGEST_LEN 16
#define NONE UINT32_MAX

/* A ring of digests in insertion order, plus a hash table of chains through
 * the ring's slots, so a lookup costs one short chain, not a scan of the
 * ring. Slot numbers are 32 bits: a set holds thousands, not billions. */
struct dedupe {
        EVP_MD *sha256; /* fetched once: a fetch per digest would double its cost */
        size_t capacity;
        size_t next;     /* ring slot of the next insert (the oldest when full) */
        size_t n_buckets;
        size_t used;     /* slots filled so far (capacity once the ring wrapped) */
        uint32_t *bucket; /* first slot of each chain, or NONE */
        uint32_t *chain;  /* next slot in the same chain, or NONE */
        uint8_t (*digest)[DIGEST_LEN];
};

int dedupe_new(size_t capacity, struct dedupe **ret) {
        struct dedupe *d;

        if (capacity == 0 || capacity >= NONE)
                return -EINVAL;
        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->capacity = capacity;
        /* Load factor at most 1: a miss walks about one slot, and a bucket
         * costs as much as a slot's chain link, so more buckets would cost
         * more memory than the walks they save. */
        d->n_buckets = capacity;
        d->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
        if (!d->sha256) {
                dedupe_free(d);
                return -ENOMEM;
        }
        *ret = d;
        return 0;
}

/* The tables, at the first add: a set nothing is added to (the relay's
 * per-topic memory when every route has one topic) costs none. */
static int tables_new(struct dedupe *d) {
        d->bucket = malloc(d->n_buckets * sizeof(*d->bucket));
        d->chain = malloc(d->capacity * sizeof(*d->chain));
        d->digest = malloc(d->capacity * sizeof(*d->digest));
        if (!d->bucket || !d->chain || !d->digest) {
                free(d->bucket);
                free(d->chain);
                free(d->digest);
                d->bucket = d->chain = NULL;
                d->digest = NULL;
                return -ENOMEM;
        }
        for (size_t i = 0; i < d->n_buckets; i++)
                d->bucket[i] = NONE;
        return 0;
}

void dedupe_free(struct dedupe *d) {
        if (!d)
                return;
        EVP_MD_free(d->sha256);
        free(d->digest);
        free(d->chain);
        free(d->bucket);
        free(d);
}

static int digest_of(const struct dedupe *d, const char *id, uint8_t ret[static DIGEST_LEN]) {
        unsigned char md[EVP_MAX_MD_SIZE];
        if (strlen(id) > DEDUPE_ID_MAX)
                return -EINVAL;
        if (!EVP_Digest(id, strlen(id), md, NULL, d->sha256, NULL))
                return -ENOMEM;
        memcpy(ret, md, DIGEST_LEN);
        return 0;
}

/* The digest is uniform already: its first bytes pick the bucket. */
static size_t bucket_of(const struct dedupe *d, const uint8_t digest[static DIGEST_LEN]) {
        uint64_t h;
        memcpy(&h, digest, sizeof(h));
        return (size_t)(h % d->n_buckets);
}

static bool contains_digest(const struct dedupe *d, const uint8_t digest[static DIGEST_LEN]) {
        if (!d->bucket)
                return false;
        for (uint32_t s = d->bucket[bucket_of(d, digest)]; s != NONE; s = d->chain[s])
                if (memcmp(d->digest[s], digest, DIGEST_LEN) == 0)
                        return true;
        return false;
}

bool dedupe_contains(const struct dedupe *d, const char *id) {
        uint8_t digest[DIGEST_LEN];
        return d->bucket && digest_of(d, id, digest) == 0 && contains_digest(d, digest);
}

static void unlink_slot(struct dedupe *d, size_t slot) {
        uint32_t *p = &d->bucket[bucket_of(d, d->digest[slot])];
        while (*p != slot)
                p = &d->chain[*p];
        *p = d->chain[slot];
}

int dedupe_add(struct dedupe *d, const char *id) {
        uint8_t digest[DIGEST_LEN];
        int r = digest_of(d, id, digest);
        if (r < 0)
                return r;
        if (contains_digest(d, digest))
                return 0;
        if (!d->bucket && (r = tables_new(d)) < 0)
                return r;
        size_t slot = d->next;
        if (d->used == d->capacity)
                unlink_slot(d, slot);
        else
                d->used++;
        size_t b = bucket_of(d, digest);
        memcpy(d->digest[slot], digest, DIGEST_LEN);
        d->chain[slot] = d->bucket[b];
        d->bucket[b] = (uint32_t)slot;
        d->next = (slot + 1) % d->capacity;
        return 0;
}
