/* test_session_store: the open sessions in memory and in their text form,
 * and the state file on disk (a fresh directory under /tmp). The expected
 * form is written by hand from session_store.h and DESIGN.md. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "session_file.h"
#include "session_store.h"
#include "shuffle.h"
#include "tempdir.h"
#include "testdata.h"

static const struct session_entry alice = {
        .session_id = "alice-0a1b2c3d4e5f60718",
        .target = "i-0123456789abcdef0",
        .owner = "alice",
        .account_id = "210987654321",
        .region = "us-east-1",
        .start = 1700000000,
};

static struct session_store *parse(const char *text, int want) {
        struct session_store *s = NULL;
        char *copy = testdata_dup(text, strlen(text)); /* no NUL after it */
        assert_int_equal(session_store_parse(copy, strlen(text), 8, &s), want);
        free(copy);
        return s;
}

static void test_add_find_remove(void **state) {
        (void)state;
        struct session_store *s;
        struct session_entry e = alice;
        assert_int_equal(session_store_new(8, &s), 0);
        assert_int_equal(session_store_add(s, &alice, NULL), 0);
        const struct session_entry *got = session_store_find(s, "alice-0a1b2c3d4e5f60718");
        assert_non_null(got);
        assert_string_equal(got->target, "i-0123456789abcdef0");
        assert_string_equal(got->owner, "alice");
        assert_int_equal(got->start, 1700000000);
        assert_int_equal(got->resumes, 0);
        assert_false(got->still_open_sent);
        assert_ptr_not_equal(got->target, alice.target); /* a copy */

        /* the same ID again replaces it: no second entry */
        e.target = "i-0fedcba9876543210";
        assert_int_equal(session_store_add(s, &e, NULL), 0);
        assert_int_equal(session_store_count(s), 1);
        assert_string_equal(session_store_find(s, alice.session_id)->target, "i-0fedcba9876543210");

        assert_int_equal(session_store_resumed(s, alice.session_id), 0);
        assert_int_equal(session_store_resumed(s, alice.session_id), 0);
        assert_int_equal(session_store_find(s, alice.session_id)->resumes, 2);
        assert_int_equal(session_store_mark_still_open(s, alice.session_id), 0);
        assert_true(session_store_find(s, alice.session_id)->still_open_sent);

        /* misses: the next look-up waits the interval, then twice as long, up to an hour */
        assert_int_equal(session_store_missed(s, alice.session_id, 1000, 300), 0);
        assert_int_equal(session_store_find(s, alice.session_id)->retry_after, 1300);
        assert_int_equal(session_store_missed(s, alice.session_id, 1300, 300), 0);
        assert_int_equal(session_store_find(s, alice.session_id)->retry_after, 1900);
        for (int i = 0; i < 40; i++)
                assert_int_equal(session_store_missed(s, alice.session_id, 2000, 300), 0);
        assert_int_equal(session_store_find(s, alice.session_id)->retry_after, 2000 + 3600);
        assert_int_equal(session_store_missed(s, "bob-1", 0, 300), -ENOENT);

        assert_int_equal(session_store_resumed(s, "bob-1"), -ENOENT);
        assert_int_equal(session_store_mark_still_open(s, "bob-1"), -ENOENT);
        assert_int_equal(session_store_remove(s, "bob-1"), -ENOENT);
        assert_int_equal(session_store_remove(s, alice.session_id), 0);
        assert_int_equal(session_store_count(s), 0);
        assert_null(session_store_find(s, alice.session_id));
        assert_null(session_store_find(s, NULL));
        session_store_free(s);
        session_store_free(NULL);
}

static void test_bad_entries_refused(void **state) {
        (void)state;
        struct session_store *s;
        struct session_entry e = alice;
        char long_id[SESSION_FIELD_MAX + 2];
        assert_int_equal(session_store_new(2, &s), 0);
        e.session_id = NULL;
        assert_int_equal(session_store_add(s, &e, NULL), -EINVAL);
        memset(long_id, 'a', sizeof(long_id) - 1);
        long_id[sizeof(long_id) - 1] = '\0';
        e.session_id = long_id;
        assert_int_equal(session_store_add(s, &e, NULL), -EINVAL);
        e.session_id = "alice-1";
        e.target = "i-1\nFAKE: line";
        assert_int_equal(session_store_add(s, &e, NULL), -EINVAL);
        e.target = "\xff\xfe";
        assert_int_equal(session_store_add(s, &e, NULL), -EINVAL);
        assert_int_equal(session_store_count(s), 0);
        session_store_free(s);
        assert_int_equal(session_store_new(0, &s), -EINVAL);
}

static void test_full_store_evicts_oldest(void **state) {
        (void)state;
        struct session_store *s;
        struct session_entry e = alice;
        char *evicted = (char *)"untouched";
        assert_int_equal(session_store_new(3, &s), 0);
        const char *ids[] = { "s-new", "s-oldest", "s-middle" };
        const time_t starts[] = { 300, 100, 200 };
        for (size_t i = 0; i < 3; i++) {
                e.session_id = (char *)ids[i];
                e.start = starts[i];
                assert_int_equal(session_store_add(s, &e, &evicted), 0);
                assert_null(evicted);
        }
        e.session_id = "s-newest";
        e.start = 400;
        assert_int_equal(session_store_add(s, &e, &evicted), 0);
        assert_string_equal(evicted, "s-oldest");
        free(evicted);
        assert_int_equal(session_store_count(s), 3);
        assert_null(session_store_find(s, "s-oldest"));
        assert_non_null(session_store_find(s, "s-newest"));
        /* replacing an entry in a full store evicts nothing */
        e.session_id = "s-middle";
        assert_int_equal(session_store_add(s, &e, &evicted), 0);
        assert_null(evicted);
        assert_int_equal(session_store_count(s), 3);
        session_store_free(s);
}

/* The reference for the big test: what the store must hold, kept as plain
 * arrays and checked by scanning them. */
enum { BIG = SESSION_STORE_MAX, BIG_IDS = 2 * SESSION_STORE_MAX };
struct reference {
        char id[BIG_IDS][32];
        time_t start[BIG_IDS];
        unsigned resumes[BIG_IDS];
        bool in[BIG_IDS];
};

static size_t reference_index(const char *session_id) {
        size_t i;
        assert_int_equal(sscanf(session_id, "owner-%zx", &i), 1);
        assert_true(i < BIG_IDS);
        return i;
}

/* find() answers for each ID as the reference says, and at() lists each
 * session in the reference once. */
static void assert_store_is(const struct session_store *s, const struct reference *ref) {
        static bool seen[BIG_IDS];
        size_t n = 0;
        for (size_t i = 0; i < BIG_IDS; i++) {
                const struct session_entry *e = session_store_find(s, ref->id[i]);
                if (!ref->in[i]) {
                        assert_null(e);
                        continue;
                }
                assert_non_null(e);
                assert_string_equal(e->session_id, ref->id[i]);
                assert_int_equal(e->start, ref->start[i]);
                assert_int_equal(e->resumes, ref->resumes[i]);
                n++;
        }
        assert_int_equal(session_store_count(s), n);
        memset(seen, 0, sizeof(seen));
        for (size_t k = 0; k < n; k++) {
                size_t i = reference_index(session_store_at(s, k)->session_id);
                assert_true(ref->in[i]);
                assert_false(seen[i]);
                seen[i] = true;
        }
}

/* Thousands of sessions: a full store, half of it removed in random order
 * (each removal moves the last entry), resumes, refilled, then evictions at
 * capacity, all against the reference. */
static void test_thousands_against_reference(void **state) {
        (void)state;
        static struct reference ref;
        static size_t order[BIG_IDS];
        struct session_store *s;
        struct session_entry e = alice;
        char *evicted = NULL;

        memset(&ref, 0, sizeof(ref));
        shuffle_order(order, BIG_IDS, 11);
        for (size_t i = 0; i < BIG_IDS; i++) {
                snprintf(ref.id[i], sizeof(ref.id[i]), "owner-%017zx", i);
                ref.start[i] = 1700000000 + (time_t)order[i]; /* distinct: the oldest is one */
        }
        assert_int_equal(session_store_new(BIG, &s), 0);
        for (size_t i = 0; i < BIG; i++) {
                e.session_id = ref.id[i];
                e.start = ref.start[i];
                assert_int_equal(session_store_add(s, &e, &evicted), 0);
                assert_null(evicted);
                ref.in[i] = true;
        }
        assert_store_is(s, &ref);

        shuffle_order(order, BIG, 12);
        for (size_t k = 0; k < BIG / 2; k++) {
                assert_int_equal(session_store_remove(s, ref.id[order[k]]), 0);
                ref.in[order[k]] = false;
                assert_null(session_store_find(s, ref.id[order[k]]));
                if (k % 512 == 0)
                        assert_store_is(s, &ref);
        }
        for (size_t i = 0; i < BIG; i += 3)
                if (ref.in[i]) {
                        assert_int_equal(session_store_resumed(s, ref.id[i]), 0);
                        ref.resumes[i]++;
                } else {
                        assert_int_equal(session_store_resumed(s, ref.id[i]), -ENOENT);
                }
        assert_store_is(s, &ref);

        /* refill, then each add at capacity evicts the oldest left */
        for (size_t i = BIG; i < BIG_IDS; i++) {
                size_t oldest = BIG_IDS;
                bool full = session_store_count(s) == BIG;
                for (size_t j = 0; j < BIG_IDS && full; j++)
                        if (ref.in[j] && (oldest == BIG_IDS || ref.start[j] < ref.start[oldest]))
                                oldest = j;
                e.session_id = ref.id[i];
                e.start = ref.start[i];
                assert_int_equal(session_store_add(s, &e, &evicted), 0);
                ref.in[i] = true;
                if (full) {
                        assert_non_null(evicted);
                        assert_string_equal(evicted, ref.id[oldest]);
                        ref.in[oldest] = false;
                        free(evicted);
                } else {
                        assert_null(evicted);
                }
                if (i % 512 == 0)
                        assert_store_is(s, &ref);
        }
        assert_int_equal(session_store_count(s), BIG);
        assert_store_is(s, &ref);
        session_store_free(s);
}

/* Sessions of one account and region share their copies: removing or
 * replacing one leaves the others' intact, and entries without them work. */
static void test_shared_account_and_region(void **state) {
        (void)state;
        struct session_store *s;
        struct session_entry e = alice;
        const struct session_entry *got;
        char account[] = "210987654321";
        assert_int_equal(session_store_new(4, &s), 0);
        e.account_id = account;
        assert_int_equal(session_store_add(s, &e, NULL), 0);
        e.session_id = "alice-2";
        assert_int_equal(session_store_add(s, &e, NULL), 0);
        account[0] = 'X'; /* the caller's string was copied */
        assert_int_equal(session_store_remove(s, alice.session_id), 0);
        e.account_id = "210987654321";
        e.region = "eu-west-1"; /* alice-2 again: its old region's copy goes */
        assert_int_equal(session_store_add(s, &e, NULL), 0);
        got = session_store_find(s, "alice-2");
        assert_non_null(got);
        assert_string_equal(got->account_id, "210987654321");
        assert_string_equal(got->region, "eu-west-1");
        e = (struct session_entry){ .session_id = "bare-1", .start = 5 };
        assert_int_equal(session_store_add(s, &e, NULL), 0);
        got = session_store_find(s, "bare-1");
        assert_null(got->target);
        assert_null(got->owner);
        assert_null(got->account_id);
        assert_null(got->region);
        assert_string_equal(session_store_find(s, "alice-2")->target, alice.target);
        session_store_free(s);
}

static void test_format_parse_round_trip(void **state) {
        (void)state;
        struct session_store *s, *back;
        struct session_entry bob = { .session_id = "bob-1", .start = 5 }; /* unknown target, owner… */
        struct buf text;
        assert_int_equal(session_store_new(8, &s), 0);
        assert_int_equal(session_store_add(s, &alice, NULL), 0);
        assert_int_equal(session_store_add(s, &bob, NULL), 0);
        assert_int_equal(session_store_resumed(s, "bob-1"), 0);
        assert_int_equal(session_store_mark_still_open(s, "bob-1"), 0);
        buf_init(&text, SESSION_FILE_MAX);
        assert_int_equal(session_store_format(s, &text), 0);
        assert_non_null(strstr(text.data, "\"version\":1"));
        assert_null(strstr(text.data, "null")); /* unknown is absent, not null */

        back = parse(text.data, 0);
        assert_int_equal(session_store_count(back), 2);
        const struct session_entry *a = session_store_find(back, alice.session_id);
        assert_string_equal(a->target, alice.target);
        assert_string_equal(a->owner, "alice");
        assert_string_equal(a->account_id, "210987654321");
        assert_string_equal(a->region, "us-east-1");
        assert_int_equal(a->start, 1700000000);
        const struct session_entry *b = session_store_find(back, "bob-1");
        assert_null(b->target);
        assert_null(b->owner);
        assert_int_equal(b->resumes, 1);
        assert_true(b->still_open_sent);
        buf_free(&text);
        session_store_free(back);
        session_store_free(s);

        /* strings JSON must escape, and UTF-8, come back as they were */
        struct session_entry odd = {
                .session_id = "odd-1", .owner = "a\"b\\c", .target = "\xe5\xb1\xb1\xe7\x94\xb0", .start = 7,
        };
        assert_int_equal(session_store_new(1, &s), 0);
        assert_int_equal(session_store_add(s, &odd, NULL), 0);
        buf_init(&text, 1024);
        assert_int_equal(session_store_format(s, &text), 0);
        back = parse(text.data, 0);
        assert_string_equal(session_store_find(back, "odd-1")->owner, "a\"b\\c");
        assert_string_equal(session_store_find(back, "odd-1")->target, "\xe5\xb1\xb1\xe7\x94\xb0");
        session_store_free(back);
        session_store_free(s);
        buf_free(&text);

        /* an empty store has a form too */
        assert_int_equal(session_store_new(1, &s), 0);
        buf_init(&text, 1024);
        assert_int_equal(session_store_format(s, &text), 0);
        back = parse(text.data, 0);
        assert_int_equal(session_store_count(back), 0);
        session_store_free(back);
        session_store_free(s);
        buf_free(&text);
}

#define ENTRY(extra) "{\"session_id\":\"a-1\",\"start\":1,\"resumes\":0,\"still_open_sent\":false" extra "}"

static void test_parse_refuses_what_is_not_the_form(void **state) {
        (void)state;
        static const struct {
                const char *text;
                int want;
        } cases[] = {
                { "", -EBADMSG },
                { "garbage", -EBADMSG },
                { "[]", -EBADMSG },
                { "null", -EBADMSG },
                { "{\"sessions\":[]}", -EBADMSG },                            /* no version */
                { "{\"version\":\"1\",\"sessions\":[]}", -EBADMSG },
                { "{\"version\":2,\"sessions\":[]}", -EPROTONOSUPPORT },
                { "{\"version\":1}", -EBADMSG },
                { "{\"version\":1,\"sessions\":{}}", -EBADMSG },
                { "{\"version\":1,\"sessions\":[],\"more\":1}", -EBADMSG },
                { "{\"version\":1,\"sessions\":[1]}", -EBADMSG },
                { "{\"version\":1,\"sessions\":[{}]}", -EBADMSG },
                { "{\"version\":1,\"sessions\":[" ENTRY(",\"x\":1") "]}", -EBADMSG },
                { "{\"version\":1,\"sessions\":[" ENTRY(",\"target\":5") "]}", -EBADMSG },
                { "{\"version\":1,\"sessions\":[" ENTRY(",\"target\":\"\"") "]}", -EBADMSG },
                { "{\"version\":1,\"sessions\":[" ENTRY(",\"target\":\"a\\nb\"") "]}", -EBADMSG },
                { "{\"version\":1,\"sessions\":[" ENTRY(",\"target\":\"a\\u0000b\"") "]}", -EBADMSG },
                { "{\"version\":1,\"sessions\":[{\"session_id\":\"a\",\"start\":-1,\"resumes\":0,"
                  "\"still_open_sent\":false}]}", -EBADMSG },
                { "{\"version\":1,\"sessions\":[{\"session_id\":\"a\",\"start\":1,\"resumes\":0,"
                  "\"still_open_sent\":0}]}", -EBADMSG },
                { "{\"version\":1,\"sessions\":[" ENTRY("") "," ENTRY("") "]}", -EBADMSG }, /* duplicate */
                { "{\"version\":1,\"sessions\":[[[[[[]]]]]]}", -EBADMSG },
                { "{\"version\":1,\"sessions\":[]} trailing", -EBADMSG },
                { "{\"version\":1,\"sessions\":[" ENTRY("") "]}", 0 },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                printf("case %zu: %s\n", i, cases[i].text);
                session_store_free(parse(cases[i].text, cases[i].want));
        }
}

static void test_parse_bounds(void **state) {
        (void)state;
        struct session_store *s = NULL;
        struct buf text;
        char *big;
        /* more sessions than the store holds */
        buf_init(&text, 4096);
        buf_puts(&text, "{\"version\":1,\"sessions\":[");
        for (int i = 0; i < 9; i++)
                buf_printf(&text, "%s{\"session_id\":\"s-%d\",\"start\":1,\"resumes\":0,\"still_open_sent\":false}",
                           i ? "," : "", i);
        buf_puts(&text, "]}");
        session_store_free(parse(text.data, -E2BIG));
        buf_free(&text);
        /* a file above SESSION_FILE_MAX is refused before parsing */
        big = calloc(1, SESSION_FILE_MAX + 1);
        assert_non_null(big);
        assert_int_equal(session_store_parse(big, SESSION_FILE_MAX + 1, 8, &s), -E2BIG);
        assert_null(s);
        free(big);
}

/* ---- the file ---- */

static void write_file(const char *name, const char *text) {
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", tempdir, name);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static int count_files(const char *prefix) {
        DIR *d = opendir(tempdir);
        struct dirent *de;
        int n = 0;
        while ((de = readdir(d)))
                n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
        closedir(d);
        return n;
}

static void test_file_save_load(void **state) {
        (void)state;
        struct session_store *s, *back;
        char path[PATH_MAX];
        struct stat st;

        /* no file yet: an empty store */
        assert_int_equal(session_file_load(tempdir, 8, 1700000000, &back), 0);
        assert_int_equal(session_store_count(back), 0);
        session_store_free(back);

        assert_int_equal(session_store_new(8, &s), 0);
        assert_int_equal(session_store_add(s, &alice, NULL), 0);
        assert_int_equal(session_file_save(tempdir, s), 0);
        snprintf(path, sizeof(path), "%s/sessions.json", tempdir);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal(count_files(".sessions.json"), 0); /* no temporary file left */
        assert_int_equal(session_file_load(tempdir, 8, 1700000000, &back), 0);
        assert_int_equal(session_store_count(back), 1);
        assert_string_equal(session_store_find(back, alice.session_id)->target, alice.target);
        session_store_free(back);
        /* a directory that is not there: the error, nothing else */
        assert_int_equal(session_file_save("/nonexistent/dir", s), -ENOENT);
        session_store_free(s);
}

/* A file far larger than one read: the loader grows its buffer with the
 * file and gets every session back. */
static void test_file_large(void **state) {
        (void)state;
        struct session_store *s, *back;
        struct session_entry e = alice;
        char id[64];
        struct stat st;
        char path[PATH_MAX];

        assert_int_equal(session_store_new(SESSION_STORE_MAX, &s), 0);
        for (int i = 0; i < 1000; i++) {
                snprintf(id, sizeof(id), "alice-%017d", i);
                e.session_id = id;
                assert_int_equal(session_store_add(s, &e, NULL), 0);
        }
        assert_int_equal(session_file_save(tempdir, s), 0);
        snprintf(path, sizeof(path), "%s/sessions.json", tempdir);
        assert_int_equal(stat(path, &st), 0);
        assert_true(st.st_size > 100 * 1024);
        assert_int_equal(session_file_load(tempdir, SESSION_STORE_MAX, 1700000000, &back), 0);
        assert_int_equal(session_store_count(back), 1000);
        assert_non_null(session_store_find(back, "alice-00000000000000999"));
        session_store_free(back);
        session_store_free(s);
}

struct collected {
        struct buf all;
        size_t pieces, largest, fail_at; /* fail_at: the piece the sink refuses (0: none) */
};

static int collect(void *userdata, const char *data, size_t len) {
        struct collected *c = userdata;
        if (++c->pieces == c->fail_at)
                return -ENOSPC;
        if (len > c->largest)
                c->largest = len;
        return buf_append(&c->all, data, len);
}

/* The pieces make exactly the text form, none much above the chunk size. */
static void test_write_in_pieces(void **state) {
        (void)state;
        struct session_store *s;
        struct session_entry e = alice;
        struct collected c = { .pieces = 0 };
        struct buf whole, scratch;
        char id[64];

        assert_int_equal(session_store_new(SESSION_STORE_MAX, &s), 0);
        for (int i = 0; i < 1000; i++) {
                snprintf(id, sizeof(id), "alice-%017d", i);
                e.session_id = id;
                assert_int_equal(session_store_add(s, &e, NULL), 0);
        }
        buf_init(&whole, SESSION_FILE_MAX);
        buf_init(&scratch, SESSION_FILE_MAX);
        buf_init(&c.all, SESSION_FILE_MAX);
        assert_int_equal(session_store_format(s, &whole), 0);
        assert_true(whole.len > 8 * SESSION_WRITE_CHUNK);
        assert_int_equal(session_store_write(s, &scratch, collect, &c), 0);
        assert_int_equal(c.all.len, whole.len);
        assert_memory_equal(c.all.data, whole.data, whole.len);
        assert_true(c.pieces > 8);
        assert_true(c.largest < SESSION_WRITE_CHUNK + 1024);
        assert_int_equal(scratch.len, 0);
        assert_true(scratch.alloc < 4 * SESSION_WRITE_CHUNK);

        /* a sink's error stops the writing and is returned */
        buf_truncate(&c.all, 0);
        c.pieces = 0;
        c.fail_at = 2;
        assert_int_equal(session_store_write(s, &scratch, collect, &c), -ENOSPC);
        assert_int_equal(c.pieces, 2);
        assert_int_equal(session_store_write(s, &scratch, NULL, NULL), -EINVAL);
        buf_free(&c.all);
        buf_free(&scratch);
        buf_free(&whole);
        session_store_free(s);
}

static void test_file_corrupt_set_aside(void **state) {
        (void)state;
        struct session_store *s;
        static const char *const bad[] = { "not json at all", "{\"version\":99,\"sessions\":[]}" };
        for (size_t i = 0; i < 2; i++) {
                write_file("sessions.json", bad[i]);
                assert_int_equal(session_file_load(tempdir, 8, (time_t)1700000000 + (time_t)i, &s), 0);
                assert_int_equal(session_store_count(s), 0);
                session_store_free(s);
        }
        /* each set aside under its time, the content kept */
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/sessions.json.corrupt-20231114T221320Z", tempdir);
        assert_int_equal(access(path, F_OK), 0);
        snprintf(path, sizeof(path), "%s/sessions.json.corrupt-20231114T221321Z", tempdir);
        assert_int_equal(access(path, F_OK), 0);
        snprintf(path, sizeof(path), "%s/sessions.json", tempdir);
        assert_int_equal(access(path, F_OK), -1);

        /* a symbolic link in its place is not followed */
        assert_int_equal(symlink("/etc/passwd", path), 0);
        assert_int_equal(session_file_load(tempdir, 8, 1700000100, &s), 0);
        assert_int_equal(session_store_count(s), 0);
        session_store_free(s);
        assert_int_equal(count_files("sessions.json.corrupt-"), 3);

        /* a file another user owns is not ours, whatever it holds (only root can make one here) */
        if (geteuid() == 0) {
                struct session_store *good;
                assert_int_equal(session_store_new(8, &good), 0);
                assert_int_equal(session_store_add(good, &alice, NULL), 0);
                assert_int_equal(session_file_save(tempdir, good), 0);
                session_store_free(good);
                assert_int_equal(chown(path, 65534, 65534), 0);
                assert_int_equal(session_file_load(tempdir, 8, 1700000200, &s), 0);
                assert_int_equal(session_store_count(s), 0);
                session_store_free(s);
                assert_int_equal(count_files("sessions.json.corrupt-"), 4);
        }
}

static void test_state_directory(void **state) {
        (void)state;
        char buf[64];
        assert_string_equal(session_file_dir(NULL, buf, sizeof(buf)), "/var/lib/ssm-notifyd");
        assert_string_equal(session_file_dir("", buf, sizeof(buf)), "/var/lib/ssm-notifyd");
        assert_string_equal(session_file_dir("/run/state/a", buf, sizeof(buf)), "/run/state/a");
        /* systemd lists several StateDirectory= entries with ':' */
        assert_string_equal(session_file_dir("/var/lib/a:/var/lib/b", buf, sizeof(buf)), "/var/lib/a");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_add_find_remove),
                cmocka_unit_test(test_bad_entries_refused),
                cmocka_unit_test(test_full_store_evicts_oldest),
                cmocka_unit_test(test_thousands_against_reference),
                cmocka_unit_test(test_shared_account_and_region),
                cmocka_unit_test(test_format_parse_round_trip),
                cmocka_unit_test(test_parse_refuses_what_is_not_the_form),
                cmocka_unit_test(test_parse_bounds),
                cmocka_unit_test_setup_teardown(test_file_save_load, tempdir_make, tempdir_remove),
                cmocka_unit_test_setup_teardown(test_file_large, tempdir_make, tempdir_remove),
                cmocka_unit_test(test_write_in_pieces),
                cmocka_unit_test_setup_teardown(test_file_corrupt_set_aside, tempdir_make, tempdir_remove),
                cmocka_unit_test(test_state_directory),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
