/* datetime: the one parser of the dates the daemon reads. Pure: no clock
 * and no TZ (civil-date arithmetic, not timegm(), whose answer the C
 * library's zone state must not touch). RFC 3339 date-times as CloudTrail
 * (eventTime) and IMDS (Expiration) write them; HTTP-date (aws_error.c) has
 * a grammar of its own but the same calendar check and conversion. */
#pragma once

#include <time.h>

enum datetime_form {
        /* YYYY-MM-DD?HH:MM:SS, '?' one of T, t or a space; an optional
         * fraction (dropped); Z, z, ±HH:MM, or no zone at all, which is
         * UTC (CloudTrail's times are, and so are log pipelines' copies) */
        DATETIME_RFC3339,
        /* exactly YYYY-MM-DDTHH:MM:SSZ from 1970 on: IMDS writes only that */
        DATETIME_UTC,
};

/* 0 and *ret seconds since the epoch, or -EINVAL (also for a date that
 * does not exist); *ret written only on success. */
int datetime_parse(const char *s, enum datetime_form form, time_t *ret);

/* A UTC civil date and time (month 1..12) to seconds since the epoch.
 * Second 60 is a leap second, counted as :59 + 1. -EINVAL for a date or
 * time that does not exist. */
int datetime_from_civil(int year, int month, int day, int hour, int min, int sec, time_t *ret);
