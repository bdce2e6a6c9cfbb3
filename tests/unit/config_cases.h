/* config_cases: what test_config and test_config_file share: the
 * "(allowed …)" texts written by hand from the contract in DESIGN.md and
 * config.h, a fake environment, and a base file that one line replaces. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

/* ---- allowed texts, as the man page states them ---- */
#define A_REGION "a region name such as ap-northeast-1"
#define A_KEYID "16..128 characters of A-Z, a-z, 0-9 and _"
#define A_SECRET "1..128 printable ASCII characters without spaces"
/* The config file accepts what AWS_SESSION_TOKEN does (credentials.h). */
#define TOKEN_MAX 16384
#define A_TOKEN "1..16384 printable ASCII characters without spaces"
#define A_ENDPOINT "https://HOST[:PORT], or http://HOST[:PORT] for a loopback host (127.0.0.0/8, [::1], localhost)"
#define A_QUEUE "https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, https://REGION.queue.amazonaws.com/ACCOUNT/NAME or " \
                "http://LOOPBACK-HOST:PORT/ACCOUNT/NAME; ACCOUNT is 12 digits, NAME 1..80 of A-Z a-z 0-9 _ - with an " \
                "optional .fifo"
#define A_TOPIC "arn:PARTITION:sns:REGION:ACCOUNT:NAME; PARTITION is aws, aws-cn or aws-us-gov, ACCOUNT 12 digits, " \
                "NAME 1..256 of A-Z a-z 0-9 _ - with an optional .fifo"
#define A_TZ "an IANA time zone such as Asia/Tokyo or UTC"
#define A_EVENTS "1..64 comma-separated CloudTrail event names of A-Z and a-z, such as StartSession"
#define A_SUBJECT "up to 255 printable ASCII characters with the placeholders {event_name}, {event_source}, " \
                  "{actor}, {actor_type}, {role}, {target}, {target_name}, {outcome}, {account_id}, {account_name}, {region}, " \
                  "{source_ip}, {session_id}, {local_time}, {event_time}"
#define A_ACCOUNT "ACCOUNT-ID = NAME, a 12-digit account ID and 1..64 printable characters"
#define A_IMDS "http://HOST[:PORT] or https://HOST[:PORT] where HOST is a link-local (169.254.0.0/16, " \
               "[fe80::/10], [fd00:ec2::254]) or loopback (127.0.0.0/8, [::1], localhost) address"
#define A_PAIR "both access_key_id and secret_access_key, or neither"
#define A_TAGS "0..10 comma-separated EC2 tag keys of 1..128 characters without control characters or commas " \
               "(empty: none)"
#define A_ROLE "arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME; PARTITION is aws, aws-cn or aws-us-gov, ACCOUNT 12 " \
               "digits or {account_id} (the event's account, the only placeholder), NAME 1..64 of A-Z a-z 0-9 + = " \
               ", . @ _ -"
#define A_EXTERNAL "2..1224 of A-Z a-z 0-9 + = , . @ : / _ -"

#define KEY_ID "AKIAIOSFODNN7EXAMPLE"                         /* the AWS docs' example key pair */
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

/* ---- a fake environment ---- */
static const char *const *fake_env; /* name, value, ..., NULL */

static inline const char *env_table(const char *name) {
        for (const char *const *e = fake_env; e && *e; e += 2)
                if (strcmp(e[0], name) == 0)
                        return e[1];
        return NULL;
}

#define ENV(...) (fake_env = (const char *const[]){ __VA_ARGS__, NULL })
#define NO_ENV() (fake_env = NULL)
#define LINES(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NO_LINES ((const char *const[]){ NULL })

static inline int load_text(const char *text, struct config **ret, struct config_diag *d) {
        FILE *f = fmemopen((void *)text, strlen(text), "r");
        int r;

        assert_non_null(f);
        r = config_load_stream(f, "test.conf", env_table, ret, d);
        fclose(f);
        return r;
}

static inline void expect_lines(const struct config_diag *d, const char *const *want) {
        size_t n = 0;
        for (; want[n]; n++) {
                if (n >= d->n)
                        fail_msg("missing diag line %zu: %s", n, want[n]);
                assert_string_equal(d->lines[n], want[n]);
        }
        if (d->n != n)
                fail_msg("unexpected diag line %zu: %s", n, d->lines[n]);
}

/* Loads text expecting failure with exactly these lines. */
static inline void expect_bad(const char *text, const char *const *want) {
        struct config *c = NULL;
        struct config_diag d = {};
        int r = load_text(text, &c, &d);
        expect_lines(&d, want);
        assert_int_equal(r, -EINVAL);
        assert_null(c);
        config_diag_clear(&d);
}

static inline struct config *expect_good(const char *text) {
        struct config *c = NULL;
        struct config_diag d = {};
        int r = load_text(text, &c, &d);
        expect_lines(&d, NO_LINES);
        assert_int_equal(r, 0);
        assert_non_null(c);
        return c;
}

/* ---- the base config: each section has a free slot; line numbers below ---- */
static const char *const base[] = {
        "[aws]",                                                                     /* 1 */
        "region = ap-northeast-1",                                                   /* 2 */
        "{aws}",                                                                     /* 3 */
        "[sqs]",                                                                     /* 4 */
        "queue_url = https://sqs.ap-northeast-1.amazonaws.com/210987654321/ssm-events", /* 5 */
        "{sqs}",                                                                     /* 6 */
        "[sns]",                                                                     /* 7 */
        "topic_arn = arn:aws:sns:ap-northeast-1:210987654321:ssm-alerts",            /* 8 */
        "{sns}",                                                                     /* 9 */
        "[notify]",                                                                  /* 10 */
        "{notify}",                                                                  /* 11 */
        "[log]",                                                                     /* 12 */
        "{log}",                                                                     /* 13 */
        "[accounts]",                                                                /* 14 */
        "{accounts}",                                                                /* 15 */
        "[enrich]",                                                                  /* 16 */
        "{enrich}",                                                                  /* 17 */
        "[sessions]",                                                                /* 18 */
        "{sessions}",                                                                /* 19 */
        NULL,
};

static inline bool same_key(const char *a, const char *b) {
        size_t n = strcspn(a, " =");
        return n == strcspn(b, " =") && strncmp(a, b, n) == 0;
}

/* The base with line replacing the base line of the same key (region,
 * queue_url, topic_arn), else put into section's slot. Caller frees. */
static inline char *build(const char *section, const char *line) {
        char slot[32], *out = NULL;
        size_t size = 0;
        bool replaces = false;
        FILE *f = open_memstream(&out, &size);

        for (const char *const *l = base; *l; l++)
                if ((*l)[0] != '[' && (*l)[0] != '{' && same_key(*l, line))
                        replaces = true;
        snprintf(slot, sizeof(slot), "{%s}", section);
        for (const char *const *l = base; *l; l++) {
                if ((*l)[0] == '{')
                        fprintf(f, "%s\n", !replaces && strcmp(*l, slot) == 0 ? line : "");
                else if ((*l)[0] != '[' && same_key(*l, line))
                        fprintf(f, "%s\n", line);
                else
                        fprintf(f, "%s\n", *l);
        }
        fclose(f);
        return out;
}

struct value_case {
        const char *section;
        const char *line;
        const char *want[4]; /* all {NULL}: accepted */
};

static inline void run_cases(const struct value_case *cases, size_t n) {
        for (size_t i = 0; i < n; i++) {
                char *text = build(cases[i].section, cases[i].line);
                char *shown = strdup(cases[i].line);
                for (char *c = shown; *c; c++)
                        if (*c == '\n')
                                *c = '|';
                print_message("[%s] %s\n", cases[i].section, shown);
                free(shown);
                if (cases[i].want[0])
                        expect_bad(text, cases[i].want);
                else
                        config_free(expect_good(text));
                free(text);
        }
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

