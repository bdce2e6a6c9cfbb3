/* Byte-exact comparison with reviewed outputs in tests/data/golden (see the
 * SOURCES.md there for how they were made and checked). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "event.h"
#include "render.h"
#include "tz.h"
#include "testdata.h"

static const char *const RECORDS[] = {
        "events/startsession-iamuser-stratus-1.json",
        "events/startsession-assumedrole-sso-panther.json",
        "events/terminatesession-iamuser-stratus-2.json",
        "golden/startsession-iamuser-denied-synthetic.json",
};

static const struct variant {
        const char *suffix;
        enum render_format format;
        enum render_language language;
        const char *zone;
} VARIANTS[] = {
        { "ja.txt", RENDER_TEXT, RENDER_JA, "Asia/Tokyo" },
        { "en.txt", RENDER_TEXT, RENDER_EN, "America/New_York" },
        { "chatbot.txt", RENDER_CHATBOT, RENDER_JA, "Asia/Tokyo" },
};


/* What --render prints: "Subject: …", a blank line, the message, a newline. */
static char *render_like_cli(const char *record, const struct variant *v) {
        char path[512];
        size_t len = 0;
        struct ssm_event *ev = NULL;
        struct render_local_time lt = {};
        struct render_options o = { .format = v->format, .language = v->language, .timezone = v->zone };
        struct rendered r = {};
        struct buf out;

        snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, record);
        char *body = testdata_read_file(path, &len);
        assert_int_equal(event_parse(body, len, &ev), 0);
        assert_true(ev->has_time);
        assert_int_equal(tz_localtime(v->zone, ev->event_epoch, &lt.tm, &lt.gmtoff, lt.abbr), 0);
        lt.valid = true;
        assert_int_equal(render_event(ev, &lt, &o, &r), 0);
        buf_init(&out, TESTDATA_MAX);
        size_t n = strlen(r.message);
        assert_int_equal(buf_printf(&out, "Subject: %s\n\n%s%s", r.subject, r.message,
                                    n && r.message[n - 1] == '\n' ? "" : "\n"),
                         0);
        rendered_free(&r);
        event_free(ev);
        free(body);
        return buf_steal(&out);
}

static void test_golden(void **state) {
        (void)state;
        int compared = 0;

        for (size_t i = 0; i < sizeof(RECORDS) / sizeof(RECORDS[0]); i++)
                for (size_t j = 0; j < sizeof(VARIANTS) / sizeof(VARIANTS[0]); j++) {
                        char golden[512], name[256];
                        const char *base = strchr(RECORDS[i], '/') + 1;
                        size_t len = 0;

                        snprintf(name, sizeof(name), "%.*s", (int)(strlen(base) - strlen(".json")), base);
                        snprintf(golden, sizeof(golden), "%s/golden/%s.%s", TEST_DATA_DIR, name, VARIANTS[j].suffix);
                        char *expected = testdata_read_file(golden, &len);
                        char *actual = render_like_cli(RECORDS[i], &VARIANTS[j]);
                        if (strlen(actual) != len || memcmp(actual, expected, len) != 0)
                                fail_msg("%s differs; rendered:\n%s", golden, actual);
                        free(expected);
                        free(actual);
                        compared++;
                }
        assert_int_equal(compared, 12);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_golden),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
