/* burst: per-actor windows, time passed in. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "burst.h"

static void test_first_limit_pass_then_held_until_the_window_ends(void **state) {
        (void)state;
        struct burst *b = NULL;
        int64_t end = -1;

        assert_int_equal(burst_new(2, 60, &b), 0);
        assert_int_equal(burst_note(b, "alice", 1000, &end), BURST_PASS); /* opens alice's window */
        assert_int_equal(burst_note(b, "alice", 1010, &end), BURST_PASS);
        assert_int_equal(burst_note(b, "alice", 1020, &end), BURST_HOLD);
        assert_int_equal(end, 1060);
        assert_int_equal(burst_note(b, "alice", 1059, &end), BURST_HOLD);
        assert_int_equal(end, 1060);
        /* another actor has a window of its own */
        assert_int_equal(burst_note(b, "bob", 1030, &end), BURST_PASS);
        assert_int_equal(burst_note(b, "bob", 1031, &end), BURST_PASS);
        assert_int_equal(burst_note(b, "bob", 1032, &end), BURST_HOLD);
        assert_int_equal(end, 1090);
        /* the window ended: the next notification opens a new one */
        assert_int_equal(burst_note(b, "alice", 1060, &end), BURST_PASS);
        assert_int_equal(burst_note(b, "alice", 1061, &end), BURST_PASS);
        assert_int_equal(burst_note(b, "alice", 1062, &end), BURST_HOLD);
        assert_int_equal(end, 1120);
        /* no key: never held */
        for (int i = 0; i < 5; i++)
                assert_int_equal(burst_note(b, NULL, 1063, &end), BURST_PASS);
        burst_free(b);
}

static void test_full_table_never_holds_a_new_actor(void **state) {
        (void)state;
        struct burst *b = NULL;
        char key[32];
        int64_t end;

        assert_int_equal(burst_new(1, 60, &b), 0);
        for (int i = 0; i < BURST_ACTORS_MAX; i++) {
                snprintf(key, sizeof(key), "actor-%d", i);
                assert_int_equal(burst_note(b, key, 0, &end), BURST_PASS);
        }
        /* every slot holds an open window: a newcomer passes, untracked */
        assert_int_equal(burst_note(b, "newcomer", 1, &end), BURST_PASS);
        assert_int_equal(burst_note(b, "newcomer", 2, &end), BURST_PASS);
        assert_int_equal(burst_note(b, "actor-7", 3, &end), BURST_HOLD);
        /* once the windows ended their slots are taken again */
        assert_int_equal(burst_note(b, "newcomer", 60, &end), BURST_PASS);
        assert_int_equal(burst_note(b, "newcomer", 61, &end), BURST_HOLD);
        assert_int_equal(end, 120);
        burst_free(b);
        burst_free(NULL);
}

static void test_bad_parameters(void **state) {
        (void)state;
        struct burst *b = (struct burst *)1;
        assert_int_equal(burst_new(0, 60, &b), -EINVAL);
        assert_int_equal(burst_new(5, 0, &b), -EINVAL);
        assert_ptr_equal(b, (struct burst *)1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_first_limit_pass_then_held_until_the_window_ends),
                cmocka_unit_test(test_full_table_never_holds_a_new_actor),
                cmocka_unit_test(test_bad_parameters),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
