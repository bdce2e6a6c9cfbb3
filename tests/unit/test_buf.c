#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"

static void test_append_and_cap(void **state) {
        (void)state;
        struct buf b;
        buf_init(&b, 8);
        assert_string_equal(buf_str(&b), "");
        assert_int_equal(buf_puts(&b, "abcd"), 0);
        assert_int_equal(buf_printf(&b, "%d", 123), 0);
        assert_string_equal(buf_str(&b), "abcd123");
        /* the cap is on the content, and a refused append changes nothing */
        assert_int_equal(buf_puts(&b, "xy"), -E2BIG);
        assert_string_equal(buf_str(&b), "abcd123");
        assert_int_equal(buf_putc(&b, 'x'), 0);
        assert_int_equal(b.len, 8);
        assert_int_equal(buf_printf(&b, "%s", "z"), -E2BIG);
        buf_free(&b);
        assert_null(b.data);
}

static void test_steal_and_truncate(void **state) {
        (void)state;
        struct buf b;
        buf_init(&b, 1000);
        char *empty = buf_steal(&b);
        assert_string_equal(empty, "");
        free(empty);
        for (int i = 0; i < 1000; i++)
                assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), 0);
        buf_truncate(&b, 3);
        assert_string_equal(buf_str(&b), "abc");
        char *s = buf_steal(&b);
        assert_string_equal(s, "abc");
        assert_int_equal(b.len, 0);
        free(s);
        buf_free_secure(&b);
        buf_free(NULL);
        buf_free_secure(NULL);
}

/* printf writes into the room left when the text fits, grows the buffer
 * when not, and leaves it unchanged when the maximum refuses it. */
static void test_printf_room_and_growth(void **state) {
        (void)state;
        struct buf b;
        char *p;
        char big[300];
        memset(big, 'q', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        buf_init(&b, 400);
        assert_int_equal(buf_puts(&b, "ab"), 0); /* 64 bytes allocated */
        assert_int_equal(buf_printf(&b, "%s-%d", "cd", 7), 0);
        assert_string_equal(buf_str(&b), "abcd-7");
        assert_int_equal(buf_printf(&b, "%s", big), 0);
        assert_int_equal(b.len, 6 + 299);
        assert_int_equal(strncmp(buf_str(&b) + 6, big, 299), 0);
        assert_int_equal(buf_printf(&b, "%s", big), -E2BIG);
        assert_int_equal(b.len, 305);
        assert_int_equal(strlen(buf_str(&b)), 305);
        /* extend: n bytes to write in place, NUL after them */
        assert_int_equal(buf_extend(&b, 3, &p), 0);
        memcpy(p, "xyz", 3);
        assert_int_equal(b.len, 308);
        assert_string_equal(buf_str(&b) + 305, "xyz");
        assert_int_equal(buf_extend(&b, 93, &p), -E2BIG);
        assert_int_equal(b.len, 308);
        buf_free(&b);
}

/* Every buffer has a real maximum: one without (max 0, as a zeroed struct
 * buf has) refuses appends instead of growing without a bound. */
static void test_no_maximum(void **state) {
        (void)state;
        struct buf zeroed = { 0 }, b;
        buf_init(&b, 0);
        assert_int_equal(buf_putc(&zeroed, 'a'), -EINVAL);
        assert_int_equal(buf_puts(&b, "a"), -EINVAL);
        assert_int_equal(buf_printf(&b, "%d", 1), -EINVAL);
        assert_int_equal(buf_append(&b, "", 0), -EINVAL);
        assert_int_equal(b.len, 0);
        assert_string_equal(buf_str(&b), "");
        buf_init(&b, SIZE_MAX);
        assert_int_equal(buf_putc(&b, 'a'), -EINVAL);
        buf_free(&b);
        buf_free(&zeroed);
}

/* buf_cat appends its strings in order, or none of them when the maximum
 * refuses one. */
static void test_cat_all_or_none(void **state) {
        (void)state;
        struct buf b;
        buf_init(&b, 10);
        assert_int_equal(buf_cat(&b, "ab", "", "cd"), 0);
        assert_string_equal(buf_str(&b), "abcd");
        assert_int_equal(buf_cat_list(&b, (const char *)NULL), 0);
        assert_int_equal(b.len, 4);
        assert_int_equal(buf_cat(&b, "efg", "hijk"), -E2BIG);
        assert_string_equal(buf_str(&b), "abcd");
        assert_int_equal(b.len, 4);
        assert_int_equal(buf_cat(&b, "efg", "hij"), 0);
        assert_string_equal(buf_str(&b), "abcdefghij");
        buf_free(&b);
}

/* Room reserved before anything is appended still reads as "", and is
 * what a steal hands over. */
static void test_reserve_first(void **state) {
        struct buf b;
        char *s;

        (void)state;
        buf_init(&b, 1024);
        assert_int_equal(buf_reserve(&b, 100), 0);
        assert_non_null(b.data);
        assert_true(b.alloc >= 101);
        assert_int_equal(b.len, 0);
        assert_string_equal(buf_str(&b), "");
        s = buf_steal(&b);
        assert_string_equal(s, "");
        free(s);
        assert_int_equal(buf_reserve(&b, 2000), -E2BIG);
        assert_null(b.data);
        buf_free(&b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_append_and_cap),
                cmocka_unit_test(test_steal_and_truncate),
                cmocka_unit_test(test_no_maximum),
                cmocka_unit_test(test_printf_room_and_growth),
                cmocka_unit_test(test_cat_all_or_none),
                cmocka_unit_test(test_reserve_first),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
