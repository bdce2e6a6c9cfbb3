/* log_entry: what a hostile value can and cannot do to a log entry. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

/* ---- log_escape as it was before its ASCII table, the reference below ---- */

/* Bytes of the character that starts at s: a lead byte and as many of the
 * continuation bytes after it as it announces, so a cut never splits a
 * character and "\xc2\x85" is read as U+0085 whatever follows. */
static size_t ref_char_len(const unsigned char *s) {
        size_t want = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1, n = 1;
        while (n < want && (s[n] & 0xc0) == 0x80)
                n++;
        return n;
}

/* The escaped form of the character at s (of n bytes) into esc; its length. */
static size_t ref_escape_char(const unsigned char *s, size_t n, char esc[8]) {
        static const char hex[] = "0123456789abcdef";

        if (n == 1 && (s[0] < 0x20 || s[0] == 0x7f)) {
                memcpy(esc, "\\x", 2);
                esc[2] = hex[s[0] >> 4];
                esc[3] = hex[s[0] & 0xf];
                return 4;
        }
        if (n == 1 && s[0] == '\\') {
                memcpy(esc, "\\\\", 2);
                return 2;
        }
        /* C1 controls (U+0080..U+009F; NEL, CSI) and the Unicode line and
         * paragraph separators: some viewers break lines or obey them too */
        if ((n == 2 && s[0] == 0xc2 && s[1] <= 0x9f) ||
            (n == 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9))) {
                unsigned cp = n == 2 ? s[1] : 0x2000u | (s[2] - 0x80u);
                memcpy(esc, "\\u", 2);
                for (int i = 0; i < 4; i++)
                        esc[2 + i] = hex[(cp >> (12 - 4 * i)) & 0xf];
                return 6;
        }
        memcpy(esc, s, n);
        return n;
}

/* Whether the character at s (of n bytes) is written as it is. */
static bool ref_as_is(const unsigned char *s, size_t n) {
        if (n == 1)
                return s[0] >= 0x20 && s[0] != 0x7f && s[0] != '\\';
        return !(n == 2 && s[0] == 0xc2 && s[1] <= 0x9f) &&
               !(n == 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9));
}

/* The bytes from s on, at most room, written as they are: whole characters. */
static size_t ref_as_is_run(const unsigned char *s, size_t room) {
        size_t i = 0;

        while (s[i]) {
                size_t n = s[i] < 0x80 ? 1 : ref_char_len(s + i);
                if (i + n > room || !ref_as_is(s + i, n))
                        break;
                i += n;
        }
        return i;
}

static int ref_log_escape(struct buf *out, const char *s, size_t cap) {
        const unsigned char *p = (const unsigned char *)s;
        size_t used = 0;
        int r = 0;

        while (*p && r == 0) {
                char esc[8];
                /* a line per message: most of it is appended a run at a time */
                size_t run = ref_as_is_run(p, cap - used);
                if (run) {
                        r = buf_append(out, p, run);
                        used += run;
                        p += run;
                        continue;
                }
                size_t n = ref_char_len(p), k = ref_escape_char(p, n, esc);
                if (used + k > cap)
                        return buf_puts(out, LOG_TRUNCATED_MARK);
                r = buf_append(out, esc, k);
                used += k;
                p += n;
        }
        return r;
}

/* log_escape against the reference: every ASCII byte, then random strings
 * of the pieces it treats apart, at several caps: the same bytes. */
static void same_escape(const char *s) {
        static const size_t CAPS[] = { 0, 1, 2, 5, 13, 64, LOG_VALUE_MAX };
        struct buf want, got;

        for (size_t c = 0; c < sizeof(CAPS) / sizeof(CAPS[0]); c++) {
                buf_init(&want, 1 << 16);
                buf_init(&got, 1 << 16);
                assert_int_equal(ref_log_escape(&want, s, CAPS[c]), 0);
                assert_int_equal(log_escape(&got, s, CAPS[c]), 0);
                assert_string_equal(buf_str(&got), buf_str(&want));
                buf_free(&want);
                buf_free(&got);
        }
}

static void test_escape_as_before(void **state) {
        static const char *const PIECES[] = {
                "a", "~", " ", "\\\\", "\t", "\n", "\x01", "\x7f", "[", "]", "i-0123456789abcdef0",
                "\xc3\xa9", "\xc2\x85", "\xc2\x9f", "\xc2\xa0", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xaa",
                "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "\xff", "\x80", "\xc3", "\xe2\x80",
        };
        const size_t npieces = sizeof(PIECES) / sizeof(PIECES[0]);
        uint64_t x = 0x2545f4914f6cdd1du;
        struct buf s;

        (void)state;
        for (int c = 1; c < 0x80; c++) {
                char one[4] = { 'a', (char)c, 'b', '\0' };
                same_escape(one);
        }
        buf_init(&s, 1 << 16);
        for (int i = 0; i < 20000; i++) {
                buf_truncate(&s, 0);
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                for (size_t k = x % 40; k > 0; k--) {
                        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                        assert_int_equal(buf_puts(&s, PIECES[x % npieces]), 0);
                }
                same_escape(buf_str(&s));
        }
        buf_free(&s);
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
                cmocka_unit_test(test_escape_as_before),
                cmocka_unit_test(test_keys),
                cmocka_unit_test(test_entry),
                cmocka_unit_test(test_entry_field_count),
                cmocka_unit_test(test_lines),
                cmocka_unit_test(test_line_bound),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
