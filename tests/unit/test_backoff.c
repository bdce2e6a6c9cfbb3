#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backoff.h"

/* Windows min(cap, base * 2^attempt) worked out by hand for base 100 ms,
 * cap 30 s: doubling from 100 passes 30000 after 25600 (attempt 8). */
static const unsigned windows_100_30000[] = {
        100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000,
};

static void test_window_bounds(void **state) {
        (void)state;
        struct backoff lo, hi;
        backoff_init(&lo, 100, 30000);
        backoff_init(&hi, 100, 30000);
        for (unsigned attempt = 0; attempt <= 40; attempt++) {
                unsigned want = attempt < 9 ? windows_100_30000[attempt] : 30000;
                /* the extremes of the random input reach both ends of the window */
                assert_int_equal(backoff_next_ms(&lo, 0), 0);
                assert_int_equal(backoff_next_ms(&hi, UINT32_MAX), want);
                assert_int_equal(lo.attempt, attempt + 1);
        }
}

/* base 1 ms with no practical cap: the window is 2^attempt until it passes
 * UINT_MAX (attempt 32), then the cap; no shift or product may wrap. */
static void test_no_overflow(void **state) {
        (void)state;
        struct backoff b;
        backoff_init(&b, 1, UINT_MAX);
        for (unsigned attempt = 0; attempt < 32; attempt++)
                assert_int_equal(backoff_next_ms(&b, UINT32_MAX), 1u << attempt);
        for (unsigned attempt = 32; attempt <= 200; attempt++)
                assert_int_equal(backoff_next_ms(&b, UINT32_MAX), UINT_MAX);

        /* a huge base: base * 2 already exceeds a 32-bit value */
        backoff_init(&b, UINT_MAX, UINT_MAX);
        assert_int_equal(backoff_next_ms(&b, UINT32_MAX), UINT_MAX);
        assert_int_equal(backoff_next_ms(&b, UINT32_MAX), UINT_MAX);
        assert_int_equal(backoff_next_ms(&b, UINT32_MAX / 2 + 1), UINT_MAX / 2 + 1);

        /* the counter saturates instead of wrapping back to the base window */
        backoff_init(&b, 100, 30000);
        b.attempt = UINT_MAX - 1;
        assert_int_equal(backoff_next_ms(&b, UINT32_MAX), 30000);
        assert_int_equal(b.attempt, UINT_MAX);
        assert_int_equal(backoff_next_ms(&b, UINT32_MAX), 30000);
        assert_int_equal(b.attempt, UINT_MAX);
}

static void test_cap_and_edges(void **state) {
        (void)state;
        struct backoff b;
        /* a cap below the base wins from the first try */
        backoff_init(&b, 1000, 250);
        assert_int_equal(backoff_next_ms(&b, UINT32_MAX), 250);
        assert_int_equal(backoff_next_ms(&b, UINT32_MAX), 250);
        /* zero base or zero cap: no wait */
        backoff_init(&b, 0, 1000);
        for (int i = 0; i < 40; i++)
                assert_int_equal(backoff_next_ms(&b, UINT32_MAX), 0);
        backoff_init(&b, 100, 0);
        assert_int_equal(backoff_next_ms(&b, UINT32_MAX), 0);
        /* half the random range gives half the window: 800 / 2 at attempt 3 */
        backoff_init(&b, 100, 30000);
        b.attempt = 3;
        assert_int_equal(backoff_next_ms(&b, UINT32_MAX / 2 + 1), 400);
}

static void test_reset(void **state) {
        (void)state;
        struct backoff b;
        backoff_init(&b, 100, 30000);
        for (int i = 0; i < 12; i++)
                backoff_next_ms(&b, 0);
        assert_int_equal(backoff_next_ms(&b, UINT32_MAX), 30000);
        backoff_reset(&b);
        assert_int_equal(b.attempt, 0);
        assert_int_equal(b.base_ms, 100);
        assert_int_equal(b.cap_ms, 30000);
        assert_int_equal(backoff_next_ms(&b, UINT32_MAX), 100);
        assert_int_equal(backoff_next_ms(&b, UINT32_MAX), 200);
}

/* splitmix64 (Steele, Lea, Flood 2014), seeded: the test's own randomness,
 * deterministic so a failure can be replayed. */
static uint64_t splitmix64(uint64_t *s) {
        uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
}

/* Full jitter over [0, 800]: mean 400, each tenth of the window about a
 * tenth of the draws. The tolerances are many standard deviations wide
 * (sd of the mean is 231 / sqrt(200000) ~ 0.5 ms), so only a wrong
 * distribution fails, not bad luck. */
static void test_distribution(void **state) {
        (void)state;
        enum { DRAWS = 200000, BUCKETS = 10 };
        uint64_t seed = 20240229;
        unsigned counts[BUCKETS] = { 0 };
        unsigned min = UINT_MAX, max = 0;
        double sum = 0;
        struct backoff b;
        backoff_init(&b, 100, 30000);
        for (int i = 0; i < DRAWS; i++) {
                b.attempt = 3;
                unsigned d = backoff_next_ms(&b, (uint32_t)(splitmix64(&seed) >> 32));
                assert_true(d <= 800);
                sum += d;
                min = d < min ? d : min;
                max = d > max ? d : max;
                counts[d * BUCKETS / 801]++;
        }
        double mean = sum / DRAWS;
        assert_true(mean > 396.0 && mean < 404.0);
        assert_true(min <= 2);
        assert_true(max >= 798);
        for (int i = 0; i < BUCKETS; i++)
                assert_true(counts[i] > DRAWS / BUCKETS * 9 / 10 && counts[i] < DRAWS / BUCKETS * 11 / 10);
}

/* The daemon's policy (issue 12): whatever the length of an outage, the try
 * after AWS came back is at most 30 s away, so a receive that answers at
 * once resumes notifications within 60 s. The windows are 1, 2, 4, 8, 16 s,
 * then 30 s for every later try. */
static void test_retry_policy_bound(void **state) {
        (void)state;
        static const unsigned want[] = { 1000, 2000, 4000, 8000, 16000 };
        struct backoff b;
        backoff_init(&b, BACKOFF_RETRY_BASE_MS, BACKOFF_RETRY_CAP_MS);
        for (unsigned attempt = 0; attempt < 1000; attempt++) {
                unsigned w = attempt < 5 ? want[attempt] : 30000;
                assert_int_equal(backoff_next_ms(&b, UINT32_MAX), w);
        }
}

static void test_redelivery(void **state) {
        (void)state;
        assert_int_equal(backoff_redelivery_seconds(0, 60), 2);  /* no count reported: first receive */
        assert_int_equal(backoff_redelivery_seconds(1, 60), 2);
        assert_int_equal(backoff_redelivery_seconds(2, 60), 4);
        assert_int_equal(backoff_redelivery_seconds(5, 60), 32);
        assert_int_equal(backoff_redelivery_seconds(6, 60), 60);  /* 64 capped */
        assert_int_equal(backoff_redelivery_seconds(1000, 43200), 43200);
        assert_int_equal(backoff_redelivery_seconds(-3, 0), 0);
        assert_int_equal(backoff_redelivery_seconds(3, 5), 5);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_retry_policy_bound),
                cmocka_unit_test(test_redelivery),
                cmocka_unit_test(test_window_bounds),
                cmocka_unit_test(test_no_overflow),
                cmocka_unit_test(test_cap_and_edges),
                cmocka_unit_test(test_reset),
                cmocka_unit_test(test_distribution),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
