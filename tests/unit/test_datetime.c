/* test_datetime: the one date parser, against epochs computed elsewhere. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "datetime.h"

static void expect_time(const char *s, int64_t epoch) {
        time_t t = 0;
        if (datetime_parse(s, DATETIME_RFC3339, &t) != 0 || (int64_t)t != epoch)
                fail_msg("datetime_parse(%s) = %lld, expected %lld", s, (long long)t, (long long)epoch);
}

static void expect_bad_time(const char *s) {
        time_t t = 12345;
        assert_int_equal(datetime_parse(s, DATETIME_RFC3339, &t), -EINVAL);
        assert_int_equal((int64_t)t, 12345);
}

/* Epochs from Python's calendar.timegm on the UTC date written beside each. */
static void test_rfc3339(void **state) {
        (void)state;
        expect_time("1970-01-01T00:00:00Z", 0);
        expect_time("1969-12-31T23:59:59Z", -1);
        expect_time("2023-04-25T18:00:00.123456Z", 1682445600);
        expect_time("2023-04-25t18:00:00z", 1682445600);
        expect_time("2024-02-29T12:00:00+09:00", 1709175600);  /* 2024-02-29 03:00Z */
        expect_time("2024-02-29T23:30:00-05:00", 1709267400);  /* 2024-03-01 04:30Z */
        expect_time("2016-12-31T23:59:60Z", 1483228800);       /* leap second = 2017-01-01 00:00Z */
        expect_time("2000-03-01 00:00:00", 951868800);         /* Panther form, no zone: UTC */
        expect_time("2025-02-14 19:43:09.000000000", 1739562189);
        expect_time("2100-03-01T00:00:00Z", 4107542400);
        expect_bad_time("");
        expect_bad_time("...");
        expect_bad_time("2024-01-01");
        expect_bad_time("2023-02-29T00:00:00Z");               /* not a leap year */
        expect_bad_time("2100-02-29T00:00:00Z");               /* nor is 2100 */
        expect_bad_time("2024-13-01T00:00:00Z");
        expect_bad_time("2024-00-10T00:00:00Z");
        expect_bad_time("2024-01-01T24:00:00Z");
        expect_bad_time("2024-01-01T00:60:00Z");
        expect_bad_time("2024-01-01T00:00:61Z");
        expect_bad_time("2024-01-01T00:00:00+24:00");
        expect_bad_time("2024-01-01T00:00:00+0900");
        expect_bad_time("2024-01-01T00:00:00.Z");
        expect_bad_time("2024-01-01T00:00:00Zjunk");
        expect_bad_time("2024-01-01X00:00:00Z");
        expect_bad_time("２０２４-01-01T00:00:00Z");
}

/* IMDS's Expiration: one form only. */
static void test_utc(void **state) {
        (void)state;
        time_t t;
        assert_int_equal(datetime_parse("2017-05-17T15:09:54Z", DATETIME_UTC, &t), 0);
        assert_int_equal((int64_t)t, 1495033794);
        /* a zone far from UTC must not move the result */
        setenv("TZ", "Asia/Tokyo", 1);
        tzset();
        assert_int_equal(datetime_parse("1970-01-01T00:00:00Z", DATETIME_UTC, &t), 0);
        assert_int_equal((int64_t)t, 0);
        unsetenv("TZ");
        tzset();
        static const char *const bad[] = {
                "2017-05-17T15:09:54", "2017-05-17T15:09:54+00:00", "2017-05-17 15:09:54Z",
                "2017-05-17T15:09:54.123Z", "2017-05-17T15:09:54z", "2017-05-17T15:09:54Zjunk",
                "1969-12-31T23:59:59Z", "2017-02-29T00:00:00Z",
        };
        t = 42;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(datetime_parse(bad[i], DATETIME_UTC, &t), -EINVAL);
        assert_int_equal((int64_t)t, 42);
}

static void test_civil(void **state) {
        (void)state;
        time_t t = 7;
        assert_int_equal(datetime_from_civil(1994, 11, 6, 8, 49, 37, &t), 0);
        assert_int_equal((int64_t)t, 784111777); /* RFC 9110's example date */
        assert_int_equal(datetime_from_civil(2016, 12, 31, 23, 59, 60, &t), 0);
        assert_int_equal((int64_t)t, 1483228800);
        t = 7;
        assert_int_equal(datetime_from_civil(2024, 2, 30, 0, 0, 0, &t), -EINVAL);
        assert_int_equal(datetime_from_civil(2024, 0, 1, 0, 0, 0, &t), -EINVAL);
        assert_int_equal(datetime_from_civil(2024, 1, 1, -1, 0, 0, &t), -EINVAL);
        assert_int_equal(datetime_from_civil(2024, 1, 1, 0, 0, 61, &t), -EINVAL);
        assert_int_equal((int64_t)t, 7);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rfc3339),
                cmocka_unit_test(test_utc),
                cmocka_unit_test(test_civil),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
