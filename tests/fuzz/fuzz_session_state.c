/* fuzz_session_state: the state file (session_store_parse) and the answer
 * of DescribeSessions (ssm_sessions_parse), both read from disk or the
 * network and so untrusted.
 *
 * The first byte picks the parser. Checked besides crashes and sanitizer
 * reports: a state file that parses is written back by session_store_format
 * into a text that parses to the same sessions (nothing lost, nothing
 * invented); a DescribeSessions answer that parses has at most a page of
 * sessions, each with a session ID, and times within their bounds. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz_check.h"
#include "session_store.h"
#include "ssm_sessions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small enough that the fuzzer reaches the bound. */
#define FUZZ_STORE_MAX 16

static bool same(const char *a, const char *b) {
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_state(const char *text, size_t len) {
        struct session_store *s = NULL, *back = NULL;
        struct buf out;
        int r = session_store_parse(text, len, FUZZ_STORE_MAX, &s);

        CHECK(r == 0 || r == -EBADMSG || r == -EPROTONOSUPPORT || r == -E2BIG || r == -ENOMEM);
        if (r < 0)
                return;
        CHECK(session_store_count(s) <= FUZZ_STORE_MAX);
        buf_init(&out, SESSION_FILE_MAX);
        r = session_store_format(s, &out);
        if (r == 0) {
                CHECK(session_store_parse(out.data, out.len, FUZZ_STORE_MAX, &back) == 0);
                CHECK(session_store_count(back) == session_store_count(s));
                for (size_t i = 0; i < session_store_count(s); i++) {
                        const struct session_entry *a = session_store_at(s, i);
                        const struct session_entry *b = session_store_find(back, a->session_id);
                        CHECK(b);
                        CHECK(same(a->target, b->target) && same(a->owner, b->owner));
                        CHECK(same(a->account_id, b->account_id) && same(a->region, b->region));
                        CHECK(a->start == b->start && a->resumes == b->resumes);
                        CHECK(a->still_open_sent == b->still_open_sent);
                }
        }
        buf_free(&out);
        session_store_free(back);
        session_store_free(s);
}

static void check_answer(const char *text, size_t len) {
        struct ssm_session_list l = { 0 };
        int r = ssm_sessions_parse(text, len, &l);

        CHECK(r == 0 || r == -EBADMSG || r == -ENOMEM);
        if (r < 0)
                return;
        CHECK(l.n <= SSM_SESSIONS_PAGE_MAX);
        for (size_t i = 0; i < l.n; i++) {
                CHECK(l.s[i].session_id && *l.s[i].session_id);
                CHECK(!l.s[i].has_start || l.s[i].start >= 0);
                CHECK(!l.s[i].has_end || l.s[i].end >= 0);
        }
        ssm_session_list_clear(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *copy;
        if (size == 0)
                return 0;
        /* exact size, no NUL after it: a read past the end is reported */
        copy = malloc(size - 1 ? size - 1 : 1);
        if (!copy)
                return 0;
        memcpy(copy, data + 1, size - 1);
        if (data[0] & 1)
                check_answer(copy, size - 1);
        else
                check_state(copy, size - 1);
        free(copy);
        return 0;
}
