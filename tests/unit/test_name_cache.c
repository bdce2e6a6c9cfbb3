/* name_cache: positive entries for cache_seconds, negative ones for five
 * minutes, bounded, keyed by account, region and ID. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event.h"
#include "name_cache.h"
#include "shuffle.h"

#define A "210987654321"
#define B "111122223333"
#define I1 "i-0123456789abcdef0"
#define I2 "i-0123456789abcdef1"

static struct ssm_event *event(const char *account, const char *region, const char *target) {
        struct ssm_event *ev = calloc(1, sizeof(*ev));
        assert_non_null(ev);
        ev->account_id = strdup(account);
        ev->region = strdup(region);
        ev->target = strdup(target);
        return ev;
}

static void test_positive_and_expiry(void **state) {
        (void)state;
        struct name_cache *c;
        const char *keys[] = { "Environment", "Owner" };
        const char *values[] = { "production", NULL };
        struct ssm_event *ev = event(A, "eu-west-1", I1);

        assert_int_equal(name_cache_new(4, 3600, &c), 0);
        assert_int_equal(name_cache_fill(c, ev, 1000), -ENOENT);
        assert_int_equal(name_cache_put(c, A, "eu-west-1", I1, "web-prod-1", keys, values, 2, 1000), 0);
        assert_int_equal(name_cache_fill(c, ev, 1000 + 3599), 0);
        assert_string_equal(ev->target_name, "web-prod-1");
        assert_int_equal(ev->n_target_tags, 1);
        assert_string_equal(ev->target_tags[0].key, "Environment");
        assert_string_equal(ev->target_tags[0].value, "production");
        /* filling again replaces, without a leak */
        assert_int_equal(name_cache_fill(c, ev, 1000 + 3599), 0);
        assert_int_equal(name_cache_fill(c, ev, 1000 + 3600), -ENOENT);
        event_free(ev);

        /* the same ID in another account or region is another instance */
        ev = event(B, "eu-west-1", I1);
        assert_int_equal(name_cache_put(c, A, "eu-west-1", I1, "web-prod-1", NULL, NULL, 0, 2000), 0);
        assert_int_equal(name_cache_fill(c, ev, 2000), -ENOENT);
        event_free(ev);
        ev = event(A, "eu-west-2", I1);
        assert_int_equal(name_cache_fill(c, ev, 2000), -ENOENT);
        event_free(ev);
        name_cache_free(c);
}

static void test_negative(void **state) {
        (void)state;
        struct name_cache *c;
        struct ssm_event *ev = event(A, "eu-west-1", I2);

        assert_int_equal(name_cache_new(4, 3600, &c), 0);
        assert_int_equal(name_cache_put_unknown(c, A, "eu-west-1", I2, 100), 0);
        /* known to be unknown: filled with nothing, not asked again */
        assert_int_equal(name_cache_fill(c, ev, 100 + NAME_CACHE_NEGATIVE - 1), 0);
        assert_null(ev->target_name);
        assert_int_equal(ev->n_target_tags, 0);
        assert_int_equal(name_cache_fill(c, ev, 100 + NAME_CACHE_NEGATIVE), -ENOENT);
        /* a later answer replaces the negative entry */
        assert_int_equal(name_cache_put(c, A, "eu-west-1", I2, "db-1", NULL, NULL, 0, 200), 0);
        assert_int_equal(name_cache_fill(c, ev, 201), 0);
        assert_string_equal(ev->target_name, "db-1");
        event_free(ev);
        name_cache_free(c);
}

static void test_bounded(void **state) {
        (void)state;
        struct name_cache *c;
        char id[32];

        assert_int_equal(name_cache_new(3, 3600, &c), 0);
        /* three entries expiring at 3600+0, +1, +2; a fourth evicts the first to expire */
        for (int i = 0; i < 4; i++) {
                snprintf(id, sizeof(id), "i-%017x", i);
                assert_int_equal(name_cache_put(c, A, "eu-west-1", id, "n", NULL, NULL, 0, i), 0);
        }
        for (int i = 0; i < 4; i++) {
                snprintf(id, sizeof(id), "i-%017x", i);
                struct ssm_event *ev = event(A, "eu-west-1", id);
                assert_int_equal(name_cache_fill(c, ev, 10), i == 0 ? -ENOENT : 0);
                event_free(ev);
        }
        /* an expired entry makes room before a live one */
        assert_int_equal(name_cache_put_unknown(c, A, "eu-west-1", "i-00000000000000009", 10), 0);
        snprintf(id, sizeof(id), "i-%017x", 3);
        struct ssm_event *ev = event(A, "eu-west-1", id);
        assert_int_equal(name_cache_fill(c, ev, 11), 0);
        event_free(ev);
        name_cache_free(c);
        assert_int_equal(name_cache_new(0, 3600, &c), -EINVAL);
        name_cache_free(NULL);
}

/* Tags without a name, a one-character ID (an entry smaller than its
 * header's size), and entries of one account and region sharing their
 * copies while others come and go. */
static void test_layouts_and_sharing(void **state) {
        (void)state;
        struct name_cache *c;
        const char *keys[] = { "Environment", "Owner", "Team" };
        const char *values[] = { "staging", NULL, "blue" };
        const char *many[256];
        char region[] = "eu-west-1";
        struct ssm_event *ev;

        assert_int_equal(name_cache_new(2, 3600, &c), 0);
        assert_int_equal(name_cache_put(c, A, region, I1, NULL, keys, values, 3, 100), 0);
        region[0] = 'X'; /* the caller's string was copied */
        assert_int_equal(name_cache_put_unknown(c, A, "eu-west-1", "x", 100), 0);
        /* a third entry evicts the one expiring first (the negative one) */
        assert_int_equal(name_cache_put(c, A, "eu-west-1", I2, "db-1", NULL, NULL, 0, 100), 0);
        ev = event(A, "eu-west-1", I1);
        assert_int_equal(name_cache_fill(c, ev, 101), 0);
        assert_null(ev->target_name);
        assert_int_equal(ev->n_target_tags, 2);
        assert_string_equal(ev->target_tags[0].key, "Environment");
        assert_string_equal(ev->target_tags[0].value, "staging");
        assert_string_equal(ev->target_tags[1].key, "Team");
        assert_string_equal(ev->target_tags[1].value, "blue");
        event_free(ev);
        ev = event(A, "eu-west-1", "x");
        assert_int_equal(name_cache_fill(c, ev, 101), -ENOENT);
        event_free(ev);
        ev = event(A, "eu-west-1", I2);
        assert_int_equal(name_cache_fill(c, ev, 101), 0);
        assert_string_equal(ev->target_name, "db-1");
        event_free(ev);
        for (size_t i = 0; i < 256; i++)
                many[i] = "v";
        assert_int_equal(name_cache_put(c, A, "eu-west-1", I1, "n", many, many, 256, 100), -EINVAL);
        name_cache_free(c);
}

/* What the cache must answer, kept as plain arrays: for each key ever put,
 * whether it is held, until when, and under which name (NULL: negative). */
enum { BIG = 4096, BIG_KEYS = 3 * BIG };
struct reference {
        bool held[BIG_KEYS];
        time_t expires[BIG_KEYS];
        char name[BIG_KEYS][16];
        size_t count;
};

static const char *const accounts[] = { A, B };
static const char *const regions[] = { "eu-west-1", "us-east-1" };

/* Key k: an account, a region and an ID of its own (so that the same ID
 * under two accounts or regions is two keys). */
static void key_of(size_t k, const char **account, const char **region, char id[32]) {
        *account = accounts[k % 2];
        *region = regions[k / 2 % 2];
        snprintf(id, 32, "i-%017zx", k / 4);
}

/* The documented rule: the same key is replaced; else a free place, else
 * an expired entry, else the one that expires first makes room. Expiry
 * times are distinct, so "first" is one entry. */
static void reference_put(struct reference *ref, size_t k, time_t now, time_t expires, const char *name) {
        if (!ref->held[k] && ref->count == BIG) {
                size_t out = BIG_KEYS;
                for (size_t j = 0; j < BIG_KEYS && out == BIG_KEYS; j++)
                        if (ref->held[j] && ref->expires[j] <= now)
                                out = j;
                bool any_expired = out != BIG_KEYS;
                for (size_t j = 0; j < BIG_KEYS && !any_expired; j++)
                        if (ref->held[j] && (out == BIG_KEYS || ref->expires[j] < ref->expires[out]))
                                out = j;
                ref->held[out] = false;
                ref->count--;
        }
        if (!ref->held[k])
                ref->count++;
        ref->held[k] = true;
        ref->expires[k] = expires;
        snprintf(ref->name[k], sizeof(ref->name[k]), "%s", name ? name : "");
}

static void assert_fill_is(struct name_cache *c, const struct reference *ref, size_t k, time_t now) {
        const char *account, *region;
        char id[32];
        struct ssm_event *ev;
        key_of(k, &account, &region, id);
        ev = event(account, region, id);
        if (!ref->held[k] || ref->expires[k] <= now) {
                assert_int_equal(name_cache_fill(c, ev, now), -ENOENT);
        } else {
                assert_int_equal(name_cache_fill(c, ev, now), 0);
                if (ref->name[k][0])
                        assert_string_equal(ev->target_name, ref->name[k]);
                else
                        assert_null(ev->target_name);
        }
        event_free(ev);
}

/* Thousands of puts over three times as many keys as the cache holds, as
 * time goes on, against the reference: every key answers as the rule says,
 * live ones with their latest name. One put in negative_one_in is negative
 * (0: none). */
static void thousands_against_reference(long positive_seconds, unsigned negative_one_in) {
        static struct reference ref;
        struct name_cache *c;
        uint32_t rnd = 5;
        time_t now = 1000;

        memset(&ref, 0, sizeof(ref));
        assert_int_equal(name_cache_new(BIG, positive_seconds, &c), 0);
        for (size_t op = 0; op < 5 * BIG; op++) {
                size_t k = shuffle_next(&rnd) % BIG_KEYS;
                const char *account, *region;
                char id[32], name[16];
                /* 7 s apart: no positive and negative (300 s) entry expire
                 * at the same time */
                now += 7;
                key_of(k, &account, &region, id);
                if (negative_one_in && shuffle_next(&rnd) % negative_one_in == 0) {
                        assert_int_equal(name_cache_put_unknown(c, account, region, id, now), 0);
                        reference_put(&ref, k, now, now + NAME_CACHE_NEGATIVE, NULL);
                } else {
                        snprintf(name, sizeof(name), "n-%zu", op);
                        assert_int_equal(name_cache_put(c, account, region, id, name, NULL, NULL, 0, now), 0);
                        reference_put(&ref, k, now, now + positive_seconds, name);
                }
                assert_fill_is(c, &ref, k, now);
                if (op % 1024 == 0)
                        for (size_t j = 0; j < BIG_KEYS; j++)
                                assert_fill_is(c, &ref, j, now);
        }
        for (size_t j = 0; j < BIG_KEYS; j++)
                assert_fill_is(c, &ref, j, now);
        name_cache_free(c);
}

/* Entries expire while the cache is full: expired ones make room. */
static void test_thousands_expiring(void **state) {
        (void)state;
        thousands_against_reference(3600, 4);
}

/* Nothing expires (a year of cache, no negative entry): once full, each new
 * key evicts the entry that expires first. */
static void test_thousands_full_evicting(void **state) {
        (void)state;
        thousands_against_reference(86400 * 365, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_positive_and_expiry),
                cmocka_unit_test(test_negative),
                cmocka_unit_test(test_bounded),
                cmocka_unit_test(test_layouts_and_sharing),
                cmocka_unit_test(test_thousands_expiring),
                cmocka_unit_test(test_thousands_full_evicting),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
