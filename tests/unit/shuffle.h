/* A seeded generator (xorshift32) and a Fisher-Yates shuffle, so that tests
 * which add and remove in "random" order do the same every run. */
#pragma once

#include <stddef.h>
#include <stdint.h>

static inline uint32_t shuffle_next(uint32_t *state) {
        uint32_t x = *state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return *state = x;
}

/* Puts 0 .. n-1 in order into v, then shuffles it. */
static inline void shuffle_order(size_t *v, size_t n, uint32_t seed) {
        for (size_t i = 0; i < n; i++)
                v[i] = i;
        for (size_t i = n; i > 1; i--) {
                size_t j = shuffle_next(&seed) % i, t = v[i - 1];
                v[i - 1] = v[j];
                v[j] = t;
        }
}
