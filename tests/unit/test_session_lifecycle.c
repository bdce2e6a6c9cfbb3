/* test_session_lifecycle: DescribeSessions requests and answers (shapes of
 * the SSM API reference, written by hand) and the pure decisions about an
 * open session, with the time passed in. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event.h"
#include "session_lifecycle.h"
#include "ssm_sessions.h"
#include "testdata.h"

static int parse(const char *text, struct ssm_session_list *ret) {
        char *copy = testdata_dup(text, strlen(text)); /* no NUL after it */
        int r = ssm_sessions_parse(copy, strlen(text), ret);
        free(copy);
        return r;
}

static void test_request_bodies(void **state) {
        (void)state;
        struct buf b;
        buf_init(&b, 4096);
        assert_int_equal(ssm_sessions_request(SSM_SESSIONS_ACTIVE, NULL, NULL, &b), 0);
        assert_string_equal(b.data, "{\"State\":\"Active\",\"MaxResults\":200}");
        buf_truncate(&b, 0);
        assert_int_equal(ssm_sessions_request(SSM_SESSIONS_HISTORY, "alice-0a1b", NULL, &b), 0);
        assert_string_equal(b.data, "{\"State\":\"History\",\"MaxResults\":200,"
                                    "\"Filters\":[{\"key\":\"SessionId\",\"value\":\"alice-0a1b\"}]}");
        buf_truncate(&b, 0);
        assert_int_equal(ssm_sessions_request(SSM_SESSIONS_ACTIVE, NULL, "tok\"en", &b), 0);
        assert_string_equal(b.data, "{\"State\":\"Active\",\"MaxResults\":200,\"NextToken\":\"tok\\\"en\"}");
        buf_truncate(&b, 0);
        assert_int_equal(ssm_sessions_probe(&b), 0);
        assert_string_equal(b.data, "{\"State\":\"Active\",\"MaxResults\":1}");
        buf_free(&b);
}

static void test_parse_answer(void **state) {
        (void)state;
        struct ssm_session_list l = { 0 };
        /* the API reference's example answer, with an end and an S3 URL added */
        assert_int_equal(parse("{\"Sessions\":[{\"SessionId\":\"John-07a16060613c408b5\",\"Target\":"
                               "\"i-1234567890abcdef0\",\"Status\":\"Terminated\",\"StartDate\":1550676938.352,"
                               "\"EndDate\":1550676999,\"Owner\":\"arn:aws:sts::123456789012:assumed-role/Admin/John\","
                               "\"OutputUrl\":{\"S3OutputUrl\":\"https://s3.amazonaws.com/b/k.log\","
                               "\"CloudWatchOutputUrl\":\"\"},\"DocumentName\":\"SSM-SessionManagerRunShell\"},"
                               "{\"SessionId\":\"Bob-1\",\"OutputUrl\":{\"S3OutputUrl\":\"\",\"CloudWatchOutputUrl\":"
                               "\"https://console.aws.amazon.com/cloudwatch/x\"}}],\"NextToken\":\"next\"}",
                               &l),
                         0);
        assert_int_equal(l.n, 2);
        assert_string_equal(l.s[0].session_id, "John-07a16060613c408b5");
        assert_string_equal(l.s[0].target, "i-1234567890abcdef0");
        assert_string_equal(l.s[0].status, "Terminated");
        assert_true(l.s[0].has_start);
        assert_int_equal(l.s[0].start, 1550676938);
        assert_true(l.s[0].has_end);
        assert_int_equal(l.s[0].end, 1550676999);
        assert_string_equal(l.s[0].output_url, "https://s3.amazonaws.com/b/k.log");
        assert_false(l.s[1].has_start);
        assert_null(l.s[1].target);
        assert_string_equal(l.s[1].output_url, "https://console.aws.amazon.com/cloudwatch/x");
        assert_string_equal(l.next_token, "next");
        ssm_session_list_clear(&l);
        ssm_session_list_clear(NULL);

        assert_int_equal(parse("{}", &l), 0);
        assert_int_equal(l.n, 0);
        assert_null(l.next_token);
        assert_int_equal(parse("{\"Sessions\":[]}", &l), 0);
        ssm_session_list_clear(&l);

        static const char *const bad[] = {
                "", "[]", "not json", "{\"Sessions\":{}}", "{\"Sessions\":[1]}",
                "{\"Sessions\":[{}]}",                                   /* no SessionId */
                "{\"Sessions\":[{\"SessionId\":5}]}",
                "{\"Sessions\":[{\"SessionId\":\"a\",\"StartDate\":\"yesterday\"}]}",
                "{\"Sessions\":[{\"SessionId\":\"a\",\"StartDate\":-5}]}",
                "{\"Sessions\":[{\"SessionId\":\"a\",\"EndDate\":1e300}]}",
                "{\"Sessions\":[{\"SessionId\":\"a\\u0000b\"}]}",
                "{\"Sessions\":[{\"SessionId\":\"a\",\"OutputUrl\":\"s3://x\"}]}",
                "{\"Sessions\":[],\"NextToken\":7}",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                printf("bad %zu: %s\n", i, bad[i]);
                assert_int_equal(parse(bad[i], &l), -EBADMSG);
        }
        /* more than a page holds */
        struct buf b;
        buf_init(&b, 1 << 20);
        buf_puts(&b, "{\"Sessions\":[");
        for (int i = 0; i <= SSM_SESSIONS_PAGE_MAX; i++)
                buf_printf(&b, "%s{\"SessionId\":\"s-%d\"}", i ? "," : "", i);
        buf_puts(&b, "]}");
        assert_int_equal(parse(b.data, &l), -EBADMSG);
        buf_free(&b);
}

static struct ssm_event *event(const char *name, const char *session_id, bool failure) {
        struct ssm_event *ev = calloc(1, sizeof(*ev));
        assert_non_null(ev);
        ev->event_name = strdup(name);
        ev->event_source = strdup("ssm.amazonaws.com");
        ev->session_id = session_id ? strdup(session_id) : NULL;
        ev->actor = strdup("alice");
        ev->region = strdup("us-east-1");
        ev->account_id = strdup("210987654321");
        ev->event_epoch = 1700003600;
        ev->has_time = true;
        ev->failure = failure;
        return ev;
}

static void test_change_of_event(void **state) {
        (void)state;
        static const struct {
                const char *name;
                bool has_session, failure;
                enum session_change want;
        } cases[] = {
                { "StartSession", true, false, SESSION_OPENED },
                { "ResumeSession", true, false, SESSION_RESUMED },
                { "TerminateSession", true, false, SESSION_CLOSED },
                { "StartSession", true, true, SESSION_NONE },  /* denied: nothing opened */
                { "TerminateSession", true, true, SESSION_NONE },
                { "StartSession", false, false, SESSION_NONE }, /* no session ID to track */
                { "SendCommand", true, false, SESSION_NONE },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct ssm_event *ev = event(cases[i].name, cases[i].has_session ? "alice-1" : NULL, cases[i].failure);
                assert_int_equal(session_change_of(ev), cases[i].want);
                event_free(ev);
        }
        /* our own notices change nothing either */
        struct ssm_event *ev = event("TerminateSession", "alice-1", false);
        free(ev->event_source);
        ev->event_source = strdup("ssm-notifyd");
        assert_int_equal(session_change_of(ev), SESSION_NONE);
        event_free(ev);
}

static const struct session_entry tracked = {
        .session_id = "alice-1",
        .target = "i-0123456789abcdef0",
        .owner = "alice",
        .account_id = "210987654321",
        .region = "us-east-1",
        .start = 1700000000,
        .resumes = 2,
};

static void test_entry_and_completion(void **state) {
        (void)state;
        struct ssm_event *ev = event("StartSession", "alice-1", false);
        struct session_entry e;
        ev->target = strdup("i-0123456789abcdef0");
        assert_int_equal(session_entry_of(ev, &e), 0);
        assert_string_equal(e.session_id, "alice-1");
        assert_string_equal(e.target, "i-0123456789abcdef0");
        assert_string_equal(e.owner, "alice");
        assert_int_equal(e.start, 1700003600);
        ev->has_time = false;
        assert_int_equal(session_entry_of(ev, &e), -EINVAL);
        event_free(ev);

        /* a TerminateSession record has no target: the state gives it, the start and the end */
        ev = event("TerminateSession", "alice-1", false);
        assert_int_equal(session_complete_from_entry(&tracked, ev), 0);
        assert_string_equal(ev->target, "i-0123456789abcdef0");
        assert_true(ev->has_session_start);
        assert_int_equal(ev->session_start, 1700000000);
        assert_true(ev->has_session_end);
        assert_int_equal(ev->session_end - ev->session_start, 3600);
        assert_int_equal(ev->session_resumes, 2);
        event_free(ev);

        /* a ResumeSession: start and resumes, no end; its own target kept */
        ev = event("ResumeSession", "alice-1", false);
        ev->target = strdup("i-fromtherecord");
        assert_int_equal(session_complete_from_entry(&tracked, ev), 0);
        assert_string_equal(ev->target, "i-fromtherecord");
        assert_true(ev->has_session_start);
        assert_false(ev->has_session_end);
        assert_int_equal(ev->session_resumes, 3); /* two before, and this one */
        event_free(ev);

        /* another host saw the start: the history tells all */
        const struct ssm_session hist = {
                .session_id = "alice-1", .target = "i-0aaa", .status = "Terminated",
                .output_url = "https://s3.amazonaws.com/b/alice-1.log", .start = 1700000100, .has_start = true,
                .end = 1700003000, .has_end = true,
        };
        ev = event("TerminateSession", "alice-1", false);
        assert_int_equal(session_complete_from_history(&hist, ev), 0);
        assert_string_equal(ev->target, "i-0aaa");
        assert_int_equal(ev->session_start, 1700000100);
        assert_int_equal(ev->session_end, 1700003000);
        assert_string_equal(ev->session_status, "Terminated");
        assert_string_equal(ev->transcript_url, "https://s3.amazonaws.com/b/alice-1.log");
        event_free(ev);
        /* still terminating (no EndDate yet): the event's time is the end */
        struct ssm_session active = hist;
        active.has_end = false;
        ev = event("TerminateSession", "alice-1", false);
        assert_int_equal(session_complete_from_history(&active, ev), 0);
        assert_int_equal(ev->session_end, 1700003600);
        event_free(ev);
}

static void test_check_verdicts(void **state) {
        (void)state;
        struct session_entry e = tracked; /* started at 1700000000 */
        const long alert = 8 * 3600;
        assert_int_equal(session_check(&e, false, 1700000060, alert), SESSION_LOOK_UP);
        assert_int_equal(session_check(&e, true, 1700000060, alert), SESSION_KEEP);
        assert_int_equal(session_check(&e, true, 1700000000 + alert - 1, alert), SESSION_KEEP);
        assert_int_equal(session_check(&e, true, 1700000000 + alert, alert), SESSION_ALERT_OPEN);
        /* once only */
        e.still_open_sent = true;
        assert_int_equal(session_check(&e, true, 1700000000 + 2 * alert, alert), SESSION_KEEP);
        /* ended after the alert: still looked up */
        assert_int_equal(session_check(&e, false, 1700000000 + 2 * alert, alert), SESSION_LOOK_UP);
        /* not found before: looked up again only once retry_after has come */
        e.retry_after = 1700000600;
        assert_int_equal(session_check(&e, false, 1700000599, alert), SESSION_KEEP);
        assert_int_equal(session_check(&e, false, 1700000600, alert), SESSION_LOOK_UP);
        /* 0: off */
        e.still_open_sent = false;
        assert_int_equal(session_check(&e, true, 1700000000 + 100 * alert, 0), SESSION_KEEP);
}

static void test_notices(void **state) {
        (void)state;
        struct ssm_event *ev = NULL;
        const struct ssm_session hist = {
                .session_id = "alice-1", .status = "Terminated", .output_url = "https://s3.amazonaws.com/b/k.log",
                .start = 1700000000, .has_start = true, .end = 1700001800, .has_end = true,
        };
        assert_int_equal(session_notice_new(SESSION_NOTICE_ENDED, &tracked, NULL, 1700009999, &ev), -EINVAL);
        assert_int_equal(session_notice_new(SESSION_NOTICE_ENDED, &tracked, &hist, 1700009999, &ev), 0);
        assert_string_equal(ev->event_source, "ssm-notifyd");
        assert_string_equal(ev->event_name, "SessionEnded");
        assert_string_equal(ev->event_id, "alice-1:ended");
        assert_string_equal(ev->actor, "alice");
        assert_string_equal(ev->target, "i-0123456789abcdef0");
        assert_string_equal(ev->session_id, "alice-1");
        assert_string_equal(ev->account_id, "210987654321");
        assert_string_equal(ev->region, "us-east-1");
        assert_string_equal(ev->event_time, "2023-11-14T22:43:20Z"); /* the end */
        assert_int_equal(ev->event_epoch, 1700001800);
        assert_int_equal(ev->session_end - ev->session_start, 1800);
        assert_string_equal(ev->session_status, "Terminated");
        assert_string_equal(ev->transcript_url, "https://s3.amazonaws.com/b/k.log");
        assert_int_equal(ev->session_resumes, 2);
        assert_false(ev->failure);
        event_free(ev);

        assert_int_equal(session_notice_new(SESSION_NOTICE_STILL_OPEN, &tracked, NULL, 1700028800, &ev), 0);
        assert_string_equal(ev->event_name, "SessionStillOpen");
        assert_string_equal(ev->event_id, "alice-1:open");
        assert_string_equal(ev->event_time, "2023-11-15T06:13:20Z"); /* now */
        assert_true(ev->has_session_start);
        assert_int_equal(ev->session_start, 1700000000);
        assert_false(ev->has_session_end);
        assert_null(ev->transcript_url);
        event_free(ev);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_request_bodies),
                cmocka_unit_test(test_parse_answer),
                cmocka_unit_test(test_change_of_event),
                cmocka_unit_test(test_entry_and_completion),
                cmocka_unit_test(test_check_verdicts),
                cmocka_unit_test(test_notices),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
