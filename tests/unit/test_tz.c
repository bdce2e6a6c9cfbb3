#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* tz_localtime() against glibc's localtime_r() itself, field by field: each
 * second around DST changes (an hour in which the offset changes is never
 * taken from the hour before), times in the same hour one after another (the
 * remembered hour), times far apart, zones with half-hour offsets and DST,
 * and a zone that counts leap seconds (right/UTC: 23:59:60 exists). */
static void expect_as_libc(const char *zone, time_t t) {
        struct tm got, want;
        long off;
        char abbr[16];
        assert_int_equal(tz_localtime(zone, t, &got, &off, abbr), 0);
        assert_non_null(localtime_r(&t, &want)); /* TZ is the zone tz_localtime left selected */
        if (got.tm_sec != want.tm_sec || got.tm_min != want.tm_min || got.tm_hour != want.tm_hour ||
            got.tm_mday != want.tm_mday || got.tm_mon != want.tm_mon || got.tm_year != want.tm_year ||
            got.tm_wday != want.tm_wday || got.tm_yday != want.tm_yday || got.tm_isdst != want.tm_isdst ||
            off != want.tm_gmtoff || strcmp(abbr, want.tm_zone) != 0)
                fail_msg("%s at %lld: %02d:%02d:%02d %s %ld, libc %02d:%02d:%02d %s %ld", zone, (long long)t,
                         got.tm_hour, got.tm_min, got.tm_sec, abbr, off, want.tm_hour, want.tm_min, want.tm_sec,
                         want.tm_zone, (long)want.tm_gmtoff);
}

static void test_same_as_libc(void **state) {
        (void)state;
        static const char *const zones[] = { "Asia/Tokyo",         "America/New_York", "Europe/London",
                                             "Australia/Lord_Howe", "Asia/Kolkata",     "America/St_Johns",
                                             "right/UTC",           "UTC" };
        static const time_t edges[] = {
                1710054000, /* New York to EDT, 2024-03-10 */
                1730613600, /* New York to EST, 2024-11-03 */
                1711846800, /* London to BST, 2024-03-31 */
                1712413800, /* Lord Howe: +11 to +10:30, 2024-04-07 02:00 local */
                1483228800, /* the leap second before 2017 in right/ zones */
                -2587712400, /* Tokyo's local mean time until 1888 */
        };
        uint64_t x = 88172645463325252u;
        for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
                if (tz_check(zones[z]) < 0)
                        continue; /* right/ zones are optional in some tz packages */
                for (size_t e = 0; e < sizeof(edges) / sizeof(edges[0]); e++)
                        for (time_t t = edges[e] - 3700; t <= edges[e] + 3700; t += 37)
                                expect_as_libc(zones[z], t);
                for (size_t e = 0; e < sizeof(edges) / sizeof(edges[0]); e++)
                        for (time_t t = edges[e] - 30; t <= edges[e] + 30; t++)
                                expect_as_libc(zones[z], t);
                for (int i = 0; i < 3000; i++) {
                        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                        /* 1900 to 2100, now and then in the same hour as the last */
                        static time_t last;
                        time_t t = i % 3 ? last + (time_t)(x % 600) : -2208988800 + (time_t)(x % 6311433600u);
                        expect_as_libc(zones[z], t);
                        last = t;
                }
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_check),
                cmocka_unit_test(test_dst_edge),
                cmocka_unit_test(test_switches_zones),
                cmocka_unit_test(test_select),
                cmocka_unit_test(test_same_as_libc),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
