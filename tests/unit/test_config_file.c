/* test_config_file: the file as a whole (structure, line numbers, every
 * error collected, the environment, permissions, secrets). The expected
 * messages below are written by hand from the contract in
 * DESIGN.md and config.h ("path:line: [section] key: reason (allowed …)");
 * the limits come from the AWS API references named in common/config_keys.c
 * and config_internal.h. */

#include "config_cases.h"

#include <ini.h>

static void test_structure_errors(void **state) {
        (void)state;
        NO_ENV();
        static const struct value_case cases[] = {
                { "sqs", "queue = x",
                  { "test.conf:6: [sqs] queue: unknown key (allowed: queue_url, wait_time_seconds, "
                    "max_messages, visibility_timeout, max_receive_count)" } },
                { "aws", "Region = ap-northeast-1",
                  { "test.conf:3: [aws] Region: unknown key (allowed: region, access_key_id, "
                    "secret_access_key, session_token, sqs_endpoint, sns_endpoint, ec2_endpoint, ssm_endpoint, "
                    "sts_endpoint)" } },
                { "log", "level = info\nlevel = debug",
                  { "test.conf:14: [log] level: duplicate key (first set on line 13)" } },
                { "sqs", "queue_url = https://sqs.ap-northeast-1.amazonaws.com/210987654321/other",
                  {} }, /* replaces line 5: not a duplicate */
                { "sqs", "wait_time_seconds =\nwait_time_seconds = 5",
                  { "test.conf:7: [sqs] wait_time_seconds: duplicate key (first set on line 6)" } },
                { "notify", "[notify2]\nformat = json\nbogus = 1\n[log]",
                  { "test.conf:11: [notify2]: unknown section (allowed: aws, sqs, sns, notify, accounts, "
                    "log, rule NAME)" } },
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
                         "[notify], [accounts], [log] or [rule NAME])",
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

/* The reader sets inih's options for its own parse only: another user of
 * inih in the process sees the library's defaults after a load. */
static void test_inih_options_restored(void **state) {
        (void)state;
        NO_ENV();
        expect_bad("[log]\nlevel = loud\n  indented\n",
                   LINES("test.conf:2: [log] level: \"loud\" is not a known value (allowed: err, warning, notice, "
                         "info, debug)",
                         "test.conf:3: syntax error: expected \"[section]\" or \"key = value\"",
                         "test.conf: [aws] region: missing; AWS_REGION and AWS_DEFAULT_REGION are not set "
                         "either (allowed: " A_REGION ")",
                         "test.conf: [sqs] queue_url: missing (allowed: " A_QUEUE ")",
                         "test.conf: [sns] topic_arn: missing (allowed: " A_TOPIC ")"));
        /* ini.h's defaults are what the library starts with */
        assert_int_equal(ini_max_line, INI_MAX_LINE);
        assert_int_equal(ini_allow_multiline, INI_ALLOW_MULTILINE);
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
                         "test.conf:7: [bogus]: unknown section (allowed: aws, sqs, sns, notify, accounts, log, rule NAME)",
                         "test.conf:10: [notify] format: \"yaml\" is not a known value (allowed: text, json, "
                         "chatbot, multi)",
                         "test.conf:11: [notify] colour: unknown key (allowed: format, language, timezone, "
                         "events, subject, unrecognized, burst_limit, burst_window)",
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
        ENV("AWS_REGION", "eu-west-1", "AWS_ENDPOINT_URL", "http://127.0.0.1:5000",
            "AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:5002");
        c = expect_good(body);
        assert_string_equal(c->ssm_endpoint, "http://127.0.0.1:5002");
        assert_string_equal(c->sns_endpoint, "http://127.0.0.1:5000");
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
                               "uses http:// for a host that is not loopback (allowed: " A_ENDPOINT ")",
                               "test.conf: [aws] ec2_endpoint (from AWS_ENDPOINT_URL): \"http://example.com\" "
                               "uses http:// for a host that is not loopback (allowed: " A_ENDPOINT ")",
                               "test.conf: [aws] ssm_endpoint (from AWS_ENDPOINT_URL): \"http://example.com\" "
                               "uses http:// for a host that is not loopback (allowed: " A_ENDPOINT ")",
                               "test.conf: [aws] sts_endpoint (from AWS_ENDPOINT_URL): \"http://example.com\" "
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
                cmocka_unit_test(test_structure_errors),
                cmocka_unit_test(test_line_numbers),
                cmocka_unit_test(test_inih_options_restored),
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
