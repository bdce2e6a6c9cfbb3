/* test_config: every key and its values. The expected messages below are
 * written by hand from the contract in DESIGN.md and config.h
 * ("path:line: [section] key: reason (allowed …)"); the limits come from
 * the AWS API references named in common/config_keys.c and config_internal.h. */

#include "config_cases.h"

static void test_build_helper(void **state) {
        (void)state;
        NO_ENV();
        char *t = build("sqs", "max_messages = 3");
        assert_string_equal(t, "[aws]\nregion = ap-northeast-1\n\n[sqs]\n"
                               "queue_url = https://sqs.ap-northeast-1.amazonaws.com/210987654321/ssm-events\n"
                               "max_messages = 3\n[sns]\n"
                               "topic_arn = arn:aws:sns:ap-northeast-1:210987654321:ssm-alerts\n\n"
                               "[notify]\n\n[log]\n\n[accounts]\n\n[enrich]\n\n[sessions]\n\n");
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
        assert_null(c->ssm_endpoint); /* each call's region decides */
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
        /* DESIGN.md: track = on, check_interval = 300, long_session_alert = 28800 */
        assert_int_equal(c->sessions_track, CONFIG_ON);
        assert_int_equal(c->check_interval, 300);
        assert_int_equal(c->long_session_alert, 28800);
        config_free(c);
}

static void test_sessions_keys(void **state) {
        (void)state;
        NO_ENV();
        static const struct value_case cases[] = {
                { "sessions", "track = off", {} },
                { "sessions", "track = yes",
                  { "test.conf:19: [sessions] track: \"yes\" is not a known value (allowed: on, off)" } },
                { "sessions", "check_interval = 0", {} },
                { "sessions", "check_interval = 86400", {} },
                { "sessions", "check_interval = 86401",
                  { "test.conf:19: [sessions] check_interval: \"86401\" is out of range (allowed: 0..86400)" } },
                { "sessions", "check_interval = -1",
                  { "test.conf:19: [sessions] check_interval: \"-1\" is out of range (allowed: 0..86400)" } },
                { "sessions", "long_session_alert = 0", {} },
                { "sessions", "long_session_alert = 31536001",
                  { "test.conf:19: [sessions] long_session_alert: \"31536001\" is out of range (allowed: "
                    "0..31536000)" } },
                { "sessions", "interval = 5",
                  { "test.conf:19: [sessions] interval: unknown key (allowed: track, check_interval, "
                    "long_session_alert)" } },
                { "aws", "ssm_endpoint = http://127.0.0.1:5001", {} },
                { "aws", "ssm_endpoint = http://ssm.example.com",
                  { "test.conf:3: [aws] ssm_endpoint: \"http://ssm.example.com\" uses http:// for a host "
                    "that is not loopback (allowed: " A_ENDPOINT ")" } },
        };
        run_cases(cases, N(cases));

        char *t = build("sessions", "track = off\ncheck_interval = 0\nlong_session_alert = 60");
        struct config *c = expect_good(t);
        assert_int_equal(c->sessions_track, CONFIG_OFF);
        assert_int_equal(c->check_interval, 0);
        assert_int_equal(c->long_session_alert, 60);
        config_free(c);
        free(t);
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
                { "notify", "burst_limit = 1", {} },
                { "notify", "burst_limit = 0",
                  { "test.conf:11: [notify] burst_limit: \"0\" is out of range (allowed: 1..1000)" } },
                { "notify", "burst_window = 3601",
                  { "test.conf:11: [notify] burst_window: \"3601\" is out of range (allowed: 0..3600)" } },
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
                { "notify", "burst_limit = 20", offsetof(struct config, burst_limit), 20 },
                { "notify", "burst_window = 300", offsetof(struct config, burst_window), 300 },
                { "notify", "format = text", offsetof(struct config, burst_window), 0 }, /* off by default */
                { "notify", "format = text", offsetof(struct config, burst_limit), 5 },
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

static void test_enrich_keys(void **state) {
        (void)state;
        NO_ENV();
        char *t = build("enrich", "");
        struct config *c = expect_good(t);
        free(t);
        /* the look-ups' endpoints follow each event's region: no default */
        assert_null(c->ec2_endpoint);
        assert_null(c->ssm_endpoint);
        assert_null(c->sts_endpoint);
        assert_int_equal(c->enrich_instance_names, 1);
        assert_int_equal(c->n_enrich_tags, 1);
        assert_string_equal(c->enrich_tags[0], "Environment");
        assert_null(c->enrich_role_arn);
        assert_null(c->enrich_external_id);
        assert_int_equal(c->enrich_cache_seconds, 3600);
        config_free(c);

        t = build("enrich", "tags =");
        c = expect_good(t);
        free(t);
        assert_int_equal(c->n_enrich_tags, 0);
        config_free(c);
        t = build("enrich", "tags = Team, cost-center ,aws:cloudformation:stack-name\nrole_arn = "
                            "arn:aws:iam::{account_id}:role/ops/ssm-notifyd-reader\nexternal_id = ssmn-2026:a/b"
                            "\ninstance_names = off\ncache_seconds = 60");
        c = expect_good(t);
        free(t);
        assert_int_equal(c->n_enrich_tags, 3);
        assert_string_equal(c->enrich_tags[1], "cost-center");
        assert_string_equal(c->enrich_role_arn, "arn:aws:iam::{account_id}:role/ops/ssm-notifyd-reader");
        assert_string_equal(c->enrich_external_id, "ssmn-2026:a/b");
        assert_int_equal(c->enrich_instance_names, 0);
        assert_int_equal(c->enrich_cache_seconds, 60);
        config_free(c);

        ENV("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:5000", "AWS_ENDPOINT_URL", "http://127.0.0.1:6000");
        t = build("aws", "sts_endpoint = https://sts.example.com");
        c = expect_good(t);
        free(t);
        assert_string_equal(c->ec2_endpoint, "http://127.0.0.1:5000");
        assert_string_equal(c->ssm_endpoint, "http://127.0.0.1:6000");
        assert_string_equal(c->sts_endpoint, "https://sts.example.com");
        config_free(c);
        NO_ENV();

        static const struct value_case cases[] = {
                { "enrich", "role_arn = arn:aws:iam::210987654321:role/reader", {} },
                { "enrich", "role_arn = arn:aws-cn:iam::{account_id}:role/reader", {} },
                { "enrich", "role_arn = arn:aws:iam::{account}:role/reader",
                  { "test.conf:17: [enrich] role_arn: \"arn:aws:iam::{account}:role/reader\" has neither a "
                    "12-digit account nor {account_id} as its account (allowed: " A_ROLE ")" } },
                { "enrich", "role_arn = arn:aws:iam::{account_id}:role/{region}-reader",
                  { "test.conf:17: [enrich] role_arn: \"arn:aws:iam::{account_id}:role/{region}-reader\" has a "
                    "placeholder other than {account_id} (allowed: " A_ROLE ")" } },
                { "enrich", "role_arn = arn:aws:iam::210987654321:user/alice",
                  { "test.conf:17: [enrich] role_arn: \"arn:aws:iam::210987654321:user/alice\" is not the ARN "
                    "of a role (…:role/NAME) (allowed: " A_ROLE ")" } },
                { "enrich", "role_arn = arn:aws:sts::210987654321:assumed-role/r/s",
                  { "test.conf:17: [enrich] role_arn: \"arn:aws:sts::210987654321:assumed-role/r/s\" is not an "
                    "IAM ARN (arn:aws:iam::…) (allowed: " A_ROLE ")" } },
                { "enrich", "role_arn = arn:aws:iam::210987654321:role/",
                  { "test.conf:17: [enrich] role_arn: \"arn:aws:iam::210987654321:role/\" has no valid role "
                    "name (1..64 of A-Z a-z 0-9 + = , . @ _ -) (allowed: " A_ROLE ")" } },
                { "enrich", "external_id = x",
                  { "test.conf:17: [enrich] external_id: \"x\" is not an STS external ID (allowed: " A_EXTERNAL
                    ")" } },
                { "enrich", "external_id = has space",
                  { "test.conf:17: [enrich] external_id: \"has space\" is not an STS external ID (allowed: "
                    A_EXTERNAL ")" } },
                { "enrich", "tags = A,B,C,D,E,F,G,H,I,J,K",
                  { "test.conf:17: [enrich] tags: has more than 10 items (allowed: " A_TAGS ")" } },
                { "enrich", "tags = Team,,Owner",
                  { "test.conf:17: [enrich] tags: has an empty item (allowed: " A_TAGS ")" } },
                { "enrich", "tags = Team, Team",
                  { "test.conf:17: [enrich] tags: \"Team\" is listed twice (allowed: " A_TAGS ")" } },
                { "enrich", "instance_names = yes",
                  { "test.conf:17: [enrich] instance_names: \"yes\" is not a known value "
                    "(allowed: on, off)" } },
                { "enrich", "cache_seconds = 59",
                  { "test.conf:17: [enrich] cache_seconds: \"59\" is out of range (allowed: 60..86400)" } },
                { "enrich", "ttl = 5",
                  { "test.conf:17: [enrich] ttl: unknown key (allowed: instance_names, tags, role_arn, "
                    "external_id, cache_seconds)" } },
        };
        run_cases(cases, N(cases));
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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_build_helper),
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_int_keys),
                cmocka_unit_test(test_enum_keys),
                cmocka_unit_test(test_sessions_keys),
                cmocka_unit_test(test_region_key),
                cmocka_unit_test(test_credential_keys),
                cmocka_unit_test(test_long_values),
                cmocka_unit_test(test_endpoint_keys),
                cmocka_unit_test(test_enrich_keys),
                cmocka_unit_test(test_queue_url_key),
                cmocka_unit_test(test_topic_arn_key),
                cmocka_unit_test(test_notify_text_keys),
                cmocka_unit_test(test_accounts),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
