/* hashidx: an index from string keys to the item numbers of a table the
 * caller keeps (an array of entries), so that finding an entry by its key
 * costs O(1) expected rather than a scan with strcmp.
 *
 * The index keeps no keys: it asks the caller for an item's key (key_of)
 * whenever it compares or re-hashes one, so an indexed item's key must not
 * change. A key is n_parts strings (account, region and ID, say), hashed
 * with SipHash-2-4 under a key of the index's own, random unless the caller
 * gives one: queue writers choose session IDs and targets, and must not be
 * able to choose ones that collide. Open addressing, linear probing, 4 bytes
 * a slot, capacity / 0.7 slots (23 KiB for 4,096 items); deletion shifts
 * entries back, so no tombstones pile up and no rebuild is ever due.
 *
 * Pure but for hashidx_new() reading the random key (getrandom(2)). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "siphash.h"

#define HASHIDX_PARTS_MAX 3
/* 2^28 items: slot numbers stay well inside 32 bits at a load of 0.7. */
#define HASHIDX_CAPACITY_MAX ((size_t)1 << 28)

/* Fills parts[0 .. n_parts) with the key of item, strings that stay valid
 * while the index uses them (until it returns). */
typedef void (*hashidx_key_fn)(const void *ctx, uint32_t item, const char **parts);

struct hashidx;

/* An index for up to capacity items, keys of n_parts (1 ..
 * HASHIDX_PARTS_MAX) strings. seed: SIPHASH_KEY_LEN bytes (tests), or NULL
 * for a random one. 0, -EINVAL, -ENOMEM. */
int hashidx_new(size_t capacity, size_t n_parts, hashidx_key_fn key_of, const void *ctx, const uint8_t *seed,
                struct hashidx **ret);
void hashidx_free(struct hashidx *h);

size_t hashidx_count(const struct hashidx *h);
/* The item whose key is key (n_parts strings): 0, or -ENOENT. */
int hashidx_find(const struct hashidx *h, const char *const *key, uint32_t *ret_item);
/* Indexes item (below UINT32_MAX) under the key key_of gives now; the
 * caller knows no other item has that key. 0, -ENOSPC when capacity items
 * are in, -EINVAL. */
int hashidx_add(struct hashidx *h, uint32_t item);
/* Drops item, while key_of still gives its key. 0, or -ENOENT. */
int hashidx_remove(struct hashidx *h, uint32_t item);
/* The caller moved item from to to (key_of(to) gives its key now).
 * 0, or -ENOENT when from was not indexed under that key. */
int hashidx_renumber(struct hashidx *h, uint32_t from, uint32_t to);
/* Room for capacity items (never less than there is): 0, -EINVAL, -ENOMEM
 * (the index stays as it was). */
int hashidx_reserve(struct hashidx *h, size_t capacity);
/* The slot where the probe for key starts (for tests: keys that collide). */
size_t hashidx_bucket(const struct hashidx *h, const char *const *key);
