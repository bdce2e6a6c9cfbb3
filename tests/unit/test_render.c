/* render over real records and hostile ones. Local times are computed here
 * with tz_localtime() (the C library's tz code, independent of render) and
 * the expected text is written by hand. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "event.h"
#include "render.h"
#include "textsafe.h"
#include "tz.h"
#include "testdata.h"

#define EVENTS_DIR TEST_DATA_DIR "/events"


static struct ssm_event *parse(const char *json) {
        struct ssm_event *ev = NULL;
        int r = event_parse(json, strlen(json), &ev);
        if (r != 0)
                fail_msg("event_parse = %d for %.200s", r, json);
        return ev;
}

static struct ssm_event *parse_file(const char *name) {
        char path[512];
        size_t len = 0;
        snprintf(path, sizeof(path), "%s/%s", EVENTS_DIR, name);
        char *body = testdata_read_file(path, &len);
        struct ssm_event *ev = parse(body);
        free(body);
        return ev;
}

/* A StartSession record whose members the test chooses (JSON fragments). */
static struct ssm_event *start_session(const char *event_time, const char *user_agent_json) {
        char body[8192];
        snprintf(body, sizeof(body),
                 "{\"eventVersion\":\"1.08\",\"eventTime\":\"%s\",\"eventSource\":\"ssm.amazonaws.com\","
                 "\"eventName\":\"StartSession\",\"awsRegion\":\"ap-northeast-1\",\"sourceIPAddress\":\"192.0.2.10\","
                 "\"userAgent\":%s,\"requestParameters\":{\"target\":\"i-0123456789abcdef0\"},"
                 "\"responseElements\":{\"sessionId\":\"alice-0a1b2c3d4e5f\"},"
                 "\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::111122223333:user/alice\","
                 "\"accountId\":\"111122223333\",\"userName\":\"alice\"},"
                 "\"eventID\":\"0b6f1e4c-8d0a-4a8e-9d5b-3f1e2a7c9b10\",\"recipientAccountId\":\"111122223333\"}",
                 event_time, user_agent_json);
        return parse(body);
}

static struct render_local_time local(const char *zone, const struct ssm_event *ev) {
        struct render_local_time lt = {};
        assert_true(ev->has_time);
        assert_int_equal(tz_localtime(zone, ev->event_epoch, &lt.tm, &lt.gmtoff, lt.abbr), 0);
        lt.valid = true;
        return lt;
}

static struct render_options opts(enum render_format f, enum render_language l, const char *zone) {
        return (struct render_options){ .format = f, .language = l, .timezone = zone };
}

static struct rendered render(const struct ssm_event *ev, const struct render_local_time *lt,
                              const struct render_options *o) {
        struct rendered r = {};
        int rc = render_event(ev, lt, o, &r);
        if (rc != 0)
                fail_msg("render_event = %d", rc);
        assert_non_null(r.subject);
        assert_non_null(r.message);
        return r;
}

static void assert_contains(const char *haystack, const char *needle) {
        if (!strstr(haystack, needle))
                fail_msg("expected to find '%s' in:\n%s", needle, haystack);
}

static void assert_not_contains(const char *haystack, const char *needle) {
        if (strstr(haystack, needle))
                fail_msg("did not expect '%s' in:\n%s", needle, haystack);
}

static void assert_subject_ok(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n >= 100)
                fail_msg("subject length %zu: %s", n, s);
        if (s[0] == ' ')
                fail_msg("subject starts with a space: %s", s);
        for (size_t i = 0; i < n; i++)
                if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
                        fail_msg("subject byte %zu is 0x%02x: %s", i, (unsigned char)s[i], s);
}

/* The text with a time zone name in it, for one zone and instant. */
static char *text_at(const char *event_time, const char *zone, enum render_language lang) {
        struct ssm_event *ev = start_session(event_time, "\"aws-cli/2.15.0\"");
        struct render_local_time lt = local(zone, ev);
        struct render_options o = opts(RENDER_TEXT, lang, zone);
        struct rendered r = render(ev, &lt, &o);
        char *text = strdup(r.message);
        rendered_free(&r);
        event_free(ev);
        return text;
}

/* 2023-04-25 18:00Z is 03:00 the next day in Tokyo (UTC+9, no DST). */
static void test_date_crossing(void **state) {
        (void)state;
        struct ssm_event *ev = start_session("2023-04-25T18:00:00Z", "\"aws-cli/2.15.0\"");
        struct render_local_time lt = local("Asia/Tokyo", ev);
        assert_int_equal(lt.tm.tm_mday, 26);
        assert_int_equal(lt.tm.tm_hour, 3);
        event_free(ev);

        char *ja = text_at("2023-04-25T18:00:00Z", "Asia/Tokyo", RENDER_JA);
        assert_contains(ja, "日時                 : 2023-04-26 03:00:00 JST (UTC+09:00, Asia/Tokyo)\n");
        assert_contains(ja, "日時 (UTC)           : 2023-04-25 18:00:00 UTC\n");
        free(ja);
        char *en = text_at("2023-04-25T18:00:00Z", "Asia/Tokyo", RENDER_EN);
        assert_contains(en, "Time         : 2023-04-26 03:00:00 JST (UTC+09:00, Asia/Tokyo)\n");
        assert_contains(en, "Time (UTC)   : 2023-04-25 18:00:00 UTC\n");
        free(en);
}

static void test_dst_edges(void **state) {
        (void)state;
        /* New York springs forward at 2024-03-10 07:00Z: 01:59:59 EST, then 03:00:00 EDT */
        char *t = text_at("2024-03-10T06:59:59Z", "America/New_York", RENDER_EN);
        assert_contains(t, ": 2024-03-10 01:59:59 EST (UTC-05:00, America/New_York)\n");
        free(t);
        t = text_at("2024-03-10T07:00:00Z", "America/New_York", RENDER_EN);
        assert_contains(t, ": 2024-03-10 03:00:00 EDT (UTC-04:00, America/New_York)\n");
        free(t);
        /* and falls back at 2024-11-03 06:00Z: 01:30 happens twice */
        t = text_at("2024-11-03T05:30:00Z", "America/New_York", RENDER_EN);
        assert_contains(t, ": 2024-11-03 01:30:00 EDT (UTC-04:00, America/New_York)\n");
        free(t);
        t = text_at("2024-11-03T06:30:00Z", "America/New_York", RENDER_EN);
        assert_contains(t, ": 2024-11-03 01:30:00 EST (UTC-05:00, America/New_York)\n");
        free(t);
        /* London: 2024-03-31 01:00Z is 02:00 BST */
        t = text_at("2024-03-31T01:00:00Z", "Europe/London", RENDER_EN);
        assert_contains(t, ": 2024-03-31 02:00:00 BST (UTC+01:00, Europe/London)\n");
        free(t);
        /* a half-hour zone, crossing the date backwards */
        t = text_at("2024-01-01T02:00:00Z", "America/St_Johns", RENDER_EN);
        assert_contains(t, ": 2023-12-31 22:30:00 NST (UTC-03:30, America/St_Johns)\n");
        free(t);

        /* the JSON form carries the same instant in ISO 8601 */
        struct ssm_event *ev = start_session("2024-03-10T07:00:00Z", "\"x\"");
        struct render_local_time lt = local("America/New_York", ev);
        struct render_options o = opts(RENDER_JSON, RENDER_EN, "America/New_York");
        char *json = NULL;
        assert_int_equal(render_json_object(ev, &lt, &o, false, &json), 0);
        json_object *obj = json_tokener_parse(json);
        assert_non_null(obj);
        assert_string_equal(json_object_get_string(json_object_object_get(obj, "local_time")),
                            "2024-03-10T03:00:00-04:00");
        assert_string_equal(json_object_get_string(json_object_object_get(obj, "utc_time")), "2024-03-10T07:00:00Z");
        json_object_put(obj);
        free(json);
        event_free(ev);
}

/* Without a local time (unknown, or the caller could not convert) only UTC is shown. */
static void test_time_unknown(void **state) {
        (void)state;
        struct ssm_event *ev = start_session("2024-08-01T12:19:16Z", "\"x\"");
        struct render_options o = opts(RENDER_TEXT, RENDER_EN, "Asia/Tokyo");
        struct rendered r = render(ev, NULL, &o);
        assert_contains(r.message, "Time (UTC)   : 2024-08-01 12:19:16 UTC\n");
        assert_not_contains(r.message, "JST");
        rendered_free(&r);
        event_free(ev);

        ev = start_session("yesterday\\nSubject: x", "\"x\"");
        assert_false(ev->has_time);
        r = render(ev, NULL, &o);
        assert_contains(r.message, "Time         : yesterday\\nSubject: x (unrecognized format)\n");
        rendered_free(&r);
        event_free(ev);
}

/* No value can start a line of its own. */
static void test_escaping(void **state) {
        (void)state;
        /* JSON escapes: newline + forged header, CR, ESC (terminal), RLO (bidi), tab, backslash */
        struct ssm_event *ev = start_session(
                "2024-08-01T12:19:16Z",
                "\"curl/8\\nSubject: forged\\r\\n\\u001b[31mred\\u202eevil\\tx\\\\n\\u2028y\\u0085z\"");
        const char *expected = "curl/8\\nSubject: forged\\r\\n\\x1b[31mred\\u202eevil\\tx\\\\n\\u2028y\\u0085z";
        struct render_local_time lt = local("Asia/Tokyo", ev);

        for (int lang = RENDER_JA; lang <= RENDER_EN; lang++) {
                struct render_options o = opts(RENDER_TEXT, (enum render_language)lang, "Asia/Tokyo");
                struct rendered r = render(ev, &lt, &o);
                const char *line = strstr(r.message, expected);
                assert_non_null(line);
                /* the value sits on the user-agent line and nowhere starts a line */
                assert_not_contains(r.message, "\nSubject");
                for (const char *p = r.message; *p; p++)
                        if ((unsigned char)*p < 0x20 && *p != '\n')
                                fail_msg("control byte 0x%02x in the text", (unsigned char)*p);
                assert_not_contains(r.message, "\xe2\x80\xae"); /* U+202E itself */
                assert_not_contains(r.message, "\xe2\x80\xa8"); /* U+2028 itself */
                rendered_free(&r);
        }

        /* JSON keeps the exact value (json-c escapes it) */
        struct render_options o = opts(RENDER_JSON, RENDER_EN, "Asia/Tokyo");
        struct rendered r = render(ev, &lt, &o);
        json_object *obj = json_tokener_parse(r.message);
        assert_non_null(obj);
        assert_string_equal(json_object_get_string(json_object_object_get(obj, "user_agent")), ev->user_agent);
        assert_null(strchr(r.message, '\n'));
        json_object_put(obj);
        rendered_free(&r);
        event_free(ev);

        /* chatbot: in a code span, escaped, on its line; a backtick cannot close the span */
        ev = parse("{\"eventName\":\"StartSession\",\"eventSource\":\"ssm.amazonaws.com\","
                   "\"requestParameters\":{\"target\":\"i-0123456789abcdef0\","
                   "\"reason\":\"x\\nSubject: forged `<!channel>` *bold*\"}}");
        o = opts(RENDER_CHATBOT, RENDER_EN, "UTC");
        r = render(ev, NULL, &o);
        obj = json_tokener_parse(r.message);
        assert_non_null(obj);
        const char *desc = json_object_get_string(json_object_object_get(json_object_object_get(obj, "content"),
                                                                         "description"));
        assert_contains(desc, "\n*Reason*: `x\\nSubject: forged '<!channel>' *bold*`");
        assert_not_contains(desc, "\nSubject");
        json_object_put(obj);
        rendered_free(&r);
        event_free(ev);
}

static void test_truncation(void **state) {
        (void)state;
        /* 5000 ASCII bytes, and 1500 three-byte characters (4500 bytes) */
        char *ua = malloc(5003), *reason = malloc(4600), *body = malloc(16384);
        assert_non_null(ua);
        assert_non_null(reason);
        assert_non_null(body);
        ua[0] = '"';
        memset(ua + 1, 'u', 5000);
        strcpy(ua + 5001, "\"");
        struct ssm_event *ev = start_session("2024-08-01T12:19:16Z", ua);
        struct render_local_time lt = local("UTC", ev);
        struct render_options o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        struct rendered r = render(ev, &lt, &o);
        char expect[1100];
        memset(expect, 'u', 1024);
        strcpy(expect + 1024, "\xe2\x80\xa6[truncated]\n");
        assert_contains(r.message, expect);
        expect[1024] = 'u';
        expect[1025] = '\0';
        assert_not_contains(r.message, expect);
        rendered_free(&r);
        event_free(ev);

        size_t n = 0;
        for (int i = 0; i < 1500; i++)
                n += (size_t)sprintf(reason + n, "\xe3\x81\x82"); /* あ */
        snprintf(body, 16384,
                 "{\"eventName\":\"StartSession\",\"eventSource\":\"ssm.amazonaws.com\","
                 "\"requestParameters\":{\"reason\":\"%s\"}}",
                 reason);
        ev = parse(body);
        o.format = RENDER_JSON;
        r = render(ev, NULL, &o);
        json_object *obj = json_tokener_parse(r.message);
        assert_non_null(obj); /* json-c's parser checks UTF-8 only with a flag: check by length */
        const char *v = json_object_get_string(json_object_object_get(obj, "reason"));
        /* 341 whole characters (1023 bytes) fit in 1 KiB, then the marker */
        assert_int_equal(strlen(v), 1023 + strlen("\xe2\x80\xa6[truncated]"));
        assert_memory_equal(v, reason, 1023);
        json_object_put(obj);
        rendered_free(&r);
        event_free(ev);
        free(ua);
        free(reason);
        free(body);
}

static void check_subjects(const struct ssm_event *ev, const struct render_local_time *lt) {
        static const char *const templates[] = {
                NULL,
                "[{account_name}] {event_name} by {actor} ({actor_type}, {role}) on {target} at {local_time} "
                "from {source_ip}: {outcome} {session_id} {region} {event_time} {event_source} {account_id}",
                "{role}", /* empty for most records: the default takes over */
        };
        for (int f = RENDER_TEXT; f <= RENDER_MULTI; f++)
                for (size_t t = 0; t < sizeof(templates) / sizeof(templates[0]); t++) {
                        struct render_options o = opts((enum render_format)f, RENDER_JA, "Asia/Tokyo");
                        o.subject_template = templates[t];
                        struct rendered r = render(ev, lt, &o);
                        assert_subject_ok(r.subject);
                        rendered_free(&r);
                }
}

/* Every record that parses, every format, default and custom subjects. */
static void test_subject_every_record(void **state) {
        (void)state;
        DIR *d = opendir(EVENTS_DIR);
        struct dirent *de;
        int rendered = 0;

        assert_non_null(d);
        while ((de = readdir(d))) {
                char path[512];
                size_t len = 0, n = strlen(de->d_name);
                struct ssm_event *ev = NULL;
                if (n < 5 || strcmp(de->d_name + n - 5, ".json") != 0)
                        continue;
                snprintf(path, sizeof(path), "%s/%s", EVENTS_DIR, de->d_name);
                char *body = testdata_read_file(path, &len);
                if (event_parse(body, len, &ev) == 0) {
                        struct render_local_time lt = {};
                        if (ev->has_time)
                                lt = local("Asia/Tokyo", ev);
                        check_subjects(ev, &lt);
                        rendered++;
                }
                event_free(ev);
                free(body);
        }
        closedir(d);
        assert_true(rendered >= 40);
}

static char *subject_for_actor(const char *user_name_json, const char *tmpl) {
        char body[8192];
        snprintf(body, sizeof(body),
                 "{\"eventName\":\"StartSession\",\"eventSource\":\"ssm.amazonaws.com\","
                 "\"requestParameters\":{\"target\":\"i-0123456789abcdef0\"},"
                 "\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":%s}}",
                 user_name_json);
        struct ssm_event *ev = parse(body);
        struct render_options o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        o.subject_template = tmpl;
        struct rendered r = render(ev, NULL, &o);
        char *s = strdup(r.subject);
        assert_subject_ok(s);
        rendered_free(&r);
        event_free(ev);
        return s;
}

static void expect_subject(const char *user_name_json, const char *tmpl, const char *expected) {
        char *s = subject_for_actor(user_name_json, tmpl);
        if (strcmp(s, expected) != 0)
                fail_msg("subject '%s', expected '%s'", s, expected);
        free(s);
}

static void test_subject_hostile(void **state) {
        (void)state;
        expect_subject("\"alice\"", NULL, "[SSM] StartSession alice -> i-0123456789abcdef0 (success)");
        /* accents transliterated, other scripts marked, controls made spaces */
        expect_subject("\"Jos\\u00e9 M\\u00fcller\"", "{actor}", "Jose Muller");
        expect_subject("\"\\u5c71\\u7530 \\u592a\\u90ce\"", "{actor}", "? ?");
        expect_subject("\"\\uff54\\uff45\\uff53\\uff54\"", "{actor}", "test");
        expect_subject("\"a\\nSubject: b\\r\\n\\tc\"", "{actor}", "a Subject: b c");
        expect_subject("\"\\u202eevil\"", "{actor}", "evil");
        /* a literal template text is cleaned too, and spaces at the ends dropped */
        expect_subject("\"alice\"", "  通知 {actor}  ", "? alice");
        /* nothing left: the default subject */
        expect_subject("\"alice\"", "{role}", "[SSM] StartSession alice -> i-0123456789abcdef0 (success)");

        /* a 300-character name: each value stops at 40, the whole below 100 */
        char name[320];
        name[0] = '"';
        memset(name + 1, 'n', 300);
        strcpy(name + 301, "\"");
        char *s = subject_for_actor(name, NULL), expect[100];
        snprintf(expect, sizeof(expect), "[SSM] StartSession %.37s... -> i-0123456789abcdef0 (success)", name + 1);
        assert_string_equal(s, expect);
        free(s);
        s = subject_for_actor(name, "{actor}{actor}{actor}{actor}{actor}");
        assert_int_equal(strlen(s), 99);
        assert_string_equal(s + 96, "...");
        free(s);

        /* an invalid template is refused, not sent */
        struct ssm_event *ev = start_session("2024-08-01T12:19:16Z", "\"x\"");
        struct render_options o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        struct rendered r = { .subject = (char *)"untouched" };
        o.subject_template = "{user}";
        assert_int_equal(render_event(ev, NULL, &o, &r), -EINVAL);
        assert_string_equal(r.subject, "untouched");
        event_free(ev);
}

static void test_denied(void **state) {
        (void)state;
        struct ssm_event *ev = parse(
                "{\"eventName\":\"StartSession\",\"eventSource\":\"ssm.amazonaws.com\",\"errorCode\":\"AccessDenied\","
                "\"errorMessage\":\"User: arn:aws:iam::111122223333:user/mallory is not authorized to perform: "
                "ssm:StartSession\",\"requestParameters\":{\"target\":\"i-0123456789abcdef0\"},"
                "\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"mallory\"}}");
        struct render_options o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        struct rendered r = render(ev, NULL, &o);
        assert_string_equal(r.subject, "[SSM] DENIED StartSession mallory -> i-0123456789abcdef0 (AccessDenied)");
        assert_contains(r.message, "DENIED: mallory tried to start a session on i-0123456789abcdef0.\n");
        assert_contains(r.message, "Outcome       : DENIED\n");
        assert_contains(r.message, "Error code    : AccessDenied\n");
        rendered_free(&r);
        o.language = RENDER_JA;
        r = render(ev, NULL, &o);
        assert_contains(r.message, "【拒否】mallory による i-0123456789abcdef0 へのセッション開始が拒否されました。\n");
        assert_contains(r.message, "拒否 (DENIED)");
        rendered_free(&r);
        o.format = RENDER_JSON;
        r = render(ev, NULL, &o);
        assert_contains(r.message, "\"outcome\":\"failure\"");
        rendered_free(&r);
        event_free(ev);

        /* a failure that is not a refusal */
        ev = parse("{\"eventName\":\"StartSession\",\"eventSource\":\"ssm.amazonaws.com\","
                   "\"errorCode\":\"TargetNotConnected\",\"requestParameters\":{\"target\":\"i-0123456789abcdef0\"},"
                   "\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"bob\"}}");
        o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        r = render(ev, NULL, &o);
        assert_string_equal(r.subject, "[SSM] FAILED StartSession bob -> i-0123456789abcdef0 (TargetNotConnected)");
        assert_contains(r.message, "FAILED: bob tried to start a session on i-0123456789abcdef0.\n");
        rendered_free(&r);
        event_free(ev);
}

static void test_identity_notes(void **state) {
        (void)state;
        struct ssm_event *ev = parse(
                "{\"eventName\":\"StartSession\",\"eventSource\":\"ssm.amazonaws.com\","
                "\"requestParameters\":{\"target\":\"i-0123456789abcdef0\"},"
                "\"responseElements\":{\"sessionId\":\"carol-0a1b2c3d\"},"
                "\"userIdentity\":{\"type\":\"AssumedRole\",\"arn\":"
                "\"arn:aws:sts::1:assumed-role/Deploy/botocore-session-1700000000\"}}");
        struct render_options o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        struct rendered r = render(ev, NULL, &o);
        assert_contains(r.message, "User          : botocore-session-1700000000 (generated session name)\n");
        assert_contains(r.message, "Session owner : carol (from the session ID)\n");
        assert_contains(r.message, "Role          : Deploy\n");
        rendered_free(&r);
        event_free(ev);

        ev = parse_file("startsession-assumedrole-sso-panther.json");
        o.language = RENDER_JA;
        r = render(ev, NULL, &o);
        assert_contains(r.message, "AssumedRole (IAM Identity Center)\n");
        /* the session owner equals the user: no second line */
        assert_not_contains(r.message, "セッション所有者");
        rendered_free(&r);
        event_free(ev);

        /* an event without a userIdentity still says who: nobody known */
        ev = parse_file("oddity-minimal-no-useridentity-no-eventtime-custodian.json");
        o.language = RENDER_EN;
        r = render(ev, NULL, &o);
        assert_contains(r.message, "User         : (unknown)\n");
        assert_contains(r.message, "(unknown) called CreateModelCustomizationJob.\n");
        assert_not_contains(r.message, "Time");
        rendered_free(&r);
        event_free(ev);
}

/* The value separators of a ja text line up by display width (CJK = 2). */
static void test_alignment(void **state) {
        (void)state;
        struct ssm_event *ev = parse_file("startsession-iamuser-stratus-1.json");
        struct render_local_time lt = local("Asia/Tokyo", ev);
        struct render_options o = opts(RENDER_TEXT, RENDER_JA, "Asia/Tokyo");
        struct rendered r = render(ev, &lt, &o);
        const char *p = strstr(r.message, "\n\n");
        int column = -1, lines = 0;

        assert_non_null(p);
        for (p += 2; *p; lines++) {
                const char *eol = strchr(p, '\n'), *sep = strstr(p, " : ");
                assert_non_null(eol);
                assert_true(sep && sep < eol);
                int width = 0;
                for (const char *q = p; q < sep;) {
                        unsigned char c = (unsigned char)*q;
                        /* every label character here is ASCII or a 3-byte kana/kanji */
                        if (c < 0x80) {
                                width += 1;
                                q += 1;
                        } else {
                                assert_true(c >= 0xe3 && c <= 0xe9);
                                width += 2;
                                q += 3;
                        }
                }
                if (column < 0)
                        column = width;
                else if (width != column)
                        fail_msg("separator at column %d, expected %d: %.*s", width, column, (int)(eol - p), p);
                p = eol + 1;
        }
        assert_int_equal(lines, 16); /* with "経路" (via) */
        assert_int_equal(column, 20); /* ユーザーエージェント: 10 wide characters */
        rendered_free(&r);
        event_free(ev);
}

static const char *const DESIGN_FIELDS[] = {
        "subject", "message", "event_name", "event_source", "event_time", "local_time", "region", "account_id",
        "actor_type", "actor", "actor_arn", "role", "source_ip", "user_agent", "target", "session_id",
        "document_name", "reason", "outcome", "error_code", "error_message",
};

static json_object *json_object_for(const struct ssm_event *ev, const struct render_local_time *lt,
                                    const struct render_options *o) {
        char *json = NULL;
        assert_int_equal(render_json_object(ev, lt, o, true, &json), 0);
        json_object *obj = json_tokener_parse(json);
        assert_non_null(obj);
        free(json);
        for (size_t i = 0; i < sizeof(DESIGN_FIELDS) / sizeof(DESIGN_FIELDS[0]); i++)
                if (!json_object_object_get_ex(obj, DESIGN_FIELDS[i], NULL))
                        fail_msg("field %s missing", DESIGN_FIELDS[i]);
        return obj;
}

static const char *str_of(json_object *obj, const char *key) {
        json_object *v = json_object_object_get(obj, key);
        return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static void test_json_object(void **state) {
        (void)state;
        struct ssm_event *ev = parse_file("startsession-iamuser-stratus-1.json");
        struct render_local_time lt = local("Asia/Tokyo", ev);
        struct render_options o = opts(RENDER_TEXT, RENDER_JA, "Asia/Tokyo");
        json_object *obj = json_object_for(ev, &lt, &o);

        assert_string_equal(str_of(obj, "subject"), "[SSM] StartSession christophe -> i-d3720C7af6fCfF2B2 (success)");
        assert_true(strncmp(str_of(obj, "message"), "christophe が i-d3720C7af6fCfF2B2 へ", 34) == 0);
        assert_string_equal(str_of(obj, "event_time"), "2024-08-01T12:19:16Z");
        assert_string_equal(str_of(obj, "local_time"), "2024-08-01T21:19:16+09:00");
        assert_string_equal(str_of(obj, "actor"), "christophe");
        assert_string_equal(str_of(obj, "actor_type"), "IAMUser");
        assert_string_equal(str_of(obj, "outcome"), "success");
        assert_string_equal(str_of(obj, "target"), "i-d3720C7af6fCfF2B2");
        assert_true(json_object_is_type(json_object_object_get(obj, "role"), json_type_null));
        assert_true(json_object_is_type(json_object_object_get(obj, "error_code"), json_type_null));
        assert_true(json_object_is_type(json_object_object_get(obj, "document_name"), json_type_null));
        json_object_put(obj);

        /* with format json the message is the same object without subject/message */
        o.format = RENDER_JSON;
        obj = json_object_for(ev, &lt, &o);
        json_object *inner = json_tokener_parse(str_of(obj, "message"));
        assert_non_null(inner);
        assert_false(json_object_object_get_ex(inner, "subject", NULL));
        assert_false(json_object_object_get_ex(inner, "message", NULL));
        for (size_t i = 2; i < sizeof(DESIGN_FIELDS) / sizeof(DESIGN_FIELDS[0]); i++)
                if (!json_object_equal(json_object_object_get(inner, DESIGN_FIELDS[i]),
                                       json_object_object_get(obj, DESIGN_FIELDS[i])))
                        fail_msg("%s differs between message and object", DESIGN_FIELDS[i]);
        json_object_put(inner);
        json_object_put(obj);
        event_free(ev);

        /* unknown is null, never missing: no identity, no time */
        ev = parse_file("oddity-minimal-no-useridentity-no-eventtime-custodian.json");
        obj = json_object_for(ev, NULL, &o);
        const char *nulls[] = { "event_time", "local_time", "actor_type", "actor", "actor_arn", "role",
                                "user_agent", "target", "session_id", "error_code", "error_message" };
        for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
                if (!json_object_is_type(json_object_object_get(obj, nulls[i]), json_type_null))
                        fail_msg("%s is not null", nulls[i]);
        assert_string_equal(str_of(obj, "event_name"), "CreateModelCustomizationJob");
        assert_string_equal(str_of(obj, "source_ip"), "204.63.40.40");
        json_object_put(obj);
        event_free(ev);
}

static void test_chatbot(void **state) {
        (void)state;
        struct ssm_event *ev = parse_file("startsession-iamuser-stratus-1.json");
        struct render_local_time lt = local("Asia/Tokyo", ev);
        struct render_options o = opts(RENDER_CHATBOT, RENDER_EN, "Asia/Tokyo");
        struct rendered r = render(ev, &lt, &o);
        json_object *obj = json_tokener_parse(r.message), *content;

        assert_false(r.message_structure_json);
        assert_non_null(obj);
        assert_string_equal(str_of(obj, "version"), "1.0");
        assert_string_equal(str_of(obj, "source"), "custom");
        content = json_object_object_get(obj, "content");
        assert_string_equal(str_of(content, "textType"), "client-markdown");
        assert_string_equal(str_of(content, "title"), "`christophe` started a session on `i-d3720C7af6fCfF2B2`.");
        assert_contains(str_of(content, "description"), "*Target*: `i-d3720C7af6fCfF2B2`");
        assert_true(json_object_is_type(json_object_object_get(content, "keywords"), json_type_array));
        assert_string_equal(str_of(json_object_object_get(obj, "metadata"), "threadId"),
                            "christophe-bkqs75qpcrtlxk5paaytrydm2e");
        json_object_put(obj);
        rendered_free(&r);
        event_free(ev);
}

static void test_multi(void **state) {
        (void)state;
        struct ssm_event *ev = parse_file("terminatesession-iamuser-stratus-1.json");
        struct render_local_time lt = local("Asia/Tokyo", ev);
        struct render_options o = opts(RENDER_MULTI, RENDER_JA, "Asia/Tokyo");
        struct rendered multi = render(ev, &lt, &o);
        json_object *obj = json_tokener_parse(multi.message);

        assert_true(multi.message_structure_json);
        assert_non_null(obj);
        const char *keys[] = { "default", "https", "email", "email-json", "sqs", "lambda", "sms" };
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
                if (!str_of(obj, keys[i]))
                        fail_msg("multi has no string '%s'", keys[i]);

        /* each protocol gets exactly what the single format would publish */
        o.format = RENDER_TEXT;
        struct rendered text = render(ev, &lt, &o);
        assert_string_equal(str_of(obj, "email"), text.message);
        o.format = RENDER_CHATBOT;
        struct rendered chat = render(ev, &lt, &o);
        assert_string_equal(str_of(obj, "default"), chat.message);
        o.format = RENDER_JSON;
        struct rendered json = render(ev, &lt, &o);
        assert_string_equal(str_of(obj, "sqs"), json.message);
        assert_string_equal(str_of(obj, "sms"), multi.subject);

        json_object *sqs = json_tokener_parse(str_of(obj, "sqs"));
        assert_string_equal(str_of(sqs, "event_name"), "TerminateSession");
        json_object_put(sqs);
        json_object_put(obj);
        rendered_free(&multi);
        rendered_free(&text);
        rendered_free(&chat);
        rendered_free(&json);
        event_free(ev);
}

static void test_account_names(void **state) {
        (void)state;
        const struct render_account accounts[] = {
                { "111111111111", "sandbox" },
                { "294599468799", "production" },
        };
        struct ssm_event *ev = parse_file("startsession-iamuser-stratus-1.json");
        struct render_options o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        o.accounts = accounts;
        o.n_accounts = 2;
        o.subject_template = "[{account_name}] {actor} -> {target}";

        struct rendered r = render(ev, NULL, &o);
        assert_contains(r.message, "Account      : 294599468799 (production)\n");
        assert_string_equal(r.subject, "[production] christophe -> i-d3720C7af6fCfF2B2");
        rendered_free(&r);

        o.format = RENDER_CHATBOT;
        r = render(ev, NULL, &o);
        assert_contains(r.message, "`294599468799` (`production`)");
        assert_contains(r.message, "\"keywords\":[\"StartSession\",\"success\",\"production\"");
        rendered_free(&r);

        json_object *obj = json_object_for(ev, NULL, &o);
        assert_string_equal(str_of(obj, "account_name"), "production");
        assert_string_equal(str_of(obj, "account_id"), "294599468799");
        json_object_put(obj);

        /* unmapped: no name in text, null in JSON, the id in {account_name} */
        o.n_accounts = 1;
        o.format = RENDER_TEXT;
        r = render(ev, NULL, &o);
        assert_contains(r.message, "Account      : 294599468799\n");
        assert_string_equal(r.subject, "[294599468799] christophe -> i-d3720C7af6fCfF2B2");
        rendered_free(&r);
        obj = json_object_for(ev, NULL, &o);
        assert_true(json_object_is_type(json_object_object_get(obj, "account_name"), json_type_null));
        json_object_put(obj);
        event_free(ev);
}

/* A record built to be as large as a body may be, every value long and full
 * of escapes: 1 KiB values would make the multi form pass the SNS bound, so
 * the values are cut shorter, and every format stays within it and valid. */
static void test_message_bound(void **state) {
        (void)state;
        static const char *const paths[][3] = {
                { "eventID" }, { "eventName" }, { "eventSource" }, { "eventTime" }, { "awsRegion" },
                { "recipientAccountId" }, { "sourceIPAddress" }, { "userAgent" }, { "errorCode" },
                { "errorMessage" }, { "requestParameters", "target" }, { "requestParameters", "documentName" },
                { "requestParameters", "reason" }, { "responseElements", "sessionId" },
                { "userIdentity", "type" }, { "userIdentity", "arn" }, { "userIdentity", "userName" },
        };
        const size_t n_paths = sizeof(paths) / sizeof(paths[0]);
        /* json-c writes U+0001 as "\u0001": 6 bytes each */
        size_t per = (EVENT_BODY_MAX - 4096) / n_paths / 6;
        char *value = malloc(per + 1);
        json_object *rec = json_object_new_object();

        assert_non_null(value);
        memset(value, '\x01', per);
        value[per] = '\0';
        for (size_t i = 0; i < n_paths; i++) {
                json_object *parent = rec, *child;
                size_t depth = paths[i][1] ? (paths[i][2] ? 3 : 2) : 1;
                for (size_t d = 0; d + 1 < depth; d++) {
                        if (!json_object_object_get_ex(parent, paths[i][d], &child)) {
                                child = json_object_new_object();
                                json_object_object_add(parent, paths[i][d], child);
                        }
                        parent = child;
                }
                json_object_object_add(parent, paths[i][depth - 1], json_object_new_string(value));
        }
        size_t len = 0;
        const char *body = json_object_to_json_string_length(rec, JSON_C_TO_STRING_PLAIN, &len);
        assert_true(len <= EVENT_BODY_MAX);
        assert_true(len > EVENT_BODY_MAX - 8192);
        struct ssm_event *ev = NULL;
        assert_int_equal(event_parse(body, len, &ev), 0);

        for (int f = RENDER_TEXT; f <= RENDER_MULTI; f++) {
                struct render_options o = opts((enum render_format)f, RENDER_JA, "UTC");
                struct rendered r = render(ev, NULL, &o);
                assert_true(strlen(r.message) <= RENDER_MESSAGE_MAX);
                assert_subject_ok(r.subject);
                if (f != RENDER_TEXT) {
                        json_object *obj = json_tokener_parse(r.message);
                        assert_non_null(obj);
                        if (f == RENDER_MULTI) {
                                /* the e-mail form shows 256 bytes of each value, not 1024 */
                                const char *mail = str_of(obj, "email");
                                char cut[256 * 4 + 32];
                                for (int i = 0; i < 256; i++)
                                        memcpy(cut + 4 * i, "\\x01", 4);
                                strcpy(cut + 256 * 4, "\xe2\x80\xa6[truncated]");
                                assert_contains(mail, cut);
                                cut[256 * 4] = '\\';
                                cut[256 * 4 + 1] = '\0';
                                assert_not_contains(mail, cut);
                        }
                        json_object_put(obj);
                } else {
                        /* alone, the text keeps 1 KiB of each value */
                        assert_true(strlen(r.message) > 17 * 1024 * 4);
                }
                rendered_free(&r);
        }
        event_free(ev);
        json_object_put(rec);
        free(value);
}

/* A port forward is one line; the parameters it shows are not repeated. */
static void test_port_forward(void **state) {
        (void)state;
        struct ssm_event *ev = parse(
                "{\"eventName\":\"StartSession\",\"eventSource\":\"ssm.amazonaws.com\",\"awsRegion\":\"us-east-1\","
                "\"requestParameters\":{\"target\":\"i-0123456789abcdef0\",\"documentName\":"
                "\"AWS-StartPortForwardingSessionToRemoteHost\",\"parameters\":{\"portNumber\":[\"5432\"],"
                "\"localPortNumber\":[\"15432\"],\"host\":[\"db.internal\"]}},"
                "\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"alice\"}}");
        struct render_options o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        struct rendered r = render(ev, NULL, &o);
        assert_contains(r.message, "Port forward : localhost:15432 -> db.internal:5432 (via i-0123456789abcdef0)\n");
        assert_not_contains(r.message, "Parameters");
        assert_not_contains(r.message, "Remote host");
        rendered_free(&r);
        o.language = RENDER_JA;
        r = render(ev, NULL, &o);
        assert_contains(r.message, "ポート転送     : localhost:15432 -> db.internal:5432 (i-0123456789abcdef0 経由)\n");
        rendered_free(&r);
        o.format = RENDER_CHATBOT;
        r = render(ev, NULL, &o);
        assert_contains(r.message, "*ポート転送*: localhost:`15432` -> `db.internal`:`5432` (`i-0123456789abcdef0` 経由)");
        rendered_free(&r);
        event_free(ev);

        /* to the target itself, the local port left to the client */
        ev = parse("{\"eventName\":\"StartSession\",\"requestParameters\":{\"target\":\"i-0123456789abcdef0\","
                   "\"documentName\":\"AWS-StartPortForwardingSession\",\"parameters\":{\"portNumber\":[\"80\"]}}}");
        o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        r = render(ev, NULL, &o);
        assert_contains(r.message, "Port forward : localhost -> i-0123456789abcdef0:80\n");
        rendered_free(&r);
        event_free(ev);

        /* the same parameters under another document are only parameters */
        ev = parse("{\"eventName\":\"StartSession\",\"requestParameters\":{\"target\":\"i-0123456789abcdef0\","
                   "\"documentName\":\"Custom-Forward\",\"parameters\":{\"portNumber\":[\"80\"]}}}");
        r = render(ev, NULL, &o);
        assert_not_contains(r.message, "Port forward");
        assert_contains(r.message, "Parameters : portNumber=80\n");
        rendered_free(&r);
        event_free(ev);
}

static void test_parameters(void **state) {
        (void)state;
        struct ssm_event *ev = parse(
                "{\"eventName\":\"StartSession\",\"requestParameters\":{\"target\":\"i-0123456789abcdef0\","
                "\"documentName\":\"AWS-StartInteractiveCommand\",\"parameters\":{\"command\":"
                "[\"sudo su -\\nrm -rf /tmp/x\"]}}}");
        struct render_options o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        struct rendered r = render(ev, NULL, &o);
        /* one line, its newline escaped; not repeated as a parameter */
        assert_contains(r.message, "Command  : sudo su -\\nrm -rf /tmp/x\n");
        assert_not_contains(r.message, "Parameters");
        rendered_free(&r);
        o.format = RENDER_JSON;
        r = render(ev, NULL, &o);
        json_object *obj = json_tokener_parse(r.message), *params;
        assert_string_equal(str_of(obj, "command"), "sudo su -\nrm -rf /tmp/x");
        params = json_object_object_get(obj, "parameters");
        assert_true(json_object_is_type(params, json_type_object));
        assert_string_equal(json_object_to_json_string_ext(params, JSON_C_TO_STRING_PLAIN),
                            "{\"command\":[\"sudo su -\\nrm -rf \\/tmp\\/x\"]}");
        json_object_put(obj);
        rendered_free(&r);
        event_free(ev);

        /* a custom document's parameters, hostile ones escaped and in code spans in chat */
        ev = parse("{\"eventName\":\"StartSession\",\"requestParameters\":{\"documentName\":\"Team-Doc\","
                   "\"parameters\":{\"env\":[\"prod\"],\"hosts\":[\"a\",\"b\"],\"none\":[],"
                   "\"x\\nForged: y\":[\"`@channel`\"]}}}");
        o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        r = render(ev, NULL, &o);
        assert_contains(r.message, "Parameters : env=prod, hosts=[a, b], none=[], x\\nForged: y=`@channel`\n");
        rendered_free(&r);
        o.format = RENDER_CHATBOT;
        r = render(ev, NULL, &o);
        assert_contains(r.message, "*Parameters*: `env`=`prod`, `hosts`=[`a`, `b`], `none`=[], "
                                   "`x\\\\nForged: y`=`'@channel'`");
        rendered_free(&r);
        event_free(ev);

        /* more parameters than the parser keeps: the line says some are missing */
        struct buf b;
        buf_init(&b, TESTDATA_MAX);
        assert_int_equal(buf_puts(&b, "{\"eventName\":\"StartSession\",\"requestParameters\":{\"parameters\":{"), 0);
        for (int i = 0; i < EVENT_PARAMS_MAX + 1; i++)
                assert_int_equal(buf_printf(&b, "%s\"p%d\":[\"v\"]", i ? "," : "", i), 0);
        assert_int_equal(buf_puts(&b, "}}}"), 0);
        ev = parse(buf_str(&b));
        buf_free(&b);
        o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        r = render(ev, NULL, &o);
        assert_contains(r.message, "Parameters : p0=v, p1=v, ");
        assert_contains(r.message, ", p31=v \xe2\x80\xa6[truncated]\n");
        assert_not_contains(r.message, "p32");
        rendered_free(&r);
        event_free(ev);

        /* withheld by AWS: said so, null in json */
        ev = parse_file("sendcommand-iamuser-stratus.json");
        o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        r = render(ev, NULL, &o);
        assert_contains(r.message, "Parameters   : (not recorded by AWS)\n");
        rendered_free(&r);
        obj = json_object_for(ev, NULL, &o);
        assert_true(json_object_is_type(json_object_object_get(obj, "parameters"), json_type_null));
        assert_true(json_object_is_type(json_object_object_get(obj, "command"), json_type_null));
        json_object_put(obj);
        event_free(ev);
}

/* As many parameters as a record may carry, every value long and full of
 * escapes: they share one budget, so every format stays within the bound,
 * and what was dropped is marked. */
static void test_parameters_bound(void **state) {
        (void)state;
        json_object *rec = json_object_new_object(), *rp = json_object_new_object(),
                    *params = json_object_new_object();
        size_t per = (EVENT_BODY_MAX - 4096) / (EVENT_PARAMS_MAX * EVENT_PARAM_VALUES_MAX) / 6;
        char *value = malloc(per + 1);

        assert_non_null(value);
        memset(value, '\x01', per);
        value[per] = '\0';
        json_object_object_add(rec, "eventName", json_object_new_string("StartSession"));
        json_object_object_add(rec, "requestParameters", rp);
        json_object_object_add(rp, "parameters", params);
        for (int i = 0; i < EVENT_PARAMS_MAX; i++) {
                char name[16];
                json_object *values = json_object_new_array();
                snprintf(name, sizeof(name), "p%d", i);
                for (int j = 0; j < EVENT_PARAM_VALUES_MAX; j++)
                        json_object_array_add(values, json_object_new_string(value));
                json_object_object_add(params, name, values);
        }
        size_t len = 0;
        const char *body = json_object_to_json_string_length(rec, JSON_C_TO_STRING_PLAIN, &len);
        assert_true(len <= EVENT_BODY_MAX);
        struct ssm_event *ev = NULL;
        assert_int_equal(event_parse(body, len, &ev), 0);
        assert_int_equal(ev->n_parameters, EVENT_PARAMS_MAX);

        for (int f = RENDER_TEXT; f <= RENDER_MULTI; f++) {
                struct render_options o = opts((enum render_format)f, RENDER_EN, "UTC");
                struct rendered r = render(ev, NULL, &o);
                assert_true(strlen(r.message) <= RENDER_MESSAGE_MAX);
                if (f == RENDER_TEXT) {
                        /* 4 KiB of the values, escaped 4 bytes each, and the mark */
                        const char *line = strstr(r.message, "Parameters : ");
                        assert_non_null(line);
                        size_t n = (size_t)(strchr(line, '\n') - line);
                        assert_true(n > 4 * 4096 && n < 4 * 4096 + 512);
                        assert_contains(line, "[truncated]\n");
                }
                rendered_free(&r);
        }
        json_object *obj = json_object_for(ev, NULL, &(struct render_options){ .format = RENDER_JSON });
        json_object *params_out = json_object_object_get(obj, "parameters");
        assert_true(json_object_is_type(params_out, json_type_object));
        assert_true(json_object_object_length(params_out) < EVENT_PARAMS_MAX);
        json_object_put(obj);
        event_free(ev);
        json_object_put(rec);
        free(value);
}

static void test_identity_details(void **state) {
        (void)state;
        struct ssm_event *ev = parse(
                "{\"eventName\":\"StartSession\",\"eventSource\":\"ssm.amazonaws.com\",\"sourceIPAddress\":"
                "\"AWS Internal\",\"userAgent\":\"aws-internal/3 aws-sdk-java/1.12.720\","
                "\"sessionCredentialFromConsole\":\"true\",\"requestParameters\":{\"target\":\"i-0123456789abcdef0\"},"
                "\"responseElements\":{\"sessionId\":\"carol@example.com-0a1b2c3d\"},"
                "\"userIdentity\":{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::111122223333:assumed-role/"
                "AWSReservedSSO_DB_Admin_0123456789abcdef/carol@example.com\",\"sessionContext\":{\"attributes\":"
                "{\"mfaAuthenticated\":\"true\"}}}}");
        struct render_options o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        struct rendered r = render(ev, NULL, &o);
        assert_contains(r.message, "Role         : DB_Admin (IAM Identity Center permission set)\n");
        assert_not_contains(r.message, "AWSReservedSSO_DB_Admin_0123456789abcdef\n");
        assert_contains(r.message, "MFA          : yes\n");
        assert_contains(r.message, "Via          : AWS Management Console\n");
        assert_contains(r.message, "Source IP    : AWS Internal (an AWS service, not a client address)\n");
        /* the session ID names the actor: no owner line */
        assert_not_contains(r.message, "Session owner");
        rendered_free(&r);
        o.language = RENDER_JA;
        r = render(ev, NULL, &o);
        assert_contains(r.message, "ロール               : DB_Admin (IAM Identity Center の許可セット)\n");
        assert_contains(r.message, "MFA                  : あり\n");
        assert_contains(r.message, "経路                 : マネジメントコンソール\n");
        rendered_free(&r);
        json_object *obj = json_object_for(ev, NULL, &o);
        /* json keeps the role's name (the contract) and adds the set */
        assert_string_equal(str_of(obj, "role"), "AWSReservedSSO_DB_Admin_0123456789abcdef");
        assert_string_equal(str_of(obj, "permission_set"), "DB_Admin");
        assert_true(json_object_get_boolean(json_object_object_get(obj, "mfa")));
        assert_true(json_object_get_boolean(json_object_object_get(obj, "via_console")));
        json_object_put(obj);
        event_free(ev);

        /* a generated session name whose session ID says the same: one line */
        ev = parse("{\"eventName\":\"StartSession\",\"responseElements\":{\"sessionId\":"
                   "\"botocore-session-1700000000-0abc\"},\"userIdentity\":{\"type\":\"AssumedRole\",\"arn\":"
                   "\"arn:aws:sts::1:assumed-role/Dev/botocore-session-1700000000\"}}");
        o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        r = render(ev, NULL, &o);
        assert_contains(r.message, "(generated session name)");
        assert_not_contains(r.message, "Session owner");
        rendered_free(&r);
        obj = json_object_for(ev, NULL, &o);
        assert_true(json_object_is_type(json_object_object_get(obj, "mfa"), json_type_null));
        assert_true(json_object_is_type(json_object_object_get(obj, "via_console"), json_type_null));
        json_object_put(obj);
        event_free(ev);
}

/* In UTC (under any of its names) the time line already says UTC. */
static void test_utc_zone(void **state) {
        (void)state;
        static const char *const utc[] = { "UTC", "Etc/UTC", "GMT", "Etc/GMT", "Zulu", "Universal" };
        for (size_t i = 0; i < sizeof(utc) / sizeof(utc[0]); i++) {
                char *t = text_at("2024-08-01T12:19:16Z", utc[i], RENDER_EN);
                assert_contains(t, "Time         : 2024-08-01 12:19:16 ");
                assert_not_contains(t, "Time (UTC)");
                free(t);
        }
        /* London is at UTC+0 in winter, but it is not UTC */
        char *t = text_at("2024-01-15T12:00:00Z", "Europe/London", RENDER_EN);
        assert_contains(t, "Time (UTC)   : 2024-01-15 12:00:00 UTC\n");
        free(t);
        /* without a local time the UTC line is the only one */
        struct ssm_event *ev = start_session("2024-08-01T12:19:16Z", "\"x\"");
        struct render_options o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        struct rendered r = render(ev, NULL, &o);
        assert_contains(r.message, "Time (UTC)   : 2024-08-01 12:19:16 UTC\n");
        rendered_free(&r);
        event_free(ev);
}

/* Times are written without printf for four-digit years: each field zero
 * padded, the zone's abbreviation after a space; the json's ISO forms too
 * (offsets east and west of UTC and across DST: test_dst_edges). */
static void test_time_fields(void **state) {
        (void)state;
        char *t = text_at("0999-01-02T03:04:05Z", "UTC", RENDER_EN);
        assert_contains(t, "Time         : 0999-01-02 03:04:05 UTC (");
        free(t);
        /* Tokyo's local mean time before 1888: an offset with seconds */
        t = text_at("1880-01-01T00:00:00Z", "Asia/Tokyo", RENDER_EN);
        assert_contains(t, "Time         : 1880-01-01 09:18:59 LMT (UTC+09:18:59, Asia/Tokyo)\n");
        free(t);
        struct ssm_event *ev = start_session("2024-02-29T23:59:59Z", "\"x\"");
        struct render_options o = opts(RENDER_JSON, RENDER_EN, "UTC");
        json_object *obj = json_object_for(ev, NULL, &o);
        assert_non_null(str_of(obj, "utc_time"));
        assert_string_equal(str_of(obj, "utc_time"), "2024-02-29T23:59:59Z");
        json_object_put(obj);
        event_free(ev);
}

static char *console_url_of(const char *region, const char *target, const char *session) {
        char body[1024];
        snprintf(body, sizeof(body),
                 "{\"eventName\":\"TerminateSession\",\"awsRegion\":\"%s\",\"requestParameters\":{%s%s%s"
                 "\"sessionId\":\"%s\"}}",
                 region, target ? "\"target\":\"" : "", target ? target : "", target ? "\"," : "", session);
        struct ssm_event *ev = parse(body);
        struct render_options o = opts(RENDER_JSON, RENDER_EN, "UTC");
        json_object *obj = json_object_for(ev, NULL, &o);
        const char *url = str_of(obj, "console_url");
        char *ret = url ? strdup(url) : NULL;
        json_object_put(obj);
        event_free(ev);
        return ret;
}

static void expect_console_url(const char *region, const char *target, const char *session, const char *expected) {
        char *url = console_url_of(region, target, session);
        if (!expected != !url || (url && strcmp(url, expected) != 0))
                fail_msg("%s %s %s: console_url %s, expected %s", region, target ? target : "-", session,
                         url ? url : "null", expected ? expected : "null");
        free(url);
}

static void test_console_url(void **state) {
        (void)state;
        expect_console_url("ap-northeast-1", "i-0123456789abcdef0", "alice-0a1b",
                           "https://ap-northeast-1.console.aws.amazon.com/ec2/home?region=ap-northeast-1"
                           "#InstanceDetails:instanceId=i-0123456789abcdef0");
        expect_console_url("us-east-1", "i-0123abcd", "alice-0a1b",
                           "https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1"
                           "#InstanceDetails:instanceId=i-0123abcd");
        expect_console_url("eu-west-1", "mi-0123456789abcdef0", "alice-0a1b",
                           "https://eu-west-1.console.aws.amazon.com/systems-manager/fleet-manager/managed-nodes/"
                           "mi-0123456789abcdef0/general?region=eu-west-1");
        /* no target: the Session Manager page */
        expect_console_url("eu-west-1", NULL, "alice-0a1b",
                           "https://eu-west-1.console.aws.amazon.com/systems-manager/session-manager/sessions"
                           "?region=eu-west-1");
        /* China and GovCloud have consoles of their own */
        expect_console_url("cn-north-1", "i-0123456789abcdef0", "alice-0a1b",
                           "https://console.amazonaws.cn/ec2/home?region=cn-north-1"
                           "#InstanceDetails:instanceId=i-0123456789abcdef0");
        expect_console_url("us-gov-west-1", "i-0123456789abcdef0", "alice-0a1b",
                           "https://console.amazonaws-us-gov.com/ec2/home?region=us-gov-west-1"
                           "#InstanceDetails:instanceId=i-0123456789abcdef0");
        /* the isolated partitions, regions and IDs of another form: none */
        expect_console_url("us-iso-east-1", "i-0123456789abcdef0", "alice-0a1b", NULL);
        expect_console_url("eusc-de-east-1", "i-0123456789abcdef0", "alice-0a1b", NULL);
        expect_console_url("me-northwest-3r", "i-0123456789abcdef0", "alice-0a1b", NULL);
        expect_console_url("us-east-1#x", "i-0123456789abcdef0", "alice-0a1b", NULL);
        expect_console_url("us-east-1", "i-0123456789ABCDEF0", "alice-0a1b",
                           "https://us-east-1.console.aws.amazon.com/systems-manager/session-manager/sessions"
                           "?region=us-east-1");
        expect_console_url("us-east-1", "i-0123456789abcdef0/../x", "a<b", NULL);
        expect_console_url("us-east-1", "i-0123456789abcdef0, i-0123456789abcdef1", "a<b", NULL);

        /* text and chat show it; in chat outside a code span, so it is a link */
        struct ssm_event *ev = parse("{\"eventName\":\"StartSession\",\"awsRegion\":\"us-east-1\","
                                     "\"requestParameters\":{\"target\":\"i-0123abcd\"}}");
        struct render_options o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        struct rendered r = render(ev, NULL, &o);
        assert_contains(r.message, "Console : https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1"
                                   "#InstanceDetails:instanceId=i-0123abcd\n");
        rendered_free(&r);
        o.format = RENDER_CHATBOT;
        r = render(ev, NULL, &o);
        assert_contains(r.message, "*Console*: https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1"
                                   "#InstanceDetails:instanceId=i-0123abcd");
        rendered_free(&r);
        event_free(ev);
}

static char *xstrdup(const char *s) {
        char *p = strdup(s);
        assert_non_null(p);
        return p;
}

/* What the look-ups add, set here as the daemon would. */
static void add_lookups(struct ssm_event *ev, const char *name) {
        ev->target_name = name ? xstrdup(name) : NULL;
        ev->target_tags = calloc(2, sizeof(*ev->target_tags));
        assert_non_null(ev->target_tags);
        ev->target_tags[0] = (struct event_tag){ xstrdup("Environment"), xstrdup("prod") };
        ev->target_tags[1] = (struct event_tag){ xstrdup("Team"), xstrdup("db\nops") };
        ev->n_target_tags = 2;
        ev->has_session_start = true;
        ev->session_start = ev->event_epoch - 3720; /* 1 h 02 min */
        ev->session_resumes = 2;
        ev->session_status = xstrdup("Terminated");
        ev->transcript_url = xstrdup("https://s3.console.aws.amazon.com/s3/object/logs?prefix=alice-0a1b2c3d4e5f.log");
}

static struct ssm_event *terminate_session(void) {
        return parse("{\"eventVersion\":\"1.08\",\"eventTime\":\"2024-08-01T12:19:16Z\",\"eventSource\":"
                     "\"ssm.amazonaws.com\",\"eventName\":\"TerminateSession\",\"awsRegion\":\"ap-northeast-1\","
                     "\"requestParameters\":{\"sessionId\":\"alice-0a1b2c3d4e5f\"},"
                     "\"responseElements\":{\"sessionId\":\"alice-0a1b2c3d4e5f\"},"
                     "\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"alice\"}}");
}

static void test_lookup_facts(void **state) {
        (void)state;
        struct ssm_event *ev = terminate_session();
        ev->target = xstrdup("i-0123456789abcdef0");
        add_lookups(ev, "web-prod-1");
        struct render_local_time lt = local("Asia/Tokyo", ev);
        assert_int_equal(tz_localtime("Asia/Tokyo", ev->session_start, &lt.session_start.tm,
                                      &lt.session_start.gmtoff, lt.session_start.abbr), 0);
        lt.session_start.valid = true;
        struct render_options o = opts(RENDER_TEXT, RENDER_EN, "Asia/Tokyo");
        struct rendered r = render(ev, &lt, &o);

        assert_string_equal(r.subject, "[SSM] TerminateSession alice -> web-prod-1 (i-0123456789abcdef0) (success)");
        assert_contains(r.message, "alice terminated session alice-0a1b2c3d4e5f on web-prod-1 (i-0123456789abcdef0).\n");
        assert_contains(r.message, "Target         : web-prod-1 (i-0123456789abcdef0)\n");
        assert_contains(r.message, "Tags           : Environment=prod, Team=db\\nops\n");
        /* 12:19:16Z - 3720 s = 11:17:16Z = 20:17:16 JST */
        assert_contains(r.message, "Session start  : 2024-08-01 20:17:16 JST\n");
        assert_contains(r.message, "Duration       : 1 h 02 min\n");
        assert_contains(r.message, "Resumes        : 2\n");
        assert_contains(r.message, "Session status : Terminated\n");
        assert_contains(r.message, "Transcript     : https://s3.console.aws.amazon.com/s3/object/logs?prefix=");
        rendered_free(&r);

        o.language = RENDER_JA;
        r = render(ev, &lt, &o);
        assert_contains(r.message, "alice が web-prod-1 (i-0123456789abcdef0) へのセッション alice-0a1b2c3d4e5f を終了しました。\n");
        assert_contains(r.message, "継続時間       : 1 時間 02 分\n");
        assert_contains(r.message, "再開回数       : 2\n");
        rendered_free(&r);

        o.format = RENDER_CHATBOT;
        r = render(ev, &lt, &o);
        json_object *chat = json_tokener_parse(r.message);
        assert_non_null(chat);
        json_object *content = json_object_object_get(chat, "content");
        assert_string_equal(str_of(content, "title"),
                            "`alice` が `web-prod-1` (`i-0123456789abcdef0`) へのセッション `alice-0a1b2c3d4e5f` を終了しました。");
        assert_contains(str_of(content, "description"), "*継続時間*: 1 時間 02 分");
        assert_contains(str_of(content, "description"), "*タグ*: `Environment`=`prod`, `Team`=`db\\nops`");
        json_object_put(chat);
        rendered_free(&r);

        json_object *obj = json_object_for(ev, &lt, &o);
        assert_string_equal(str_of(obj, "target_name"), "web-prod-1");
        assert_string_equal(json_object_to_json_string_ext(json_object_object_get(obj, "target_tags"),
                                                           JSON_C_TO_STRING_PLAIN),
                            "{\"Environment\":\"prod\",\"Team\":\"db\\nops\"}");
        assert_string_equal(str_of(obj, "session_start_time"), "2024-08-01T11:17:16Z");
        assert_int_equal(json_object_get_int64(json_object_object_get(obj, "session_duration_seconds")), 3720);
        assert_int_equal(json_object_get_int64(json_object_object_get(obj, "session_resumes")), 2);
        assert_string_equal(str_of(obj, "session_status"), "Terminated");
        assert_non_null(str_of(obj, "transcript_url"));
        json_object_put(obj);

        /* the start without its local time (a zone that failed) is shown in UTC */
        lt.session_start.valid = false;
        o = opts(RENDER_TEXT, RENDER_EN, "Asia/Tokyo");
        r = render(ev, &lt, &o);
        assert_contains(r.message, "Session start  : 2024-08-01 11:17:16 UTC\n");
        rendered_free(&r);
        event_free(ev);

        /* unknown: null in json, no lines in text */
        ev = terminate_session();
        obj = json_object_for(ev, NULL, &o);
        const char *nulls[] = { "target_name", "target_tags", "session_start_time", "session_duration_seconds",
                                "session_resumes", "session_status", "transcript_url" };
        for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
                if (!json_object_is_type(json_object_object_get(obj, nulls[i]), json_type_null))
                        fail_msg("%s is not null", nulls[i]);
        json_object_put(obj);
        r = render(ev, NULL, &o);
        assert_not_contains(r.message, "Duration");
        assert_not_contains(r.message, "Tags");
        assert_string_equal(r.subject, "[SSM] TerminateSession alice session alice-0a1b2c3d4e5f (success)");
        rendered_free(&r);
        event_free(ev);
}

/* The subject stays printable ASCII under 100 characters whatever the Name
 * tag holds; a name that cannot be written in ASCII leaves the ID alone. */
static void test_subject_target_name(void **state) {
        (void)state;
        static const struct {
                const char *name, *subject;
        } cases[] = {
                { "web-prod-1", "[SSM] StartSession alice -> web-prod-1 (i-0123456789abcdef0) (success)" },
                { "Café-serveur", "[SSM] StartSession alice -> Cafe-serveur (i-0123456789abcdef0) (success)" },
                { "本番サーバー", "[SSM] StartSession alice -> i-0123456789abcdef0 (success)" },
                { "db ✓ primary", "[SSM] StartSession alice -> i-0123456789abcdef0 (success)" },
                { "what?", "[SSM] StartSession alice -> what? (i-0123456789abcdef0) (success)" },
                { "a-long-name-of-twenty-four-chars?", "[SSM] StartSession alice -> a-long-name-of-twenty... "
                                                       "(i-0123456789abcdef0) (success)" },
                { "a-very-long-name-for-an-instance-in-production",
                  "[SSM] StartSession alice -> a-very-long-name-for-... (i-0123456789abcdef0) (success)" },
                { "evil\r\nBcc: x@example.com", "[SSM] StartSession alice -> evil Bcc: x@example.com "
                                                "(i-0123456789abcdef0) (success)" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct ssm_event *ev = start_session("2024-08-01T12:19:16Z", "\"x\"");
                ev->target_name = xstrdup(cases[i].name);
                struct render_options o = opts(RENDER_TEXT, RENDER_EN, "UTC");
                struct rendered r = render(ev, NULL, &o);
                assert_subject_ok(r.subject);
                assert_string_equal(r.subject, cases[i].subject);
                rendered_free(&r);
                /* {target_name} in a template */
                o.subject_template = "{target_name}: {actor}";
                r = render(ev, NULL, &o);
                assert_subject_ok(r.subject);
                rendered_free(&r);
                event_free(ev);
        }
        /* a name alone, without the ID: shown when it can be, else nothing dangles */
        for (int ascii = 0; ascii < 2; ascii++) {
                struct ssm_event *e = parse("{\"eventName\":\"TerminateSession\",\"userIdentity\":{\"type\":"
                                            "\"IAMUser\",\"userName\":\"alice\"},\"requestParameters\":"
                                            "{\"sessionId\":\"alice-0a1b\"}}");
                e->target_name = xstrdup(ascii ? "web-prod-1" : "本番");
                struct render_options ro = opts(RENDER_TEXT, RENDER_EN, "UTC");
                struct rendered rr = render(e, NULL, &ro);
                assert_string_equal(rr.subject, ascii ? "[SSM] TerminateSession alice -> web-prod-1 (success)"
                                                      : "[SSM] TerminateSession alice session alice-0a1b (success)");
                rendered_free(&rr);
                event_free(e);
        }
        /* a long actor and name: cut below 100, never past */
        struct ssm_event *ev = start_session("2024-08-01T12:19:16Z", "\"x\"");
        free(ev->actor);
        ev->actor = xstrdup("a-role-session-name-that-is-as-long-as-sixty-four-characters-xx");
        ev->target_name = xstrdup("a-very-long-name-for-an-instance-in-production");
        struct render_options o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        struct rendered r = render(ev, NULL, &o);
        assert_subject_ok(r.subject);
        rendered_free(&r);
        event_free(ev);
}

static struct ssm_event *tracker_event(const char *name, const char *id_suffix) {
        char body[1024];
        snprintf(body, sizeof(body),
                 "{\"eventSource\":\"ssm-notifyd\",\"eventName\":\"%s\",\"eventID\":\"alice-0a1b2c3d4e5f:%s\","
                 "\"eventTime\":\"2024-08-01T12:19:16Z\",\"awsRegion\":\"ap-northeast-1\","
                 "\"recipientAccountId\":\"111122223333\",\"requestParameters\":{\"target\":"
                 "\"i-0123456789abcdef0\",\"sessionId\":\"alice-0a1b2c3d4e5f\"}}",
                 name, id_suffix);
        struct ssm_event *ev = parse(body);
        ev->actor = xstrdup("alice");
        return ev;
}

/* The session tracker's own kinds read as what they are in every format. */
static void test_tracker_kinds(void **state) {
        (void)state;
        struct ssm_event *ev = tracker_event("SessionEnded", "ended");
        add_lookups(ev, "web-prod-1");
        ev->has_session_end = true;
        ev->session_end = ev->event_epoch - 60;
        struct render_options o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        struct rendered r = render(ev, NULL, &o);
        assert_string_equal(r.subject, "[SSM] SessionEnded alice -> web-prod-1 (i-0123456789abcdef0) after 1 h 01 min");
        assert_contains(r.message, "Session alice-0a1b2c3d4e5f of alice on web-prod-1 (i-0123456789abcdef0) ended.\n");
        assert_contains(r.message, "Session end    : 2024-08-01 12:18:16 UTC\n");
        assert_contains(r.message, "Duration       : 1 h 01 min\n");
        assert_contains(r.message, "Event source   : ssm-notifyd\n");
        rendered_free(&r);
        o.language = RENDER_JA;
        r = render(ev, NULL, &o);
        assert_contains(r.message, "alice の web-prod-1 (i-0123456789abcdef0) へのセッション alice-0a1b2c3d4e5f が終了しました。\n");
        rendered_free(&r);
        o.format = RENDER_CHATBOT;
        r = render(ev, NULL, &o);
        json_object *chat = json_tokener_parse(r.message);
        json_object *meta = json_object_object_get(chat, "metadata");
        /* one thread with the session's start, resumes and end */
        assert_string_equal(str_of(meta, "threadId"), "alice-0a1b2c3d4e5f");
        assert_string_equal(str_of(meta, "eventType"), "SessionEnded");
        json_object_put(chat);
        rendered_free(&r);
        json_object *obj = json_object_for(ev, NULL, &o);
        assert_string_equal(str_of(obj, "event_id"), "alice-0a1b2c3d4e5f:ended");
        assert_int_equal(json_object_get_int64(json_object_object_get(obj, "session_duration_seconds")), 3660);
        json_object_put(obj);
        event_free(ev);

        ev = tracker_event("SessionStillOpen", "open");
        ev->has_session_start = true;
        ev->session_start = ev->event_epoch - 8 * 3600 - 5 * 60;
        o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        r = render(ev, NULL, &o);
        assert_string_equal(r.subject, "[SSM] SessionStillOpen alice -> i-0123456789abcdef0 for 8 h 05 min");
        assert_contains(r.message, "Session alice-0a1b2c3d4e5f of alice on i-0123456789abcdef0 is still open.\n");
        assert_contains(r.message, "Duration      : 8 h 05 min\n");
        rendered_free(&r);
        o.language = RENDER_JA;
        r = render(ev, NULL, &o);
        assert_contains(r.message, "alice の i-0123456789abcdef0 へのセッション alice-0a1b2c3d4e5f が開いたままです。\n");
        assert_contains(r.message, "継続時間       : 8 時間 05 分\n");
        rendered_free(&r);
        o.format = RENDER_CHATBOT;
        r = render(ev, NULL, &o);
        chat = json_tokener_parse(r.message);
        assert_string_equal(str_of(json_object_object_get(chat, "metadata"), "threadId"), "alice-0a1b2c3d4e5f");
        json_object_put(chat);
        rendered_free(&r);
        event_free(ev);

        /* a record that merely claims the name is not the tracker's */
        ev = parse("{\"eventSource\":\"ssm.amazonaws.com\",\"eventName\":\"SessionEnded\","
                   "\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"bob\"}}");
        o = opts(RENDER_TEXT, RENDER_EN, "UTC");
        r = render(ev, NULL, &o);
        assert_contains(r.message, "bob called SessionEnded.\n");
        rendered_free(&r);
        event_free(ev);
        /* nor is a failure ever told as the tracker's */
        ev = parse("{\"eventSource\":\"ssm-notifyd\",\"eventName\":\"SessionStillOpen\",\"errorCode\":\"X\"}");
        r = render(ev, NULL, &o);
        assert_contains(r.message, "A session of (unknown) is still open.\n");
        rendered_free(&r);
        event_free(ev);
}

static void test_durations(void **state) {
        (void)state;
        static const struct {
                long long s;
                const char *en, *ja;
        } cases[] = {
                { 0, "0 s", "0 秒" },           { 59, "59 s", "59 秒" },
                { 60, "1 min", "1 分" },        { 3599, "59 min", "59 分" },
                { 3600, "1 h 00 min", "1 時間 00 分" }, { 93784, "26 h 03 min", "26 時間 03 分" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct ssm_event *ev = start_session("2024-08-01T12:19:16Z", "\"x\"");
                char en[64], ja[64];
                free(ev->event_name);
                ev->event_name = xstrdup("TerminateSession");
                ev->has_session_start = true;
                ev->session_start = ev->event_epoch - cases[i].s;
                struct render_options o = opts(RENDER_TEXT, RENDER_EN, "UTC");
                struct rendered r = render(ev, NULL, &o);
                snprintf(en, sizeof(en), ": %s\n", cases[i].en);
                assert_contains(r.message, en);
                rendered_free(&r);
                o.language = RENDER_JA;
                r = render(ev, NULL, &o);
                snprintf(ja, sizeof(ja), ": %s\n", cases[i].ja);
                assert_contains(r.message, ja);
                rendered_free(&r);
                event_free(ev);
        }
        /* a start after the end is no duration */
        struct ssm_event *ev = start_session("2024-08-01T12:19:16Z", "\"x\"");
        ev->has_session_start = true;
        ev->session_start = ev->event_epoch + 10;
        json_object *obj = json_object_for(ev, NULL, &(struct render_options){ .format = RENDER_JSON });
        assert_true(json_object_is_type(json_object_object_get(obj, "session_duration_seconds"), json_type_null));
        json_object_put(obj);
        event_free(ev);
}

static void test_fallback(void **state) {
        (void)state;
        char body[3000];
        memset(body, 'b', sizeof(body));
        memcpy(body, "not json\n\x01\0<x>`", 15);
        for (int f = RENDER_TEXT; f <= RENDER_MULTI; f++) {
                struct render_options o = opts((enum render_format)f, RENDER_EN, "UTC");
                struct rendered r = {};
                assert_int_equal(render_fallback("5fea7756-0ea4-451a-a703-a558b933e274", body, sizeof(body), &o, &r),
                                 0);
                assert_string_equal(r.subject, "[SSM] Unrecognized message 5fea7756-0ea4-451a-a703-a558b933e274");
                assert_true(r.message_structure_json == (f == RENDER_MULTI));
                if (f == RENDER_TEXT) {
                        assert_contains(r.message, "SQS message ID     : 5fea7756-0ea4-451a-a703-a558b933e274\n");
                        assert_contains(r.message, "Size               : 3000 bytes\n");
                        assert_contains(r.message, "Body (first 2 KiB) : not json\\n\\x01\\x00<x>`bbb");
                        assert_contains(r.message, "b\xe2\x80\xa6[truncated]\n");
                        assert_null(strstr(r.message, "bbb\n")); /* cut, not whole */
                } else {
                        json_object *obj = json_tokener_parse(r.message);
                        assert_non_null(obj);
                        if (f == RENDER_JSON) {
                                assert_int_equal(json_object_get_int(json_object_object_get(obj, "body_size")), 3000);
                                assert_true(json_object_get_boolean(json_object_object_get(obj, "body_truncated")));
                                assert_int_equal(json_object_get_string_len(json_object_object_get(obj, "body_excerpt")),
                                                 2048 + (int)strlen("\xe2\x80\xa6[truncated]"));
                        }
                        if (f == RENDER_CHATBOT)
                                assert_contains(json_object_get_string(json_object_object_get(
                                                        json_object_object_get(obj, "content"), "description")),
                                                "```\nnot json\\n\\x01\\x00<x>'bbb");
                        json_object_put(obj);
                }
                rendered_free(&r);
        }
        /* no message id, an empty body */
        struct render_options o = opts(RENDER_TEXT, RENDER_JA, "UTC");
        struct rendered r = {};
        assert_int_equal(render_fallback(NULL, "", 0, &o, &r), 0);
        assert_string_equal(r.subject, "[SSM] Unrecognized message");
        assert_contains(r.message, "SSM のイベントとして読めないメッセージを受信しました。");
        rendered_free(&r);
        rendered_free(NULL);
}

static void test_option_names(void **state) {
        (void)state;
        enum render_format f = RENDER_TEXT;
        enum render_language l = RENDER_JA;
        assert_int_equal(render_format_parse("chatbot", &f), 0);
        assert_int_equal(f, RENDER_CHATBOT);
        assert_int_equal(render_format_parse("multi", &f), 0);
        assert_int_equal(f, RENDER_MULTI);
        assert_int_equal(render_format_parse("Text", &f), -EINVAL);
        assert_int_equal(f, RENDER_MULTI);
        assert_int_equal(render_language_parse("en", &l), 0);
        assert_int_equal(l, RENDER_EN);
        assert_int_equal(render_language_parse("fr", &l), -EINVAL);
}

/* Characters that hide or disguise text are shown as escapes; their visible
 * neighbours in the same blocks are kept as they are. */
static void test_hidden_characters(void **state) {
        (void)state;
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "a\xc2\xad" "b", "a\\u00adb" },               /* U+00AD soft hyphen */
                { "a\xd8\x9c" "b", "a\\u061cb" },               /* U+061C Arabic letter mark */
                { "a\xe1\xa0\x8e" "b", "a\\u180eb" },           /* U+180E Mongolian vowel separator */
                { "a\xef\xb8\x80" "b", "a\\ufe00b" },           /* U+FE00 variation selector-1 */
                { "a\xef\xb8\x8f" "b", "a\\ufe0fb" },           /* U+FE0F variation selector-16 */
                { "a\xf3\xa0\x80\x80" "b", "a\\U000e0000b" },   /* U+E0000, start of the tag block */
                { "a\xf3\xa0\x81\x81" "b", "a\\U000e0041b" },   /* U+E0041 tag latin capital A */
                { "a\xf3\xa0\x81\xbf" "b", "a\\U000e007fb" },   /* U+E007F cancel tag */
                { "a\xf3\xa0\x84\x80" "b", "a\\U000e0100b" },   /* U+E0100 variation selector-17 */
                { "a\xf3\xa0\x87\xaf" "b", "a\\U000e01efb" },   /* U+E01EF variation selector-256 */
                /* neighbours that are visible stay */
                { "a\xc2\xac" "b", "a\xc2\xac" "b" },             /* U+00AC not sign */
                { "a\xd8\x9b" "b", "a\xd8\x9b" "b" },             /* U+061B Arabic semicolon */
                { "a\xef\xb8\x90" "b", "a\xef\xb8\x90" "b" },     /* U+FE10 presentation form comma */
                { "a\xf0\x9f\x98\x80" "b", "a\xf0\x9f\x98\x80" "b" }, /* U+1F600 an emoji */
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct buf b;
                buf_init(&b, TESTDATA_MAX);
                assert_int_equal(textsafe_escape(&b, cases[i].in, 1024, TEXTSAFE_TEXT), 0);
                assert_string_equal(buf_str(&b), cases[i].out);
                buf_free(&b);
        }
}

/* textsafe_utf8_valid reads ASCII a word at a time: a bad or good sequence
 * is judged the same at every offset within and across words. */
static void test_utf8_valid_offsets(void **state) {
        static const struct {
                const char *seq;
                bool valid;
        } cases[] = {
                { "\xc3\xa9", true }, { "\xf0\x9f\x98\x80", true }, { "\x00", true },
                { "\xc3", false },     { "\x80", false },              { "\xc0\xaf", false }, /* overlong '/' */
                { "\xed\xa0\x80", false },                             /* a surrogate */
                { "\xf4\x90\x80\x80", false },                        /* past U+10FFFF */
        };
        char text[40];

        (void)state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                size_t n = strlen(cases[i].seq) ? strlen(cases[i].seq) : 1;
                for (size_t at = 0; at + n <= 24; at++) {
                        for (size_t len = at + n; len <= at + n + 9; len++) {
                                memset(text, 'a', sizeof(text));
                                memcpy(text + at, cases[i].seq, n);
                                assert_int_equal(textsafe_utf8_valid(text, len), cases[i].valid);
                        }
                }
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_utf8_valid_offsets),
                cmocka_unit_test(test_date_crossing),
                cmocka_unit_test(test_dst_edges),
                cmocka_unit_test(test_time_unknown),
                cmocka_unit_test(test_escaping),
                cmocka_unit_test(test_truncation),
                cmocka_unit_test(test_subject_every_record),
                cmocka_unit_test(test_subject_hostile),
                cmocka_unit_test(test_denied),
                cmocka_unit_test(test_identity_notes),
                cmocka_unit_test(test_alignment),
                cmocka_unit_test(test_json_object),
                cmocka_unit_test(test_chatbot),
                cmocka_unit_test(test_multi),
                cmocka_unit_test(test_account_names),
                cmocka_unit_test(test_message_bound),
                cmocka_unit_test(test_fallback),
                cmocka_unit_test(test_option_names),
                cmocka_unit_test(test_hidden_characters),
                cmocka_unit_test(test_port_forward),
                cmocka_unit_test(test_parameters),
                cmocka_unit_test(test_parameters_bound),
                cmocka_unit_test(test_identity_details),
                cmocka_unit_test(test_utc_zone),
                cmocka_unit_test(test_time_fields),
                cmocka_unit_test(test_console_url),
                cmocka_unit_test(test_lookup_facts),
                cmocka_unit_test(test_subject_target_name),
                cmocka_unit_test(test_tracker_kinds),
                cmocka_unit_test(test_durations),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
