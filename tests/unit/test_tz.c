#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tz.h"

static void test_check(void **state) {
        (void)state;
        assert_int_equal(tz_check("Asia/Tokyo"), 0);
        assert_int_equal(tz_check("America/New_York"), 0);
        assert_int_equal(tz_check("UTC"), 0);
        assert_int_equal(tz_check("Mars/Olympus_Mons"), -ENOENT);
        assert_int_equal(tz_check("../etc/passwd"), -EINVAL);
        assert_int_equal(tz_check("/etc/localtime"), -EINVAL);
        assert_int_equal(tz_check(""), -EINVAL);
        assert_int_equal(tz_check("Asia"), -ENOENT); /* a directory, not a zone */
}

/* 2024-03-10 06:59:59Z is 01:59:59 EST; one second later New York jumps to EDT. */
static void test_dst_edge(void **state) {
        (void)state;
        struct tm tm;
        long off;
        char abbr[16];
        assert_int_equal(tz_localtime("America/New_York", 1710053999, &tm, &off, abbr), 0);
        assert_int_equal(tm.tm_hour, 1);
        assert_int_equal(off, -5 * 3600);
        assert_string_equal(abbr, "EST");
        assert_int_equal(tz_localtime("America/New_York", 1710054000, &tm, &off, abbr), 0);
        assert_int_equal(tm.tm_hour, 3);
        assert_int_equal(off, -4 * 3600);
        assert_string_equal(abbr, "EDT");
}

static void test_switches_zones(void **state) {
        (void)state;
        struct tm tm;
        long off;
        setenv("TZ", "UTC", 1);
        assert_int_equal(tz_localtime("Asia/Tokyo", 0, &tm, &off, NULL), 0);
        assert_int_equal(off, 9 * 3600);
        assert_int_equal(tm.tm_hour, 9);
        assert_string_equal(getenv("TZ"), ":Asia/Tokyo");
        /* back and forth between zones: each call answers for its own zone */
        assert_int_equal(tz_localtime("Europe/London", 0, &tm, &off, NULL), 0);
        assert_int_equal(off, 3600); /* 1970: British Standard Time, UTC+1 all year */
        assert_int_equal(tz_localtime("Asia/Tokyo", 0, &tm, &off, NULL), 0);
        assert_int_equal(off, 9 * 3600);
        assert_int_equal(tz_localtime("Nowhere/City", 0, &tm, &off, NULL), -ENOENT);
        assert_string_equal(getenv("TZ"), ":Asia/Tokyo"); /* a refused zone changes nothing */
}

/* The configured zone is selected when the config is loaded; converting in
 * it afterwards needs no zone file at all. */
static void test_select(void **state) {
        (void)state;
        struct tm tm;
        long off;
        setenv("TZ", "UTC", 1);
        assert_int_equal(tz_select("Nowhere/City"), -ENOENT);
        assert_string_equal(getenv("TZ"), "UTC");
        assert_int_equal(tz_select("America/New_York"), 0);
        assert_string_equal(getenv("TZ"), ":America/New_York");
        setenv("TZDIR", "/nonexistent", 1);
        assert_int_equal(tz_localtime("America/New_York", 0, &tm, &off, NULL), 0);
        assert_int_equal(off, -5 * 3600);
        assert_int_equal(tz_select("Asia/Tokyo"), -ENOENT);
        unsetenv("TZDIR");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_check),
                cmocka_unit_test(test_dst_edge),
                cmocka_unit_test(test_switches_zones),
                cmocka_unit_test(test_select),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
