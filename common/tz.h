/* tz: IANA time zones from the system tz database.
 *
 * The conversion itself is done by the C library (DST rules, historical
 * offsets, the POSIX footer of slim TZif files), so this module is an edge:
 * it reads files under $TZDIR or /usr/share/zoneinfo. glibc silently falls
 * back to UTC for an unknown zone, which is why a zone name is checked with
 * tz_check() before it is used. */
#pragma once

#include <time.h>

/* The zone of the config file's timezone and of --render without -c. */
#define TZ_DEFAULT "Asia/Tokyo"

/* 0 if zone names a TZif file in the tz database; -EINVAL for a malformed name
 * ("..", leading '/', odd characters); -ENOENT when no such zone exists. */
int tz_check(const char *zone);

/* Makes zone the process's local zone (TZ=":zone", and glibc reads its file
 * now): called when the configuration is loaded or reloaded, so that no
 * message waits for the tz database. 0, or tz_check()'s error with TZ
 * unchanged. */
int tz_select(const char *zone);

/* Converts t to local time in zone. ret_gmtoff is the UTC offset in seconds
 * and ret_abbr (optional, at least 16 bytes) the zone abbreviation. Leaves
 * the process's TZ set to ":zone" (tz_select()), so that glibc parses the
 * zone file once and not on every call; for the selected zone a call reads
 * no file. */
int tz_localtime(const char *zone, time_t t, struct tm *ret_tm, long *ret_gmtoff, char *ret_abbr);
