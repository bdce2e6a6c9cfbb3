#include "tz.h"

#include <errno.h>
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

/* The zone last selected: checking costs a file open. */
static char selected[TZ_NAME_MAX + 1];

int tz_select(const char *zone) {
        char spec[TZ_NAME_MAX + 2];
        const char *cur;
        int r;

        if (strcmp(zone, selected) != 0) {
                r = tz_check(zone);
                if (r < 0)
                        return r;
                snprintf(selected, sizeof(selected), "%s", zone);
        }
        /* A leading ':' makes glibc read the named file, never parse a POSIX rule.
         * TZ is left set: the daemon works in one zone, and glibc reads the zone
         * file again only when TZ changes. */
        snprintf(spec, sizeof(spec), ":%s", zone);
        cur = getenv("TZ");
        if (!cur || strcmp(cur, spec) != 0) {
                if (setenv("TZ", spec, 1) < 0)
                        return -errno;
                tzset();
        }
        return 0;
}

int tz_localtime(const char *zone, time_t t, struct tm *ret_tm, long *ret_gmtoff, char *ret_abbr) {
        struct tm tm;
        int r = tz_select(zone);

        if (r < 0)
                return r;
        if (!localtime_r(&t, &tm))
                return -EOVERFLOW;
        if (ret_abbr)
                snprintf(ret_abbr, 16, "%s", tm.tm_zone ? tm.tm_zone : "");
        tm.tm_zone = NULL;
        *ret_tm = tm;
        *ret_gmtoff = tm.tm_gmtoff;
        return 0;
}
