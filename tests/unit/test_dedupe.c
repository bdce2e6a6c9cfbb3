#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dedupe.h"

static void test_remembers_and_forgets_oldest(void **state) {
        (void)state;
        struct dedupe *d;
        char id[64];
        assert_int_equal(dedupe_new(3, &d), 0);
        assert_false(dedupe_contains(d, "a"));
        assert_int_equal(dedupe_add(d, "a"), 0);
        assert_int_equal(dedupe_add(d, "b"), 0);
        assert_int_equal(dedupe_add(d, "a"), 0); /* no second slot for a repeat */
        assert_int_equal(dedupe_add(d, "c"), 0);
        assert_true(dedupe_contains(d, "a"));
        assert_true(dedupe_contains(d, "b"));
        assert_true(dedupe_contains(d, "c"));
        assert_int_equal(dedupe_add(d, "d"), 0); /* evicts a, the oldest */
        assert_false(dedupe_contains(d, "a"));
        assert_true(dedupe_contains(d, "d"));
        for (int i = 0; i < 1000; i++) {
                snprintf(id, sizeof(id), "id-%d", i);
                assert_int_equal(dedupe_add(d, id), 0);
        }
        assert_true(dedupe_contains(d, "id-999"));
        assert_true(dedupe_contains(d, "id-997"));
        assert_false(dedupe_contains(d, "id-996"));
        char long_id[700];
        memset(long_id, 'x', sizeof(long_id) - 1);
        long_id[sizeof(long_id) - 1] = '\0';
        assert_int_equal(dedupe_add(d, long_id), -EINVAL);
        dedupe_free(d);
        dedupe_free(NULL);
        assert_int_equal(dedupe_new(0, &d), -EINVAL);
}

/* The relay's per-topic keys share a long topic ARN prefix and differ only
 * in the eventID at the end; a set that kept less than the whole key (a
 * prefix, say) would take them for one. */
static void test_keys_differing_only_at_the_end(void **state) {
        (void)state;
        struct dedupe *d;
        char key[601], other[601];
        assert_int_equal(dedupe_new(4096, &d), 0);
        memset(key, 'a', sizeof(key) - 1);
        key[sizeof(key) - 1] = '\0';
        memcpy(other, key, sizeof(key));
        other[sizeof(other) - 2] = 'b';
        assert_int_equal(dedupe_add(d, key), 0);
        assert_true(dedupe_contains(d, key));
        assert_false(dedupe_contains(d, other));
        for (int i = 0; i < 10000; i++) {
                snprintf(key, sizeof(key), "arn:aws:sns:us-east-1:123456789012:alerts 00000000-0000-4000-8000-%012d", i);
                assert_int_equal(dedupe_add(d, key), 0);
        }
        /* Exactly the last 4,096 of them, however the slots were reused. */
        for (int i = 0; i < 10000; i++) {
                snprintf(key, sizeof(key), "arn:aws:sns:us-east-1:123456789012:alerts 00000000-0000-4000-8000-%012d", i);
                if (i < 10000 - 4096)
                        assert_false(dedupe_contains(d, key));
                else
                        assert_true(dedupe_contains(d, key));
        }
        dedupe_free(d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_remembers_and_forgets_oldest),
                cmocka_unit_test(test_keys_differing_only_at_the_end),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
