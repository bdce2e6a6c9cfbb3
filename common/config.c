#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <ini.h>
#include <openssl/crypto.h>

#include "aws_service.h"
#include "awsid.h"
#include "buf.h"
#include "template.h"
#include "tz.h"

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* The longest physical line, newline excluded: a session token of
 * SESSION_TOKEN_MAX plus its key, with room to spare. */
#define CONFIG_LINE_MAX 8192
/* The example with every key documented is under 10 KB; ten thousand
 * [accounts] lines fit in 1 MiB. Anything larger is not a config file. */
#define CONFIG_FILE_MAX (1024 * 1024)
/* Our longest key is 18 characters; inih's own line buffer (200 bytes in
 * the distro build) must hold "key=" for the long-line path below. */
#define KEY_NAME_MAX 64
/* After this many errors more lines would only bury the first ones. */
#define DIAG_MAX 100
/* Values quoted in a message are cut here so that one line stays readable. */
#define VALUE_SHOWN_MAX 64
/* A message holds the path at most twice (the chmod hint), a value cut to
 * VALUE_SHOWN_MAX and the longest "allowed" text (about 400 bytes). */
#define DIAG_LINE_MAX (2 * PATH_MAX + 2048)
/* CloudTrail event names are API action names ("StartSession"); the SSM API
 * has about 150 actions, a notification list of more than 64 is a mistake. */
#define EVENTS_MAX 64
#define EVENT_NAME_MAX 64
/* AWS Organizations quotas go into the thousands of accounts. */
#define ACCOUNTS_MAX 10000
#define ACCOUNT_NAME_MAX 64
/* SNS: a Subject is fewer than 100 characters; a template with placeholders
 * may be longer before expansion, the renderer cuts the result. */
#define SUBJECT_TEMPLATE_MAX 255
/* IAM: an access key ID is 16..128 characters of [\w]. Secret keys are 40
 * characters; 128 covers emulators and future formats. STS session tokens
 * run to 1-2 KB, more with session tags. */
#define ACCESS_KEY_ID_MIN 16
#define ACCESS_KEY_ID_MAX 128
#define SECRET_KEY_MAX 128
#define SESSION_TOKEN_MAX 4096

#define DEFAULT_PATH "/etc/ssm-notifyd/ssm-notifyd.conf"
/* The account of the example config's queue and topic: AWS documentation's
 * example account, which no real account has. */
#define EXAMPLE_ACCOUNT "123456789012"
/* The group the packages create (sysusers.d) for the unit's User=/Group=;
 * the installed config is root:ssm-notifyd 0640. */
#define SERVICE_GROUP "ssm-notifyd"
#define DEFAULT_IMDS "http://169.254.169.254"

enum key_type {
        KEY_INT,
        KEY_ENUM,
        KEY_REGION,
        KEY_ACCESS_KEY_ID,
        KEY_SECRET,
        KEY_ENDPOINT,
        KEY_QUEUE_URL,
        KEY_TOPIC_ARN,
        KEY_TIMEZONE,
        KEY_EVENTS,
        KEY_SUBJECT,
        KEY_ACCOUNT,
};

struct enum_value {
        const char *name;
        int value;
};

struct key_def {
        const char *section;
        const char *key;                 /* NULL: any key (the [accounts] section) */
        enum key_type type;
        long min, max;                   /* KEY_INT: the range; KEY_SECRET: max length */
        const struct enum_value *values; /* KEY_ENUM; NULL-terminated */
        const char *def;                 /* default, parsed like a value from the file */
        const char *env[2];              /* environment fallbacks, in order, below the file */
        size_t offset;                   /* the field in struct config */
        bool required;
        bool secret;                     /* the value never appears in a message */
};

static const struct enum_value format_values[] = {
        { "text", CONFIG_FORMAT_TEXT },
        { "json", CONFIG_FORMAT_JSON },
        { "chatbot", CONFIG_FORMAT_CHATBOT },
        { "multi", CONFIG_FORMAT_MULTI },
        {},
};

static const struct enum_value language_values[] = {
        { "ja", CONFIG_LANG_JA },
        { "en", CONFIG_LANG_EN },
        {},
};

static const struct enum_value unrecognized_values[] = {
        { "notify", CONFIG_UNRECOGNIZED_NOTIFY },
        { "keep", CONFIG_UNRECOGNIZED_KEEP },
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
_Static_assert(sizeof(enum config_format) == sizeof(int), "enum size");
_Static_assert(sizeof(enum config_language) == sizeof(int), "enum size");
_Static_assert(sizeof(enum config_unrecognized) == sizeof(int), "enum size");

#define F(field) offsetof(struct config, field)

/* The one table of keys: order is the order of the man page and of the
 * checks after parsing (region first: the endpoints' defaults need it). */
static const struct key_def config_keys[] = {
        { "aws", "region", KEY_REGION, .env = { "AWS_REGION", "AWS_DEFAULT_REGION" },
          .offset = F(region), .required = true },
        { "aws", "access_key_id", KEY_ACCESS_KEY_ID, .offset = F(access_key_id) },
        { "aws", "secret_access_key", KEY_SECRET, .max = SECRET_KEY_MAX,
          .offset = F(secret_access_key), .secret = true },
        { "aws", "session_token", KEY_SECRET, .max = SESSION_TOKEN_MAX,
          .offset = F(session_token), .secret = true },
        { "aws", "sqs_endpoint", KEY_ENDPOINT, .env = { "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL" },
          .offset = F(sqs_endpoint) },
        { "aws", "sns_endpoint", KEY_ENDPOINT, .env = { "AWS_ENDPOINT_URL_SNS", "AWS_ENDPOINT_URL" },
          .offset = F(sns_endpoint) },
        { "sqs", "queue_url", KEY_QUEUE_URL, .offset = F(queue_url), .required = true },
        /* SQS ReceiveMessage: WaitTimeSeconds 0..20, MaxNumberOfMessages 1..10,
         * VisibilityTimeout 0..43200 (12 hours). 0 s would be a busy poll. */
        { "sqs", "wait_time_seconds", KEY_INT, 1, 20, .def = "20", .offset = F(wait_time_seconds) },
        { "sqs", "max_messages", KEY_INT, 1, 10, .def = "10", .offset = F(max_messages) },
        { "sqs", "visibility_timeout", KEY_INT, 0, 43200, .def = "60", .offset = F(visibility_timeout) },
        /* SQS redrive policy: maxReceiveCount 1..1000. */
        { "sqs", "max_receive_count", KEY_INT, 1, 1000, .def = "5", .offset = F(max_receive_count) },
        { "sns", "topic_arn", KEY_TOPIC_ARN, .offset = F(topic_arn), .required = true },
        { "notify", "format", KEY_ENUM, .values = format_values, .def = "text", .offset = F(format) },
        { "notify", "language", KEY_ENUM, .values = language_values, .def = "ja", .offset = F(language) },
        { "notify", "timezone", KEY_TIMEZONE, .def = "Asia/Tokyo", .offset = F(timezone) },
        { "notify", "events", KEY_EVENTS, .def = "StartSession, ResumeSession, TerminateSession",
          .offset = F(events) },
        { "notify", "subject", KEY_SUBJECT, .offset = F(subject) },
        { "notify", "unrecognized", KEY_ENUM, .values = unrecognized_values, .def = "notify",
          .offset = F(unrecognized) },
        { "accounts", NULL, KEY_ACCOUNT, .offset = F(accounts) },
        { "log", "level", KEY_ENUM, .values = level_values, .def = "info", .offset = F(log_level) },
};

static const char *const config_sections[] = { "aws", "sqs", "sns", "notify", "accounts", "log" };

struct parser {
        FILE *f;
        const char *path;
        config_getenv_fn env;
        struct config *cfg;
        struct config_diag *diag;
        enum config_need need;
        size_t n_errors;
        int fatal;                /* stops reading: -ENOMEM, -EIO, or -EINVAL (too large, too many errors) */
        unsigned lineno;
        size_t bytes;
        const char *section;      /* the current section, from config_sections; NULL before any */
        bool section_bad;         /* the current section header was rejected: skip its keys */
        const char *long_value;   /* this line's value, when the line did not fit inih's buffer */
        unsigned key_line[ELEMENTSOF(config_keys)]; /* line of the key, 0 when absent */
        bool key_set[ELEMENTSOF(config_keys)];      /* a value was accepted */
        bool key_bad[ELEMENTSOF(config_keys)];      /* a value was rejected */
        unsigned *account_lines;  /* parallel to cfg->accounts */
        bool holds_secret;
        char queue_region[AWS_REGION_MAX + 1];
        char topic_region[AWS_REGION_MAX + 1];
        char line[CONFIG_LINE_MAX + 1];
};

typedef int (*parse_fn)(struct parser *p, const struct key_def *k, const char *name, const char *value,
                        struct buf *why);

static const char *env_get(const struct parser *p, const char *name) {
        const char *v = p->env ? p->env(name) : NULL;
        return v && *v ? v : NULL;
}

/* ---- diagnostics ---- */

/* Moves the text of line to the end of d. */
static int diag_push(struct config_diag *d, struct buf *line) {
        char **lines;
        char *s = buf_steal(line);

        lines = s ? realloc(d->lines, (d->n + 1) * sizeof(*lines)) : NULL;
        if (!lines) {
                free(s);
                return -ENOMEM;
        }
        lines[d->n++] = s;
        d->lines = lines;
        return 0;
}

static void diag_add_line(struct parser *p, struct buf *line) {
        if (p->fatal) {
                buf_free(line);
                return;
        }
        if (p->n_errors == DIAG_MAX) {
                buf_free(line);
                buf_printf(line, "%s: too many errors, stopped after %d", p->path, DIAG_MAX);
                p->fatal = -EINVAL;
        }
        if (diag_push(p->diag, line) < 0) {
                p->fatal = -ENOMEM;
                return;
        }
        p->n_errors++;
}

/* "path:line: " (line 0: "path: ") into a fresh line buffer. */
static void diag_start(const struct parser *p, unsigned line, struct buf *b) {
        buf_init(b, DIAG_LINE_MAX);
        if (line)
                buf_printf(b, "%s:%u: ", p->path, line);
        else
                buf_printf(b, "%s: ", p->path);
}

static void diag_printf(struct parser *p, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void diag_printf(struct parser *p, unsigned line, const char *fmt, ...) {
        struct buf b;
        va_list ap;

        diag_start(p, line, &b);
        va_start(ap, fmt);
        buf_vprintf(&b, fmt, ap);
        va_end(ap);
        diag_add_line(p, &b);
}

/* Number of UTF-8 characters in s, or -1 when s is not valid UTF-8. With
 * printable, control characters (C0, DEL, C1) count as invalid too. */
static long utf8_len(const char *s, bool printable) {
        const unsigned char *u = (const unsigned char *)s;
        long chars = 0;

        while (*u) {
                uint32_t cp;
                int extra;

                if (*u < 0x80) {
                        cp = *u;
                        extra = 0;
                } else if ((*u & 0xe0) == 0xc0) {
                        cp = *u & 0x1f;
                        extra = 1;
                } else if ((*u & 0xf0) == 0xe0) {
                        cp = *u & 0x0f;
                        extra = 2;
                } else if ((*u & 0xf8) == 0xf0) {
                        cp = *u & 0x07;
                        extra = 3;
                } else {
                        return -1;
                }
                u++;
                for (int i = 0; i < extra; i++, u++) {
                        if ((*u & 0xc0) != 0x80)
                                return -1;
                        cp = (cp << 6) | (*u & 0x3f);
                }
                /* overlong forms, surrogates, beyond Unicode */
                if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
                    (extra == 3 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                        return -1;
                if (printable && (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)))
                        return -1;
                chars++;
        }
        return chars;
}

/* Control characters, quotes and backslashes escaped, and every byte above
 * 0x7f when s is not UTF-8; cut at max bytes. */
static void put_escaped(struct buf *b, const char *s, size_t max) {
        size_t n = strlen(s), shown = n > max ? max : n;
        bool utf8 = utf8_len(s, false) >= 0;

        /* do not cut inside a UTF-8 sequence */
        while (shown < n && shown > 0 && ((unsigned char)s[shown] & 0xc0) == 0x80)
                shown--;
        for (size_t i = 0; i < shown; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c < 0x20 || c == 0x7f || (c > 0x7f && !utf8))
                        buf_printf(b, "\\x%02x", c);
                else if (c == '"' || c == '\\')
                        buf_printf(b, "\\%c", c);
                else
                        buf_putc(b, (char)c);
        }
        if (shown < n)
                buf_puts(b, "...");
}

static void put_quoted(struct buf *b, const char *s) {
        buf_putc(b, '"');
        put_escaped(b, s, VALUE_SHOWN_MAX);
        buf_putc(b, '"');
}

static void put_allowed(struct buf *b, const struct key_def *k) {
        switch (k->type) {
        case KEY_INT:
                buf_printf(b, "%ld..%ld", k->min, k->max);
                break;
        case KEY_ENUM:
                for (const struct enum_value *v = k->values; v->name; v++)
                        buf_printf(b, "%s%s", v == k->values ? "" : ", ", v->name);
                break;
        case KEY_REGION:
                buf_puts(b, "a region name such as ap-northeast-1");
                break;
        case KEY_ACCESS_KEY_ID:
                buf_printf(b, "%d..%d characters of A-Z, a-z, 0-9 and _", ACCESS_KEY_ID_MIN,
                           ACCESS_KEY_ID_MAX);
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
        case KEY_ACCOUNT:
                buf_printf(b, "ACCOUNT-ID = NAME, a 12-digit account ID and 1..%d printable "
                              "characters", ACCOUNT_NAME_MAX);
                break;
        }
}

/* "path[:line]: [section] key[ (origin)]: why (allowed: …)"; allowed NULL:
 * what the key's type allows. */
static void report_key(struct parser *p, unsigned line, const struct key_def *k, const char *key,
                       const char *origin, const char *why, const char *allowed) {
        struct buf b;

        diag_start(p, line, &b);
        buf_printf(&b, "[%s] ", k->section);
        put_escaped(&b, key, KEY_NAME_MAX);
        if (origin)
                buf_printf(&b, " (%s)", origin);
        buf_printf(&b, ": %s (allowed: ", why);
        if (allowed)
                buf_puts(&b, allowed);
        else
                put_allowed(&b, k);
        buf_putc(&b, ')');
        diag_add_line(p, &b);
}

/* ---- value parsers: 0, -EINVAL with the reason in why, or -ENOMEM ---- */

static char **str_field(struct parser *p, const struct key_def *k) {
        return (char **)((char *)p->cfg + k->offset);
}

static int *int_field(struct parser *p, const struct key_def *k) {
        return (int *)((char *)p->cfg + k->offset);
}

static int set_string(struct parser *p, const struct key_def *k, const char *value, size_t n) {
        char *s = strndup(value, n);
        if (!s)
                return -ENOMEM;
        *str_field(p, k) = s;
        return 0;
}

static int invalid(struct buf *why, const char *value, const char *reason) {
        put_quoted(why, value);
        buf_printf(why, " %s", reason);
        return -EINVAL;
}

static int parse_int(struct parser *p, const struct key_def *k, const char *name, const char *value,
                     struct buf *why) {
        char *end;
        long v;

        (void)name;
        errno = 0;
        v = strtol(value, &end, 10);
        if (end == value || *end || !(isdigit((unsigned char)value[0]) || value[0] == '-'))
                return invalid(why, value, "is not a number");
        if (errno == ERANGE || v < k->min || v > k->max)
                return invalid(why, value, "is out of range");
        *int_field(p, k) = (int)v;
        return 0;
}

static int parse_enum(struct parser *p, const struct key_def *k, const char *name, const char *value,
                      struct buf *why) {
        (void)name;
        for (const struct enum_value *v = k->values; v->name; v++)
                if (strcmp(v->name, value) == 0) {
                        *int_field(p, k) = v->value;
                        return 0;
                }
        return invalid(why, value, "is not a known value");
}

static int parse_region(struct parser *p, const struct key_def *k, const char *name, const char *value,
                        struct buf *why) {
        (void)name;
        if (!aws_region_valid(value))
                return invalid(why, value, "is not a region name");
        return set_string(p, k, value, strlen(value));
}

static int parse_access_key_id(struct parser *p, const struct key_def *k, const char *name,
                               const char *value, struct buf *why) {
        size_t n = strlen(value);

        (void)name;
        /* not itself a secret, but what is wrong here is most often the
         * secret key pasted on the wrong line: never quote it */
        if (n < ACCESS_KEY_ID_MIN || n > ACCESS_KEY_ID_MAX ||
            strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != n) {
                buf_puts(why, "the value (not shown) is not an access key ID");
                return -EINVAL;
        }
        return set_string(p, k, value, n);
}

/* Never quotes the value: it is a secret. */
static int parse_secret(struct parser *p, const struct key_def *k, const char *name, const char *value,
                        struct buf *why) {
        size_t n = strlen(value);

        (void)name;
        if (n > (size_t)k->max) {
                buf_puts(why, "the value (not shown) is too long");
                return -EINVAL;
        }
        for (const char *c = value; *c; c++)
                if (*c <= ' ' || *c >= 0x7f) {
                        buf_puts(why, "the value (not shown) has a space or a character that is "
                                      "not printable ASCII");
                        return -EINVAL;
                }
        return set_string(p, k, value, n);
}

enum endpoint_kind {
        ENDPOINT_AWS,  /* https anywhere; http only to a loopback host */
        ENDPOINT_IMDS, /* only a link-local or loopback host, http or https */
};

/* Also used for the endpoints' environment variables. */
static int check_endpoint(const char *value, enum endpoint_kind kind, struct buf *why, size_t *ret_len) {
        struct aws_url u;
        const char *reason;
        size_t n;

        /* user information may hold a password: never repeat such a URL */
        if (strchr(value, '@')) {
                buf_puts(why, "the URL (not shown) contains user information");
                return -EINVAL;
        }
        if (aws_url_parse(value, &u, &reason) < 0)
                return invalid(why, value, reason);
        /* the instance metadata service answers with credentials to whoever
         * asks with a token it gave: it must be the one on this instance's link */
        if (kind == ENDPOINT_IMDS && !aws_host_is_link_local(u.host) && !aws_host_is_loopback(u.host))
                return invalid(why, value, "is not a link-local or loopback address");
        if (kind == ENDPOINT_AWS && !u.https && !aws_host_is_loopback(u.host))
                return invalid(why, value, "uses http:// for a host that is not loopback");
        if (u.rest[0] && strcmp(u.rest, "/") != 0)
                return invalid(why, value, "has a path, query or fragment");
        n = strlen(value);
        if (value[n - 1] == '/')
                n--;
        *ret_len = n;
        return 0;
}

static int parse_endpoint(struct parser *p, const struct key_def *k, const char *name, const char *value,
                          struct buf *why) {
        size_t n;

        (void)name;
        if (check_endpoint(value, ENDPOINT_AWS, why, &n) < 0)
                return -EINVAL;
        return set_string(p, k, value, n);
}

static int parse_queue_url(struct parser *p, const struct key_def *k, const char *name,
                           const char *value, struct buf *why) {
        char region[AWS_REGION_MAX + 1];

        (void)name;
        if (strchr(value, '@')) {
                buf_puts(why, "the URL (not shown) contains user information");
                return -EINVAL;
        }
        if (aws_queue_url_parse(value, region) < 0)
                return invalid(why, value, "is not an SQS queue URL");
        strcpy(p->queue_region, region);
        return set_string(p, k, value, strlen(value));
}

static int parse_topic_arn(struct parser *p, const struct key_def *k, const char *name,
                           const char *value, struct buf *why) {
        char region[AWS_REGION_MAX + 1];

        (void)name;
        if (aws_topic_arn_parse(value, region) < 0)
                return invalid(why, value, "is not an SNS topic ARN");
        strcpy(p->topic_region, region);
        return set_string(p, k, value, strlen(value));
}

static int parse_timezone(struct parser *p, const struct key_def *k, const char *name,
                          const char *value, struct buf *why) {
        int r;

        (void)name;
        r = tz_check(value);
        if (r == -EINVAL)
                return invalid(why, value, "is not a time zone name");
        if (r < 0)
                return invalid(why, value, "is not in the tz database");
        return set_string(p, k, value, strlen(value));
}

static void strv_free(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

static int parse_events(struct parser *p, const struct key_def *k, const char *name, const char *value,
                        struct buf *why) {
        char **events = NULL, **grown, *e = NULL;
        const char *item = value;
        size_t n = 0;
        int r = -EINVAL;

        (void)name;
        (void)k;
        for (;;) {
                const char *end = item + strcspn(item, ","), *next = *end ? end + 1 : NULL;

                while (item < end && isspace((unsigned char)*item))
                        item++;
                while (end > item && isspace((unsigned char)end[-1]))
                        end--;
                if (item == end) {
                        buf_puts(why, "has an empty item");
                        goto out;
                }
                if (n == EVENTS_MAX) {
                        buf_printf(why, "has more than %d items", EVENTS_MAX);
                        goto out;
                }
                e = strndup(item, (size_t)(end - item));
                if (!e) {
                        r = -ENOMEM;
                        goto out;
                }
                if (strlen(e) > EVENT_NAME_MAX ||
                    strspn(e, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != strlen(e)) {
                        invalid(why, e, "is not an event name");
                        goto out;
                }
                for (size_t i = 0; i < n; i++)
                        if (strcmp(events[i], e) == 0) {
                                invalid(why, e, "is listed twice");
                                goto out;
                        }
                grown = realloc(events, (n + 1) * sizeof(*events));
                if (!grown) {
                        r = -ENOMEM;
                        goto out;
                }
                events = grown;
                events[n++] = e;
                e = NULL;
                if (!next)
                        break;
                item = next;
        }
        p->cfg->events = events;
        p->cfg->n_events = n;
        return 0;
out:
        free(e);
        strv_free(events, n);
        return r;
}

static int parse_subject(struct parser *p, const struct key_def *k, const char *name, const char *value,
                         struct buf *why) {
        char bad[VALUE_SHOWN_MAX + 1];
        size_t n = strlen(value);

        (void)name;
        if (n > SUBJECT_TEMPLATE_MAX)
                return invalid(why, value, "is too long");
        for (const char *c = value; *c; c++)
                if (*c < ' ' || *c >= 0x7f)
                        return invalid(why, value, "is not printable ASCII");
        if (template_validate(value, SUBJECT_PLACEHOLDERS, bad, sizeof(bad)) < 0)
                return invalid(why, bad, "is not a placeholder");
        return set_string(p, k, value, n);
}

static int parse_account(struct parser *p, const struct key_def *k, const char *name, const char *value,
                         struct buf *why) {
        struct config *c = p->cfg;
        struct config_account *accounts;
        unsigned *lines;
        struct config_account a = {};
        long len;

        (void)k;
        if (!aws_account_id_valid(name, strlen(name))) {
                buf_puts(why, "the key is not a 12-digit account ID");
                return -EINVAL;
        }
        if (!*value) {
                buf_puts(why, "the name is missing");
                return -EINVAL;
        }
        len = utf8_len(value, true);
        if (len < 0)
                return invalid(why, value, "is not printable UTF-8 text");
        if (len > ACCOUNT_NAME_MAX)
                return invalid(why, value, "is too long");
        if (c->n_accounts == ACCOUNTS_MAX) {
                buf_printf(why, "more than %d accounts", ACCOUNTS_MAX);
                return -EINVAL;
        }
        a.id = strdup(name);
        a.name = strdup(value);
        if (!a.id || !a.name)
                goto nomem;
        accounts = realloc(c->accounts, (c->n_accounts + 1) * sizeof(*accounts));
        if (!accounts)
                goto nomem;
        c->accounts = accounts;
        lines = realloc(p->account_lines, (c->n_accounts + 1) * sizeof(*lines));
        if (!lines)
                goto nomem;
        p->account_lines = lines;
        accounts[c->n_accounts] = a;
        lines[c->n_accounts] = p->lineno;
        c->n_accounts++;
        return 0;
nomem:
        free(a.id);
        free(a.name);
        return -ENOMEM;
}

static const parse_fn parsers[] = {
        [KEY_INT] = parse_int,
        [KEY_ENUM] = parse_enum,
        [KEY_REGION] = parse_region,
        [KEY_ACCESS_KEY_ID] = parse_access_key_id,
        [KEY_SECRET] = parse_secret,
        [KEY_ENDPOINT] = parse_endpoint,
        [KEY_QUEUE_URL] = parse_queue_url,
        [KEY_TOPIC_ARN] = parse_topic_arn,
        [KEY_TIMEZONE] = parse_timezone,
        [KEY_EVENTS] = parse_events,
        [KEY_SUBJECT] = parse_subject,
        [KEY_ACCOUNT] = parse_account,
};

/* Runs the key's parser; reports a rejected value. Returns 0, -EINVAL or -ENOMEM. */
static int apply(struct parser *p, const struct key_def *k, const char *name, const char *value,
                 unsigned line, const char *origin) {
        struct buf why;
        int r;

        buf_init(&why, DIAG_LINE_MAX);
        r = parsers[k->type](p, k, name, value, &why);
        if (r == -EINVAL)
                report_key(p, line, k, name, origin, buf_str(&why), NULL);
        else if (r < 0)
                p->fatal = r;
        buf_free(&why);
        return r;
}

/* ---- reading: inih drives, our reader counts lines ---- */

static const struct key_def *find_key(const char *section, const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(config_keys); i++) {
                const struct key_def *k = &config_keys[i];
                if (strcmp(k->section, section) == 0 && (!k->key || strcmp(k->key, name) == 0))
                        return k;
        }
        return NULL;
}

/* The line of an account already in [accounts], or 0. */
static unsigned account_line(const struct parser *p, const char *id) {
        for (size_t i = 0; i < p->cfg->n_accounts; i++)
                if (strcmp(p->cfg->accounts[i].id, id) == 0)
                        return p->account_lines[i];
        return 0;
}

static int on_pair(void *user, const char *section, const char *name, const char *value) {
        struct parser *p = user;
        const struct key_def *k;
        unsigned first;
        size_t i;

        /* the reader tracked the section: it also saw the headers it rejected */
        (void)section;
        if (p->fatal || p->section_bad)
                return 1;
        if (p->long_value)
                value = p->long_value;
        if (!p->section) {
                struct buf b;
                diag_start(p, p->lineno, &b);
                put_escaped(&b, name, KEY_NAME_MAX);
                buf_puts(&b, ": key outside any section (allowed: after [aws], [sqs], [sns], "
                             "[notify], [accounts] or [log])");
                diag_add_line(p, &b);
                return 1;
        }
        k = find_key(p->section, name);
        if (!k) {
                struct buf b;
                const char *sep = "";
                diag_start(p, p->lineno, &b);
                buf_printf(&b, "[%s] ", p->section);
                put_escaped(&b, name, KEY_NAME_MAX);
                buf_puts(&b, ": unknown key (allowed: ");
                for (i = 0; i < ELEMENTSOF(config_keys); i++)
                        if (strcmp(config_keys[i].section, p->section) == 0) {
                                buf_printf(&b, "%s%s", sep, config_keys[i].key);
                                sep = ", ";
                        }
                buf_putc(&b, ')');
                diag_add_line(p, &b);
                return 1;
        }
        i = (size_t)(k - config_keys);
        if (k->secret && *value)
                p->holds_secret = true;
        first = k->key ? p->key_line[i] : account_line(p, name);
        if (first) {
                struct buf b;
                diag_start(p, p->lineno, &b);
                buf_printf(&b, "[%s] ", k->section);
                put_escaped(&b, name, KEY_NAME_MAX);
                buf_printf(&b, ": duplicate key (first set on line %u)", first);
                diag_add_line(p, &b);
                return 1;
        }
        if (k->key) {
                p->key_line[i] = p->lineno;
                /* "key =" leaves the default, as if the line were not there */
                if (!*value)
                        return 1;
        }
        if (apply(p, k, name, value, p->lineno, NULL) == 0)
                p->key_set[i] = true;
        else
                p->key_bad[i] = true;
        return 1;
}

/* As inih finds a separator: the first of chars, stopping at an inline
 * comment (';' after whitespace). */
static char *find_chars_or_comment(char *s, const char *chars) {
        bool was_space = false;

        while (*s && !(chars && strchr(chars, *s)) && !(was_space && *s == ';')) {
                was_space = isspace((unsigned char)*s);
                s++;
        }
        return s;
}

static char *lskip(char *s) {
        while (*s && isspace((unsigned char)*s))
                s++;
        return s;
}

static char *rstrip(char *s) {
        char *e = s + strlen(s);
        while (e > s && isspace((unsigned char)e[-1]))
                *--e = '\0';
        return s;
}

/* One physical line into p->line. 1: a line; 0: end of file; <0: stop. */
static int read_line(struct parser *p, bool *ret_too_long, bool *ret_nul) {
        size_t n = 0;
        bool any = false, too_long = false, nul = false;
        int c;

        while ((c = getc(p->f)) != EOF) {
                any = true;
                if (++p->bytes > CONFIG_FILE_MAX) {
                        diag_printf(p, 0, "file too large (allowed: up to %d bytes)", CONFIG_FILE_MAX);
                        p->fatal = -EINVAL;
                        return p->fatal;
                }
                if (c == '\n')
                        break;
                if (c == '\0')
                        nul = true;
                if (n < CONFIG_LINE_MAX)
                        p->line[n++] = (char)c;
                else
                        too_long = true;
        }
        if (ferror(p->f)) {
                diag_printf(p, 0, "read error");
                p->fatal = -EIO;
                return p->fatal;
        }
        p->line[n] = '\0';
        *ret_too_long = too_long;
        *ret_nul = nul;
        return any;
}

static char *give(char *str, int num, const char *line) {
        snprintf(str, (size_t)num, "%s\n", line);
        return str;
}

/* inih's ini_reader. Every call returns exactly one physical line, so inih's
 * count and ours agree. Lines inih must not see (errors, comments) become
 * blank; indentation is removed so inih never takes a line for the
 * continuation of the previous value. A line longer than inih's buffer
 * (session tokens are) reaches inih as "key=" and its value is kept here. */
static char *reader(char *str, int num, void *stream) {
        struct parser *p = stream;
        bool too_long, nul;
        char *s, *end;

        p->long_value = NULL;
        if (!p->fatal && num < KEY_NAME_MAX + 3) {
                diag_printf(p, 0, "inih's line buffer (%d bytes) is too small", num);
                p->fatal = -EINVAL;
        }
        if (p->fatal || read_line(p, &too_long, &nul) <= 0)
                return NULL;
        p->lineno++;
        if (too_long) {
                diag_printf(p, p->lineno, "line too long (allowed: up to %d bytes)", CONFIG_LINE_MAX);
                return give(str, num, "");
        }
        if (nul) {
                diag_printf(p, p->lineno, "line contains a NUL byte");
                return give(str, num, "");
        }
        s = p->line;
        if (p->lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
                s += 3;
        s = rstrip(lskip(s));
        if (!*s || *s == ';' || *s == '#')
                return give(str, num, "");
        if (*s == '[') {
                const char *const *known = NULL;
                end = find_chars_or_comment(s + 1, "]");
                if (*end != ']') {
                        diag_printf(p, p->lineno, "syntax error: \"[\" without \"]\"");
                        p->section = NULL;
                        p->section_bad = true;
                        return give(str, num, "");
                }
                *end = '\0';
                for (size_t i = 0; i < ELEMENTSOF(config_sections); i++)
                        if (strcmp(config_sections[i], s + 1) == 0)
                                known = &config_sections[i];
                if (!known) {
                        struct buf b;
                        diag_start(p, p->lineno, &b);
                        buf_putc(&b, '[');
                        put_escaped(&b, s + 1, KEY_NAME_MAX);
                        buf_puts(&b, "]: unknown section (allowed: aws, sqs, sns, notify, accounts, log)");
                        diag_add_line(p, &b);
                        p->section = NULL;
                        p->section_bad = true;
                        return give(str, num, "");
                }
                p->section = *known;
                p->section_bad = false;
                snprintf(str, (size_t)num, "[%s]\n", *known);
                return str;
        }
        end = find_chars_or_comment(s, "=:");
        if (*end != '=' && *end != ':') {
                diag_printf(p, p->lineno, "syntax error: expected \"[section]\" or \"key = value\"");
                return give(str, num, "");
        }
        char sep = *end, *value = end + 1;
        *end = '\0';
        rstrip(s);
        if (!*s) {
                diag_printf(p, p->lineno, "syntax error: no key before \"%c\"", sep);
                return give(str, num, "");
        }
        if (strlen(s) > KEY_NAME_MAX) {
                diag_printf(p, p->lineno, "key name too long (allowed: up to %d characters)",
                            KEY_NAME_MAX);
                return give(str, num, "");
        }
        if (strlen(s) + 1 + strlen(value) + 2 <= (size_t)num) {
                snprintf(str, (size_t)num, "%s=%s\n", s, value);
                return str;
        }
        end = find_chars_or_comment(value, NULL);
        *end = '\0';
        p->long_value = rstrip(lskip(value));
        snprintf(str, (size_t)num, "%s=\n", s);
        return str;
}

/* ---- after the last line: environment, defaults, cross-checks ---- */

/* https://SERVICE.REGION.amazonaws.com, SERVICE from the key's name ("sqs_endpoint"). */
static void endpoint_default(struct parser *p, const struct key_def *k) {
        const char *region = p->cfg->region;
        char **field = str_field(p, k);
        struct buf b;

        buf_init(&b, AWS_ENDPOINT_MAX);
        /* the China partition's endpoints are under amazonaws.com.cn */
        if (buf_printf(&b, "https://%.*s.%s.amazonaws.com%s", (int)strcspn(k->key, "_"), k->key, region,
                       strncmp(region, "cn-", 3) == 0 ? ".cn" : "") < 0 ||
            !(*field = buf_steal(&b)))
                p->fatal = -ENOMEM;
        buf_free(&b);
}

static void fill_key(struct parser *p, size_t i) {
        const struct key_def *k = &config_keys[i];
        const char *v = NULL, *var = NULL;
        char origin[80];

        for (size_t e = 0; e < ELEMENTSOF(k->env) && k->env[e] && !v; e++)
                v = env_get(p, var = k->env[e]);
        if (v) {
                snprintf(origin, sizeof(origin), "from %s", var);
                if (apply(p, k, k->key, v, 0, origin) == 0)
                        p->key_set[i] = true;
                return;
        }
        if (k->def) {
                if (apply(p, k, k->key, k->def, 0, "default") == 0)
                        p->key_set[i] = true;
                return;
        }
        if (k->type == KEY_ENDPOINT) {
                if (p->cfg->region)
                        endpoint_default(p, k);
                return;
        }
        if (!k->required || p->need == CONFIG_NEED_RENDER)
                return;
        if (k->env[1]) {
                char why[160];
                snprintf(why, sizeof(why), "missing; %s and %s are not set either", k->env[0],
                         k->env[1]);
                report_key(p, p->key_line[i], k, k->key, NULL, why, NULL);
        } else {
                report_key(p, p->key_line[i], k, k->key, NULL, "missing", NULL);
        }
}

static size_t key_index(const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(config_keys); i++)
                if (config_keys[i].key && strcmp(config_keys[i].key, key) == 0)
                        return i;
        abort(); /* a key of the table above: a typo here is a programming error */
}

static void check_imds(struct parser *p) {
        const char *v = env_get(p, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
        struct buf why;
        size_t n;

        if (!v) {
                if (!(p->cfg->imds_endpoint = strdup(DEFAULT_IMDS)))
                        p->fatal = -ENOMEM;
                return;
        }
        buf_init(&why, DIAG_LINE_MAX);
        if (check_endpoint(v, ENDPOINT_IMDS, &why, &n) < 0)
                diag_printf(p, 0, "AWS_EC2_METADATA_SERVICE_ENDPOINT: %s (allowed: http://HOST[:PORT] "
                            "or https://HOST[:PORT] where HOST is a link-local (169.254.0.0/16, [fe80::/10], "
                            "[fd00:ec2::254]) or loopback (127.0.0.0/8, [::1], localhost) address)",
                            buf_str(&why));
        else if (!(p->cfg->imds_endpoint = strndup(v, n)))
                p->fatal = -ENOMEM;
        buf_free(&why);
}

static void check_credentials(struct parser *p) {
        static const char PAIR[] = "both access_key_id and secret_access_key, or neither";
        size_t id = key_index("access_key_id"), secret = key_index("secret_access_key"),
               token = key_index("session_token");
        bool has_id = p->key_set[id] || p->key_bad[id];
        bool has_secret = p->key_set[secret] || p->key_bad[secret];
        bool has_token = p->key_set[token] || p->key_bad[token];

        if (has_id && !has_secret)
                report_key(p, p->key_line[id], &config_keys[id], "access_key_id", NULL,
                           "set without secret_access_key", PAIR);
        if (has_secret && !has_id)
                report_key(p, p->key_line[secret], &config_keys[secret], "secret_access_key", NULL,
                           "set without access_key_id", PAIR);
        if (has_token && !(has_id && has_secret))
                report_key(p, p->key_line[token], &config_keys[token], "session_token", NULL,
                           "set without access_key_id and secret_access_key",
                           "only together with access_key_id and secret_access_key");
}

static void check_region_match(struct parser *p, const char *key, const char *region, const char *what) {
        size_t i = key_index(key);

        if (!p->cfg->region || !p->key_set[i] || !region[0] || strcmp(region, p->cfg->region) == 0)
                return;
        diag_printf(p, p->key_line[i], "[%s] %s: %s is in region %s, not in the configured region %s "
                    "(allowed: a %s in %s)", config_keys[i].section, key, what, region, p->cfg->region,
                    what, p->cfg->region);
}

/* A queue URL or topic ARN in the example's account was never edited. The
 * value passed its shape check, so the account can only be the path segment
 * (URL) or the fifth field (ARN) that the marker matches. */
static void check_placeholder(struct parser *p, const char *key, const char *marker, const char *what) {
        size_t i = key_index(key);

        if (!p->key_set[i] || !strstr(*str_field(p, &config_keys[i]), marker))
                return;
        diag_printf(p, p->key_line[i], "[%s] %s: still the example's placeholder (account %s) "
                    "(allowed: the %s of your %s)", config_keys[i].section, key, EXAMPLE_ACCOUNT,
                    strcmp(key, "queue_url") == 0 ? "URL" : "ARN", what);
}

static void finish(struct parser *p) {
        for (size_t i = 0; i < ELEMENTSOF(config_keys) && !p->fatal; i++)
                if (config_keys[i].key && !p->key_set[i] && !p->key_bad[i])
                        fill_key(p, i);
        if (p->fatal)
                return;
        check_imds(p);
        check_credentials(p);
        check_region_match(p, "queue_url", p->queue_region, "queue");
        check_region_match(p, "topic_arn", p->topic_region, "topic");
        check_placeholder(p, "queue_url", "/" EXAMPLE_ACCOUNT "/", "queue");
        check_placeholder(p, "topic_arn", ":" EXAMPLE_ACCOUNT ":", "topic");
}

/* ---- entry points ---- */

static void secret_free(char *s) {
        if (s) {
                OPENSSL_cleanse(s, strlen(s));
                free(s);
        }
}

void config_free(struct config *c) {
        if (!c)
                return;
        free(c->path);
        free(c->region);
        secret_free(c->access_key_id);
        secret_free(c->secret_access_key);
        secret_free(c->session_token);
        free(c->sqs_endpoint);
        free(c->sns_endpoint);
        free(c->imds_endpoint);
        free(c->queue_url);
        free(c->topic_arn);
        free(c->timezone);
        strv_free(c->events, c->n_events);
        free(c->subject);
        for (size_t i = 0; i < c->n_accounts; i++) {
                free(c->accounts[i].id);
                free(c->accounts[i].name);
        }
        free(c->accounts);
        free(c);
}

void config_diag_clear(struct config_diag *d) {
        if (!d)
                return;
        strv_free(d->lines, d->n);
        *d = (struct config_diag){};
}

enum config_access config_access_check(const struct config_file_access *a) {
        mode_t group = a->mode & S_IRWXG;

        if (a->mode & S_IRWXO)
                return CONFIG_ACCESS_OTHERS;
        if (!group)
                return CONFIG_ACCESS_OK;
        if (group != S_IRGRP)
                return CONFIG_ACCESS_GROUP_WRITE;
        if (a->service_gid != (gid_t)-1 && a->file_gid == a->service_gid)
                return CONFIG_ACCESS_OK;
        if (a->file_gid == a->gid && a->file_uid != a->uid)
                return CONFIG_ACCESS_OK;
        return CONFIG_ACCESS_GROUP;
}

/* The refusal of a file that holds a secret, as one diagnostic line. */
static void report_access(struct parser *p, const struct config_file_access *a, enum config_access verdict) {
        struct buf b;

        diag_start(p, 0, &b);
        buf_printf(&b, "[aws] secret_access_key: the file's mode %04o ", (unsigned)(a->mode & 07777));
        switch (verdict) {
        case CONFIG_ACCESS_OTHERS:
                buf_puts(&b, "gives others access ");
                break;
        case CONFIG_ACCESS_GROUP_WRITE:
                buf_printf(&b, "gives group %u more than read access ", (unsigned)a->file_gid);
                break;
        case CONFIG_ACCESS_GROUP:
        case CONFIG_ACCESS_OK:
                buf_printf(&b, "lets group %u read it, but the daemon does not read it through that group ",
                           (unsigned)a->file_gid);
                break;
        }
        buf_printf(&b, "(allowed: no access for others, read access for the group only when the daemon "
                       "reads the file through it, as with root:" SERVICE_GROUP " 0640 under the unit; "
                       "or chmod 600 %s)", p->path);
        diag_add_line(p, &b);
}

/* access: the file's owner, group and mode for the permission rule, or NULL
 * for a stream. */
static int load(FILE *f, const char *path, enum config_need need, config_getenv_fn env,
                const struct config_file_access *access,
                struct config **ret, struct config_diag *diag) {
        enum config_access verdict = CONFIG_ACCESS_OK;
        struct parser *p;
        int r;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->f = f;
        p->path = path;
        p->env = env;
        p->need = need;
        p->diag = diag;
        p->cfg = calloc(1, sizeof(*p->cfg));
        if (!p->cfg || !(p->cfg->path = strdup(path))) {
                r = -ENOMEM;
                goto out;
        }
        r = ini_parse_stream(reader, p, on_pair, p);
        if (r == -2)
                p->fatal = -ENOMEM;
        else if (r != 0 && p->n_errors == 0)
                diag_printf(p, r > 0 ? (unsigned)r : 0, "syntax error");
        if (!p->fatal)
                finish(p);
        if (!p->fatal && p->holds_secret && access)
                verdict = config_access_check(access);
        if (verdict != CONFIG_ACCESS_OK) {
                report_access(p, access, verdict);
                r = -EPERM;
        } else if (p->fatal == -ENOMEM || p->fatal == -EIO) {
                r = p->fatal;
        } else {
                r = p->n_errors ? -EINVAL : 0;
        }
        if (r == 0) {
                *ret = p->cfg;
                p->cfg = NULL;
        }
out:
        config_free(p->cfg);
        free(p->account_lines);
        /* the line buffer held the secrets */
        OPENSSL_cleanse(p, sizeof(*p));
        free(p);
        return r;
}

int config_load_stream(FILE *f, const char *path, config_getenv_fn env, struct config **ret,
                       struct config_diag *diag) {
        return load(f, path, CONFIG_NEED_ALL, env, NULL, ret, diag);
}

/* The service group's ID, or (gid_t)-1 where the host has no such group (or
 * the group database cannot be read: then only the process's own group counts). */
static gid_t service_gid(void) {
        struct group gr, *found = NULL;
        char buf[4096];

        if (getgrnam_r(SERVICE_GROUP, &gr, buf, sizeof(buf), &found) != 0 || !found)
                return (gid_t)-1;
        return found->gr_gid;
}

int config_load(const char *path, config_getenv_fn env, struct config **ret, struct config_diag *diag) {
        return config_load_for(path, CONFIG_NEED_ALL, env, ret, diag);
}

int config_load_for(const char *path, enum config_need need, config_getenv_fn env, struct config **ret,
                    struct config_diag *diag) {
        struct config_file_access access;
        char *iobuf = NULL;
        struct stat st;
        struct buf b;
        FILE *f;
        int fd, r;

        /* O_NONBLOCK: a FIFO would otherwise block in open(); regular files ignore it */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0 || fstat(fd, &st) < 0) {
                r = -errno;
                buf_init(&b, DIAG_LINE_MAX);
                buf_printf(&b, "%s: cannot read: %s", path, strerror(-r));
                goto fail;
        }
        if (!S_ISREG(st.st_mode)) {
                r = -EINVAL;
                buf_init(&b, DIAG_LINE_MAX);
                buf_printf(&b, "%s: not a regular file", path);
                goto fail;
        }
        /* stdio's buffer would keep a copy of the secrets after fclose: bring our own */
        iobuf = malloc(BUFSIZ);
        f = iobuf ? fdopen(fd, "r") : NULL;
        if (!f) {
                free(iobuf);
                close(fd);
                return -ENOMEM;
        }
        setvbuf(f, iobuf, _IOFBF, BUFSIZ);
        access = (struct config_file_access){
                .mode = st.st_mode,
                .file_uid = st.st_uid,
                .file_gid = st.st_gid,
                .uid = geteuid(),
                .gid = getegid(),
                .service_gid = service_gid(),
        };
        r = load(f, path, need, env, &access, ret, diag);
        fclose(f);
        OPENSSL_cleanse(iobuf, BUFSIZ);
        free(iobuf);
        return r;

fail:
        if (fd >= 0)
                close(fd);
        if (diag_push(diag, &b) < 0)
                return -ENOMEM;
        return r;
}

const char *config_default_path(config_getenv_fn env, char *buf, size_t size) {
        const char *dir = env ? env("CREDENTIALS_DIRECTORY") : NULL;
        int n;

        if (!dir || !*dir)
                return DEFAULT_PATH;
        n = snprintf(buf, size, "%s/ssm-notifyd.conf", dir);
        if (n < 0 || (size_t)n >= size || access(buf, F_OK) < 0)
                return DEFAULT_PATH;
        return buf;
}
