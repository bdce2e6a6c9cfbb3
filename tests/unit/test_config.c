/* The expected messages below are written by hand from the contract in
 * DESIGN.md and config.h ("path:line: [section] key: reason (allowed …)");
 * the limits come from the AWS API references named in config.c. */
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
                  "{actor}, {actor_type}, {role}, {target}, {outcome}, {account_id}, {account_name}, {region}, " \
                  "{source_ip}, {session_id}, {local_time}, {event_time}"
#define A_ACCOUNT "ACCOUNT-ID = NAME, a 12-digit account ID and 1..64 printable characters"
#define A_IMDS "http://HOST[:PORT] or https://HOST[:PORT] where HOST is a link-local (169.254.0.0/16, " \
               "[fe80::/10], [fd00:ec2::254]) or loopback (127.0.0.0/8, [::1], localhost) address"
#define A_PAIR "both access_key_id and secret_access_key, or neither"

#define KEY_ID "AKIAIOSFODNN7EXAMPLE"                         /* the AWS docs' example key pair */
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

/* ---- a fake environment ---- */
static const char *const *fake_env; /* name, value, ..., NULL */

static const char *env_table(const char *name) {
        for (const char *const *e = fake_env; e && *e; e += 2)
                if (strcmp(e[0], name) == 0)
                        return e[1];
        return NULL;
}

#define ENV(...) (fake_env = (const char *const[]){ __VA_ARGS__, NULL })
#define NO_ENV() (fake_env = NULL)
#define LINES(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NO_LINES ((const char *const[]){ NULL })

static int load_text(const char *text, struct config **ret, struct config_diag *d) {
        FILE *f = fmemopen((void *)text, strlen(text), "r");
        int r;

        assert_non_null(f);
        r = config_load_stream(f, "test.conf", env_table, ret, d);
        fclose(f);
        return r;
}

static void expect_lines(const struct config_diag *d, const char *const *want) {
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
static void expect_bad(const char *text, const char *const *want) {
        struct config *c = NULL;
        struct config_diag d = {};
        int r = load_text(text, &c, &d);
        expect_lines(&d, want);
        assert_int_equal(r, -EINVAL);
        assert_null(c);
        config_diag_clear(&d);
}

static struct config *expect_good(const char *text) {
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
        NULL,
};

static bool same_key(const char *a, const char *b) {
        size_t n = strcspn(a, " =");
        return n == strcspn(b, " =") && strncmp(a, b, n) == 0;
}

/* The base with line replacing the base line of the same key (region,
 * queue_url, topic_arn), else put into section's slot. Caller frees. */
static char *build(const char *section, const char *line) {
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

static void run_cases(const struct value_case *cases, size_t n) {
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

static void test_build_helper(void **state) {
        (void)state;
        NO_ENV();
        char *t = build("sqs", "max_messages = 3");
        assert_string_equal(t, "[aws]\nregion = ap-northeast-1\n\n[sqs]\n"
                               "queue_url = https://sqs.ap-northeast-1.amazonaws.com/210987654321/ssm-events\n"
                               "max_messages = 3\n[sns]\n"
                               "topic_arn = arn:aws:sns:ap-northeast-1:210987654321:ssm-alerts\n\n"
                               "[notify]\n\n[log]\n\n[accounts]\n\n");
        free(t);
        t = build("aws", "region = us-west-2");
        assert_non_null(strstr(t, "[aws]\nregion = us-west-2\n\n[sqs]"));
        free(t);
}

static void test_defaults(void **state) {
        (void)state;
        NO_ENV();
        char *t = build("aws", "");
        struct config *c = expect_good(t);
        free(t);
        assert_string_equal(c->path, "test.conf");
        assert_string_equal(c->region, "ap-northeast-1");
        assert_null(c->access_key_id);
        assert_null(c->secret_access_key);
        assert_null(c->session_token);
        assert_string_equal(c->sqs_endpoint, "https://sqs.ap-northeast-1.amazonaws.com");
        assert_string_equal(c->sns_endpoint, "https://sns.ap-northeast-1.amazonaws.com");
        assert_string_equal(c->imds_endpoint, "http://169.254.169.254");
        assert_string_equal(c->queue_url, "https://sqs.ap-northeast-1.amazonaws.com/210987654321/ssm-events");
        assert_int_equal(c->wait_time_seconds, 20);
        assert_int_equal(c->max_messages, 10);
        assert_int_equal(c->visibility_timeout, 60);
        assert_int_equal(c->max_receive_count, 5);
        assert_string_equal(c->topic_arn, "arn:aws:sns:ap-northeast-1:210987654321:ssm-alerts");
        assert_int_equal(c->format, RENDER_TEXT);
        assert_int_equal(c->language, RENDER_JA);
        assert_string_equal(c->timezone, "Asia/Tokyo");
        assert_int_equal(c->n_events, 3);
        assert_string_equal(c->events[0], "StartSession");
        assert_string_equal(c->events[1], "ResumeSession");
        assert_string_equal(c->events[2], "TerminateSession");
        assert_null(c->subject);
        assert_int_equal(c->unrecognized, CONFIG_UNRECOGNIZED_NOTIFY);
        assert_int_equal(c->n_accounts, 0);
        assert_int_equal(c->log_level, LOG_INFO);
        config_free(c);
}

static void test_int_keys(void **state) {
        (void)state;
        NO_ENV();
        static const struct value_case cases[] = {
                { "sqs", "wait_time_seconds = 1", {} },
                { "sqs", "wait_time_seconds = 20", {} },
                { "sqs", "wait_time_seconds = 0",
                  { "test.conf:6: [sqs] wait_time_seconds: \"0\" is out of range (allowed: 1..20)" } },
                { "sqs", "wait_time_seconds = 21",
                  { "test.conf:6: [sqs] wait_time_seconds: \"21\" is out of range (allowed: 1..20)" } },
                { "sqs", "wait_time_seconds = twenty",
                  { "test.conf:6: [sqs] wait_time_seconds: \"twenty\" is not a number (allowed: 1..20)" } },
                { "sqs", "wait_time_seconds = 1.5",
                  { "test.conf:6: [sqs] wait_time_seconds: \"1.5\" is not a number (allowed: 1..20)" } },
                { "sqs", "wait_time_seconds = +5",
                  { "test.conf:6: [sqs] wait_time_seconds: \"+5\" is not a number (allowed: 1..20)" } },
                { "sqs", "max_messages = 1", {} },
                { "sqs", "max_messages = 10", {} },
                { "sqs", "max_messages = 11",
                  { "test.conf:6: [sqs] max_messages: \"11\" is out of range (allowed: 1..10)" } },
                { "sqs", "max_messages = -1",
                  { "test.conf:6: [sqs] max_messages: \"-1\" is out of range (allowed: 1..10)" } },
                { "sqs", "visibility_timeout = 0", {} },
                { "sqs", "visibility_timeout = 43200", {} },
                { "sqs", "visibility_timeout = 43201",
                  { "test.conf:6: [sqs] visibility_timeout: \"43201\" is out of range (allowed: 0..43200)" } },
                { "sqs", "visibility_timeout = 99999999999999999999999",
                  { "test.conf:6: [sqs] visibility_timeout: \"99999999999999999999999\" is out of range "
                    "(allowed: 0..43200)" } },
                { "sqs", "max_receive_count = 1", {} },
                { "sqs", "max_receive_count = 1000", {} },
                { "sqs", "max_receive_count = 0",
                  { "test.conf:6: [sqs] max_receive_count: \"0\" is out of range (allowed: 1..1000)" } },
                { "sqs", "max_receive_count = 1001",
                  { "test.conf:6: [sqs] max_receive_count: \"1001\" is out of range (allowed: 1..1000)" } },
                { "sqs", "max_receive_count = 5x",
                  { "test.conf:6: [sqs] max_receive_count: \"5x\" is not a number (allowed: 1..1000)" } },
        };
        run_cases(cases, N(cases));

        char *t = build("sqs", "wait_time_seconds = 7");
        struct config *c = expect_good(t);
        assert_int_equal(c->wait_time_seconds, 7);
        config_free(c);
        free(t);
        t = build("sqs", "visibility_timeout = 0");
        c = expect_good(t);
        assert_int_equal(c->visibility_timeout, 0);
        config_free(c);
        free(t);
}

static void test_enum_keys(void **state) {
        (void)state;
        NO_ENV();
        static const struct value_case cases[] = {
                { "notify", "format = text", {} },
                { "notify", "format = json", {} },
                { "notify", "format = chatbot", {} },
                { "notify", "format = multi", {} },
                { "notify", "format = xml",
                  { "test.conf:11: [notify] format: \"xml\" is not a known value (allowed: text, json, "
                    "chatbot, multi)" } },
                { "notify", "format = JSON",
                  { "test.conf:11: [notify] format: \"JSON\" is not a known value (allowed: text, json, "
                    "chatbot, multi)" } },
                { "notify", "language = ja", {} },
                { "notify", "language = en", {} },
                { "notify", "language = fr",
                  { "test.conf:11: [notify] language: \"fr\" is not a known value (allowed: ja, en)" } },
                { "notify", "unrecognized = notify", {} },
                { "notify", "unrecognized = keep", {} },
                { "notify", "unrecognized = drop",
                  { "test.conf:11: [notify] unrecognized: \"drop\" is not a known value (allowed: notify, "
                    "keep)" } },
                { "log", "level = debug", {} },
                { "log", "level = verbose",
                  { "test.conf:13: [log] level: \"verbose\" is not a known value (allowed: err, warning, "
                    "notice, info, debug)" } },
                { "log", "level = error",
                  { "test.conf:13: [log] level: \"error\" is not a known value (allowed: err, warning, "
                    "notice, info, debug)" } },
        };
        run_cases(cases, N(cases));

        static const struct {
                const char *section, *line;
                size_t offset;
                int want;
        } values[] = {
                { "notify", "format = json", offsetof(struct config, format), RENDER_JSON },
                { "notify", "format = chatbot", offsetof(struct config, format), RENDER_CHATBOT },
                { "notify", "format = multi", offsetof(struct config, format), RENDER_MULTI },
                { "notify", "language = en", offsetof(struct config, language), RENDER_EN },
                { "notify", "unrecognized = keep", offsetof(struct config, unrecognized),
                  CONFIG_UNRECOGNIZED_KEEP },
                { "log", "level = err", offsetof(struct config, log_level), LOG_ERR },
                { "log", "level = warning", offsetof(struct config, log_level), LOG_WARNING },
                { "log", "level = notice", offsetof(struct config, log_level), LOG_NOTICE },
                { "log", "level = info", offsetof(struct config, log_level), LOG_INFO },
                { "log", "level = debug", offsetof(struct config, log_level), LOG_DEBUG },
        };
        for (size_t i = 0; i < N(values); i++) {
                char *t = build(values[i].section, values[i].line);
                struct config *c = expect_good(t);
                int got;
                memcpy(&got, (char *)c + values[i].offset, sizeof(got));
                assert_int_equal(got, values[i].want);
                config_free(c);
                free(t);
        }
}

static void test_region_key(void **state) {
        (void)state;
        NO_ENV();
        static const struct value_case cases[] = {
                { "aws", "region = tokyo",
                  { "test.conf:2: [aws] region: \"tokyo\" is not a region name (allowed: " A_REGION ")" } },
                { "aws", "region = AP-NORTHEAST-1",
                  { "test.conf:2: [aws] region: \"AP-NORTHEAST-1\" is not a region name (allowed: " A_REGION
                    ")" } },
                { "aws", "region = ap-northeast",
                  { "test.conf:2: [aws] region: \"ap-northeast\" is not a region name (allowed: " A_REGION
                    ")" } },
                { "aws", "region = ap-1",
                  { "test.conf:2: [aws] region: \"ap-1\" is not a region name (allowed: " A_REGION ")" } },
                /* a valid region that the queue and topic are not in */
                { "aws", "region = us-east-1",
                  { "test.conf:5: [sqs] queue_url: queue is in region ap-northeast-1, not in the configured "
                    "region us-east-1 (allowed: a queue in us-east-1)",
                    "test.conf:8: [sns] topic_arn: topic is in region ap-northeast-1, not in the configured "
                    "region us-east-1 (allowed: a topic in us-east-1)" } },
        };
        run_cases(cases, N(cases));

        struct config *c = expect_good("[aws]\nregion = us-gov-west-1\n[sqs]\n"
                                       "queue_url = https://sqs.us-gov-west-1.amazonaws.com/210987654321/q\n"
                                       "[sns]\ntopic_arn = arn:aws-us-gov:sns:us-gov-west-1:210987654321:t\n");
        assert_string_equal(c->region, "us-gov-west-1");
        assert_string_equal(c->sqs_endpoint, "https://sqs.us-gov-west-1.amazonaws.com");
        config_free(c);
        /* the China partition's endpoints are under amazonaws.com.cn */
        c = expect_good("[aws]\nregion = cn-north-1\n[sqs]\n"
                        "queue_url = https://sqs.cn-north-1.amazonaws.com.cn/210987654321/q\n"
                        "[sns]\ntopic_arn = arn:aws-cn:sns:cn-north-1:210987654321:t\n");
        assert_string_equal(c->sqs_endpoint, "https://sqs.cn-north-1.amazonaws.com.cn");
        assert_string_equal(c->sns_endpoint, "https://sns.cn-north-1.amazonaws.com.cn");
        config_free(c);
}

static void test_credential_keys(void **state) {
        (void)state;
        NO_ENV();
        static const struct value_case cases[] = {
                { "aws", "access_key_id = " KEY_ID "\nsecret_access_key = " SECRET, {} },
                { "aws", "access_key_id = " KEY_ID "\nsecret_access_key = " SECRET "\nsession_token = "
                         "FQoGZXIvYXdzEBYaDEXAMPLE/token+with=base64", {} },
                { "aws", "access_key_id = " KEY_ID,
                  { "test.conf:3: [aws] access_key_id: set without secret_access_key (allowed: " A_PAIR
                    ")" } },
                { "aws", "access_key_id = AKIA",
                  { "test.conf:3: [aws] access_key_id: the value (not shown) is not an access key ID (allowed: " A_KEYID
                    ")",
                    "test.conf:3: [aws] access_key_id: set without secret_access_key (allowed: " A_PAIR
                    ")" } },
                { "aws", "access_key_id = AKIA-IOSFODNN7EXAMPLE\nsecret_access_key = " SECRET,
                  { "test.conf:3: [aws] access_key_id: the value (not shown) is not an access key ID "
                    "(allowed: " A_KEYID ")" } },
                /* the secret key pasted on the wrong line is not repeated */
                { "aws", "access_key_id = " SECRET "\nsecret_access_key = " SECRET,
                  { "test.conf:3: [aws] access_key_id: the value (not shown) is not an access key ID "
                    "(allowed: " A_KEYID ")" } },
                { "aws", "secret_access_key = " SECRET,
                  { "test.conf:3: [aws] secret_access_key: set without access_key_id (allowed: " A_PAIR
                    ")" } },
                { "aws", "access_key_id = " KEY_ID "\nsecret_access_key = wJalrXUtnFEMI K7MDENG",
                  { "test.conf:4: [aws] secret_access_key: the value (not shown) has a space or a character "
                    "that is not printable ASCII (allowed: " A_SECRET ")" } },
                { "aws", "access_key_id = " KEY_ID "\nsecret_access_key = wJalrXUtnFEMI\x01K7MDENG",
                  { "test.conf:4: [aws] secret_access_key: the value (not shown) has a space or a character "
                    "that is not printable ASCII (allowed: " A_SECRET ")" } },
                { "aws", "session_token = FQoGZXIvYXdzEBYaDEXAMPLE",
                  { "test.conf:3: [aws] session_token: set without access_key_id and secret_access_key "
                    "(allowed: only together with access_key_id and secret_access_key)" } },
                { "aws", "access_key_id = " KEY_ID "\nsecret_access_key = " SECRET
                         "\nsession_token = FQoGZXIv YXdz",
                  { "test.conf:5: [aws] session_token: the value (not shown) has a space or a character "
                    "that is not printable ASCII (allowed: " A_TOKEN ")" } },
                /* an empty value is as if the key were absent */
                { "aws", "access_key_id =\nsecret_access_key =\nsession_token =", {} },
        };
        run_cases(cases, N(cases));

        char *t = build("aws", "access_key_id = " KEY_ID "\nsecret_access_key = " SECRET);
        struct config *c = expect_good(t);
        assert_string_equal(c->access_key_id, KEY_ID);
        assert_string_equal(c->secret_access_key, SECRET);
        assert_null(c->session_token);
        config_free(c);
        free(t);
}

/* Lines longer than inih's 200-byte buffer reach the handler whole. */
static void test_long_values(void **state) {
        (void)state;
        NO_ENV();
        char *token = malloc(TOKEN_MAX + 2), *line = malloc(TOKEN_MAX + 512), *t;
        struct config *c;

        assert_non_null(token);
        assert_non_null(line);
        memset(token, 'T', TOKEN_MAX);
        token[0] = 'F';
        token[TOKEN_MAX - 1] = '=';
        token[TOKEN_MAX] = '\0';
        snprintf(line, TOKEN_MAX + 512, "access_key_id = " KEY_ID "\nsecret_access_key = " SECRET
                                     "\nsession_token = %s ; an inline comment after a long value", token);
        t = build("aws", line);
        c = expect_good(t);
        assert_string_equal(c->session_token, token);
        config_free(c);
        free(t);

        token[TOKEN_MAX] = 'x';
        token[TOKEN_MAX + 1] = '\0';
        snprintf(line, TOKEN_MAX + 512, "access_key_id = " KEY_ID "\nsecret_access_key = " SECRET
                                     "\nsession_token = %s", token);
        t = build("aws", line);
        expect_bad(t, LINES("test.conf:5: [aws] session_token: the value (not shown) is too long (allowed: "
                            A_TOKEN ")"));
        free(t);
        free(token);

        char secret[130];
        memset(secret, 's', 129);
        secret[129] = '\0';
        snprintf(line, TOKEN_MAX + 512, "access_key_id = " KEY_ID "\nsecret_access_key = %s", secret);
        t = build("aws", line);
        expect_bad(t, LINES("test.conf:4: [aws] secret_access_key: the value (not shown) is too long "
                            "(allowed: " A_SECRET ")"));
        free(t);

        /* a 64-character account name in Japanese is 192 bytes: the line is longer than 200 */
        char name[64 * 3 + 1] = "";
        for (int i = 0; i < 64; i++)
                strcat(name, "本");
        snprintf(line, TOKEN_MAX + 512, "123456789012 = %s", name);
        t = build("accounts", line);
        c = expect_good(t);
        assert_int_equal(c->n_accounts, 1);
        assert_string_equal(c->accounts[0].name, name);
        config_free(c);
        free(t);
        free(line);
}

static void test_endpoint_keys(void **state) {
        (void)state;
        NO_ENV();
        static const struct value_case cases[] = {
                { "aws", "sqs_endpoint = https://vpce-0123.sqs.ap-northeast-1.vpce.amazonaws.com", {} },
                { "aws", "sqs_endpoint = http://127.0.0.1:5000", {} },
                { "aws", "sqs_endpoint = http://127.9.8.7", {} },
                { "aws", "sqs_endpoint = http://localhost:4566/", {} },
                { "aws", "sqs_endpoint = http://[::1]:5000", {} },
                { "aws", "sns_endpoint = https://sns.ap-northeast-1.amazonaws.com:443", {} },
                { "aws", "sqs_endpoint = http://sqs.example.com",
                  { "test.conf:3: [aws] sqs_endpoint: \"http://sqs.example.com\" uses http:// for a host "
                    "that is not loopback (allowed: " A_ENDPOINT ")" } },
                { "aws", "sns_endpoint = http://10.0.0.1:5000",
                  { "test.conf:3: [aws] sns_endpoint: \"http://10.0.0.1:5000\" uses http:// for a host that "
                    "is not loopback (allowed: " A_ENDPOINT ")" } },
                { "aws", "sns_endpoint = http://[::2]:5000",
                  { "test.conf:3: [aws] sns_endpoint: \"http://[::2]:5000\" uses http:// for a host that "
                    "is not loopback (allowed: " A_ENDPOINT ")" } },
                { "aws", "sns_endpoint = http://128.0.0.1",
                  { "test.conf:3: [aws] sns_endpoint: \"http://128.0.0.1\" uses http:// for a host that "
                    "is not loopback (allowed: " A_ENDPOINT ")" } },
                { "aws", "sqs_endpoint = ftp://sqs.example.com",
                  { "test.conf:3: [aws] sqs_endpoint: \"ftp://sqs.example.com\" is not an http:// or "
                    "https:// URL (allowed: " A_ENDPOINT ")" } },
                { "aws", "sqs_endpoint = sqs.example.com",
                  { "test.conf:3: [aws] sqs_endpoint: \"sqs.example.com\" is not an http:// or https:// URL "
                    "(allowed: " A_ENDPOINT ")" } },
                { "aws", "sqs_endpoint = https://sqs.example.com/path",
                  { "test.conf:3: [aws] sqs_endpoint: \"https://sqs.example.com/path\" has a path, query or "
                    "fragment (allowed: " A_ENDPOINT ")" } },
                { "aws", "sqs_endpoint = https://sqs.example.com?x=1",
                  { "test.conf:3: [aws] sqs_endpoint: \"https://sqs.example.com?x=1\" has a path, query or "
                    "fragment (allowed: " A_ENDPOINT ")" } },
                { "aws", "sqs_endpoint = https://admin:hunter2@sqs.example.com",
                  { "test.conf:3: [aws] sqs_endpoint: the URL (not shown) contains user information "
                    "(allowed: " A_ENDPOINT ")" } },
                { "aws", "sqs_endpoint = https://sqs.example.com:0",
                  { "test.conf:3: [aws] sqs_endpoint: \"https://sqs.example.com:0\" has a bad port (allowed: "
                    A_ENDPOINT ")" } },
                { "aws", "sqs_endpoint = https://sqs.example.com:65536",
                  { "test.conf:3: [aws] sqs_endpoint: \"https://sqs.example.com:65536\" has a bad port "
                    "(allowed: " A_ENDPOINT ")" } },
                { "aws", "sqs_endpoint = https://sqs.example.com:",
                  { "test.conf:3: [aws] sqs_endpoint: \"https://sqs.example.com:\" has a bad port (allowed: "
                    A_ENDPOINT ")" } },
                { "aws", "sqs_endpoint = https://sqs_example.com",
                  { "test.conf:3: [aws] sqs_endpoint: \"https://sqs_example.com\" has a bad host name "
                    "(allowed: " A_ENDPOINT ")" } },
                { "aws", "sqs_endpoint = https://",
                  { "test.conf:3: [aws] sqs_endpoint: \"https://\" has a bad host name (allowed: " A_ENDPOINT
                    ")" } },
                { "aws", "sqs_endpoint = http://[::1",
                  { "test.conf:3: [aws] sqs_endpoint: \"http://[::1\" has a bad host name (allowed: "
                    A_ENDPOINT ")" } },
                { "aws", "sqs_endpoint = http://[zz::1]:5000",
                  { "test.conf:3: [aws] sqs_endpoint: \"http://[zz::1]:5000\" has a bad host name (allowed: "
                    A_ENDPOINT ")" } },
        };
        run_cases(cases, N(cases));

        char *t = build("aws", "sqs_endpoint = http://localhost:4566/\nsns_endpoint = http://[::1]:5000");
        struct config *c = expect_good(t);
        assert_string_equal(c->sqs_endpoint, "http://localhost:4566"); /* no trailing '/' */
        assert_string_equal(c->sns_endpoint, "http://[::1]:5000");
        config_free(c);
        free(t);
}

static void test_queue_url_key(void **state) {
        (void)state;
        NO_ENV();
        static const struct value_case cases[] = {
                { "sqs", "queue_url = https://ap-northeast-1.queue.amazonaws.com/210987654321/legacy", {} },
                { "sqs", "queue_url = https://sqs.ap-northeast-1.amazonaws.com/210987654321/events.fifo", {} },
                { "sqs", "queue_url = http://127.0.0.1:4566/000000000000/local_queue-1", {} },
                { "sqs", "queue_url = http://localhost:9324/210987654321/q", {} },
                { "sqs", "queue_url = https://sqs.ap-northeast-1.amazonaws.com/12345678901/q",
                  { "test.conf:5: [sqs] queue_url: \"https://sqs.ap-northeast-1.amazonaws.com/12345678901/q\" "
                    "is not an SQS queue URL (allowed: " A_QUEUE ")" } },
                { "sqs", "queue_url = http://sqs.ap-northeast-1.amazonaws.com/210987654321/q",
                  { "test.conf:5: [sqs] queue_url: \"http://sqs.ap-northeast-1.amazonaws.com/210987654321/q\" "
                    "is not an SQS queue URL (allowed: " A_QUEUE ")" } },
                { "sqs", "queue_url = https://example.com/210987654321/q",
                  { "test.conf:5: [sqs] queue_url: \"https://example.com/210987654321/q\" is not an SQS queue "
                    "URL (allowed: " A_QUEUE ")" } },
                { "sqs", "queue_url = https://sqs.ap-northeast-1.amazonaws.com/210987654321/",
                  { "test.conf:5: [sqs] queue_url: \"https://sqs.ap-northeast-1.amazonaws.com/210987654321/\" "
                    "is not an SQS queue URL (allowed: " A_QUEUE ")" } },
                { "sqs", "queue_url = https://sqs.ap-northeast-1.amazonaws.com/210987654321/a/b",
                  { "test.conf:5: [sqs] queue_url: \"https://sqs.ap-northeast-1.amazonaws.com/210987654321/a/b\" "
                    "is not an SQS queue URL (allowed: " A_QUEUE ")" } },
                { "sqs", "queue_url = https://sqs.ap-northeast-1.amazonaws.com/210987654321/bad.name",
                  { "test.conf:5: [sqs] queue_url: \"https://sqs.ap-northeast-1.amazonaws.com/210987654321/"
                    "bad.name\" is not an SQS queue URL (allowed: " A_QUEUE ")" } },
                { "sqs", "queue_url = ssm-events",
                  { "test.conf:5: [sqs] queue_url: \"ssm-events\" is not an SQS queue URL (allowed: " A_QUEUE
                    ")" } },
                { "sqs", "queue_url = https://key:secret@sqs.ap-northeast-1.amazonaws.com/210987654321/q",
                  { "test.conf:5: [sqs] queue_url: the URL (not shown) contains user information (allowed: "
                    A_QUEUE ")" } },
                { "sqs", "queue_url = https://sqs.us-east-1.amazonaws.com/210987654321/q",
                  { "test.conf:5: [sqs] queue_url: queue is in region us-east-1, not in the configured region "
                    "ap-northeast-1 (allowed: a queue in ap-northeast-1)" } },
                { "sqs", "queue_url = https://us-east-1.queue.amazonaws.com/210987654321/q",
                  { "test.conf:5: [sqs] queue_url: queue is in region us-east-1, not in the configured region "
                    "ap-northeast-1 (allowed: a queue in ap-northeast-1)" } },
                { "sqs", "queue_url =",
                  { "test.conf:5: [sqs] queue_url: missing (allowed: " A_QUEUE ")" } },
                /* the example config's placeholder account (AWS documentation's), whatever the name */
                { "sqs", "queue_url = https://sqs.ap-northeast-1.amazonaws.com/123456789012/ssm-session-events",
                  { "test.conf:5: [sqs] queue_url: still the example's placeholder (account 123456789012) "
                    "(allowed: the URL of your queue)" } },
                { "sqs", "queue_url = https://sqs.ap-northeast-1.amazonaws.com/123456789012/mine.fifo",
                  { "test.conf:5: [sqs] queue_url: still the example's placeholder (account 123456789012) "
                    "(allowed: the URL of your queue)" } },
                /* those digits elsewhere in the URL are a name, not the account */
                { "sqs", "queue_url = https://sqs.ap-northeast-1.amazonaws.com/210987654321/123456789012", {} },
        };
        run_cases(cases, N(cases));

        /* SQS: a queue name has up to 80 characters, ".fifo" included */
        char line[256], name[82];
        memset(name, 'q', 81);
        name[80] = '\0';
        snprintf(line, sizeof(line), "queue_url = https://sqs.ap-northeast-1.amazonaws.com/210987654321/%s", name);
        char *t = build("sqs", line);
        config_free(expect_good(t));
        free(t);
        memcpy(name + 75, ".fifo", 6);
        snprintf(line, sizeof(line), "queue_url = https://sqs.ap-northeast-1.amazonaws.com/210987654321/%s", name);
        t = build("sqs", line);
        config_free(expect_good(t));
        free(t);
        name[75] = 'q';
        memcpy(name + 76, ".fifo", 6);
        snprintf(line, sizeof(line), "queue_url = https://sqs.ap-northeast-1.amazonaws.com/210987654321/%s", name);
        t = build("sqs", line);
        /* messages show the first 64 bytes of a value */
        expect_bad(t, LINES("test.conf:5: [sqs] queue_url: \"https://sqs.ap-northeast-1.amazonaws.com/210987654321/"
                            "qqqqqqqqqq...\" is not an SQS queue URL (allowed: " A_QUEUE ")"));
        free(t);
}

static void test_topic_arn_key(void **state) {
        (void)state;
        NO_ENV();
        static const struct value_case cases[] = {
                { "sns", "topic_arn = arn:aws:sns:ap-northeast-1:210987654321:alerts.fifo", {} },
                { "sns", "topic_arn = arn:aws:sns:ap-northeast-1:210987654321:Alerts_2-x", {} },
                { "sns", "topic_arn = arn:aws:sqs:ap-northeast-1:210987654321:alerts",
                  { "test.conf:8: [sns] topic_arn: \"arn:aws:sqs:ap-northeast-1:210987654321:alerts\" is not "
                    "an SNS topic ARN (allowed: " A_TOPIC ")" } },
                { "sns", "topic_arn = arn:aws-xx:sns:ap-northeast-1:210987654321:alerts",
                  { "test.conf:8: [sns] topic_arn: \"arn:aws-xx:sns:ap-northeast-1:210987654321:alerts\" is "
                    "not an SNS topic ARN (allowed: " A_TOPIC ")" } },
                { "sns", "topic_arn = arn:aws:sns:ap-northeast-1:12345678901:alerts",
                  { "test.conf:8: [sns] topic_arn: \"arn:aws:sns:ap-northeast-1:12345678901:alerts\" is not "
                    "an SNS topic ARN (allowed: " A_TOPIC ")" } },
                { "sns", "topic_arn = arn:aws:sns:ap-northeast-1:210987654321:",
                  { "test.conf:8: [sns] topic_arn: \"arn:aws:sns:ap-northeast-1:210987654321:\" is not an SNS "
                    "topic ARN (allowed: " A_TOPIC ")" } },
                { "sns", "topic_arn = arn:aws:sns:ap-northeast-1:210987654321:a.b",
                  { "test.conf:8: [sns] topic_arn: \"arn:aws:sns:ap-northeast-1:210987654321:a.b\" is not an "
                    "SNS topic ARN (allowed: " A_TOPIC ")" } },
                { "sns", "topic_arn = arn:aws:sns:ap-northeast-1:210987654321:.fifo",
                  { "test.conf:8: [sns] topic_arn: \"arn:aws:sns:ap-northeast-1:210987654321:.fifo\" is not "
                    "an SNS topic ARN (allowed: " A_TOPIC ")" } },
                { "sns", "topic_arn = arn:aws:sns:tokyo:210987654321:alerts",
                  { "test.conf:8: [sns] topic_arn: \"arn:aws:sns:tokyo:210987654321:alerts\" is not an SNS "
                    "topic ARN (allowed: " A_TOPIC ")" } },
                { "sns", "topic_arn = arn:aws:sns:us-east-1:210987654321:alerts",
                  { "test.conf:8: [sns] topic_arn: topic is in region us-east-1, not in the configured region "
                    "ap-northeast-1 (allowed: a topic in ap-northeast-1)" } },
                { "sns", "topic_arn = ", { "test.conf:8: [sns] topic_arn: missing (allowed: " A_TOPIC ")" } },
                { "sns", "topic_arn = arn:aws:sns:ap-northeast-1:123456789012:ssm-session-alerts",
                  { "test.conf:8: [sns] topic_arn: still the example's placeholder (account 123456789012) "
                    "(allowed: the ARN of your topic)" } },
                { "sns", "topic_arn = arn:aws:sns:ap-northeast-1:210987654321:123456789012", {} },
        };
        run_cases(cases, N(cases));

        /* SNS: a topic name has up to 256 characters; the line is longer than inih's buffer */
        char line[400], name[258];
        memset(name, 't', 257);
        name[256] = '\0';
        snprintf(line, sizeof(line), "topic_arn = arn:aws:sns:ap-northeast-1:210987654321:%s", name);
        char *t = build("sns", line);
        struct config *c = expect_good(t);
        assert_string_equal(c->topic_arn, line + strlen("topic_arn = "));
        config_free(c);
        free(t);
        name[256] = 't';
        name[257] = '\0';
        snprintf(line, sizeof(line), "topic_arn = arn:aws:sns:ap-northeast-1:210987654321:%s", name);
        t = build("sns", line);
        expect_bad(t, LINES("test.conf:8: [sns] topic_arn: \"arn:aws:sns:ap-northeast-1:210987654321:tttttttttttt"
                            "tttttttttttt...\" is not an SNS topic ARN (allowed: " A_TOPIC ")"));
        free(t);
}

static void test_notify_text_keys(void **state) {
        (void)state;
        NO_ENV();
        static const struct value_case cases[] = {
                { "notify", "timezone = UTC", {} },
                { "notify", "timezone = America/New_York", {} },
                { "notify", "timezone = Mars/Olympus_Mons",
                  { "test.conf:11: [notify] timezone: \"Mars/Olympus_Mons\" is not in the tz database "
                    "(allowed: " A_TZ ")" } },
                { "notify", "timezone = ../etc/passwd",
                  { "test.conf:11: [notify] timezone: \"../etc/passwd\" is not a time zone name (allowed: "
                    A_TZ ")" } },
                { "notify", "timezone = JST-9",
                  { "test.conf:11: [notify] timezone: \"JST-9\" is not in the tz database (allowed: " A_TZ
                    ")" } },
                { "notify", "events = StartSession", {} },
                { "notify", "events = StartSession,TerminateSession , ResumeSession", {} },
                { "notify", "events = StartSession,,TerminateSession",
                  { "test.conf:11: [notify] events: has an empty item (allowed: " A_EVENTS ")" } },
                { "notify", "events = StartSession,",
                  { "test.conf:11: [notify] events: has an empty item (allowed: " A_EVENTS ")" } },
                { "notify", "events = Start Session",
                  { "test.conf:11: [notify] events: \"Start Session\" is not an event name (allowed: "
                    A_EVENTS ")" } },
                { "notify", "events = StartSession2",
                  { "test.conf:11: [notify] events: \"StartSession2\" is not an event name (allowed: "
                    A_EVENTS ")" } },
                { "notify", "events = StartSession, StartSession",
                  { "test.conf:11: [notify] events: \"StartSession\" is listed twice (allowed: " A_EVENTS
                    ")" } },
                { "notify", "subject = [SSM] {event_name} {actor} -> {target}", {} },
                { "notify", "subject = {account_name}/{region} {outcome} {local_time}", {} },
                { "notify", "subject = [SSM] {foo}",
                  { "test.conf:11: [notify] subject: \"{foo}\" is not a placeholder (allowed: " A_SUBJECT
                    ")" } },
                { "notify", "subject = [SSM] {actor",
                  { "test.conf:11: [notify] subject: \"{actor\" is not a placeholder (allowed: " A_SUBJECT
                    ")" } },
                { "notify", "subject = [SSM] }",
                  { "test.conf:11: [notify] subject: \"}\" is not a placeholder (allowed: " A_SUBJECT ")" } },
                { "notify", "subject = セッション開始",
                  { "test.conf:11: [notify] subject: \"セッション開始\" is not printable ASCII (allowed: "
                    A_SUBJECT ")" } },
        };
        run_cases(cases, N(cases));

        char *t = build("notify", "timezone = UTC\nevents = TerminateSession , StartSession\n"
                                  "subject = [SSM] {event_name}");
        struct config *c = expect_good(t);
        assert_string_equal(c->timezone, "UTC");
        assert_int_equal(c->n_events, 2);
        assert_string_equal(c->events[0], "TerminateSession");
        assert_string_equal(c->events[1], "StartSession");
        assert_string_equal(c->subject, "[SSM] {event_name}");
        config_free(c);
        free(t);

        /* the limits: 64 events, a 255-character subject */
        char line[4096] = "events = ";
        for (int i = 0; i < 65; i++) {
                char item[16];
                snprintf(item, sizeof(item), "%sEv%c%c", i ? "," : "", 'a' + i / 26, 'a' + i % 26);
                strcat(line, item);
        }
        t = build("notify", line);
        expect_bad(t, LINES("test.conf:11: [notify] events: has more than 64 items (allowed: " A_EVENTS ")"));
        free(t);
        *strrchr(line, ',') = '\0';
        t = build("notify", line);
        c = expect_good(t);
        assert_int_equal(c->n_events, 64);
        config_free(c);
        free(t);
        strcpy(line, "subject = ");
        memset(line + 10, 's', 255);
        line[265] = '\0';
        t = build("notify", line);
        config_free(expect_good(t));
        free(t);
        strcat(line, "s");
        t = build("notify", line);
        expect_bad(t, LINES("test.conf:11: [notify] subject: \"ssssssssssssssssssssssssssssssssssssssssssssssssss"
                            "ssssssssssssss...\" is too long (allowed: " A_SUBJECT ")"));
        free(t);
}

static void test_accounts(void **state) {
        (void)state;
        NO_ENV();
        static const struct value_case cases[] = {
                { "accounts", "123456789012 = production", {} },
                { "accounts", "123456789012 = 本番環境 (東京)", {} },
                { "accounts", "12345 = short",
                  { "test.conf:15: [accounts] 12345: the key is not a 12-digit account ID (allowed: "
                    A_ACCOUNT ")" } },
                { "accounts", "production = 123456789012",
                  { "test.conf:15: [accounts] production: the key is not a 12-digit account ID (allowed: "
                    A_ACCOUNT ")" } },
                { "accounts", "123456789012 =",
                  { "test.conf:15: [accounts] 123456789012: the name is missing (allowed: " A_ACCOUNT ")" } },
                { "accounts", "123456789012 = bad\x01name",
                  { "test.conf:15: [accounts] 123456789012: \"bad\\x01name\" is not printable UTF-8 text "
                    "(allowed: " A_ACCOUNT ")" } },
                { "accounts", "123456789012 = bad\xffname",
                  { "test.conf:15: [accounts] 123456789012: \"bad\\xffname\" is not printable UTF-8 text "
                    "(allowed: " A_ACCOUNT ")" } },
                { "accounts", "123456789012 = " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                  { "test.conf:15: [accounts] 123456789012: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                    "aaaaaaaaaaaa...\" is too long (allowed: " A_ACCOUNT ")" } },
                { "accounts", "123456789012 = a\n123456789012 = b",
                  { "test.conf:16: [accounts] 123456789012: duplicate key (first set on line 15)" } },
        };
        run_cases(cases, N(cases));

        char *t = build("accounts", "123456789012 = production\n210987654321 = 開発");
        struct config *c = expect_good(t);
        assert_int_equal(c->n_accounts, 2);
        assert_string_equal(c->accounts[0].id, "123456789012");
        assert_string_equal(c->accounts[0].name, "production");
        assert_string_equal(c->accounts[1].id, "210987654321");
        assert_string_equal(c->accounts[1].name, "開発");
        config_free(c);
        free(t);
}

static void test_structure_errors(void **state) {
        (void)state;
        NO_ENV();
        static const struct value_case cases[] = {
                { "sqs", "queue = x",
                  { "test.conf:6: [sqs] queue: unknown key (allowed: queue_url, wait_time_seconds, "
                    "max_messages, visibility_timeout, max_receive_count)" } },
                { "aws", "Region = ap-northeast-1",
                  { "test.conf:3: [aws] Region: unknown key (allowed: region, access_key_id, "
                    "secret_access_key, session_token, sqs_endpoint, sns_endpoint)" } },
                { "log", "level = info\nlevel = debug",
                  { "test.conf:14: [log] level: duplicate key (first set on line 13)" } },
                { "sqs", "queue_url = https://sqs.ap-northeast-1.amazonaws.com/210987654321/other",
                  {} }, /* replaces line 5: not a duplicate */
                { "sqs", "wait_time_seconds =\nwait_time_seconds = 5",
                  { "test.conf:7: [sqs] wait_time_seconds: duplicate key (first set on line 6)" } },
                { "notify", "[notify2]\nformat = json\nbogus = 1\n[log]",
                  { "test.conf:11: [notify2]: unknown section (allowed: aws, sqs, sns, notify, accounts, "
                    "log)" } },
                { "notify", "just some words",
                  { "test.conf:11: syntax error: expected \"[section]\" or \"key = value\"" } },
                { "notify", "= json", { "test.conf:11: syntax error: no key before \"=\"" } },
                { "notify", ": json", { "test.conf:11: syntax error: no key before \":\"" } },
                { "notify", "[notify",
                  { "test.conf:11: syntax error: \"[\" without \"]\"" } },
                /* indentation is not a continuation: each line stands alone */
                { "notify", "format = json\n    language = en", {} },
                { "notify", "format = json\n    en",
                  { "test.conf:12: syntax error: expected \"[section]\" or \"key = value\"" } },
                { "notify", "format: json", {} },
                { "notify", "format = json ; inline comment", {} },
                { "notify", "format = json # not a comment",
                  { "test.conf:11: [notify] format: \"json # not a comment\" is not a known value (allowed: "
                    "text, json, chatbot, multi)" } },
        };
        run_cases(cases, N(cases));

        expect_bad("region = ap-northeast-1\n[aws]\n",
                   LINES("test.conf:1: region: key outside any section (allowed: after [aws], [sqs], [sns], "
                         "[notify], [accounts] or [log])",
                         "test.conf: [aws] region: missing; AWS_REGION and AWS_DEFAULT_REGION are not set "
                         "either (allowed: " A_REGION ")",
                         "test.conf: [sqs] queue_url: missing (allowed: " A_QUEUE ")",
                         "test.conf: [sns] topic_arn: missing (allowed: " A_TOPIC ")"));
}

/* Line numbers count every physical line: comments, blank lines, CRLF, a BOM. */
static void test_line_numbers(void **state) {
        (void)state;
        NO_ENV();
        expect_bad("\xef\xbb\xbf; ssm-notifyd\r\n"
                   "# another comment\r\n"
                   "\r\n"
                   "[aws]\r\n"
                   "   ; indented comment\n"
                   "region = ap-northeast-1\n"
                   "\n"
                   "\t\n"
                   "[sqs]\n"
                   "queue_url = https://sqs.ap-northeast-1.amazonaws.com/210987654321/q\n"
                   "wait_time_seconds = 30 ; 1..20\n" /* 11 */
                   "[sns]\n"
                   "topic_arn = arn:aws:sns:ap-northeast-1:210987654321:t\n"
                   "; [log]\n"
                   "[log]\n"
                   "\n"
                   "level = loud\r\n", /* 17 */
                   LINES("test.conf:11: [sqs] wait_time_seconds: \"30\" is out of range (allowed: 1..20)",
                         "test.conf:17: [log] level: \"loud\" is not a known value (allowed: err, warning, "
                         "notice, info, debug)"));

        /* a NUL byte and a line over 20480 bytes (a session token and room) are errors of their own line */
        char *big = malloc(20500 + 200);
        strcpy(big, "[aws]\nregion = ap-northeast-1\n; ");
        size_t n = strlen(big);
        memset(big + n, 'x', 20500);
        strcpy(big + n + 20500, "\n[sqs]\nmax_messages = 0\n");
        expect_bad(big, LINES("test.conf:3: line too long (allowed: up to 20480 bytes)",
                              "test.conf:5: [sqs] max_messages: \"0\" is out of range (allowed: 1..10)",
                              "test.conf: [sqs] queue_url: missing (allowed: " A_QUEUE ")",
                              "test.conf: [sns] topic_arn: missing (allowed: " A_TOPIC ")"));
        free(big);

        static const char with_nul[] = "[aws]\nregion = ap-northeast-1\nfoo\0bar = 1\n[sqs]\nmax_messages = 0\n";
        FILE *f = fmemopen((void *)with_nul, sizeof(with_nul) - 1, "r");
        struct config *c = NULL;
        struct config_diag d = {};
        assert_int_equal(config_load_stream(f, "test.conf", env_table, &c, &d), -EINVAL);
        fclose(f);
        expect_lines(&d, LINES("test.conf:3: line contains a NUL byte",
                               "test.conf:5: [sqs] max_messages: \"0\" is out of range (allowed: 1..10)",
                               "test.conf: [sqs] queue_url: missing (allowed: " A_QUEUE ")",
                               "test.conf: [sns] topic_arn: missing (allowed: " A_TOPIC ")"));
        config_diag_clear(&d);
}

static void test_all_errors_collected(void **state) {
        (void)state;
        NO_ENV();
        expect_bad("",
                   LINES("test.conf: [aws] region: missing; AWS_REGION and AWS_DEFAULT_REGION are not set "
                         "either (allowed: " A_REGION ")",
                         "test.conf: [sqs] queue_url: missing (allowed: " A_QUEUE ")",
                         "test.conf: [sns] topic_arn: missing (allowed: " A_TOPIC ")"));
        expect_bad("[aws]\n"
                   "region = us-east-1\n"
                   "[sqs]\n"
                   "queue_url = https://sqs.us-east-1.amazonaws.com/210987654321/q\n"
                   "wait_time_seconds = 0\n"
                   "max_messages = 0\n"
                   "[bogus]\n"
                   "x = 1\n"
                   "[notify]\n"
                   "format = yaml\n"
                   "colour = red\n"
                   "[log]\n"
                   "level = trace\n",
                   LINES("test.conf:5: [sqs] wait_time_seconds: \"0\" is out of range (allowed: 1..20)",
                         "test.conf:6: [sqs] max_messages: \"0\" is out of range (allowed: 1..10)",
                         "test.conf:7: [bogus]: unknown section (allowed: aws, sqs, sns, notify, accounts, log)",
                         "test.conf:10: [notify] format: \"yaml\" is not a known value (allowed: text, json, "
                         "chatbot, multi)",
                         "test.conf:11: [notify] colour: unknown key (allowed: format, language, timezone, "
                         "events, subject, unrecognized)",
                         "test.conf:13: [log] level: \"trace\" is not a known value (allowed: err, warning, "
                         "notice, info, debug)",
                         "test.conf: [sns] topic_arn: missing (allowed: " A_TOPIC ")"));

        /* a flood stops at 100 messages */
        char *text = malloc(200 * 20 + 16), *p = text;
        p += sprintf(p, "[sqs]\n");
        for (int i = 0; i < 200; i++)
                p += sprintf(p, "bogus%d = 1\n", i);
        struct config *c = NULL;
        struct config_diag d = {};
        assert_int_equal(load_text(text, &c, &d), -EINVAL);
        assert_int_equal(d.n, 101);
        assert_string_equal(d.lines[0], "test.conf:2: [sqs] bogus0: unknown key (allowed: queue_url, "
                                        "wait_time_seconds, max_messages, visibility_timeout, max_receive_count)");
        assert_string_equal(d.lines[100], "test.conf: too many errors, stopped after 100");
        config_diag_clear(&d);
        free(text);
}

static void test_env_fallbacks(void **state) {
        (void)state;
        const char *body = "[sqs]\nqueue_url = https://sqs.eu-west-1.amazonaws.com/210987654321/q\n"
                           "[sns]\ntopic_arn = arn:aws:sns:eu-west-1:210987654321:t\n";
        struct config *c;

        /* AWS_REGION over AWS_DEFAULT_REGION */
        ENV("AWS_REGION", "eu-west-1", "AWS_DEFAULT_REGION", "us-east-1");
        c = expect_good(body);
        assert_string_equal(c->region, "eu-west-1");
        config_free(c);
        ENV("AWS_DEFAULT_REGION", "eu-west-1");
        c = expect_good(body);
        assert_string_equal(c->region, "eu-west-1");
        config_free(c);
        /* an empty variable is not set */
        ENV("AWS_REGION", "", "AWS_DEFAULT_REGION", "eu-west-1");
        c = expect_good(body);
        assert_string_equal(c->region, "eu-west-1");
        config_free(c);
        ENV("AWS_REGION", "eu-west1");
        expect_bad(body, LINES("test.conf: [aws] region (from AWS_REGION): \"eu-west1\" is not a region name "
                               "(allowed: " A_REGION ")"));
        /* the file over the environment */
        ENV("AWS_REGION", "us-east-1");
        c = expect_good("[aws]\nregion = eu-west-1\n[sqs]\n"
                        "queue_url = https://sqs.eu-west-1.amazonaws.com/210987654321/q\n"
                        "[sns]\ntopic_arn = arn:aws:sns:eu-west-1:210987654321:t\n");
        assert_string_equal(c->region, "eu-west-1");
        config_free(c);
        /* "region =" is absent: the environment applies */
        ENV("AWS_REGION", "eu-west-1");
        c = expect_good("[aws]\nregion =\n[sqs]\nqueue_url = https://sqs.eu-west-1.amazonaws.com/210987654321/q\n"
                        "[sns]\ntopic_arn = arn:aws:sns:eu-west-1:210987654321:t\n");
        assert_string_equal(c->region, "eu-west-1");
        config_free(c);
        /* the region of the environment must match the topic too */
        ENV("AWS_REGION", "us-east-1");
        expect_bad(body, LINES("test.conf:2: [sqs] queue_url: queue is in region eu-west-1, not in the "
                               "configured region us-east-1 (allowed: a queue in us-east-1)",
                               "test.conf:4: [sns] topic_arn: topic is in region eu-west-1, not in the "
                               "configured region us-east-1 (allowed: a topic in us-east-1)"));

        /* endpoints: file, else AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, else the region's */
        ENV("AWS_REGION", "eu-west-1", "AWS_ENDPOINT_URL", "http://127.0.0.1:5000/");
        c = expect_good(body);
        assert_string_equal(c->sqs_endpoint, "http://127.0.0.1:5000");
        assert_string_equal(c->sns_endpoint, "http://127.0.0.1:5000");
        config_free(c);
        ENV("AWS_REGION", "eu-west-1", "AWS_ENDPOINT_URL", "http://127.0.0.1:5000",
            "AWS_ENDPOINT_URL_SQS", "http://localhost:9324");
        c = expect_good(body);
        assert_string_equal(c->sqs_endpoint, "http://localhost:9324");
        assert_string_equal(c->sns_endpoint, "http://127.0.0.1:5000");
        config_free(c);
        ENV("AWS_REGION", "eu-west-1", "AWS_ENDPOINT_URL_SNS", "http://localhost:9911");
        c = expect_good(body);
        assert_string_equal(c->sqs_endpoint, "https://sqs.eu-west-1.amazonaws.com");
        assert_string_equal(c->sns_endpoint, "http://localhost:9911");
        config_free(c);
        ENV("AWS_ENDPOINT_URL", "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:6000");
        c = expect_good("[aws]\nregion = eu-west-1\nsqs_endpoint = https://sqs.example.com\n"
                        "[sqs]\nqueue_url = https://sqs.eu-west-1.amazonaws.com/210987654321/q\n"
                        "[sns]\ntopic_arn = arn:aws:sns:eu-west-1:210987654321:t\n");
        assert_string_equal(c->sqs_endpoint, "https://sqs.example.com");
        assert_string_equal(c->sns_endpoint, "http://127.0.0.1:5000");
        config_free(c);
        ENV("AWS_REGION", "eu-west-1", "AWS_ENDPOINT_URL", "http://example.com");
        expect_bad(body, LINES("test.conf: [aws] sqs_endpoint (from AWS_ENDPOINT_URL): \"http://example.com\" "
                               "uses http:// for a host that is not loopback (allowed: " A_ENDPOINT ")",
                               "test.conf: [aws] sns_endpoint (from AWS_ENDPOINT_URL): \"http://example.com\" "
                               "uses http:// for a host that is not loopback (allowed: " A_ENDPOINT ")"));

        /* IMDS: plain http, but only to a link-local or loopback address */
        static const char *const imds_good[] = {
                "http://169.254.169.254", "http://169.254.170.2:80", "http://[fd00:ec2::254]/",
                "http://[fe80::1]:8080", "http://[febf::1]", "https://169.254.169.254", "http://127.0.0.1:1",
                "http://localhost:8080", "http://[::1]:9",
        };
        for (size_t i = 0; i < N(imds_good); i++) {
                char trimmed[64];
                snprintf(trimmed, sizeof(trimmed), "%s", imds_good[i]);
                if (trimmed[strlen(trimmed) - 1] == '/')
                        trimmed[strlen(trimmed) - 1] = '\0';
                ENV("AWS_REGION", "eu-west-1", "AWS_EC2_METADATA_SERVICE_ENDPOINT", imds_good[i]);
                c = expect_good(body);
                assert_string_equal(c->imds_endpoint, trimmed);
                config_free(c);
        }
        /* names, other networks, and the forms that have been tried to pass
         * for loopback or link-local */
        static const char *const imds_bad[] = {
                "http://evil.example.com", "https://imds.example.com", "http://10.0.0.1", "http://169.255.0.1",
                "http://169.253.255.255", "http://169.254.169.254.evil.com", "http://[::ffff:169.254.169.254]",
                "http://[::ffff:127.0.0.1]", "http://2130706433", "http://0xa9fea9fe", "http://0x7f000001",
                "http://169.254.43518", "http://127.1", "http://localhost.", "http://[fd00:ec2::255]",
                "http://[fec0::1]", "http://[::2]", "http://instance-data",
        };
        for (size_t i = 0; i < N(imds_bad); i++) {
                char line[512];
                snprintf(line, sizeof(line), "test.conf: AWS_EC2_METADATA_SERVICE_ENDPOINT: \"%s\" is not a "
                         "link-local or loopback address (allowed: " A_IMDS ")", imds_bad[i]);
                ENV("AWS_REGION", "eu-west-1", "AWS_EC2_METADATA_SERVICE_ENDPOINT", imds_bad[i]);
                expect_bad(body, LINES(line));
        }
        ENV("AWS_REGION", "eu-west-1", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://localhost@evil.example.com");
        expect_bad(body, LINES("test.conf: AWS_EC2_METADATA_SERVICE_ENDPOINT: the URL (not shown) contains user "
                               "information (allowed: " A_IMDS ")"));
        ENV("AWS_REGION", "eu-west-1", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "169.254.169.254");
        expect_bad(body, LINES("test.conf: AWS_EC2_METADATA_SERVICE_ENDPOINT: \"169.254.169.254\" is not an "
                               "http:// or https:// URL (allowed: " A_IMDS ")"));

        /* credentials in the environment are the credentials module's, not the config's */
        ENV("AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", KEY_ID, "AWS_SECRET_ACCESS_KEY", SECRET);
        c = expect_good(body);
        assert_null(c->access_key_id);
        assert_null(c->secret_access_key);
        config_free(c);
        NO_ENV();
}

static char *write_temp(const char *text, mode_t mode) {
        char *path = strdup("/tmp/test_config.XXXXXX");
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        assert_int_equal(fchmod(fd, mode), 0);
        close(fd);
        return path;
}

#define GOOD_FILE \
        "[aws]\nregion = ap-northeast-1\n" \
        "[sqs]\nqueue_url = https://sqs.ap-northeast-1.amazonaws.com/210987654321/q\n" \
        "[sns]\ntopic_arn = arn:aws:sns:ap-northeast-1:210987654321:t\n"
#define SECRET_FILE GOOD_FILE "[aws]\naccess_key_id = " KEY_ID "\nsecret_access_key = " SECRET "\n"

/* Who may read a file that holds a secret (config.h): every case of the rule,
 * with the process and the file's owner and group as inputs. */
static void test_access_rule(void **state) {
        (void)state;
        enum { ROOT = 0, DAEMON = 998, OTHER = 1000, NONE = -1 };
        static const struct {
                mode_t mode;
                unsigned file_uid, file_gid, uid, gid;
                int service_gid;
                enum config_access want;
        } cases[] = {
                /* owner only: always */
                { 0600, ROOT, ROOT, ROOT, ROOT, NONE, CONFIG_ACCESS_OK },
                { 0400, ROOT, OTHER, DAEMON, DAEMON, DAEMON, CONFIG_ACCESS_OK },
                /* the package's root:ssm-notifyd 0640: for the daemon, and for root's --check-config */
                { 0640, ROOT, DAEMON, DAEMON, DAEMON, DAEMON, CONFIG_ACCESS_OK },
                { 0640, ROOT, DAEMON, ROOT, ROOT, DAEMON, CONFIG_ACCESS_OK },
                { 0440, ROOT, DAEMON, DAEMON, DAEMON, DAEMON, CONFIG_ACCESS_OK },
                /* the process's own group, where the host has no ssm-notifyd group */
                { 0640, ROOT, DAEMON, DAEMON, DAEMON, NONE, CONFIG_ACCESS_OK },
                /* ...but not when the process owns the file: the group is then for someone else */
                { 0640, ROOT, ROOT, ROOT, ROOT, NONE, CONFIG_ACCESS_GROUP },
                { 0640, DAEMON, DAEMON, DAEMON, DAEMON, NONE, CONFIG_ACCESS_GROUP },
                /* a group that is neither */
                { 0640, ROOT, OTHER, DAEMON, DAEMON, DAEMON, CONFIG_ACCESS_GROUP },
                { 0640, ROOT, OTHER, ROOT, ROOT, NONE, CONFIG_ACCESS_GROUP },
                /* the group may read, nothing more */
                { 0660, ROOT, DAEMON, DAEMON, DAEMON, DAEMON, CONFIG_ACCESS_GROUP_WRITE },
                { 0650, ROOT, DAEMON, DAEMON, DAEMON, DAEMON, CONFIG_ACCESS_GROUP_WRITE },
                { 0620, ROOT, DAEMON, DAEMON, DAEMON, DAEMON, CONFIG_ACCESS_GROUP_WRITE },
                /* others: never, whoever the group is */
                { 0644, ROOT, DAEMON, DAEMON, DAEMON, DAEMON, CONFIG_ACCESS_OTHERS },
                { 0604, ROOT, ROOT, ROOT, ROOT, NONE, CONFIG_ACCESS_OTHERS },
                { 0601, ROOT, ROOT, ROOT, ROOT, NONE, CONFIG_ACCESS_OTHERS },
        };
        for (size_t i = 0; i < N(cases); i++) {
                struct config_file_access a = {
                        .mode = S_IFREG | cases[i].mode,
                        .file_uid = cases[i].file_uid,
                        .file_gid = cases[i].file_gid,
                        .uid = cases[i].uid,
                        .gid = cases[i].gid,
                        .service_gid = cases[i].service_gid == NONE ? (gid_t)-1 : (gid_t)cases[i].service_gid,
                };
                print_message("case %zu: %04o %u:%u for %u:%u\n", i, (unsigned)cases[i].mode, cases[i].file_uid,
                              cases[i].file_gid, cases[i].uid, cases[i].gid);
                assert_int_equal(config_access_check(&a), cases[i].want);
        }
}

#define ACCESS_ALLOWED(path) "(allowed: no access for others, read access for the group only when the daemon " \
                             "reads the file through it, as with root:ssm-notifyd 0640 under the unit; " \
                             "or chmod 600 " path ")"

static void test_permissions(void **state) {
        (void)state;
        struct config *c = NULL;
        struct config_diag d = {};
        char want[1024];
        char *path;
        /* a group this process is not in, and that is not ssm-notifyd on any host we run on */
        const gid_t foreign = 54321;

        NO_ENV();
        /* root reads any file, so the rule is on the mode, not on access() */
        path = write_temp(SECRET_FILE, 0644);
        assert_int_equal(config_load(path, env_table, &c, &d), -EPERM);
        assert_null(c);
        snprintf(want, sizeof(want), "%s: [aws] secret_access_key: the file's mode 0644 gives others access "
                 ACCESS_ALLOWED("%s"), path, path);
        expect_lines(&d, LINES(want));
        config_diag_clear(&d);
        assert_int_equal(chmod(path, 0604), 0);
        assert_int_equal(config_load(path, env_table, &c, &d), -EPERM);
        assert_non_null(strstr(d.lines[0], "mode 0604 gives others access"));
        config_diag_clear(&d);

        /* group-readable, the group being this process's own but the file this process's too */
        assert_int_equal(chown(path, geteuid(), getegid()), 0);
        assert_int_equal(chmod(path, 0640), 0);
        assert_int_equal(config_load(path, env_table, &c, &d), -EPERM);
        snprintf(want, sizeof(want), "%s: [aws] secret_access_key: the file's mode 0640 lets group %u read it, "
                 "but the daemon does not read it through that group " ACCESS_ALLOWED("%s"), path,
                 (unsigned)getegid(), path);
        expect_lines(&d, LINES(want));
        config_diag_clear(&d);

        /* group-readable by a group that is not the process's own (the tests run as root: chown works) */
        if (geteuid() == 0) {
                assert_int_equal(chown(path, 0, foreign), 0);
                assert_int_equal(config_load(path, env_table, &c, &d), -EPERM);
                assert_non_null(strstr(d.lines[0], "mode 0640 lets group 54321 read it"));
                config_diag_clear(&d);
                assert_int_equal(chmod(path, 0660), 0);
                assert_int_equal(config_load(path, env_table, &c, &d), -EPERM);
                assert_non_null(strstr(d.lines[0], "mode 0660 gives group 54321 more than read access"));
                config_diag_clear(&d);
        }

        assert_int_equal(chmod(path, 0600), 0);
        assert_int_equal(config_load(path, env_table, &c, &d), 0);
        assert_int_equal(d.n, 0);
        assert_string_equal(c->secret_access_key, SECRET);
        assert_string_equal(c->path, path);
        config_free(c);
        c = NULL;
        assert_int_equal(chmod(path, 0400), 0);
        assert_int_equal(config_load(path, env_table, &c, &d), 0);
        config_free(c);
        c = NULL;
        unlink(path);
        free(path);

        /* without secrets the mode does not matter */
        path = write_temp(GOOD_FILE, 0644);
        assert_int_equal(config_load(path, env_table, &c, &d), 0);
        assert_int_equal(d.n, 0);
        config_free(c);
        c = NULL;
        unlink(path);
        free(path);

        /* a session token alone is a secret too (and an error of its own) */
        path = write_temp(GOOD_FILE "[aws]\nsession_token = FQoGZXIvYXdz\n", 0644);
        assert_int_equal(config_load(path, env_table, &c, &d), -EPERM);
        assert_int_equal(d.n, 2);
        assert_non_null(strstr(d.lines[1], "mode 0644"));
        config_diag_clear(&d);
        unlink(path);

        /* an unreadable file */
        assert_int_equal(config_load(path, env_table, &c, &d), -ENOENT);
        snprintf(want, sizeof(want), "%s: cannot read: No such file or directory", path);
        expect_lines(&d, LINES(want));
        config_diag_clear(&d);
        free(path);
        assert_int_equal(config_load("/tmp", env_table, &c, &d), -EINVAL);
        expect_lines(&d, LINES("/tmp: not a regular file"));
        config_diag_clear(&d);
        assert_null(c);
}

/* --render needs [notify] only: the relay's required keys may be missing,
 * but what is there is still checked. */
static void test_render_need(void **state) {
        (void)state;
        struct config *c = NULL;
        struct config_diag d = {};
        char *path;

        NO_ENV();
        path = write_temp("[notify]\nlanguage = en\ntimezone = UTC\n[log]\nlevel = debug\n", 0644);
        assert_int_equal(config_load(path, env_table, &c, &d), -EINVAL);
        assert_int_equal(d.n, 3); /* region, queue_url, topic_arn */
        config_diag_clear(&d);
        assert_int_equal(config_load_for(path, CONFIG_NEED_RENDER, env_table, &c, &d), 0);
        assert_int_equal(d.n, 0);
        assert_int_equal(c->language, RENDER_EN);
        assert_string_equal(c->timezone, "UTC");
        assert_null(c->region);
        assert_null(c->queue_url);
        assert_null(c->topic_arn);
        assert_null(c->sqs_endpoint);
        config_free(c);
        c = NULL;
        unlink(path);
        free(path);

        path = write_temp("[notify]\nlanguage = fr\n[sqs]\nmax_messages = 11\n", 0644);
        assert_int_equal(config_load_for(path, CONFIG_NEED_RENDER, env_table, &c, &d), -EINVAL);
        assert_null(c);
        assert_int_equal(d.n, 2);
        assert_non_null(strstr(d.lines[0], "[notify] language"));
        assert_non_null(strstr(d.lines[1], "[sqs] max_messages"));
        config_diag_clear(&d);
        unlink(path);
        free(path);
}

/* No message ever holds a secret value, whatever went wrong around it. */
static void test_secrets_never_shown(void **state) {
        (void)state;
        static const char *const texts[] = {
                /* a bad secret, a bad token */
                "[aws]\naccess_key_id = " KEY_ID "\nsecret_access_key = " SECRET " x\n",
                "[aws]\naccess_key_id = " KEY_ID "\nsecret_access_key = " SECRET "\nsession_token = " SECRET
                "\x7f\n",
                /* a secret without its pair, twice, under a wrong key, outside a section */
                "[aws]\nsecret_access_key = " SECRET "\nsecret_access_key = " SECRET "\n",
                "[aws]\nsecret_key = " SECRET "\n",
                "secret_access_key = " SECRET "\n[aws]\n",
                "[credentials]\nsecret_access_key = " SECRET "\n",
                "[aws]\n" SECRET "\n",
                "[aws]\nsecret_access_key " SECRET "\n",
                "[aws]\nsession_token = " SECRET "\n",
                "[aws]\naccess_key_id = " KEY_ID "\nsecret_access_key = " SECRET "\nsession_token =  ;" SECRET
                "\n[sqs]\nwait_time_seconds = 99\n",
                /* in URLs' user information */
                "[aws]\nsqs_endpoint = https://" KEY_ID ":" SECRET "@sqs.example.com\n",
                "[sqs]\nqueue_url = https://" KEY_ID ":" SECRET "@sqs.ap-northeast-1.amazonaws.com/1/q\n",
        };
        for (size_t i = 0; i < N(texts); i++) {
                struct config *c = NULL;
                struct config_diag d = {};
                NO_ENV();
                assert_int_not_equal(load_text(texts[i], &c, &d), 0);
                assert_true(d.n > 0);
                for (size_t l = 0; l < d.n; l++) {
                        if (strstr(d.lines[l], SECRET) || strstr(d.lines[l], "wJalrXUtnFEMI"))
                                fail_msg("case %zu shows the secret: %s", i, d.lines[l]);
                }
                config_diag_clear(&d);
        }
        /* a secret taken from the environment for an endpoint: the URL is not shown either */
        struct config *c = NULL;
        struct config_diag d = {};
        ENV("AWS_REGION", "ap-northeast-1", "AWS_ENDPOINT_URL", "https://u:" SECRET "@x");
        assert_int_equal(load_text(GOOD_FILE, &c, &d), -EINVAL);
        for (size_t l = 0; l < d.n; l++)
                assert_null(strstr(d.lines[l], SECRET));
        config_diag_clear(&d);
        NO_ENV();

        /* with loose permissions too */
        char *path = write_temp("[aws]\naccess_key_id = " KEY_ID "\nsecret_access_key = " SECRET " bad\n", 0644);
        assert_int_equal(config_load(path, env_table, &c, &d), -EPERM);
        for (size_t l = 0; l < d.n; l++)
                assert_null(strstr(d.lines[l], "wJalrXUtnFEMI"));
        config_diag_clear(&d);
        unlink(path);
        free(path);
}

static void test_default_path(void **state) {
        (void)state;
        char buf[256], dir[] = "/tmp/test_config_cred.XXXXXX", file[300];

        NO_ENV();
        assert_string_equal(config_default_path(env_table, buf, sizeof(buf)), "/etc/ssm-notifyd/ssm-notifyd.conf");
        assert_string_equal(config_default_path(NULL, buf, sizeof(buf)), "/etc/ssm-notifyd/ssm-notifyd.conf");
        assert_non_null(mkdtemp(dir));
        ENV("CREDENTIALS_DIRECTORY", dir);
        /* the directory without our file: the default */
        assert_string_equal(config_default_path(env_table, buf, sizeof(buf)), "/etc/ssm-notifyd/ssm-notifyd.conf");
        snprintf(file, sizeof(file), "%s/ssm-notifyd.conf", dir);
        FILE *f = fopen(file, "w");
        assert_non_null(f);
        fclose(f);
        assert_string_equal(config_default_path(env_table, buf, sizeof(buf)), file);
        /* a buffer too small is no partial path */
        assert_string_equal(config_default_path(env_table, buf, 8), "/etc/ssm-notifyd/ssm-notifyd.conf");
        unlink(file);
        rmdir(dir);
        NO_ENV();
        config_free(NULL);
        config_diag_clear(NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_build_helper),
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_int_keys),
                cmocka_unit_test(test_enum_keys),
                cmocka_unit_test(test_region_key),
                cmocka_unit_test(test_credential_keys),
                cmocka_unit_test(test_long_values),
                cmocka_unit_test(test_endpoint_keys),
                cmocka_unit_test(test_queue_url_key),
                cmocka_unit_test(test_topic_arn_key),
                cmocka_unit_test(test_notify_text_keys),
                cmocka_unit_test(test_accounts),
                cmocka_unit_test(test_structure_errors),
                cmocka_unit_test(test_line_numbers),
                cmocka_unit_test(test_all_errors_collected),
                cmocka_unit_test(test_env_fallbacks),
                cmocka_unit_test(test_access_rule),
                cmocka_unit_test(test_permissions),
                cmocka_unit_test(test_render_need),
                cmocka_unit_test(test_secrets_never_shown),
                cmocka_unit_test(test_default_path),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
