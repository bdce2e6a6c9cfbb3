#include "datetime.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* "2025-02-14 19:43:09.000000000+00:00" is 35 bytes; allow a longer fraction. */
#define DATETIME_MAX 64

static bool digits(const char *s, int n, int *ret) {
        int v = 0;
        for (int i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (s[i] - '0');
        }
        *ret = v;
        return true;
}

static bool leap(int y) {
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m) {
        static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil, http://howardhinnant.github.io/date_algorithms.html). */
static int64_t days_from_civil(int64_t y, int m, int d) {
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        int64_t yoe = y - era * 400;
        int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

int datetime_from_civil(int year, int month, int day, int hour, int min, int sec, time_t *ret) {
        if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour < 0 || hour > 23 ||
            min < 0 || min > 59 || sec < 0 || sec > 60)
                return -EINVAL;
        *ret = (time_t)(days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec);
        return 0;
}

int datetime_parse(const char *s, enum datetime_form form, time_t *ret) {
        int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
        size_t n = strnlen(s, DATETIME_MAX + 1);
        const char *p;
        time_t t;

        if (n > DATETIME_MAX || n < 19)
                return -EINVAL;
        if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
            !digits(s + 8, 2, &d) || !(s[10] == 'T' || s[10] == 't' || s[10] == ' ') ||
            !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
            !digits(s + 17, 2, &sec))
                return -EINVAL;
        p = s + 19;
        if (form == DATETIME_UTC) {
                if (s[10] != 'T' || strcmp(p, "Z") != 0 || y < 1970)
                        return -EINVAL;
                return datetime_from_civil(y, mo, d, h, mi, sec, ret);
        }
        if (*p == '.') {
                size_t f = strspn(p + 1, "0123456789");
                if (f == 0)
                        return -EINVAL;
                p += 1 + f; /* sub-second precision is not shown anywhere */
        }
        if (*p == 'Z' || *p == 'z') {
                p++;
        } else if (*p == '+' || *p == '-') {
                sign = *p == '+' ? 1 : -1;
                if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
                        return -EINVAL;
                p += 6;
        }
        if (*p != '\0' || datetime_from_civil(y, mo, d, h, mi, sec, &t) < 0)
                return -EINVAL;
        *ret = t - (time_t)sign * (oh * 3600 + om * 60);
        return 0;
}
