#include "tz.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* The longest IANA name is about 30 bytes; anything much longer is a typo. */
#define TZ_NAME_MAX 64

static const char *tz_dir(void) {
        const char *d = getenv("TZDIR");
        return d && *d ? d : "/usr/share/zoneinfo";
}

static int tz_name_ok(const char *zone) {
        size_t n = strlen(zone);
        if (n == 0 || n > TZ_NAME_MAX || zone[0] == '/' || strstr(zone, ".."))
                return 0;
        for (const char *p = zone; *p; p++)
                if (!(((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') || (*p >= '0' && *p <= '9') ||
                      strchr("/_-+", *p)))
                        return 0;
        return 1;
}

int tz_check(const char *zone) {
        char path[512], magic[4];
        int fd;
        ssize_t n;

        if (!tz_name_ok(zone))
                return -EINVAL;
        snprintf(path, sizeof(path), "%s/%s", tz_dir(), zone);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -ENOENT;
        n = read(fd, magic, sizeof(magic));
        close(fd);
        return n == (ssize_t)sizeof(magic) && memcmp(magic, "TZif", 4) == 0 ? 0 : -ENOENT;
}

/* The zone last selected (checking costs a file open), and TZ as this
 * module set it, ":" and that zone: compared, not formatted, at each call. */
static char selected[TZ_NAME_MAX + 1];
static char spec[TZ_NAME_MAX + 2] = ":";

int tz_select(const char *zone) {
        const char *cur;
        int r;

        if (strcmp(zone, selected) != 0) {
                r = tz_check(zone);
                if (r < 0)
                        return r;
                snprintf(selected, sizeof(selected), "%s", zone);
                snprintf(spec, sizeof(spec), ":%s", zone);
        }
        /* A leading ':' makes glibc read the named file, never parse a POSIX rule.
         * TZ is left set: the daemon works in one zone, and glibc reads the zone
         * file again only when TZ changes. */
        cur = getenv("TZ");
        if (!cur || strcmp(cur, spec) != 0) {
                if (setenv("TZ", spec, 1) < 0)
                        return -errno;
                tzset();
        }
        return 0;
}

/* The hours of recent conversions, a few (an event's time and its session's
 * start are hours apart), each kept when the zone's offset held all through
 * it: a conversion inside one is then gmtime_r() of the shifted time, where
 * glibc's localtime_r() parses the zone's POSIX rule again (sscanf and all)
 * for every time after the file's last transition, which is every time in
 * most zones today. An hour is kept only when both its ends convert to the
 * same offset, DST flag and abbreviation (a transition inside it changes one
 * of them), and each end's local time is exactly gmtime_r() of the shifted
 * time (glibc applies a right/ zone's leap seconds to both alike; checked,
 * not assumed). */
#define HOURS_KEPT 8
struct hour {
        char zone[TZ_NAME_MAX + 1]; /* "": nothing kept */
        time_t first;
        long gmtoff;
        int isdst;
        char abbr[16];
};
static struct hour hours[HOURS_KEPT];

static time_t hour_start(time_t t) {
        return t - ((t % 3600) + 3600) % 3600;
}

static struct hour *hour_slot(time_t first) {
        return &hours[(size_t)((first / 3600) % HOURS_KEPT + HOURS_KEPT) % HOURS_KEPT];
}

static bool shifted(const struct tm *local, time_t t) {
        struct tm u;
        time_t s;
        return !__builtin_add_overflow(t, local->tm_gmtoff, &s) && gmtime_r(&s, &u) &&
               u.tm_sec == local->tm_sec && u.tm_min == local->tm_min && u.tm_hour == local->tm_hour &&
               u.tm_mday == local->tm_mday && u.tm_mon == local->tm_mon && u.tm_year == local->tm_year;
}

/* Whether the hour from first is kept (now). */
static bool remember_hour(const char *zone, time_t first) {
        struct hour *hour = hour_slot(first);
        struct tm a, b;
        time_t last;

        hour->zone[0] = '\0';
        if (__builtin_add_overflow(first, 3599, &last) || !localtime_r(&first, &a) || !localtime_r(&last, &b) ||
            a.tm_gmtoff != b.tm_gmtoff || a.tm_isdst != b.tm_isdst ||
            strcmp(a.tm_zone ? a.tm_zone : "", b.tm_zone ? b.tm_zone : "") != 0 || !shifted(&a, first) ||
            !shifted(&b, last))
                return false;
        hour->first = first;
        hour->gmtoff = a.tm_gmtoff;
        hour->isdst = a.tm_isdst;
        snprintf(hour->abbr, sizeof(hour->abbr), "%s", a.tm_zone ? a.tm_zone : "");
        snprintf(hour->zone, sizeof(hour->zone), "%s", zone);
        return true;
}

int tz_localtime(const char *zone, time_t t, struct tm *ret_tm, long *ret_gmtoff, char *ret_abbr) {
        struct tm tm;
        int r = tz_select(zone);

        if (r < 0)
                return r;
        const time_t first = hour_start(t);
        const struct hour *hour = hour_slot(first);
        if ((hour->first == first && strcmp(hour->zone, zone) == 0) || remember_hour(zone, first)) {
                time_t s;
                if (__builtin_add_overflow(t, hour->gmtoff, &s) || !gmtime_r(&s, &tm))
                        return -EOVERFLOW;
                tm.tm_isdst = hour->isdst;
                tm.tm_gmtoff = hour->gmtoff;
                if (ret_abbr)
                        memcpy(ret_abbr, hour->abbr, sizeof(hour->abbr));
        } else {
                if (!localtime_r(&t, &tm))
                        return -EOVERFLOW;
                if (ret_abbr)
                        snprintf(ret_abbr, 16, "%s", tm.tm_zone ? tm.tm_zone : "");
        }
        tm.tm_zone = NULL;
        *ret_tm = tm;
        *ret_gmtoff = tm.tm_gmtoff;
        return 0;
}
