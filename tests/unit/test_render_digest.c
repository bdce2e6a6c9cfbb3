/* render_digest over parsed records: each member listed with its facts,
 * the SNS limits kept with many and large members ("and N more", the count
 * still covering all), hostile values escaped, every format. Local times
 * come from tz_localtime() and the expected text is written by hand. */
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
#include "tz.h"

#define MEMBERS_MAX 3000

static struct ssm_event *events[MEMBERS_MAX];
static struct render_digest_member members[MEMBERS_MAX];

/* A record by actor at second s past 12:00:00Z on a target of target_len
 * characters; every third one denied. */
static void make_member(size_t i, const char *actor, size_t target_len) {
        char body[4096], target[1024];
        assert_true(target_len < sizeof(target));
        memset(target, 'x', target_len);
        memcpy(target, "i-", 2);
        target[target_len] = '\0';
        snprintf(body, sizeof(body),
                 "{\"eventVersion\":\"1.08\",\"eventTime\":\"2024-08-01T12:%02zu:%02zuZ\",\"eventSource\":"
                 "\"ssm.amazonaws.com\",\"eventName\":\"%s\",\"awsRegion\":\"ap-northeast-1\","
                 "\"sourceIPAddress\":\"192.0.2.%zu\",\"requestParameters\":{\"target\":\"%s\"},%s"
                 "\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::111122223333:user/x\","
                 "\"accountId\":\"111122223333\",\"userName\":\"%s\"},"
                 "\"eventID\":\"evt-%zu\",\"recipientAccountId\":\"111122223333\"}",
                 i / 60 % 60, i % 60, i % 3 ? "StartSession" : "TerminateSession", i % 250, target,
                 i % 3 == 2 ? "\"errorCode\":\"AccessDenied\",\"errorMessage\":\"no\"," : "", actor, i);
        assert_int_equal(event_parse(body, strlen(body), &events[i]), 0);
        members[i] = (struct render_digest_member){ .ev = events[i] };
        assert_int_equal(tz_localtime("Asia/Tokyo", events[i]->event_epoch, &members[i].lt.tm,
                                      &members[i].lt.gmtoff, members[i].lt.abbr), 0);
        members[i].lt.valid = true;
}

static size_t make_members(size_t n, const char *actor, size_t target_len) {
        for (size_t i = 0; i < n; i++)
                make_member(i, actor, target_len);
        return n;
}

static int teardown(void **state) {
        (void)state;
        for (size_t i = 0; i < MEMBERS_MAX; i++) {
                event_free(events[i]);
                events[i] = NULL;
        }
        return 0;
}

static struct rendered digest(size_t n, const char *actor, enum render_format f, enum render_language l) {
        const struct render_digest d = { .actor = actor, .window_seconds = 300, .members = members, .n = n };
        const struct render_options o = { .format = f, .language = l, .rule = "denied" };
        struct rendered r = {};
        assert_int_equal(render_digest(&d, &o, &r), 0);
        assert_non_null(r.subject);
        assert_true(strlen(r.subject) < 100);
        for (const char *c = r.subject; *c; c++)
                assert_true(*c >= 0x20 && *c < 0x7f);
        assert_true(strlen(r.message) <= RENDER_MESSAGE_MAX);
        return r;
}

static size_t count(const char *s, const char *what) {
        size_t n = 0;
        for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
                n++;
        return n;
}

static void test_text_lists_each_member(void **state) {
        (void)state;
        size_t n = make_members(3, "alice", 19);
        struct rendered r = digest(n, "alice", RENDER_TEXT, RENDER_EN);

        assert_string_equal(r.subject, "[SSM] Digest: 3 more events by alice");
        assert_non_null(strstr(r.message, "alice went past the burst limit within 300 seconds; the other 3 "
                                          "events follow in this one digest.\n\n"));
        assert_non_null(strstr(r.message, "2024-08-01T21:00:00+09:00  TerminateSession  i-xxxxxxxxxxxxxxxxx  "
                                          "success  192.0.2.0\n"));
        assert_non_null(strstr(r.message, "2024-08-01T21:00:01+09:00  StartSession  i-xxxxxxxxxxxxxxxxx  "
                                          "success  192.0.2.1\n"));
        assert_non_null(strstr(r.message, "2024-08-01T21:00:02+09:00  StartSession  i-xxxxxxxxxxxxxxxxx  "
                                          "failure  192.0.2.2\n"));
        assert_null(strstr(r.message, "more\n"));
        rendered_free(&r);

        r = digest(n, "alice", RENDER_TEXT, RENDER_JA);
        assert_non_null(strstr(r.message, "alice による操作が 300 秒間の上限を超えました。残りの 3 件"));
        assert_non_null(strstr(r.message, "2024-08-01T21:00:02+09:00  StartSession"));
        rendered_free(&r);
}

static void test_too_many_are_counted_not_listed(void **state) {
        (void)state;
        /* 3000 members of ~900-byte targets: about 2.7 MB, ten times the limit */
        size_t n = make_members(MEMBERS_MAX, "bob", 900);
        char more[64];

        for (int l = RENDER_JA; l <= RENDER_EN; l++) {
                struct rendered r = digest(n, "bob", RENDER_TEXT, (enum render_language)l);
                size_t listed = count(r.message, "+09:00  ");
                assert_true(listed > 10 && listed < n);
                snprintf(more, sizeof(more), l == RENDER_EN ? "\nand %zu more\n" : "\nほか %zu 件\n", n - listed);
                assert_non_null(strstr(r.message, more));
                assert_non_null(strstr(r.subject, "3000 more events"));
                rendered_free(&r);
        }

        struct rendered r = digest(n, "bob", RENDER_JSON, RENDER_EN);
        json_object *o = json_tokener_parse(r.message), *v;
        assert_non_null(o);
        assert_true(json_object_object_get_ex(o, "count", &v));
        assert_int_equal(json_object_get_int64(v), MEMBERS_MAX);
        assert_true(json_object_object_get_ex(o, "events", &v));
        size_t listed = json_object_array_length(v);
        assert_true(listed > 10 && listed < n);
        assert_true(json_object_object_get_ex(o, "omitted", &v));
        assert_int_equal((size_t)json_object_get_int64(v), n - listed);
        json_object_put(o);
        rendered_free(&r);

        r = digest(n, "bob", RENDER_MULTI, RENDER_EN);
        assert_true(r.message_structure_json);
        rendered_free(&r);
        r = digest(n, "bob", RENDER_CHATBOT, RENDER_EN);
        assert_non_null(strstr(r.message, " more\\n"));
        rendered_free(&r);
}

static void test_json_and_chatbot(void **state) {
        (void)state;
        size_t n = make_members(2, "carol", 19);
        json_object *o, *v, *e;

        struct rendered r = digest(n, "carol", RENDER_JSON, RENDER_EN);
        assert_non_null(o = json_tokener_parse(r.message));
        assert_true(json_object_object_get_ex(o, "kind", &v));
        assert_string_equal(json_object_get_string(v), "digest");
        assert_true(json_object_object_get_ex(o, "actor", &v));
        assert_string_equal(json_object_get_string(v), "carol");
        assert_true(json_object_object_get_ex(o, "rule", &v));
        assert_string_equal(json_object_get_string(v), "denied");
        assert_true(json_object_object_get_ex(o, "window_seconds", &v));
        assert_int_equal(json_object_get_int(v), 300);
        assert_true(json_object_object_get_ex(o, "omitted", &v));
        assert_int_equal(json_object_get_int(v), 0);
        assert_true(json_object_object_get_ex(o, "events", &v));
        assert_int_equal(json_object_array_length(v), 2);
        e = json_object_array_get_idx(v, 1);
        const char *want[][2] = { { "local_time", "2024-08-01T21:00:01+09:00" }, { "event_name", "StartSession" },
                                  { "target", "i-xxxxxxxxxxxxxxxxx" },          { "outcome", "success" },
                                  { "source_ip", "192.0.2.1" },                 { "event_id", "evt-1" } };
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
                assert_true(json_object_object_get_ex(e, want[i][0], &v));
                assert_string_equal(json_object_get_string(v), want[i][1]);
        }
        json_object_put(o);
        rendered_free(&r);

        r = digest(n, "carol", RENDER_CHATBOT, RENDER_EN);
        assert_non_null(o = json_tokener_parse(r.message));
        assert_true(json_object_object_get_ex(o, "content", &e));
        assert_true(json_object_object_get_ex(e, "description", &v));
        assert_non_null(strstr(json_object_get_string(v), "• 2024-08-01T21:00:01+09:00  `StartSession`  "
                                                          "`i-xxxxxxxxxxxxxxxxx`  `success`  `192.0.2.1`\n"));
        assert_true(json_object_object_get_ex(o, "metadata", &e));
        assert_true(json_object_object_get_ex(e, "eventType", &v));
        assert_string_equal(json_object_get_string(v), "Digest");
        json_object_put(o);
        rendered_free(&r);
}

static void test_hostile_actor_cannot_add_lines(void **state) {
        (void)state;
        size_t n = make_members(1, "mallory\\nFAKE LINE", 19);
        struct rendered r = digest(n, "mallory\nFAKE LINE", RENDER_TEXT, RENDER_EN);
        assert_null(strstr(r.message, "\nFAKE LINE"));
        assert_non_null(strstr(r.message, "mallory\\nFAKE LINE went past"));
        assert_null(strchr(r.subject, '\n'));
        rendered_free(&r);

        const struct render_digest none = { .actor = "x", .window_seconds = 1, .members = members, .n = 0 };
        const struct render_options o = { .format = RENDER_TEXT };
        assert_int_equal(render_digest(&none, &o, &r), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_text_lists_each_member, teardown),
                cmocka_unit_test_teardown(test_too_many_are_counted_not_listed, teardown),
                cmocka_unit_test_teardown(test_json_and_chatbot, teardown),
                cmocka_unit_test_teardown(test_hostile_actor_cannot_add_lines, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
