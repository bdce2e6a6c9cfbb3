/* credentials and the pure parts of imds: parsing real IMDS bodies, the
 * refresh and token-renewal edges, the chain order, and that secrets are
 * wiped and never printed. The IMDS conversation itself is exercised by
 * tests/integration/test_imds.py. */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "credentials.h"
#include "imds.h"

#define IMDS_DATA TEST_DATA_DIR "/imds/"

/* Seconds since the epoch, computed with `date -u -d 2017-05-17T15:09:54Z +%s` etc. */
#define T_AWSDOCS_EXPIRATION 1495033794 /* 2017-05-17T15:09:54Z */
#define T_AEMM_EXPIRATION    1585788591 /* 2020-04-02T00:49:51Z */
#define T_LEAP_DAY           1456704000 /* 2016-02-29T00:00:00Z */

/* The test links with -Wl,--wrap=free: every free() in ssmn_common comes
 * here first, so a test can check that a watched secret was zeroed before
 * its memory was given back. */
void __real_free(void *p);
void __wrap_free(void *p);

static struct watch {
        const char *p;
        size_t len;
        bool freed, zeroed;
} watches[8];
static size_t n_watches;

void __wrap_free(void *p) {
        for (size_t i = 0; p && i < n_watches; i++)
                if (watches[i].p == p && !watches[i].freed) {
                        watches[i].freed = true;
                        watches[i].zeroed = true;
                        for (size_t k = 0; k < watches[i].len; k++)
                                watches[i].zeroed &= watches[i].p[k] == '\0';
                }
        __real_free(p);
}

static void watch(const char *p) {
        assert_true(n_watches < sizeof(watches) / sizeof(watches[0]));
        assert_non_null(p);
        watches[n_watches++] = (struct watch){ .p = p, .len = strlen(p) };
}

static void assert_watched_wiped(size_t expected) {
        assert_int_equal(n_watches, expected);
        for (size_t i = 0; i < n_watches; i++) {
                assert_true(watches[i].freed);
                assert_true(watches[i].zeroed);
        }
        n_watches = 0;
}

static char *read_file(const char *path, size_t *ret_len) {
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        char *data = calloc(1, 65536);
        assert_non_null(data);
        *ret_len = fread(data, 1, 65535, f);
        fclose(f);
        return data;
}

/* A fake environment: NULL-terminated name, value pairs. */
static const char *const *fake_env;

static const char *env_lookup(const char *name) {
        for (const char *const *p = fake_env; p && p[0]; p += 2)
                if (strcmp(p[0], name) == 0)
                        return p[1];
        return NULL;
}

static void test_parse_time(void **state) {
        (void)state;
        time_t t;
        assert_int_equal(imds_parse_time("2017-05-17T15:09:54Z", &t), 0);
        assert_int_equal(t, T_AWSDOCS_EXPIRATION);
        assert_int_equal(imds_parse_time("2016-02-29T00:00:00Z", &t), 0);
        assert_int_equal(t, T_LEAP_DAY);
        assert_int_equal(imds_parse_time("1970-01-01T00:00:00Z", &t), 0);
        assert_int_equal(t, 0);

        /* a zone far from UTC must not move the result */
        setenv("TZ", "Asia/Tokyo", 1);
        tzset();
        assert_int_equal(imds_parse_time("2020-04-02T00:49:51Z", &t), 0);
        assert_int_equal(t, T_AEMM_EXPIRATION);
        setenv("TZ", "America/Los_Angeles", 1);
        tzset();
        assert_int_equal(imds_parse_time("2020-04-02T00:49:51Z", &t), 0);
        assert_int_equal(t, T_AEMM_EXPIRATION);
        unsetenv("TZ");
        tzset();

        static const char *const bad[] = {
                "",
                "2017-05-17T15:09:54",       /* no zone */
                "2017-05-17T15:09:54+00:00", /* IMDS writes Z */
                "2017-05-17 15:09:54Z",
                "2017-05-17T15:09:54.123Z",
                "2017-05-17T15:09:54Zjunk",
                "2017-5-17T15:09:54Z",
                "2017-02-29T00:00:00Z", /* not a leap year */
                "2100-02-29T00:00:00Z", /* neither */
                "2017-13-01T00:00:00Z",
                "2017-04-31T00:00:00Z",
                "2017-05-00T00:00:00Z",
                "2017-05-17T24:00:00Z",
                "2017-05-17T15:60:00Z",
                "1969-12-31T23:59:59Z",
                "2017-05-17T15:09:5xZ",
        };
        t = 42;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(imds_parse_time(bad[i], &t), -EBADMSG);
        assert_int_equal(t, 42);
}

static void test_parse_credentials_real_bodies(void **state) {
        (void)state;
        static const struct {
                const char *file, *access_key_id, *secret_access_key, *session_token;
                time_t expiration;
        } cases[] = {
                { "imds-security-credentials-aemm.json", "12345678901", "v/12345678901",
                  "TEST92test48TEST+y6RpoTEST92test48TEST/8oWVAiBqTEsT5Ky7ty2tEStxC1T==", T_AEMM_EXPIRATION },
                /* spaces before the colons */
                { "imds-security-credentials-awsdocs.json", "ASIAIOSFODNN7EXAMPLE",
                  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "token", T_AWSDOCS_EXPIRATION },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct aws_credentials c = { 0 };
                struct aws_error e = { .code = "untouched" };
                char path[512];
                size_t len;
                snprintf(path, sizeof(path), IMDS_DATA "%s", cases[i].file);
                char *body = read_file(path, &len);

                assert_int_equal(imds_parse_credentials(body, len, &c, &e), 0);
                assert_string_equal(c.access_key_id, cases[i].access_key_id);
                assert_string_equal(c.secret_access_key, cases[i].secret_access_key);
                assert_string_equal(c.session_token, cases[i].session_token);
                assert_int_equal(c.expiration, cases[i].expiration);
                assert_string_equal(e.code, "untouched"); /* written only on failure */
                aws_credentials_clear(&c);
                free(body);
        }
        aws_credentials_clear(NULL);
}

/* The awsdocs body with one replacement, so every case differs from a real
 * answer in exactly one place. */
static int parse_edited(const char *from, const char *to, struct aws_error *e) {
        size_t len;
        char *body = read_file(IMDS_DATA "imds-security-credentials-awsdocs.json", &len);
        char edited[4096];
        const char *at = strstr(body, from);
        assert_non_null(at);
        int n = snprintf(edited, sizeof(edited), "%.*s%s%s", (int)(at - body), body, to, at + strlen(from));
        assert_true(n > 0 && (size_t)n < sizeof(edited));
        free(body);

        struct aws_credentials c = { .expiration = 7 };
        int r = imds_parse_credentials(edited, (size_t)n, &c, e);
        assert_int_equal(c.expiration, 7); /* untouched on failure */
        assert_null(c.access_key_id);
        /* never a secret in the log line */
        assert_null(strstr(e->message, "wJalrXUtnFEMI"));
        assert_null(strstr(e->message, "token\""));
        /* a failure of ours, worth retrying, named by its errno: not an AWS code */
        assert_int_equal(e->source, AWS_SOURCE_LOCAL);
        assert_int_equal(e->cls, AWS_ERR_RETRYABLE);
        assert_string_equal(e->code, strerrorname_np(-r));
        return r;
}

static void test_parse_credentials_rejects(void **state) {
        (void)state;
        struct aws_error d;

        assert_int_equal(parse_edited("\"Success\"", "\"AssumeRoleUnauthorizedAccess\"", &d), -EACCES);
        assert_string_equal(d.message, "reported Code \"AssumeRoleUnauthorizedAccess\" instead of \"Success\"");
        assert_int_equal(parse_edited("\"Success\"", "\"Bad\\n\\\"Code\"", &d), -EACCES);
        assert_string_equal(d.message, "reported Code \"Bad??Code\" instead of \"Success\"");
        assert_int_equal(parse_edited("\"Code\"", "\"Kode\"", &d), -EBADMSG);
        assert_string_equal(d.message, "sent a credentials document without a string Code");
        assert_int_equal(parse_edited("\"SecretAccessKey\"", "\"Secret\"", &d), -EBADMSG);
        assert_string_equal(d.message, "sent a credentials document without a string SecretAccessKey");
        assert_int_equal(parse_edited("\"ASIAIOSFODNN7EXAMPLE\"", "42", &d), -EBADMSG);
        assert_string_equal(d.message, "sent a credentials document without a string AccessKeyId");
        assert_int_equal(parse_edited("\"token\"", "null", &d), -EBADMSG);
        assert_string_equal(d.message, "sent a credentials document without a string Token");
        assert_int_equal(parse_edited("2017-05-17T15:09:54Z", "2017-05-17T15:09:54", &d), -EBADMSG);
        assert_non_null(strstr(d.message, "Expiration"));
        /* a token with a line break would split the x-amz-security-token header */
        assert_int_equal(parse_edited("\"token\"", "\"tok\\r\\nen\"", &d), -EBADMSG);
        assert_non_null(strstr(d.message, "not printable ASCII"));
        assert_int_equal(parse_edited("\"ASIAIOSFODNN7EXAMPLE\"", "\"\"", &d), -EBADMSG);
        assert_int_equal(parse_edited("}", "} x", &d), -EBADMSG);
        assert_string_equal(d.message, "sent a credentials document that is not a JSON object");
        assert_int_equal(parse_edited("}", "", &d), -EBADMSG);
        assert_int_equal(parse_edited("\"Type\" : \"AWS-HMAC\"", "\"Type\" : [[[[[1]]]]]", &d), -EBADMSG);

        static const char *const not_objects[] = { "", "[]", "\"Success\"", "{\"Code\":\"Success\",}" };
        struct aws_credentials c = { 0 };
        for (size_t i = 0; i < sizeof(not_objects) / sizeof(not_objects[0]); i++)
                assert_int_equal(imds_parse_credentials(not_objects[i], strlen(not_objects[i]), &c, &d),
                                 -EBADMSG);
        assert_int_equal(imds_parse_credentials("{}", IMDS_BODY_MAX + 1, &c, &d), -E2BIG);
        assert_null(c.access_key_id);
        /* err is optional */
        assert_int_equal(imds_parse_credentials("[]", 2, &c, NULL), -EBADMSG);
}

static void test_parse_role(void **state) {
        (void)state;
        char role[IMDS_ROLE_MAX + 1] = "untouched";
        size_t len;
        char *body = read_file(IMDS_DATA "imds-security-credentials-rolename-aemm.txt", &len);

        assert_int_equal(imds_parse_role(body, len, role), 0);
        assert_string_equal(role, "baskinc-role");
        free(body);
        assert_int_equal(imds_parse_role("first\r\nsecond\n", 14, role), 0);
        assert_string_equal(role, "first");
        assert_int_equal(imds_parse_role("a+=,.@_-Z9", 10, role), 0);
        assert_string_equal(role, "a+=,.@_-Z9");

        char longest[IMDS_ROLE_MAX + 2];
        memset(longest, 'r', sizeof(longest));
        assert_int_equal(imds_parse_role(longest, IMDS_ROLE_MAX, role), 0);
        assert_int_equal(strlen(role), IMDS_ROLE_MAX);

        strcpy(role, "untouched");
        assert_int_equal(imds_parse_role(longest, IMDS_ROLE_MAX + 1, role), -EBADMSG);
        assert_int_equal(imds_parse_role("", 0, role), -ENOENT);
        assert_int_equal(imds_parse_role("\n", 1, role), -ENOENT);
        assert_int_equal(imds_parse_role("../admin", 8, role), -EBADMSG); /* it becomes part of a path */
        assert_int_equal(imds_parse_role("a b", 3, role), -EBADMSG);
        assert_int_equal(imds_parse_role("a\0b", 3, role), -EBADMSG);
        assert_string_equal(role, "untouched");
}

static void test_refresh_edge(void **state) {
        (void)state;
        const struct aws_credentials forever = { 0 };
        const struct aws_credentials expiring = { .expiration = T_AWSDOCS_EXPIRATION };

        assert_false(aws_credentials_need_refresh(&forever, 0));
        assert_false(aws_credentials_need_refresh(&forever, T_AWSDOCS_EXPIRATION + 86400));
        assert_false(aws_credentials_need_refresh(&expiring, T_AWSDOCS_EXPIRATION - 3600));
        assert_false(aws_credentials_need_refresh(&expiring, T_AWSDOCS_EXPIRATION - 15 * 60 - 1));
        assert_true(aws_credentials_need_refresh(&expiring, T_AWSDOCS_EXPIRATION - 15 * 60));
        assert_true(aws_credentials_need_refresh(&expiring, T_AWSDOCS_EXPIRATION - 1));
        assert_true(aws_credentials_need_refresh(&expiring, T_AWSDOCS_EXPIRATION));
        assert_true(aws_credentials_need_refresh(&expiring, T_AWSDOCS_EXPIRATION + 1));
}

static void test_token_renewal(void **state) {
        (void)state;
        const time_t t = T_AEMM_EXPIRATION;
        /* TTL 21600 s (6 h), renewed 300 s before it ends */
        assert_false(imds_token_needs_renewal(t, t));
        assert_false(imds_token_needs_renewal(t, t + 21600 - 300 - 1));
        assert_true(imds_token_needs_renewal(t, t + 21600 - 300));
        assert_true(imds_token_needs_renewal(t, t + 21600));
        assert_true(imds_token_needs_renewal(t, t - 1)); /* clock went back: age unknown */
}

static struct credentials *provider(const char *id, const char *secret, const char *token, const char *endpoint) {
        struct credentials *c;
        const struct credentials_options o = { .access_key_id = id, .secret_access_key = secret,
                                               .session_token = token, .getenv = env_lookup,
                                               .imds_endpoint = endpoint };
        assert_int_equal(credentials_new(&o, &c), 0);
        return c;
}

/* An endpoint that is never asked: static tests fail if it were (TEST-NET-1). */
#define UNUSED_ENDPOINT "http://192.0.2.1"

static void test_chain_file_beats_env(void **state) {
        (void)state;
        static const char *const env[] = { "AWS_ACCESS_KEY_ID", "AKIDENV", "AWS_SECRET_ACCESS_KEY", "envsecret",
                                           "AWS_SESSION_TOKEN", "envtoken", NULL };
        const struct aws_credentials *cr = NULL;
        fake_env = env;

        struct credentials *c = provider("AKIDFILE", "filesecret", NULL, UNUSED_ENDPOINT);
        assert_string_equal(credentials_source(c), "config file");
        assert_int_equal(credentials_get(c, 0, &cr, NULL), 0);
        assert_string_equal(cr->access_key_id, "AKIDFILE");
        assert_string_equal(cr->secret_access_key, "filesecret");
        assert_null(cr->session_token); /* the env token does not leak into the file's pair */
        assert_int_equal(cr->expiration, 0);
        /* static credentials neither expire nor go away on invalidate */
        credentials_invalidate(c);
        assert_int_equal(credentials_get(c, T_AWSDOCS_EXPIRATION, &cr, NULL), 0);
        assert_string_equal(cr->access_key_id, "AKIDFILE");
        credentials_free(c);

        /* empty values, as `access_key_id =` gives, are absent */
        c = provider("", "", "", UNUSED_ENDPOINT);
        assert_string_equal(credentials_source(c), "environment");
        assert_int_equal(credentials_get(c, 0, &cr, NULL), 0);
        assert_string_equal(cr->access_key_id, "AKIDENV");
        assert_string_equal(cr->secret_access_key, "envsecret");
        assert_string_equal(cr->session_token, "envtoken");
        credentials_free(c);
        credentials_free(NULL);
        fake_env = NULL;
}

static void test_chain_env(void **state) {
        (void)state;
        static const char *const env[] = { "AWS_ACCESS_KEY_ID", "AKIDENV", "AWS_SECRET_ACCESS_KEY", "envsecret",
                                           "AWS_SESSION_TOKEN", "", NULL };
        const struct aws_credentials *cr = NULL;
        fake_env = env;
        struct credentials *c = provider(NULL, NULL, NULL, UNUSED_ENDPOINT);
        assert_string_equal(credentials_source(c), "environment");
        assert_int_equal(credentials_get(c, 0, &cr, NULL), 0);
        assert_string_equal(cr->access_key_id, "AKIDENV");
        assert_null(cr->session_token);
        credentials_free(c);
        fake_env = NULL;
}

/* Half a key pair is a mistake to report, not a reason to go on to IMDS; the
 * report names the keys and never shows their values. */
static void assert_misconfigured(const char *file_id, const char *file_secret, const char *file_token,
                                 const char *const *env, const char *source, const char *expected_detail) {
        const struct aws_credentials *cr = (const void *)1;
        struct aws_error err;
        fake_env = env;
        struct credentials *c = provider(file_id, file_secret, file_token, UNUSED_ENDPOINT);
        assert_string_equal(credentials_source(c), source);
        assert_int_equal(credentials_get(c, 0, &cr, &err), -EINVAL);
        assert_ptr_equal(cr, (const void *)1);
        assert_string_equal(err.message, expected_detail);
        assert_int_equal(err.source, AWS_SOURCE_LOCAL);
        assert_string_equal(err.code, "EINVAL");
        credentials_free(c);
        fake_env = NULL;
}

static void test_chain_partial(void **state) {
        (void)state;
        static const char *const only_id[] = { "AWS_ACCESS_KEY_ID", "AKIDENV", NULL };
        static const char *const only_secret[] = { "AWS_SECRET_ACCESS_KEY", "envsecret", "AWS_SESSION_TOKEN",
                                                   "envtoken", NULL };
        static const char *const bad_char[] = { "AWS_ACCESS_KEY_ID", "AKID\nENV", "AWS_SECRET_ACCESS_KEY",
                                                "envsecret", NULL };
        static const char *const full[] = { "AWS_ACCESS_KEY_ID", "AKIDENV", "AWS_SECRET_ACCESS_KEY", "envsecret",
                                            NULL };

        assert_misconfigured(NULL, NULL, NULL, only_id, "environment",
                             "the environment sets AWS_ACCESS_KEY_ID but not AWS_SECRET_ACCESS_KEY");
        assert_misconfigured(NULL, NULL, NULL, only_secret, "environment",
                             "the environment sets AWS_SECRET_ACCESS_KEY but not AWS_ACCESS_KEY_ID");
        assert_misconfigured(NULL, NULL, NULL, bad_char, "environment",
                             "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or AWS_SESSION_TOKEN in the "
                             "environment is too long or not printable ASCII");
        /* a broken file entry is not papered over by good keys in the environment */
        assert_misconfigured(NULL, "filesecret", NULL, full, "config file",
                             "the config file sets secret_access_key but not access_key_id");
        assert_misconfigured(NULL, NULL, "filetoken", full, "config file",
                             "the config file sets session_token but not access_key_id and "
                             "secret_access_key");
        assert_misconfigured("AKIDFILE", "file secret", NULL, full, "config file",
                             "access_key_id, secret_access_key or session_token in the config file "
                             "is too long or not printable ASCII");

        char long_token[CREDENTIALS_TOKEN_MAX + 2];
        memset(long_token, 't', sizeof(long_token) - 1);
        long_token[sizeof(long_token) - 1] = '\0';
        assert_misconfigured("AKIDFILE", "filesecret", long_token, NULL, "config file",
                             "access_key_id, secret_access_key or session_token in the config file "
                             "is too long or not printable ASCII");
        long_token[CREDENTIALS_TOKEN_MAX] = '\0';
        struct credentials *c = provider("AKIDFILE", "filesecret", long_token, UNUSED_ENDPOINT);
        const struct aws_credentials *cr;
        assert_int_equal(credentials_get(c, 0, &cr, NULL), 0);
        assert_int_equal(strlen(cr->session_token), CREDENTIALS_TOKEN_MAX);
        credentials_free(c);
}

/* A TCP port on 127.0.0.1 that refuses: bound, never listening. */
static int refusing_socket(int *ret_port) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(a);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
        *ret_port = ntohs(a.sin_port);
        return fd;
}

static void test_chain_falls_to_imds(void **state) {
        (void)state;
        /* a session token alone is ignored, as AWS SDKs do */
        static const char *const env[] = { "AWS_SESSION_TOKEN", "envtoken-secret", NULL };
        const struct aws_credentials *cr = (const void *)1;
        char endpoint[64], expected[CREDENTIALS_DETAIL_MAX];
        struct aws_error err;
        int port, fd = refusing_socket(&port);

        fake_env = env;
        snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d/", port);
        struct credentials *c = provider(NULL, NULL, NULL, endpoint);
        assert_string_equal(credentials_source(c), "instance profile");
        assert_int_equal(credentials_get(c, T_AWSDOCS_EXPIRATION, &cr, &err), -ECONNREFUSED);
        assert_ptr_equal(cr, (const void *)1);
        snprintf(expected, sizeof(expected),
                 "not in the config file, not in the environment (AWS_SESSION_TOKEN alone is "
                 "ignored), and the instance metadata service at http://127.0.0.1:%d refused the connection",
                 port);
        assert_string_equal(err.message, expected);
        assert_null(strstr(err.message, "envtoken-secret"));
        /* one error from IMDS up: local (no AWS code), retryable, named by its errno */
        assert_int_equal(err.source, AWS_SOURCE_LOCAL);
        assert_int_equal(err.cls, AWS_ERR_RETRYABLE);
        assert_int_equal(err.http_status, 0);
        assert_string_equal(err.code, "ECONNREFUSED");
        credentials_free(c);
        close(fd);
        fake_env = NULL;
}

static void test_bad_endpoint(void **state) {
        (void)state;
        struct credentials *c = (void *)1;
        const struct credentials_options ftp = { .getenv = env_lookup, .imds_endpoint = "ftp://169.254.169.254" };
        const struct credentials_options rel = { .getenv = env_lookup, .imds_endpoint = "169.254.169.254" };
        const struct credentials_options dflt = { .getenv = env_lookup };

        assert_int_equal(credentials_new(&ftp, &c), -EINVAL);
        assert_int_equal(credentials_new(&rel, &c), -EINVAL);
        assert_ptr_equal(c, (void *)1);
        /* the endpoint is only checked when IMDS is the source */
        const struct credentials_options file = { .access_key_id = "AKIDFILE", .secret_access_key = "filesecret",
                                                  .getenv = env_lookup, .imds_endpoint = "ftp://x" };
        assert_int_equal(credentials_new(&file, &c), 0);
        credentials_free(c);
        assert_int_equal(credentials_new(&dflt, &c), 0);
        assert_string_equal(credentials_source(c), "instance profile");
        credentials_free(c);
}

static void test_secrets_wiped(void **state) {
        (void)state;
        static const char *const env[] = { "AWS_ACCESS_KEY_ID", "AKIDENV", "AWS_SECRET_ACCESS_KEY", "envsecret",
                                           "AWS_SESSION_TOKEN", "envtoken", NULL };
        const struct aws_credentials *cr;
        fake_env = env;

        /* freeing the provider wipes its copies */
        struct credentials *c = provider(NULL, NULL, NULL, UNUSED_ENDPOINT);
        assert_int_equal(credentials_get(c, 0, &cr, NULL), 0);
        watch(cr->access_key_id);
        watch(cr->secret_access_key);
        watch(cr->session_token);
        credentials_free(c);
        assert_watched_wiped(3);

        /* replacing wipes the old ones */
        struct aws_credentials a = { 0 };
        assert_int_equal(aws_credentials_set(&a, "AKID1", "secret1", "token1", 1), 0);
        watch(a.secret_access_key);
        watch(a.session_token);
        assert_int_equal(aws_credentials_set(&a, "AKID2", "secret2", NULL, 2), 0);
        assert_watched_wiped(2);
        assert_string_equal(a.secret_access_key, "secret2");
        assert_null(a.session_token);
        /* a refused replacement keeps them */
        assert_int_equal(aws_credentials_set(&a, "AKID3", "", NULL, 3), -EINVAL);
        assert_string_equal(a.access_key_id, "AKID2");
        assert_int_equal(a.expiration, 2);

        watch(a.secret_access_key);
        aws_credentials_clear(&a);
        assert_watched_wiped(1);

        /* parsed IMDS credentials, cleared */
        size_t len;
        char *body = read_file(IMDS_DATA "imds-security-credentials-aemm.json", &len);
        assert_int_equal(imds_parse_credentials(body, len, &a, NULL), 0);
        watch(a.secret_access_key);
        watch(a.session_token);
        aws_credentials_clear(&a);
        assert_watched_wiped(2);
        assert_null(a.secret_access_key);
        free(body);
        fake_env = NULL;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_time),
                cmocka_unit_test(test_parse_credentials_real_bodies),
                cmocka_unit_test(test_parse_credentials_rejects),
                cmocka_unit_test(test_parse_role),
                cmocka_unit_test(test_refresh_edge),
                cmocka_unit_test(test_token_renewal),
                cmocka_unit_test(test_chain_file_beats_env),
                cmocka_unit_test(test_chain_env),
                cmocka_unit_test(test_chain_partial),
                cmocka_unit_test(test_chain_falls_to_imds),
                cmocka_unit_test(test_bad_endpoint),
                cmocka_unit_test(test_secrets_wiped),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
