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

#include "shuffle.h"
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

/* Thousands of distinct strings (what a hostile queue writer can send),
 * each held one to three times, dropped hold by hold in random order while
 * new strings come in (taking the places freed); a string is there, at its
 * first address, exactly while the reference says it has holds. */
static void test_thousands_against_reference(void **state) {
        (void)state;
        enum { N = 5000, HOLDS = 3 * N, FRESH = HOLDS / 10 };
        static const char *got[N], *fresh[FRESH];
        static unsigned holds[N];
        static size_t order[HOLDS];
        struct strpool *p;
        size_t n_holds = 0, n_fresh = 0;
        char s[32];

        assert_int_equal(strpool_new(&p), 0);
        for (size_t i = 0; i < N; i++) {
                holds[i] = 1 + i % 3;
                for (unsigned h = 0; h < holds[i]; h++) {
                        const char *c;
                        snprintf(s, sizeof(s), "%012zu", i * 7919);
                        assert_int_equal(strpool_get(p, s, &c), 0);
                        if (h == 0)
                                got[i] = c;
                        assert_ptr_equal(c, got[i]);
                        n_holds++;
                }
        }
        assert_int_equal(strpool_count(p), N);

        /* order[] lists each hold once, as the string it holds */
        shuffle_order(order, n_holds, 21);
        for (size_t k = 0; k < n_holds; k++) {
                size_t hold = order[k], i = 0;
                while (hold >= 1 + i % 3)
                        hold -= 1 + i++ % 3;
                order[k] = i;
        }
        for (size_t k = 0; k < n_holds; k++) {
                size_t i = order[k], distinct = 0;
                strpool_put(p, got[i]);
                holds[i]--;
                if (k % 10 == 0) {
                        snprintf(s, sizeof(s), "fresh-%zu", n_fresh);
                        assert_int_equal(strpool_get(p, s, &fresh[n_fresh]), 0);
                        assert_string_equal(fresh[n_fresh++], s);
                }
                if (k % 1000 != 0 && k != n_holds - 1)
                        continue;
                for (size_t j = 0; j < N; j++) {
                        const char *c;
                        if (!holds[j])
                                continue;
                        distinct++;
                        snprintf(s, sizeof(s), "%012zu", j * 7919);
                        assert_int_equal(strpool_get(p, s, &c), 0);
                        assert_ptr_equal(c, got[j]); /* the same copy */
                        strpool_put(p, c);
                }
                for (size_t j = 0; j < n_fresh; j++) {
                        const char *c;
                        snprintf(s, sizeof(s), "fresh-%zu", j);
                        assert_int_equal(strpool_get(p, s, &c), 0);
                        assert_ptr_equal(c, fresh[j]);
                        strpool_put(p, c);
                }
                assert_int_equal(strpool_count(p), distinct + n_fresh);
        }
        for (size_t j = 0; j < n_fresh; j++)
                strpool_put(p, fresh[j]);
        assert_int_equal(strpool_count(p), 0);
        strpool_free(p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_shared_and_counted),
                cmocka_unit_test(test_many_stay_put),
                cmocka_unit_test(test_thousands_against_reference),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
