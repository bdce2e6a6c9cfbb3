/* test_sessions: the tracker saves its state file once per batch
 * (sessions_flush), not at each change the relay's hooks report, and only
 * when something changed; while the queue has a backlog at most once per
 * SESSIONS_SAVE_BUSY_USEC (sessions_flush_paced). Real records from tests/data; a fresh directory
 * under /tmp. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "event.h"
#include "session_file.h"
#include "session_store.h"
#include "sessions.h"
#include "tempdir.h"
#include "testdata.h"

static struct ssm_event *record(const char *name) {
        char path[128];
        size_t len;
        struct ssm_event *ev = NULL;
        snprintf(path, sizeof(path), "events/%s", name);
        char *body = testdata_read(path, &len);
        assert_non_null(body);
        assert_int_equal(event_parse(body, len, &ev), 0);
        free(body);
        return ev;
}

static void accepted(struct sessions *t, const char *name) {
        struct ssm_event *ev = record(name);
        sessions_relay_hooks.accepted(t, ev);
        event_free(ev);
}

/* The open sessions on disk; -1 when there is no state file. */
static long saved_count(void) {
        char path[PATH_MAX];
        struct session_store *s;
        long n;
        snprintf(path, sizeof(path), "%s/%s", tempdir, SESSION_FILE_NAME);
        if (access(path, F_OK) != 0)
                return -1;
        assert_int_equal(session_file_load(tempdir, 16, 1700000000, &s), 0);
        n = (long)session_store_count(s);
        session_store_free(s);
        return n;
}

static void remove_state_file(void) {
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", tempdir, SESSION_FILE_NAME);
        assert_int_equal(unlink(path), 0);
}

static void test_saved_once_per_batch(void **state) {
        (void)state;
        struct sessions *t;
        assert_int_equal(sessions_new(tempdir, 1700000000, &t), 0);

        /* a batch: three starts and an end, nothing written until the flush */
        accepted(t, "startsession-iamuser-stratus-1.json");
        accepted(t, "startsession-iamuser-stratus-2.json");
        accepted(t, "startsession-iamuser-stratus-3.json");
        accepted(t, "terminatesession-iamuser-stratus-2.json");
        assert_int_equal(saved_count(), -1);
        sessions_flush(t);
        assert_int_equal(saved_count(), 2);

        /* no change since: no save */
        remove_state_file();
        sessions_flush(t);
        assert_int_equal(saved_count(), -1);

        /* a change: the whole state again */
        accepted(t, "terminatesession-iamuser-stratus-1.json");
        assert_int_equal(saved_count(), -1);
        sessions_flush(t);
        assert_int_equal(saved_count(), 1);

        sessions_flush(NULL);
        sessions_free(t);
}

static void test_paced_while_busy(void **state) {
        (void)state;
        struct sessions *t;
        const uint64_t t0 = 5000000;
        assert_int_equal(sessions_new(tempdir, 1700000000, &t), 0);

        /* the first change of a busy spell is saved */
        accepted(t, "startsession-iamuser-stratus-1.json");
        sessions_flush_paced(t, true, t0);
        assert_int_equal(saved_count(), 1);

        /* busy: the next change waits until the interval has passed */
        accepted(t, "startsession-iamuser-stratus-2.json");
        sessions_flush_paced(t, true, t0 + SESSIONS_SAVE_BUSY_USEC - 1);
        assert_int_equal(saved_count(), 1);
        sessions_flush_paced(t, true, t0 + SESSIONS_SAVE_BUSY_USEC);
        assert_int_equal(saved_count(), 2);

        /* idle: saved at once, however recent the last save */
        accepted(t, "startsession-iamuser-stratus-3.json");
        sessions_flush_paced(t, true, t0 + SESSIONS_SAVE_BUSY_USEC + 1);
        assert_int_equal(saved_count(), 2);
        sessions_flush_paced(t, false, t0 + SESSIONS_SAVE_BUSY_USEC + 2);
        assert_int_equal(saved_count(), 3);

        /* nothing changed: no save, busy or not */
        remove_state_file();
        sessions_flush_paced(t, false, t0 + 10 * SESSIONS_SAVE_BUSY_USEC);
        assert_int_equal(saved_count(), -1);

        sessions_flush_paced(NULL, false, t0);
        sessions_free(t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_saved_once_per_batch, tempdir_make, tempdir_remove),
                cmocka_unit_test_setup_teardown(test_paced_while_busy, tempdir_make, tempdir_remove),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
