/* urlenc and form_encode. Expected strings are worked out by hand from the
 * rule in DESIGN.md ("Wire details": A-Z a-z 0-9 - _ . ~ as is, space as '+'
 * in forms, every other byte %XX upper case) and an ASCII/UTF-8 table. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "urlenc.h"

/* Far above any encoded test string. */
#define TEST_BUF_MAX (1024 * 1024)

/* Encodes s with flags into a fresh buffer and compares. */
static void check_enc(const char *s, size_t len, unsigned flags, const char *want) {
        struct buf b;
        buf_init(&b, TEST_BUF_MAX);
        assert_int_equal(urlenc_append(&b, s, len, flags), 0);
        assert_string_equal(buf_str(&b), want);
        assert_int_equal(b.len, strlen(want));
        buf_free(&b);
}

static void check_str(const char *s, unsigned flags, const char *want) {
        check_enc(s, strlen(s), flags, want);
}

static void test_unreserved_kept(void **state) {
        (void)state;
        const char *u = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
        check_str(u, 0, u);
        check_str(u, URLENC_SPACE_PLUS, u);
        check_str(u, URLENC_KEEP_SLASH | URLENC_SPACE_PLUS, u);
        check_str("~", 0, "~");
        check_str("", 0, "");
}

static void test_reserved_encoded(void **state) {
        (void)state;
        /* '*' is kept by some encoders (JavaScript's encodeURIComponent,
         * Python's form encoders): AWS wants it encoded. */
        check_str("*", 0, "%2A");
        check_str("!'()", 0, "%21%27%28%29");
        check_str("a+b", 0, "a%2Bb");
        check_str("a+b", URLENC_SPACE_PLUS, "a%2Bb");
        check_str("k=v&x", 0, "k%3Dv%26x");
        check_str("%", 0, "%25");
        check_str("arn:aws:sns:us-east-1:123456789012:alerts", 0,
                  "arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Aalerts");
        check_str("\n\t\x7f", 0, "%0A%09%7F");
}

static void test_space(void **state) {
        (void)state;
        check_str("a b", 0, "a%20b");
        check_str("a b", URLENC_SPACE_PLUS, "a+b");
        check_str("a b", URLENC_KEEP_SLASH, "a%20b");
}

static void test_slash(void **state) {
        (void)state;
        check_str("/a/b/", 0, "%2Fa%2Fb%2F");
        check_str("/a/b/", URLENC_SPACE_PLUS, "%2Fa%2Fb%2F");
        check_str("/a/b/", URLENC_KEEP_SLASH, "/a/b/");
        check_str("/a b/", URLENC_KEEP_SLASH | URLENC_SPACE_PLUS, "/a+b/");
}

static void test_utf8_and_binary(void **state) {
        (void)state;
        check_str("\xc3\xa9", 0, "%C3%A9");             /* é  U+00E9 */
        check_str("\xe3\x82\xb8", 0, "%E3%82%B8");      /* ジ U+30B8 */
        check_str("\xe1\x88\xb4", 0, "%E1%88%B4");      /* ሴ U+1234, as in the SigV4 suites */
        check_str("\xff\x80", 0, "%FF%80");             /* upper-case hex digits */
        check_enc("a\0b", 3, 0, "a%00b");               /* length, not NUL, ends the input */
        check_enc("abc", 2, 0, "ab");
}

static void test_append_and_cap(void **state) {
        (void)state;
        struct buf b;
        buf_init(&b, 6);
        assert_int_equal(buf_puts(&b, "ab"), 0);
        assert_int_equal(urlenc_append(&b, "c", 1, 0), 0);
        assert_string_equal(buf_str(&b), "abc");
        /* "d e" needs 5 more bytes, 3 are left: refused, buffer unchanged */
        assert_int_equal(urlenc_append(&b, "d e", 3, 0), -E2BIG);
        assert_string_equal(buf_str(&b), "abc");
        assert_int_equal(b.len, 3);
        assert_int_equal(urlenc_append(&b, "d e", 3, URLENC_SPACE_PLUS), 0);
        assert_string_equal(buf_str(&b), "abcd+e");
        assert_int_equal(urlenc_append(&b, "", 0, 0), 0);
        assert_int_equal(urlenc_append(&b, NULL, 0, 0), 0);
        assert_int_equal(urlenc_append(&b, NULL, 1, 0), -EINVAL);
        assert_int_equal(urlenc_append(NULL, "a", 1, 0), -EINVAL);
        assert_string_equal(buf_str(&b), "abcd+e");
        buf_free(&b);
}

static void test_form_publish(void **state) {
        (void)state;
        const struct form_param p[] = {
                { "Action", "Publish" },
                { "Version", "2010-03-31" },
                { "TopicArn", "arn:aws:sns:us-east-1:123456789012:alerts" },
                { "Subject", "SSM StartSession" },
                { "Message", "a*b/c~d \xc3\xa9\n\xe3\x82\xb8" },
        };
        struct buf b;
        buf_init(&b, TEST_BUF_MAX);
        assert_int_equal(form_encode(p, 5, &b), 0);
        assert_string_equal(buf_str(&b),
                            "Action=Publish&Version=2010-03-31"
                            "&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Aalerts"
                            "&Subject=SSM+StartSession"
                            "&Message=a%2Ab%2Fc~d+%C3%A9%0A%E3%82%B8");
        buf_free(&b);
}

static void test_form_order_names_empty(void **state) {
        (void)state;
        /* order as given (not sorted); names are encoded like values; an
         * empty value still gets its '=' */
        const struct form_param p[] = {
                { "b", "1" },
                { "MessageAttributes.entry.1.Name", "" },
                { "a b", "x+y" },
                { "", "v" },
        };
        struct buf b;
        buf_init(&b, TEST_BUF_MAX);
        assert_int_equal(form_encode(p, 4, &b), 0);
        assert_string_equal(buf_str(&b), "b=1&MessageAttributes.entry.1.Name=&a+b=x%2By&=v");
        buf_free(&b);

        buf_init(&b, TEST_BUF_MAX);
        assert_int_equal(form_encode(p, 0, &b), 0);
        assert_string_equal(buf_str(&b), "");
        assert_int_equal(form_encode(NULL, 0, &b), 0);
        assert_int_equal(form_encode(p, 1, &b), 0);
        assert_string_equal(buf_str(&b), "b=1");
        buf_free(&b);
}

static void test_form_errors_leave_buffer(void **state) {
        (void)state;
        const struct form_param p[] = { { "Action", "Publish" }, { "Message", "hello world" } };
        struct buf b;
        /* "Action=Publish&Message=hello+world" is 34 bytes; after "x&" the cap leaves 33 */
        buf_init(&b, 35);
        assert_int_equal(buf_puts(&b, "x&"), 0);
        assert_int_equal(form_encode(p, 2, &b), -E2BIG);
        assert_string_equal(buf_str(&b), "x&");
        assert_int_equal(b.len, 2);
        assert_int_equal(form_encode(p, 1, &b), 0);
        assert_string_equal(buf_str(&b), "x&Action=Publish");
        buf_free(&b);

        const struct form_param null_value[] = { { "a", "1" }, { "b", NULL } };
        const struct form_param null_name[] = { { NULL, "1" } };
        buf_init(&b, TEST_BUF_MAX);
        assert_int_equal(form_encode(null_value, 2, &b), -EINVAL);
        assert_int_equal(form_encode(null_name, 1, &b), -EINVAL);
        assert_int_equal(form_encode(NULL, 1, &b), -EINVAL);
        assert_int_equal(form_encode(p, 1, NULL), -EINVAL);
        assert_int_equal(b.len, 0);
        buf_free(&b);
}

/* Every byte value under every flag combination, in a buffer with room to
 * spare and in one capped at the exact encoded length (which encode fills
 * by another path), against the rule of the header comment applied here
 * byte by byte. */
static void test_every_byte(void **state) {
        (void)state;
        char all[256], want[3 * 256 + 1];
        for (int c = 0; c < 256; c++)
                all[c] = (char)c;
        for (unsigned flags = 0; flags <= (URLENC_KEEP_SLASH | URLENC_SPACE_PLUS); flags++) {
                size_t n = 0;
                for (int c = 0; c < 256; c++) {
                        bool as_is = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                     strchr("-_.~", c) || (c == '/' && (flags & URLENC_KEEP_SLASH));
                        if (c != 0 && as_is)
                                want[n++] = (char)c;
                        else if (c == ' ' && (flags & URLENC_SPACE_PLUS))
                                want[n++] = '+';
                        else
                                n += (size_t)snprintf(want + n, sizeof(want) - n, "%%%02X", c);
                }
                want[n] = '\0';
                check_enc(all, sizeof(all), flags, want);
                struct buf b;
                buf_init(&b, n);
                assert_int_equal(urlenc_append(&b, all, sizeof(all), flags), 0);
                assert_int_equal(b.len, n);
                assert_memory_equal(b.data, want, n);
                buf_free(&b);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_unreserved_kept),
                cmocka_unit_test(test_reserved_encoded),
                cmocka_unit_test(test_space),
                cmocka_unit_test(test_slash),
                cmocka_unit_test(test_utf8_and_binary),
                cmocka_unit_test(test_every_byte),
                cmocka_unit_test(test_append_and_cap),
                cmocka_unit_test(test_form_publish),
                cmocka_unit_test(test_form_order_names_empty),
                cmocka_unit_test(test_form_errors_leave_buffer),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
