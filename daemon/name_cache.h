/* name_cache: what the look-ups learnt about targets, per account, region
 * and ID, for a while.
 *
 * Pure and bounded: the time is passed in; at most `capacity` entries, and
 * when full the one that expires first makes room. A positive entry (name
 * and tags, any of them possibly absent) lives `positive_seconds`; a
 * negative one (not found, or the look-up failed) NAME_CACHE_NEGATIVE
 * seconds, so an unknown target is not asked about at every receive.
 * Finding an entry by key costs O(1) expected (an index of about 6 bytes
 * per entry of capacity, hashidx.h); only a put of a new key into a full
 * cache scans the expiry times. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct ssm_event;

/* DESIGN.md: "negative 5 min". */
#define NAME_CACHE_NEGATIVE (5 * 60)

struct name_cache;

int name_cache_new(size_t capacity, long positive_seconds, struct name_cache **ret);
void name_cache_free(struct name_cache *c);

/* Remembers what an answer told about id: name may be NULL, tag_values has
 * n_keys entries (NULL: no such tag) or is NULL; -EINVAL for more than 255
 * keys. Replaces an older entry. */
int name_cache_put(struct name_cache *c, const char *account, const char *region, const char *id,
                   const char *name, const char *const *tag_keys, const char *const *tag_values, size_t n_keys,
                   time_t now);
/* Remembers that nothing is known about id (negative entry). */
int name_cache_put_unknown(struct name_cache *c, const char *account, const char *region, const char *id,
                           time_t now);

/* Whether a live entry for the event's target is there; when it is and is
 * positive, copies its name and tags into ev (target_name, target_tags).
 * -ENOENT: no live entry; -ENOMEM. */
int name_cache_fill(struct name_cache *c, struct ssm_event *ev, time_t now);
