#include "hashidx.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define EMPTY 0 /* a slot holds item + 1 */

struct hashidx {
        uint32_t *slot;
        size_t n_slots, capacity, count, n_parts;
        hashidx_key_fn key_of;
        const void *ctx;
        uint8_t key[SIPHASH_KEY_LEN];
};

/* At most 0.7 of the slots used; at least one always free, so every probe
 * ends. */
static size_t slots_for(size_t capacity) {
        return capacity * 10 / 7 + 1;
}

/* getrandom(2) without waiting: a daemon started before the kernel's pool is
 * ready must not hang on it. The fallback (clocks, PID, addresses under
 * ASLR) is guessable only by someone who sees the host; what a guessed key
 * costs is slower look-ups, never a wrong answer. */
static void random_key(uint8_t key[SIPHASH_KEY_LEN]) {
        static const uint8_t zero[SIPHASH_KEY_LEN];
        struct {
                struct timespec real, mono;
                pid_t pid;
                const void *stack, *data;
        } noise;
        struct siphash st;
        uint64_t v[2];

        if (getrandom(key, SIPHASH_KEY_LEN, GRND_NONBLOCK) == SIPHASH_KEY_LEN)
                return;
        memset(&noise, 0, sizeof(noise)); /* padding too: all of it is hashed */
        noise.pid = getpid();
        noise.stack = &noise;
        noise.data = zero;
        clock_gettime(CLOCK_REALTIME, &noise.real);
        clock_gettime(CLOCK_MONOTONIC, &noise.mono);
        for (unsigned i = 0; i < 2; i++) {
                siphash_init(&st, zero);
                siphash_update(&st, &i, sizeof(i));
                siphash_update(&st, &noise, sizeof(noise));
                v[i] = siphash_final(&st);
        }
        memcpy(key, v, SIPHASH_KEY_LEN);
}

int hashidx_new(size_t capacity, size_t n_parts, hashidx_key_fn key_of, const void *ctx, const uint8_t *seed,
                struct hashidx **ret) {
        struct hashidx *h;

        if (capacity == 0 || capacity > HASHIDX_CAPACITY_MAX || n_parts == 0 || n_parts > HASHIDX_PARTS_MAX ||
            !key_of || !ret)
                return -EINVAL;
        h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        h->n_slots = slots_for(capacity);
        h->slot = calloc(h->n_slots, sizeof(*h->slot));
        if (!h->slot) {
                free(h);
                return -ENOMEM;
        }
        h->capacity = capacity;
        h->n_parts = n_parts;
        h->key_of = key_of;
        h->ctx = ctx;
        if (seed)
                memcpy(h->key, seed, SIPHASH_KEY_LEN);
        else
                random_key(h->key);
        *ret = h;
        return 0;
}

void hashidx_free(struct hashidx *h) {
        if (!h)
                return;
        free(h->slot);
        free(h);
}

size_t hashidx_count(const struct hashidx *h) {
        return h->count;
}

/* Each part with its NUL, so that ("ab", "c") and ("a", "bc") differ. */
static uint64_t hash_of(const struct hashidx *h, const char *const *parts) {
        struct siphash st;
        siphash_init(&st, h->key);
        for (size_t i = 0; i < h->n_parts; i++)
                siphash_update(&st, parts[i], strlen(parts[i]) + 1);
        return siphash_final(&st);
}

/* Multiply and shift rather than a modulo: the slot count needs not be a
 * power of two, so the load stays near 0.7 whatever the capacity. */
static size_t home_of(size_t n_slots, uint64_t hash) {
        return (size_t)(((hash >> 32) * (uint64_t)n_slots) >> 32);
}

static size_t item_home(const struct hashidx *h, size_t n_slots, uint32_t item) {
        const char *parts[HASHIDX_PARTS_MAX];
        h->key_of(h->ctx, item, parts);
        return home_of(n_slots, hash_of(h, (const char *const *)parts));
}

static size_t next(const struct hashidx *h, size_t i) {
        return i + 1 == h->n_slots ? 0 : i + 1;
}

size_t hashidx_bucket(const struct hashidx *h, const char *const *key) {
        return home_of(h->n_slots, hash_of(h, key));
}

static bool key_is(const struct hashidx *h, uint32_t item, const char *const *key) {
        const char *parts[HASHIDX_PARTS_MAX];
        h->key_of(h->ctx, item, parts);
        for (size_t i = 0; i < h->n_parts; i++)
                if (strcmp(parts[i], key[i]) != 0)
                        return false;
        return true;
}

int hashidx_find(const struct hashidx *h, const char *const *key, uint32_t *ret_item) {
        for (size_t i = hashidx_bucket(h, key); h->slot[i] != EMPTY; i = next(h, i))
                if (key_is(h, h->slot[i] - 1, key)) {
                        *ret_item = h->slot[i] - 1;
                        return 0;
                }
        return -ENOENT;
}

/* Where item sits, probing from home; n_slots when it is not there. */
static size_t slot_of(const struct hashidx *h, size_t home, uint32_t item) {
        for (size_t i = home; h->slot[i] != EMPTY; i = next(h, i))
                if (h->slot[i] == item + 1)
                        return i;
        return h->n_slots;
}

static void place(uint32_t *slot, size_t n_slots, size_t home, uint32_t item) {
        size_t i = home;
        while (slot[i] != EMPTY)
                i = i + 1 == n_slots ? 0 : i + 1;
        slot[i] = item + 1;
}

int hashidx_add(struct hashidx *h, uint32_t item) {
        if (item == UINT32_MAX)
                return -EINVAL;
        if (h->count == h->capacity)
                return -ENOSPC;
        place(h->slot, h->n_slots, item_home(h, h->n_slots, item), item);
        h->count++;
        return 0;
}

/* Steps from a to b, going round. */
static size_t distance(const struct hashidx *h, size_t a, size_t b) {
        return b >= a ? b - a : b + h->n_slots - a;
}

int hashidx_remove(struct hashidx *h, uint32_t item) {
        size_t hole = slot_of(h, item_home(h, h->n_slots, item), item);
        if (hole == h->n_slots)
                return -ENOENT;
        h->slot[hole] = EMPTY;
        h->count--;
        /* Backward shift: an entry after the hole, in the same run, moves
         * into it unless its home lies between the hole and itself (it
         * would then be found no more), so no probe meets a gap too early. */
        for (size_t j = next(h, hole); h->slot[j] != EMPTY; j = next(h, j)) {
                size_t home = item_home(h, h->n_slots, h->slot[j] - 1);
                if (distance(h, home, j) >= distance(h, hole, j)) {
                        h->slot[hole] = h->slot[j];
                        h->slot[j] = EMPTY;
                        hole = j;
                }
        }
        return 0;
}

int hashidx_renumber(struct hashidx *h, uint32_t from, uint32_t to) {
        size_t i;
        if (to == UINT32_MAX)
                return -EINVAL;
        i = slot_of(h, item_home(h, h->n_slots, to), from);
        if (i == h->n_slots)
                return -ENOENT;
        h->slot[i] = to + 1;
        return 0;
}

int hashidx_reserve(struct hashidx *h, size_t capacity) {
        size_t n_slots;
        uint32_t *slot;

        if (capacity > HASHIDX_CAPACITY_MAX)
                return -EINVAL;
        if (capacity <= h->capacity)
                return 0;
        n_slots = slots_for(capacity);
        slot = calloc(n_slots, sizeof(*slot));
        if (!slot)
                return -ENOMEM;
        for (size_t i = 0; i < h->n_slots; i++)
                if (h->slot[i] != EMPTY)
                        place(slot, n_slots, item_home(h, n_slots, h->slot[i] - 1), h->slot[i] - 1);
        free(h->slot);
        h->slot = slot;
        h->n_slots = n_slots;
        h->capacity = capacity;
        return 0;
}
