/* config_keys: the one table of keys, the sections, and what each key type
 * allows (the "(allowed …)" part of a message). Data and lookups only. */
#include "config_internal.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "template.h"
#include "tz.h"

static const struct enum_value unrecognized_values[] = {
        { "notify", CONFIG_UNRECOGNIZED_NOTIFY },
        { "keep", CONFIG_UNRECOGNIZED_KEEP },
        {},
};

static const struct enum_value on_off_values[] = {
        { "on", CONFIG_ON },
        { "off", CONFIG_OFF },
        {},
};

static const struct enum_value level_values[] = {
        { "err", LOG_ERR },
        { "warning", LOG_WARNING },
        { "notice", LOG_NOTICE },
        { "info", LOG_INFO },
        { "debug", LOG_DEBUG },
        {},
};

/* Enum fields are written through an int. */
_Static_assert(sizeof(enum render_format) == sizeof(int), "enum size");
_Static_assert(sizeof(enum render_language) == sizeof(int), "enum size");
_Static_assert(sizeof(enum config_unrecognized) == sizeof(int), "enum size");

#define F(field) offsetof(struct config, field)

/* The one table of keys: order is the order of the man page and of the
 * checks after parsing (region first: the endpoints' defaults need it). */
const struct key_def config_keys[] = {
        { "aws", "region", KEY_REGION, .env = { "AWS_REGION", "AWS_DEFAULT_REGION" },
          .offset = F(region), .required = true },
        { "aws", "access_key_id", KEY_ACCESS_KEY_ID, .offset = F(access_key_id) },
        { "aws", "secret_access_key", KEY_SECRET, .max = CREDENTIALS_SECRET_MAX,
          .offset = F(secret_access_key), .secret = true },
        { "aws", "session_token", KEY_SECRET, .max = CREDENTIALS_TOKEN_MAX,
          .offset = F(session_token), .secret = true },
        { "aws", "sqs_endpoint", KEY_ENDPOINT, .env = { "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL" },
          .offset = F(sqs_endpoint) },
        { "aws", "sns_endpoint", KEY_ENDPOINT, .env = { "AWS_ENDPOINT_URL_SNS", "AWS_ENDPOINT_URL" },
          .offset = F(sns_endpoint) },
        /* The look-ups go to the event's region: without an override, no default here. */
        { "aws", "ec2_endpoint", KEY_ENDPOINT, .env = { "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL" },
          .offset = F(ec2_endpoint), .per_region = true },
        { "aws", "ssm_endpoint", KEY_ENDPOINT, .env = { "AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL" },
          .offset = F(ssm_endpoint), .per_region = true },
        { "aws", "sts_endpoint", KEY_ENDPOINT, .env = { "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL" },
          .offset = F(sts_endpoint), .per_region = true },
        { "sqs", "queue_url", KEY_QUEUE_URL, .offset = F(queue_url), .required = true },
        /* SQS ReceiveMessage: WaitTimeSeconds 0..20, MaxNumberOfMessages 1..10,
         * VisibilityTimeout 0..43200 (12 hours). 0 s would be a busy poll. */
        { "sqs", "wait_time_seconds", KEY_INT, 1, 20, .def = "20", .offset = F(wait_time_seconds) },
        { "sqs", "max_messages", KEY_INT, 1, 10, .def = "10", .offset = F(max_messages) },
        { "sqs", "visibility_timeout", KEY_INT, 0, 43200, .def = "60", .offset = F(visibility_timeout) },
        /* SQS redrive policy: maxReceiveCount 1..1000. */
        { "sqs", "max_receive_count", KEY_INT, 1, 1000, .def = "5", .offset = F(max_receive_count) },
        { "sns", "topic_arn", KEY_TOPIC_ARN, .offset = F(topic_arn), .required = true },
        { "notify", "format", KEY_NAMED, .names = render_format_names, .def = "text", .offset = F(format) },
        { "notify", "language", KEY_NAMED, .names = render_language_names, .def = "ja", .offset = F(language) },
        { "notify", "timezone", KEY_TIMEZONE, .def = TZ_DEFAULT, .offset = F(timezone) },
        { "notify", "events", KEY_EVENTS, .def = "StartSession, ResumeSession, TerminateSession",
          .offset = F(events) },
        { "notify", "subject", KEY_SUBJECT, .offset = F(subject) },
        { "notify", "unrecognized", KEY_ENUM, .values = unrecognized_values, .def = "notify",
          .offset = F(unrecognized) },
        /* Bursts: a window of up to an hour keeps the held messages' extended
         * visibility far below SQS's 12 hours; 0 turns bursts off. */
        { "notify", "burst_limit", KEY_INT, 1, 1000, .def = "5", .offset = F(burst_limit) },
        { "notify", "burst_window", KEY_INT, 0, 3600, .def = "0", .offset = F(burst_window) },
        { "accounts", NULL, KEY_ACCOUNT, .offset = F(accounts) },
        { "enrich", "instance_names", KEY_ENUM, .values = on_off_values, .def = "on",
          .offset = F(enrich_instance_names) },
        { "enrich", "tags", KEY_TAGS, .def = "Environment", .offset = F(enrich_tags), .empty_is_value = true },
        { "enrich", "role_arn", KEY_ROLE_ARN, .offset = F(enrich_role_arn) },
        { "enrich", "external_id", KEY_EXTERNAL_ID, .offset = F(enrich_external_id) },
        /* A day at most: a renamed instance shows its new name by the next day. */
        { "enrich", "cache_seconds", KEY_INT, 60, 86400, .def = "3600", .offset = F(enrich_cache_seconds) },
        { "sessions", "track", KEY_ENUM, .values = on_off_values, .def = "on", .offset = F(sessions_track) },
        /* 0: no DescribeSessions at all; a day at most, so that an ended
         * session is reported the same day. */
        { "sessions", "check_interval", KEY_INT, 0, 86400, .def = "300", .offset = F(check_interval) },
        /* 0: off; at most a year, which no session lasts. */
        { "sessions", "long_session_alert", KEY_INT, 0, 31536000, .def = "28800",
          .offset = F(long_session_alert) },
        { "log", "level", KEY_ENUM, .values = level_values, .def = "info", .offset = F(log_level) },
};

const char *const config_sections[] = { "aws", "sqs", "sns", "notify", "accounts", "enrich", "sessions", "log" };

const struct key_def *config_find_key(const char *section, const char *name) {
        for (size_t i = 0; i < CONFIG_N_KEYS; i++) {
                const struct key_def *k = &config_keys[i];
                if (strcmp(k->section, section) == 0 && (!k->key || strcmp(k->key, name) == 0))
                        return k;
        }
        return NULL;
}

size_t config_key_index(const char *key) {
        for (size_t i = 0; i < CONFIG_N_KEYS; i++)
                if (config_keys[i].key && strcmp(config_keys[i].key, key) == 0)
                        return i;
        abort(); /* a key of the table above: a typo here is a programming error */
}

const char *config_section_find(const char *name) {
        for (size_t i = 0; i < CONFIG_N_SECTIONS; i++)
                if (strcmp(config_sections[i], name) == 0)
                        return config_sections[i];
        return NULL;
}

void config_put_allowed(struct buf *b, const struct key_def *k) {
        switch (k->type) {
        case KEY_INT:
                buf_printf(b, "%ld..%ld", k->min, k->max);
                break;
        case KEY_ENUM:
                for (const struct enum_value *v = k->values; v->name; v++)
                        buf_printf(b, "%s%s", v == k->values ? "" : ", ", v->name);
                break;
        case KEY_NAMED:
                for (const char *const *n = k->names; *n; n++)
                        buf_printf(b, "%s%s", n == k->names ? "" : ", ", *n);
                break;
        case KEY_REGION:
                buf_puts(b, "a region name such as ap-northeast-1");
                break;
        case KEY_ACCESS_KEY_ID:
                buf_printf(b, "%d..%d characters of A-Z, a-z, 0-9 and _", ACCESS_KEY_ID_MIN,
                           CREDENTIALS_KEY_ID_MAX);
                break;
        case KEY_SECRET:
                buf_printf(b, "1..%ld printable ASCII characters without spaces", k->max);
                break;
        case KEY_ENDPOINT:
                buf_puts(b, "https://HOST[:PORT], or http://HOST[:PORT] for a loopback host "
                            "(127.0.0.0/8, [::1], localhost)");
                break;
        case KEY_QUEUE_URL:
                buf_puts(b, "https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, "
                            "https://REGION.queue.amazonaws.com/ACCOUNT/NAME or "
                            "http://LOOPBACK-HOST:PORT/ACCOUNT/NAME; ACCOUNT is 12 digits, "
                            "NAME 1..80 of A-Z a-z 0-9 _ - with an optional .fifo");
                break;
        case KEY_TOPIC_ARN:
                buf_puts(b, "arn:PARTITION:sns:REGION:ACCOUNT:NAME; PARTITION is aws, aws-cn or "
                            "aws-us-gov, ACCOUNT 12 digits, NAME 1..256 of A-Z a-z 0-9 _ - with an "
                            "optional .fifo");
                break;
        case KEY_TIMEZONE:
                buf_puts(b, "an IANA time zone such as Asia/Tokyo or UTC");
                break;
        case KEY_EVENTS:
                buf_printf(b, "1..%d comma-separated CloudTrail event names of A-Z and a-z, "
                              "such as StartSession", EVENTS_MAX);
                break;
        case KEY_SUBJECT:
                buf_printf(b, "up to %d printable ASCII characters with the placeholders ",
                           SUBJECT_TEMPLATE_MAX);
                for (const char *const *n = SUBJECT_PLACEHOLDERS; *n; n++)
                        buf_printf(b, "%s{%s}", n == SUBJECT_PLACEHOLDERS ? "" : ", ", *n);
                break;
        case KEY_TAGS:
                buf_printf(b, "0..%d comma-separated EC2 tag keys of 1..%d characters without "
                              "control characters or commas (empty: none)", ENRICH_TAGS_MAX, TAG_KEY_MAX);
                break;
        case KEY_ROLE_ARN:
                buf_puts(b, "arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME; PARTITION is aws, aws-cn or "
                            "aws-us-gov, ACCOUNT 12 digits or {account_id} (the event's account, the only "
                            "placeholder), NAME 1..64 of A-Z a-z 0-9 + = , . @ _ -");
                break;
        case KEY_EXTERNAL_ID:
                buf_printf(b, "%d..%d of A-Z a-z 0-9 + = , . @ : / _ -", EXTERNAL_ID_MIN, EXTERNAL_ID_MAX);
                break;
        case KEY_ACCOUNT:
                buf_printf(b, "ACCOUNT-ID = NAME, a 12-digit account ID and 1..%d printable "
                              "characters", ACCOUNT_NAME_MAX);
                break;
        }
}
