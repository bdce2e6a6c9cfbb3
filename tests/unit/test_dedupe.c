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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_remembers_and_forgets_oldest),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
