/* sns_values: attribute values and FIFO ids SNS accepts whatever the event
 * holds. Expected hashes were computed with Python's hashlib. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sns_values.h"
#include "textsafe.h"

static const char mark[] = "\xe2\x80\xa6[truncated]";

static void test_clean_values_are_kept(void **state) {
        (void)state;
        char v[SNS_ATTRIBUTE_VALUE_MAX + 1];
        static const char *const kept[] = { "alice", "StartSession", "123456789012", "bobson.dugnutt",
                                            "\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e" /* 山田 太郎 */ };
        for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
                assert_int_equal(sns_attribute_value(kept[i], v), 0);
                assert_string_equal(v, kept[i]);
        }
}

static void test_control_and_invalid_bytes_are_escaped(void **state) {
        (void)state;
        char v[SNS_ATTRIBUTE_VALUE_MAX + 1];
        assert_int_equal(sns_attribute_value("evil\x01\nFORGED", v), 0);
        assert_string_equal(v, "evil\\x01\\nFORGED");
        /* a lone continuation byte and a truncated sequence */
        assert_int_equal(sns_attribute_value("a\x80z\xe3\x81", v), 0);
        assert_string_equal(v, "a\\x80z\\xe3\\x81");
        /* right-to-left override, and the non-characters SNS refuses */
        assert_int_equal(sns_attribute_value("x\xe2\x80\xaey\xef\xbf\xbe\xef\xbf\xbf", v), 0);
        assert_string_equal(v, "x\\u202ey\\ufffe\\uffff");
        /* U+FFFD itself is a character SNS takes */
        assert_int_equal(sns_attribute_value("\xef\xbf\xbd", v), 0);
        assert_string_equal(v, "\xef\xbf\xbd");
}

static bool utf8_and_no_controls(const char *s) {
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return false;
        return textsafe_utf8_valid(s, strlen(s));
}

/* The attack of issue 16: a ~200 KB userName with control characters. */
static void test_huge_value_is_capped(void **state) {
        (void)state;
        char v[SNS_ATTRIBUTE_VALUE_MAX + 1];
        size_t n = 200000;
        char *big = malloc(n + 1);
        assert_non_null(big);
        for (size_t i = 0; i < n; i++)
                big[i] = i % 7 == 0 ? '\x01' : i % 7 == 1 ? '\n' : 'a';
        big[n] = '\0';
        assert_int_equal(sns_attribute_value(big, v), 0);
        assert_true(strlen(v) <= SNS_ATTRIBUTE_VALUE_MAX);
        assert_true(strlen(v) > SNS_ATTRIBUTE_VALUE_MAX - sizeof(mark) - 6);
        assert_true(utf8_and_no_controls(v));
        assert_string_equal(v + strlen(v) - strlen(mark), mark);
        /* cut between escapes: what precedes the mark is whole escapes */
        assert_memory_equal(v, "\\x01\\naaaaa\\x01\\n", 17);
        free(big);
}

/* Two-byte characters: the cut never splits one. */
static void test_cut_on_a_character_boundary(void **state) {
        (void)state;
        char v[SNS_ATTRIBUTE_VALUE_MAX + 1];
        char e[2 * 1000 + 1];
        for (size_t i = 0; i < 1000; i++)
                memcpy(e + 2 * i, "\xc3\xa9", 2);
        e[2000] = '\0';
        assert_int_equal(sns_attribute_value(e, v), 0);
        size_t body = strlen(v) - strlen(mark);
        assert_true(strlen(v) <= SNS_ATTRIBUTE_VALUE_MAX);
        assert_int_equal(body % 2, 0);
        assert_int_equal(body, (SNS_ATTRIBUTE_VALUE_MAX - strlen(mark)) / 2 * 2);
        assert_memory_equal(v, e, body);
        assert_true(utf8_and_no_controls(v));

        /* exactly at the cap: kept whole, no mark */
        memset(e, 'k', SNS_ATTRIBUTE_VALUE_MAX);
        e[SNS_ATTRIBUTE_VALUE_MAX] = '\0';
        assert_int_equal(sns_attribute_value(e, v), 0);
        assert_string_equal(v, e);
        e[SNS_ATTRIBUTE_VALUE_MAX] = 'k';
        e[SNS_ATTRIBUTE_VALUE_MAX + 1] = '\0';
        assert_int_equal(sns_attribute_value(e, v), 0);
        assert_int_equal(strlen(v), SNS_ATTRIBUTE_VALUE_MAX);
        assert_string_equal(v + SNS_ATTRIBUTE_VALUE_MAX - strlen(mark), mark);
}

static void test_fifo_ids(void **state) {
        (void)state;
        char id[SNS_FIFO_ID_MAX + 1];
        char s[SNS_FIFO_ID_MAX + 2];

        /* valid ids are kept: DESIGN.md's MessageDeduplicationId = eventID */
        assert_int_equal(sns_fifo_id("3fd1e9bd-7b1e-4a3c-9e6a-0c6d6b5c8b11", id), 0);
        assert_string_equal(id, "3fd1e9bd-7b1e-4a3c-9e6a-0c6d6b5c8b11");
        assert_int_equal(sns_fifo_id("i-0123456789abcdef0", id), 0);
        assert_string_equal(id, "i-0123456789abcdef0");
        assert_int_equal(sns_fifo_id("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", id), 0);
        assert_string_equal(id, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
        memset(s, 'x', SNS_FIFO_ID_MAX);
        s[SNS_FIFO_ID_MAX] = '\0';
        assert_true(sns_fifo_id_valid(s));
        assert_int_equal(sns_fifo_id(s, id), 0);
        assert_string_equal(id, s);

        /* anything else becomes its SHA-256 */
        s[SNS_FIFO_ID_MAX] = 'x';
        s[SNS_FIFO_ID_MAX + 1] = '\0';
        assert_false(sns_fifo_id_valid(s));
        assert_int_equal(sns_fifo_id(s, id), 0);
        assert_string_equal(id, "0ec9eb33e74510bcdd1f2ea55206e82f21649c5c2becbf2b433eb475b34c01bd");
        assert_int_equal(sns_fifo_id("evt id with space", id), 0);
        assert_string_equal(id, "81cb77c698b9472cc44b4bc6a9206d736fd165cdad97a96ccdbc66873a4925a5");
        assert_int_equal(sns_fifo_id("caf\xc3\xa9", id), 0);
        assert_string_equal(id, "850f7dc43910ff890f8879c0ed26fe697c93a067ad93a7d50f466a7028a9bf4e");
        assert_int_equal(sns_fifo_id("", id), 0);
        assert_string_equal(id, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_false(sns_fifo_id_valid("tab\there"));
        assert_false(sns_fifo_id_valid("del\x7f"));
        assert_false(sns_fifo_id_valid(""));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_clean_values_are_kept),
                cmocka_unit_test(test_control_and_invalid_bytes_are_escaped),
                cmocka_unit_test(test_huge_value_is_capped),
                cmocka_unit_test(test_cut_on_a_character_boundary),
                cmocka_unit_test(test_fifo_ids),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
