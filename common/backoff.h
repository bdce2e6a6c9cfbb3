/* backoff: exponential backoff with full jitter, capped.
 *
 * Pure: the caller supplies the randomness (a uniformly distributed
 * uint32_t, e.g. from getrandom()) and does the waiting. The delay before
 * try n+1 is uniform in [0, min(cap_ms, base_ms * 2^n)] ("full jitter", as
 * in the AWS Architecture Blog's "Exponential Backoff And Jitter" and the
 * SDKs' standard retry mode), so competing daemons spread out instead of
 * retrying in step. The attempt counter saturates and the window is computed
 * without overflow for any counter value. */
#pragma once

#include <stdint.h>

/* The daemon's retry policy after an AWS failure (receive failed, or a
 * publish or delete of the batch did): from 1 s, doubling, capped at 30 s.
 * The cap bounds how long AWS can be back before the next try: with a
 * receive that returns at once, notifications resume within 60 s of the
 * end of an outage of any length. README and both man pages state it. */
#define BACKOFF_RETRY_BASE_MS 1000
#define BACKOFF_RETRY_CAP_MS (30 * 1000)

struct backoff {
        unsigned base_ms;
        unsigned cap_ms;
        unsigned attempt; /* tries since the last reset */
};

void backoff_init(struct backoff *b, unsigned base_ms, unsigned cap_ms);

/* The delay before the next try, from random (uniform over all uint32_t
 * values: 0 gives 0, UINT32_MAX the whole window); then counts the attempt. */
unsigned backoff_next_ms(struct backoff *b, uint32_t random);

/* After a success: the next delay starts from the base window again. */
void backoff_reset(struct backoff *b);

/* How long a message whose publish failed stays invisible before SQS hands
 * it out again: 2^receive_count seconds (2, 4, 8, … for its 1st, 2nd, 3rd
 * receive), never more than the queue's visibility timeout, so a short
 * outage costs seconds and a long one does not spin. No jitter: SQS
 * redelivery already spreads consumers. */
unsigned backoff_redelivery_seconds(int receive_count, unsigned visibility_timeout);
