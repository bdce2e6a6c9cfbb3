/* dedupe: the eventIDs this process has published (or, for the relay's
 * per-topic memory, "topic ARN eventID" pairs), in bounded memory.
 *
 * A message whose delete failed comes back; its event must not be published
 * a second time by this process (DESIGN.md, "Delivery guarantees"). The set
 * remembers the last `capacity` IDs and forgets the oldest first: a repeat
 * older than that is possible, which at-least-once delivery allows. An ID
 * is kept as a 128-bit digest (dedupe.c says why that is as good as whole):
 * 24 bytes a slot, allocated once, at the first dedupe_add(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct dedupe;

int dedupe_new(size_t capacity, struct dedupe **ret);
void dedupe_free(struct dedupe *d);
bool dedupe_contains(const struct dedupe *d, const char *id);
/* 0; -EINVAL for an ID above 600 bytes (never remembered); -ENOMEM. */
int dedupe_add(struct dedupe *d, const char *id);
