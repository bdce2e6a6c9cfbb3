/* siphash against the reference vectors; hashidx against an array scan:
 * colliding keys, deletes in any order, renumbering, a full index. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hashidx.h"
#include "shuffle.h"
#include "siphash.h"

/* SipHash-2-4's 64-bit results for key 00 01 .. 0f and the messages 00 01
 * .. (n-1), n = 0 .. 63: vectors.h of the reference implementation
 * (github.com/veorq/SipHash), bytes in output order (little-endian). Entry
 * 15 is the paper's example, a129ca6149be45e5. */
static const char *const sip64_vectors[64] = {
        "310e0edd47db6f72", "fd67dc93c539f874", "5a4fa9d909806c0d", "2d7efbd796666785",
        "b7877127e09427cf", "8da699cd64557618", "cee3fe586e46c9cb", "37d1018bf50002ab",
        "6224939a79f5f593", "b0e4a90bdf82009e", "f3b9dd94c5bb5d7a", "a7ad6b22462fb3f4",
        "fbe50e86bc8f1e75", "903d84c02756ea14", "eef27a8e90ca23f7", "e545be4961ca29a1",
        "db9bc2577fcc2a3f", "9447be2cf5e99a69", "9cd38d96f0b3c14b", "bd6179a71dc96dbb",
        "98eea21af25cd6be", "c7673b2eb0cbf2d0", "883ea3e395675393", "c8ce5ccd8c030ca8",
        "94af49f6c650adb8", "eab8858ade92e1bc", "f315bb5bb835d817", "adcf6b0763612e2f",
        "a5c91da7acaa4dde", "716595876650a2a6", "28ef495c53a387ad", "42c341d8fa92d832",
        "ce7cf2722f512771", "e37859f94623f3a7", "381205bb1ab0e012", "ae97a10fd434e015",
        "b4a31508beff4d31", "81396229f0907902", "4d0cf49ee5d4dcca", "5c73336a76d8bf9a",
        "d0a704536ba93e0e", "925958fcd6420cad", "a915c29bc8067318", "952b79f3bc0aa6d4",
        "f21df2e41d4535f9", "87577519048f53a9", "10a56cf5dfcd9adb", "eb75095ccd986cd0",
        "51a9cb9ecba312e6", "96afadfc2ce666c7", "72fe52975a4364ee", "5a1645b276d592a1",
        "b274cb8ebf87870a", "6f9bb4203de7b381", "eaecb2a30b22a87f", "9924a43cc1315724",
        "bd838d3aafbf8db7", "0b1a2a3265d51aea", "135079a3231ce660", "932b2846e4d70666",
        "e1915f5cb1eca46c", "f325965ca16d629f", "575ff28e60381be5", "724506eb4c328a95",
};

static uint64_t le64_of_hex(const char *hex) {
        uint64_t v = 0;
        for (unsigned i = 0; i < 8; i++) {
                unsigned byte;
                assert_int_equal(sscanf(hex + 2 * i, "%2x", &byte), 1);
                v |= (uint64_t)byte << (8 * i);
        }
        return v;
}

static void test_siphash_reference_vectors(void **state) {
        (void)state;
        uint8_t key[SIPHASH_KEY_LEN], msg[64];
        struct siphash st;

        for (unsigned i = 0; i < sizeof(key); i++)
                key[i] = (uint8_t)i;
        for (unsigned i = 0; i < sizeof(msg); i++)
                msg[i] = (uint8_t)i;
        for (size_t n = 0; n < 64; n++) {
                uint64_t want = le64_of_hex(sip64_vectors[n]);
                siphash_init(&st, key);
                siphash_update(&st, msg, n);
                assert_true(siphash_final(&st) == want);
                /* in two pieces split anywhere, and byte by byte */
                for (size_t cut = 0; cut <= n; cut++) {
                        siphash_init(&st, key);
                        siphash_update(&st, msg, cut);
                        siphash_update(&st, msg + cut, n - cut);
                        assert_true(siphash_final(&st) == want);
                }
                siphash_init(&st, key);
                for (size_t i = 0; i < n; i++)
                        siphash_update(&st, msg + i, 1);
                assert_true(siphash_final(&st) == want);
        }
}

/* The caller's table: item i's key is names[i] (one part) or, for three
 * parts, names[i] after two fixed strings. */
struct table {
        char (*names)[32];
};

static void key_one(const void *ctx, uint32_t item, const char **parts) {
        const struct table *t = ctx;
        parts[0] = t->names[item];
}

static void key_three(const void *ctx, uint32_t item, const char **parts) {
        const struct table *t = ctx;
        parts[0] = "123456789012";
        parts[1] = "eu-west-1";
        parts[2] = t->names[item];
}

static const uint8_t seed[SIPHASH_KEY_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

/* Every item of the table in the index is found under its key, as itself;
 * every other is not. */
static void assert_index_is(const struct hashidx *h, const struct table *t, const bool *in, size_t n) {
        size_t count = 0;
        for (size_t i = 0; i < n; i++) {
                const char *key[] = { t->names[i] };
                uint32_t item = UINT32_MAX;
                if (in[i]) {
                        assert_int_equal(hashidx_find(h, key, &item), 0);
                        assert_int_equal(item, i);
                        count++;
                } else {
                        assert_int_equal(hashidx_find(h, key, &item), -ENOENT);
                        assert_int_equal(item, UINT32_MAX); /* untouched */
                }
        }
        assert_int_equal(hashidx_count(h), count);
}

/* Keys that all start their probe at a few neighbouring slots, the last and
 * the first among them (so runs wrap round the end), removed in every order
 * a few seeds give: the backward shift must keep each of the rest
 * reachable. */
static void test_colliding_keys_any_delete_order(void **state) {
        (void)state;
        enum { CAPACITY = 64, CANDIDATES = 20000, WANT = 48 };
        static char names[CANDIDATES][32];
        struct table t = { names };
        struct hashidx *h;
        size_t last = 0, n = 0, order[WANT];
        bool in[WANT];

        assert_int_equal(hashidx_new(CAPACITY, 1, key_one, &t, seed, &h), 0);
        for (size_t i = 0; i < CANDIDATES; i++) {
                const char *key[] = { names[i] };
                snprintf(names[i], sizeof(names[i]), "owner-%017zx", i);
                if (hashidx_bucket(h, key) > last)
                        last = hashidx_bucket(h, key);
        }
        /* last: the index's last slot (20,000 candidates hit every one) */
        for (size_t i = 0; i < CANDIDATES && n < WANT; i++) {
                const char *key[] = { names[i] };
                size_t b = hashidx_bucket(h, key);
                if (b == last - 1 || b == last || b == 0 || b == 1)
                        memcpy(names[n++], names[i], sizeof(names[i]));
        }
        assert_int_equal(n, WANT);

        for (uint32_t s = 1; s <= 20; s++) {
                memset(in, 0, sizeof(in));
                assert_index_is(h, &t, in, WANT);
                for (uint32_t i = 0; i < WANT; i++) {
                        assert_int_equal(hashidx_add(h, i), 0);
                        in[i] = true;
                }
                assert_index_is(h, &t, in, WANT);
                shuffle_order(order, WANT, s);
                for (size_t i = 0; i < WANT; i++) {
                        assert_int_equal(hashidx_remove(h, (uint32_t)order[i]), 0);
                        assert_int_equal(hashidx_remove(h, (uint32_t)order[i]), -ENOENT);
                        in[order[i]] = false;
                        assert_index_is(h, &t, in, WANT);
                }
        }
        hashidx_free(h);
}

/* A dense table as session_store keeps it (the last entry fills a hole),
 * thousands of keys of three parts, checked against the table itself. */
static void test_dense_table_with_renumbering(void **state) {
        (void)state;
        enum { N = 4096 };
        static char names[N][32];
        struct table t = { names };
        struct hashidx *h;
        size_t order[N], n = N;

        assert_int_equal(hashidx_new(N, 3, key_three, &t, NULL, &h), 0);
        for (uint32_t i = 0; i < N; i++) {
                snprintf(names[i], sizeof(names[i]), "i-%08x", i * 2654435761u);
                assert_int_equal(hashidx_add(h, i), 0);
        }
        shuffle_order(order, N, 7);
        for (size_t k = 0; k < N / 2; k++) {
                char gone[32];
                const char *key[] = { "123456789012", "eu-west-1", gone };
                size_t i = 0;
                uint32_t item;
                snprintf(gone, sizeof(gone), "i-%08x", (uint32_t)order[k] * 2654435761u);
                assert_int_equal(hashidx_find(h, key, &item), 0);
                i = item;
                assert_string_equal(names[i], gone);
                assert_int_equal(hashidx_remove(h, item), 0);
                if (i != --n) {
                        memcpy(names[i], names[n], sizeof(names[i]));
                        assert_int_equal(hashidx_renumber(h, (uint32_t)n, (uint32_t)i), 0);
                }
                assert_int_equal(hashidx_find(h, key, &item), -ENOENT);
        }
        assert_int_equal(hashidx_count(h), N / 2);
        for (size_t i = 0; i < n; i++) {
                const char *key[] = { "123456789012", "eu-west-1", names[i] };
                uint32_t item;
                assert_int_equal(hashidx_find(h, key, &item), 0);
                assert_int_equal(item, i);
        }
        /* the same ID under another region is another key */
        {
                const char *key[] = { "123456789012", "eu-west-2", names[0] };
                uint32_t item;
                assert_int_equal(hashidx_find(h, key, &item), -ENOENT);
        }
        assert_int_equal(hashidx_renumber(h, N + 5, 0), -ENOENT);
        hashidx_free(h);
}

static void test_full_and_reserve(void **state) {
        (void)state;
        enum { N = 200 };
        static char names[N][32];
        struct table t = { names };
        struct hashidx *h;
        bool in[N] = { false };

        for (size_t i = 0; i < N; i++)
                snprintf(names[i], sizeof(names[i]), "%zu", i);
        assert_int_equal(hashidx_new(8, 1, key_one, &t, seed, &h), 0);
        for (uint32_t i = 0; i < 8; i++) {
                assert_int_equal(hashidx_add(h, i), 0);
                in[i] = true;
        }
        assert_int_equal(hashidx_add(h, 8), -ENOSPC);
        assert_index_is(h, &t, in, N);
        assert_int_equal(hashidx_remove(h, 3), 0);
        in[3] = false;
        assert_int_equal(hashidx_add(h, 8), 0);
        in[8] = true;
        assert_int_equal(hashidx_add(h, 9), -ENOSPC);
        assert_index_is(h, &t, in, N);

        assert_int_equal(hashidx_reserve(h, 4), 0); /* never shrinks */
        assert_int_equal(hashidx_add(h, 9), -ENOSPC);
        assert_int_equal(hashidx_reserve(h, N), 0);
        assert_index_is(h, &t, in, N); /* what was in, moved to new slots */
        for (uint32_t i = 9; i < N; i++) {
                assert_int_equal(hashidx_add(h, i), 0);
                in[i] = true;
        }
        assert_int_equal(hashidx_add(h, 3), 0);
        in[3] = true;
        assert_int_equal(hashidx_add(h, N), -ENOSPC);
        assert_index_is(h, &t, in, N);
        assert_int_equal(hashidx_reserve(h, HASHIDX_CAPACITY_MAX + 1), -EINVAL);
        assert_int_equal(hashidx_add(h, UINT32_MAX), -EINVAL);
        hashidx_free(h);
        hashidx_free(NULL);
}

static void test_bad_arguments(void **state) {
        (void)state;
        struct table t = { NULL };
        struct hashidx *h = NULL;
        assert_int_equal(hashidx_new(0, 1, key_one, &t, NULL, &h), -EINVAL);
        assert_int_equal(hashidx_new(8, 0, key_one, &t, NULL, &h), -EINVAL);
        assert_int_equal(hashidx_new(8, HASHIDX_PARTS_MAX + 1, key_one, &t, NULL, &h), -EINVAL);
        assert_int_equal(hashidx_new(8, 1, NULL, &t, NULL, &h), -EINVAL);
        assert_int_equal(hashidx_new(HASHIDX_CAPACITY_MAX + 1, 1, key_one, &t, NULL, &h), -EINVAL);
        assert_null(h);
}

/* The same seed spreads keys the same way; random keys (two indexes
 * without a seed) spread them differently: the odds that 64 keys land in
 * the same slots under both are nil. */
static void test_seeded_and_random_keys(void **state) {
        (void)state;
        static char names[1][32];
        struct table t = { names };
        struct hashidx *a, *b, *c, *d;
        size_t differ = 0;

        assert_int_equal(hashidx_new(64, 1, key_one, &t, seed, &a), 0);
        assert_int_equal(hashidx_new(64, 1, key_one, &t, seed, &b), 0);
        assert_int_equal(hashidx_new(64, 1, key_one, &t, NULL, &c), 0);
        assert_int_equal(hashidx_new(64, 1, key_one, &t, NULL, &d), 0);
        for (int i = 0; i < 64; i++) {
                char s[16];
                const char *key[] = { s };
                snprintf(s, sizeof(s), "k%d", i);
                assert_int_equal(hashidx_bucket(a, key), hashidx_bucket(b, key));
                differ += hashidx_bucket(c, key) != hashidx_bucket(d, key);
        }
        assert_true(differ > 0);
        hashidx_free(a);
        hashidx_free(b);
        hashidx_free(c);
        hashidx_free(d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_siphash_reference_vectors),
                cmocka_unit_test(test_colliding_keys_any_delete_order),
                cmocka_unit_test(test_dense_table_with_renumbering),
                cmocka_unit_test(test_full_and_reserve),
                cmocka_unit_test(test_bad_arguments),
                cmocka_unit_test(test_seeded_and_random_keys),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
