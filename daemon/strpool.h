/* strpool: one counted copy of each string that many cache entries repeat
 * (account IDs, regions: a handful per process), so that thousands of
 * entries hold a pointer to it rather than a copy each.
 *
 * Pure (but for the index's random key). A string from strpool_get() stays
 * valid, at the same address, until as many strpool_put() as gets; equal
 * strings share one copy. Get and put cost O(1) expected (hashidx.h): a
 * queue writer who sends thousands of distinct account IDs costs the pool
 * their copies, not a scan of them at every event. */
#pragma once

#include <stddef.h>

struct strpool;

int strpool_new(struct strpool **ret);
/* Frees every copy, held or not. */
void strpool_free(struct strpool *p);

/* The pooled copy of s (a new one, or one more hold on the one there).
 * 0, -ENOMEM; -EINVAL past HASHIDX_CAPACITY_MAX distinct strings. */
int strpool_get(struct strpool *p, const char *s, const char **ret);
/* Drops a hold on s, a string strpool_get() gave (NULL: nothing); the last
 * hold frees it. */
void strpool_put(struct strpool *p, const char *s);
/* Distinct strings held (for tests). */
size_t strpool_count(const struct strpool *p);
