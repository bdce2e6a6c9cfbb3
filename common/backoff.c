#include "backoff.h"

#include <limits.h>

void backoff_init(struct backoff *b, unsigned base_ms, unsigned cap_ms) {
        *b = (struct backoff){ .base_ms = base_ms, .cap_ms = cap_ms };
}

/* min(cap, base * 2^attempt) in 64 bits: base < 2^32 and the shift stays
 * below 32, so the product cannot wrap; any larger shift exceeds every cap. */
static uint64_t window_ms(const struct backoff *b) {
        if (b->base_ms == 0)
                return 0;
        if (b->attempt >= 32)
                return b->cap_ms;
        uint64_t w = (uint64_t)b->base_ms << b->attempt;
        return w < b->cap_ms ? w : b->cap_ms;
}

unsigned backoff_next_ms(struct backoff *b, uint32_t random) {
        uint64_t w = window_ms(b);
        /* Scales random onto the w + 1 values of [0, w] by multiply-and-shift
         * rather than modulo; w + 1 <= 2^32, so the product fits 64 bits and
         * UINT32_MAX maps to w itself. */
        unsigned delay = (unsigned)(((uint64_t)random * (w + 1)) >> 32);
        if (b->attempt < UINT_MAX)
                b->attempt++;
        return delay;
}

void backoff_reset(struct backoff *b) {
        b->attempt = 0;
}

unsigned backoff_redelivery_seconds(int receive_count, unsigned visibility_timeout) {
        /* 2^16 s is longer than SQS's 12 h maximum: no need to shift further. */
        unsigned exp = receive_count < 1 ? 1 : receive_count > 16 ? 16 : (unsigned)receive_count;
        unsigned delay = 1u << exp;
        return delay < visibility_timeout ? delay : visibility_timeout;
}
