/* log_entry: what a hostile value can and cannot do to a log entry. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "log_entry.h"

#define MARK "\xe2\x80\xa6[truncated]"
/* Far above any escaped test string. */
#define TEST_BUF_MAX (1024 * 1024)

static char *escaped(const char *s, size_t cap) {
        struct buf b;
        buf_init(&b, TEST_BUF_MAX);
        assert_int_equal(log_escape(&b, s, cap), 0);
        return buf_steal(&b);
}

static void expect_escape(const char *in, size_t cap, const char *out) {
        char *got = escaped(in, cap);
        assert_string_equal(got, out);
        free(got);
}

static char *repeat(char c, size_t n) {
        char *s = malloc(n + 1);
        assert_non_null(s);
        memset(s, c, n);
        s[n] = '\0';
        return s;
}

static void test_escape(void **state) {
        (void)state;
        expect_escape("plain text, UTF-8 \xc3\xa9 \xe6\x97\xa5", 100, "plain text, UTF-8 \xc3\xa9 \xe6\x97\xa5");
        expect_escape("x\n<0>FORGED", 100, "x\\x0a<0>FORGED");
        expect_escape("a\rb\tc\x1b[31md\x7f", 100, "a\\x0db\\x09c\\x1b[31md\\x7f");
        /* a backslash in the input cannot pass for one of our escapes */
        expect_escape("x\\x0a<0>", 100, "x\\\\x0a<0>");
        /* C1 (NEL, CSI) and the Unicode line and paragraph separators */
        expect_escape("a\xc2\x85" "b\xc2\x9b" "c\xe2\x80\xa8" "d\xe2\x80\xa9" "e", 100,
                      "a\\u0085b\\u009bc\\u2028d\\u2029e");
        /* a stray continuation byte after one does not hide it */
        expect_escape("a\xc2\x85\x85" "b", 100, "a\\u0085\x85" "b");
        /* neighbours that are not controls stay */
        expect_escape("\xc2\xa0\xe2\x80\xa7\xe2\x80\xaa", 100, "\xc2\xa0\xe2\x80\xa7\xe2\x80\xaa");
        expect_escape("", 100, "");
}

static void test_escape_cap(void **state) {
        (void)state;
        expect_escape("abcdef", 6, "abcdef");
        expect_escape("abcdefg", 6, "abcdef" MARK);
        /* an escape is never split: "\x0a" is 4 bytes and does not fit in 2 */
        expect_escape("ab\ncd", 4, "ab" MARK);
        /* nor a character: é is 2 bytes */
        expect_escape("abc\xc3\xa9", 4, "abc" MARK);
        expect_escape("\xe6\x97\xa5\xe6\x97\xa5", 5, "\xe6\x97\xa5" MARK);
        /* a huge value ends at the cap */
        char *big = repeat('\n', 100000), *got = escaped(big, LOG_VALUE_MAX);
        assert_int_equal(strlen(got), LOG_VALUE_MAX + strlen(MARK));
        assert_null(strchr(got, '\n'));
        free(got);
        free(big);
}

static void test_keys(void **state) {
        (void)state;
        assert_true(log_key_valid("SQS_MESSAGE_ID"));
        assert_true(log_key_valid("A1"));
        assert_false(log_key_valid(NULL));
        assert_false(log_key_valid(""));
        assert_false(log_key_valid("_SYSTEMD_UNIT")); /* trusted fields are journald's own */
        assert_false(log_key_valid("1A"));
        assert_false(log_key_valid("lower"));
        assert_false(log_key_valid("A=B"));
        assert_false(log_key_valid("A\nPRIORITY"));
        char *k = repeat('K', LOG_KEY_MAX);
        assert_true(log_key_valid(k));
        free(k);
        k = repeat('K', LOG_KEY_MAX + 1);
        assert_false(log_key_valid(k));
        free(k);
}

static const char *part(const struct log_entry *e, size_t i) {
        assert_true(i < e->n);
        assert_ptr_equal(e->iov[i].iov_base, e->parts[i].data);
        assert_int_equal(e->iov[i].iov_len, e->parts[i].len);
        return buf_str(&e->parts[i]);
}

static void test_entry(void **state) {
        (void)state;
        char *huge = repeat('A', 200000);
        const struct log_field f[] = {
                { "EVENT_SOURCE", "x\n<0>FORGED" },
                { "SKIPPED", NULL },
                { "ACTOR", huge },
                { "bad key", "dropped" },
                { "TARGET", "i-1" },
        };
        struct log_entry e;

        assert_int_equal(log_entry_build(&e, 3, "1a2f37151e504662961e00ccc73ae084", f, 5, "m\n<0>FORGED"), 0);
        assert_int_equal(e.n, 6);
        assert_string_equal(part(&e, 0), "PRIORITY=3");
        assert_string_equal(part(&e, 1), "MESSAGE=m\\x0a<0>FORGED");
        assert_string_equal(part(&e, 2), "MESSAGE_ID=1a2f37151e504662961e00ccc73ae084");
        assert_string_equal(part(&e, 3), "EVENT_SOURCE=x\\x0a<0>FORGED");
        /* the long value is cut and marked, and the entry keeps everything else */
        assert_int_equal(strlen(part(&e, 4)), strlen("ACTOR=") + LOG_VALUE_MAX + strlen(MARK));
        assert_memory_equal(part(&e, 4), "ACTOR=AAAA", 10);
        assert_string_equal(part(&e, 4) + strlen(part(&e, 4)) - strlen(MARK), MARK);
        assert_string_equal(part(&e, 5), "TARGET=i-1");
        log_entry_free(&e);
        log_entry_free(NULL);

        /* no MESSAGE_ID, a huge message */
        assert_int_equal(log_entry_build(&e, 6, NULL, NULL, 0, huge), 0);
        assert_int_equal(e.n, 2);
        assert_int_equal(strlen(part(&e, 1)), strlen("MESSAGE=") + LOG_MESSAGE_MAX + strlen(MARK));
        log_entry_free(&e);
        free(huge);
}

static void test_entry_field_count(void **state) {
        (void)state;
        struct log_field f[LOG_FIELDS_MAX + 5];
        struct log_entry e;

        for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
                f[i] = (struct log_field){ "F", "v" };
        assert_int_equal(log_entry_build(&e, 6, "id", f, sizeof(f) / sizeof(f[0]), "m"), 0);
        assert_int_equal(e.n, 3 + LOG_FIELDS_MAX);
        log_entry_free(&e);
}

static char *line(enum log_line_style style, int level, const char *id, const struct log_field *f, size_t n,
                  const char *msg) {
        struct buf b;
        buf_init(&b, LOG_LINE_MAX);
        assert_int_equal(log_line_build(&b, style, level, id, f, n, msg), 0);
        return buf_steal(&b);
}

static void test_lines(void **state) {
        (void)state;
        const struct log_field f[] = { { "EVENT_ID", "e\n<0>x" }, { "NONE", NULL } };
        char *l;

        l = line(LOG_LINE_STREAM, 4, "abc", f, 2, "hello\n<0>FORGED");
        assert_string_equal(l, "<4>hello\\x0a<0>FORGED EVENT_ID=e\\x0a<0>x\n");
        free(l);
        l = line(LOG_LINE_FALLBACK, 4, "abc", f, 2, "hello");
        assert_string_equal(l, "<4>hello MESSAGE_ID=abc EVENT_ID=e\\x0a<0>x\n");
        free(l);
        l = line(LOG_LINE_FALLBACK, 4, NULL, NULL, 0, "hello");
        assert_string_equal(l, "<4>hello\n");
        free(l);
        l = line(LOG_LINE_TERMINAL, 4, "abc", f, 2, "hello\n<0>FORGED");
        assert_string_equal(l, "hello\\x0a<0>FORGED\n");
        free(l);
}

/* Everything at its largest still makes one line within LOG_LINE_MAX. */
static void test_line_bound(void **state) {
        (void)state;
        char *huge = repeat('\x01', 100000), *key = repeat('K', LOG_KEY_MAX);
        struct log_field f[LOG_FIELDS_MAX + 1];
        for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
                f[i] = (struct log_field){ key, huge };

        char *l = line(LOG_LINE_FALLBACK, 0, huge, f, sizeof(f) / sizeof(f[0]), huge);
        assert_true(strlen(l) <= LOG_LINE_MAX);
        assert_ptr_equal(strchr(l, '\n'), l + strlen(l) - 1);
        free(l);
        free(key);
        free(huge);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_escape),
                cmocka_unit_test(test_escape_cap),
                cmocka_unit_test(test_keys),
                cmocka_unit_test(test_entry),
                cmocka_unit_test(test_entry_field_count),
                cmocka_unit_test(test_lines),
                cmocka_unit_test(test_line_bound),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
