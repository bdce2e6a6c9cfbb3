/* strpool: equal strings share one copy until the last hold is dropped. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strpool.h"

static void test_shared_and_counted(void **state) {
        (void)state;
        struct strpool *p;
        const char *a, *b, *c;
        char region[] = "eu-west-1";

        assert_int_equal(strpool_new(&p), 0);
        assert_int_equal(strpool_get(p, region, &a), 0);
        assert_ptr_not_equal(a, region); /* a copy, not the caller's string */
        region[0] = 'x';
        assert_string_equal(a, "eu-west-1");
        assert_int_equal(strpool_get(p, "eu-west-1", &b), 0);
        assert_ptr_equal(a, b);
        assert_int_equal(strpool_get(p, "us-east-1", &c), 0);
        assert_ptr_not_equal(a, c);
        assert_int_equal(strpool_count(p), 2);

        strpool_put(p, a); /* one hold left */
        assert_int_equal(strpool_count(p), 2);
        assert_string_equal(b, "eu-west-1");
        strpool_put(p, b);
        assert_int_equal(strpool_count(p), 1);
        assert_string_equal(c, "us-east-1");
        strpool_put(p, NULL);
        strpool_put(p, c);
        assert_int_equal(strpool_count(p), 0);
        strpool_free(p);
}

/* Growing the table moves item pointers, never the strings handed out. */
static void test_many_stay_put(void **state) {
        (void)state;
        struct strpool *p;
        const char *got[40];
        char s[16];

        assert_int_equal(strpool_new(&p), 0);
        for (int i = 0; i < 40; i++) {
                snprintf(s, sizeof(s), "%012d", i);
                assert_int_equal(strpool_get(p, s, &got[i]), 0);
        }
        assert_int_equal(strpool_count(p), 40);
        for (int i = 0; i < 40; i++) {
                snprintf(s, sizeof(s), "%012d", i);
                assert_string_equal(got[i], s);
        }
        for (int i = 0; i < 40; i += 2)
                strpool_put(p, got[i]);
        assert_int_equal(strpool_count(p), 20);
        for (int i = 1; i < 40; i += 2) {
                const char *again;
                snprintf(s, sizeof(s), "%012d", i);
                assert_int_equal(strpool_get(p, s, &again), 0);
                assert_ptr_equal(again, got[i]);
        }
        assert_int_equal(strpool_count(p), 20);
        strpool_free(p); /* with holds left: frees them all */
        strpool_free(NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_shared_and_counted),
                cmocka_unit_test(test_many_stay_put),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
