/* json_tree: values written here by hand from RFC 8259 and json-c 0.16's
 * documented behaviour, then json_diff (json_tree against json-c) over every
 * JSON file of tests/data, their truncations and byte flips, and generated
 * edge cases: numbers, escapes, surrogates, NULs, nesting, repeated keys. */
#include <dirent.h>
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
#include "json_diff.h"
#include "json_tree.h"
#include "testdata.h"

/* Parses the C string s (copied to an exact-size buffer, so ASan sees any
 * read past its end). */
static int parse(const char *s, int max_depth, struct json_tree **ret) {
        size_t n = strlen(s);
        char *copy = testdata_dup(s, n);
        int r;

        assert_non_null(copy);
        r = json_tree_parse(copy, n, max_depth, ret);
        free(copy);
        return r;
}

/* The only element of the array text s. */
static const struct json_node *only(const char *s, struct json_tree **t) {
        const struct json_node *root;

        assert_int_equal(parse(s, 64, t), 0);
        root = json_tree_root(*t);
        assert_int_equal(json_node_kind(root), JSON_ARRAY);
        assert_int_equal(json_node_count(root), 1);
        return json_node_first(root);
}

static void expect_bytes(const char *text, const char *bytes, size_t n) {
        struct json_tree *t;
        const struct json_node *v = only(text, &t);
        size_t len = 0;
        const char *s = json_node_string(v, &len);

        assert_non_null(s);
        assert_int_equal(len, n);
        assert_memory_equal(s, bytes, n);
        assert_int_equal(s[n], '\0');
        json_tree_free(t);
}

static void expect_number(const char *text, const char *shown) {
        struct json_tree *t;
        const struct json_node *v = only(text, &t);

        assert_int_equal(json_node_kind(v), JSON_NUMBER);
        assert_string_equal(json_node_string(v, NULL), shown);
        json_tree_free(t);
}

static void expect_refused(const char *text, int max_depth) {
        struct json_tree *t = NULL;

        assert_int_equal(parse(text, max_depth, &t), -EBADMSG);
        assert_null(t);
}

static void test_values(void **state) {
        struct json_tree *t;
        const struct json_node *root, *m;
        size_t len;

        (void)state;
        assert_int_equal(parse(" {\"a\": [true, false, null, \"x\"], \"b\": {}}\r\n", 64, &t), 0);
        root = json_tree_root(t);
        assert_int_equal(json_node_kind(root), JSON_OBJECT);
        assert_int_equal(json_node_count(root), 2);
        m = json_node_first(root);
        assert_string_equal(json_node_key(m), "a");
        assert_int_equal(json_node_count(m), 4);
        assert_int_equal(json_node_kind(json_node_first(m)), JSON_TRUE);
        assert_string_equal(json_node_string(json_node_first(m), &len), "true");
        assert_int_equal(len, 4);
        assert_int_equal(json_node_kind(json_node_next(json_node_first(m))), JSON_FALSE);
        assert_null(json_node_string(json_node_next(json_node_next(json_node_first(m))), NULL));
        m = json_node_next(m);
        assert_string_equal(json_node_key(m), "b");
        assert_int_equal(json_node_kind(m), JSON_OBJECT);
        assert_null(json_node_first(m));
        assert_null(json_node_next(m));
        assert_ptr_equal(json_node_member(root, "b"), m);
        assert_null(json_node_member(root, "c"));
        assert_null(json_node_member(json_node_member(root, "a"), "a")); /* not an object */
        assert_null(json_node_key(root));
        json_tree_free(t);

        /* the text null is a root, which reads as a missing node does */
        assert_int_equal(parse("null", 1, &t), 0);
        assert_int_equal(json_node_kind(json_tree_root(t)), JSON_NULL);
        json_tree_free(t);
        assert_int_equal(json_node_kind(NULL), JSON_NULL);
        assert_null(json_node_string(NULL, NULL));
        assert_null(json_node_first(NULL));
        assert_null(json_node_next(NULL));
        assert_int_equal(json_node_count(NULL), 0);
        assert_null(json_tree_root(NULL));
        json_tree_free(NULL);
}

static void test_strings(void **state) {
        (void)state;
        expect_bytes("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", "\"\\/\b\f\n\r\t", 8);
        expect_bytes("[\"\\u00e9\\u20AC\"]", "\xc3\xa9\xe2\x82\xac", 5);
        /* a surrogate pair is one 4-byte character */
        expect_bytes("[\"\\ud83d\\ude00\"]", "\xf0\x9f\x98\x80", 4);
        /* lone halves become U+FFFD; what follows a lone high one stays */
        expect_bytes("[\"\\ud800\"]", "\xef\xbf\xbd", 3);
        expect_bytes("[\"\\udc00x\"]", "\xef\xbf\xbdx", 4);
        expect_bytes("[\"\\ud800\\n\"]", "\xef\xbf\xbd\n", 4);
        expect_bytes("[\"\\ud800\\u0041\"]", "\xef\xbf\xbd" "A", 4);
        expect_bytes("[\"\\ud800\\ud83d\\ude00\"]", "\xef\xbf\xbd\xf0\x9f\x98\x80", 7);
        /* \u0000 is a NUL byte inside the string, counted */
        expect_bytes("[\"a\\u0000b\"]", "a\0b", 3);
        /* json-c STRICT takes raw control bytes */
        expect_bytes("[\"a\tb\x01\"]", "a\tb\x01", 4);
        expect_refused("[\"\\x\"]", 64);
        expect_refused("[\"\\u00g0\"]", 64);
        expect_refused("[\"\\u00\"]", 64);
        expect_refused("[\"abc]", 64);
        expect_refused("['a']", 64);
}

/* Runs of plain bytes of every length around each kind of escape, so that
 * every escape meets every place in a word of the scan, in a string that is
 * a key, an element followed by others, and the last token of the text:
 * json-c reads each the same. */
static void test_string_runs(void **state) {
        static const char *const ESCAPES[] = {
                "\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00", "\\ud800", "\\ud800x", "\\ud800\\n", "\\udc00",
                "\\u0000", "\xc3\xa9",
        };
        char text[256];

        (void)state;
        for (size_t e = 0; e < sizeof(ESCAPES) / sizeof(ESCAPES[0]); e++) {
                for (int before = 0; before < 20; before++) {
                        for (int after = 0; after < 20; after++) {
                                const char *esc = ESCAPES[e];
                                int n = snprintf(text, sizeof(text), "{\"%.*s%s%.*s\":[\"%.*s%s%.*s\",1,\"z\"],\"k\":\"%.*s%s%.*s\"}",
                                                 before, "abcdefghijklmnopqrstuvwxyz", esc, after,
                                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ", after, "0123456789abcdefghij", esc,
                                                 before, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", before,
                                                 "abcdefghijklmnopqrstuvwxyz", esc, after, "0123456789abcdefghij");
                                assert_true(n > 0 && (size_t)n < sizeof(text));
                                assert_null(json_diff(text, (size_t)n, 64));
                        }
                }
        }
}

static void test_numbers(void **state) {
        (void)state;
        /* integers are printed back from their value, as json-c does */
        expect_number("[-0]", "0");
        expect_number("[00]", "0");
        expect_number("[-01]", "-1");
        expect_number("[9223372036854775808]", "9223372036854775808");
        expect_number("[18446744073709551616]", "18446744073709551615");
        expect_number("[-9223372036854775809]", "-9223372036854775808");
        expect_number("[-99999999999999999999999]", "-9223372036854775808");
        /* any other number keeps its text */
        expect_number("[1e400]", "1e400");
        expect_number("[-0.0]", "-0.0");
        expect_number("[1.]", "1.");
        expect_number("[-.5]", "-.5");
        expect_number("[1E+05]", "1E+05");
        expect_number("[NaN]", "NaN");
        expect_number("[-Infinity]", "-Infinity");
        expect_number("[123456789012345678901234567890.5]", "123456789012345678901234567890.5");
        expect_refused("[01]", 64);
        expect_refused("[.5]", 64);
        expect_refused("[1e]", 64);
        expect_refused("[1.-5]", 64);
        expect_refused("[+1]", 64);
        expect_refused("[-]", 64);
        expect_refused("[0x10]", 64);
        expect_refused("[nan]", 64);
        expect_refused("[-NaN]", 64);
        expect_refused("[1e5.5]", 64);
}

static void test_refused(void **state) {
        struct json_tree *t = NULL;
        char nul[] = "[1]\0";

        (void)state;
        expect_refused("", 64);
        expect_refused(" ", 64);
        expect_refused("[1,]", 64);
        expect_refused("{\"a\":1,}", 64);
        expect_refused("{a:1}", 64);
        expect_refused("[1] x", 64);
        expect_refused("1 2", 64);
        expect_refused("[/*c*/1]", 64);
        expect_refused("\f[1]", 64);
        expect_refused("[tru]", 64);
        expect_refused("[True]", 64);
        expect_refused("[nulll]", 64);
        /* a NUL byte ends json-c's input: refused wherever it stands */
        assert_int_equal(json_tree_parse(nul, 4, 64, &t), -EBADMSG);
        assert_int_equal(json_tree_parse("[\"a\0b\"]", 7, 64, &t), -EBADMSG);
        /* the length is checked before a byte is read */
        assert_int_equal(json_tree_parse(nul, (size_t)INT32_MAX + 1, 64, &t), -E2BIG);
        assert_int_equal(json_tree_parse(nul, 3, 0, &t), -EINVAL);
        assert_int_equal(json_tree_parse(nul, 3, JSON_TREE_DEPTH_MAX + 1, &t), -EINVAL);
        assert_null(t);
}

/* A value nested k levels deep (the root is 0) needs k < max_depth. */
static void test_depth(void **state) {
        struct json_tree *t;

        (void)state;
        assert_int_equal(parse("[]", 1, &t), 0);
        json_tree_free(t);
        assert_int_equal(parse("1", 1, &t), 0);
        json_tree_free(t);
        expect_refused("[1]", 1);
        assert_int_equal(parse("[[[]]]", 3, &t), 0);
        json_tree_free(t);
        expect_refused("[[[1]]]", 3);
        assert_int_equal(parse("{\"a\":{\"b\":{}}}", 3, &t), 0);
        json_tree_free(t);
        expect_refused("{\"a\":{\"b\":{\"c\":1}}}", 3);
}

/* json-c keeps the last value of a repeated key, each key once; a key is
 * cut at its first NUL. Both with few members and with many (sorted). */
static void test_repeated_keys(void **state) {
        struct json_tree *t;
        const struct json_node *root;
        struct buf b;

        (void)state;
        assert_int_equal(parse("{\"a\":1,\"b\":2,\"a\":3,\"a\\u0000x\":4}", 64, &t), 0);
        root = json_tree_root(t);
        assert_int_equal(json_node_count(root), 2);
        assert_string_equal(json_node_string(json_node_member(root, "a"), NULL), "4");
        assert_string_equal(json_node_string(json_node_member(root, "b"), NULL), "2");
        assert_string_equal(json_node_key(json_node_first(root)), "b");
        assert_null(json_node_next(json_node_next(json_node_first(root))));
        /* a key by length: the bytes after it do not count, a prefix or a
         * longer name is no match, and a repeated key gives its last value */
        assert_string_equal(json_node_string(json_node_member_len(root, "a.b", 1), NULL), "4");
        assert_string_equal(json_node_string(json_node_member_len(root, "bz", 1), NULL), "2");
        assert_null(json_node_member_len(root, "ab", 2));
        assert_null(json_node_member_len(root, "", 0));
        assert_null(json_node_member_len(json_node_member(root, "a"), "a", 1)); /* not an object */
        assert_null(json_node_member_len(NULL, "a", 1));
        json_tree_free(t);

        assert_int_equal(parse("{\"\":1,\"x\":{}}", 64, &t), 0);
        root = json_tree_root(t);
        assert_string_equal(json_node_string(json_node_member_len(root, "", 0), NULL), "1");
        assert_null(json_node_member_len(json_node_member(root, "x"), "x", 1)); /* no members */
        json_tree_free(t);

        buf_init(&b, 1 << 20);
        assert_int_equal(buf_puts(&b, "{"), 0);
        for (int i = 0; i < 300; i++)
                assert_int_equal(buf_printf(&b, "%s\"k%d\":%d", i ? "," : "", i % 100, i), 0);
        assert_int_equal(buf_puts(&b, "}"), 0);
        assert_int_equal(parse(buf_str(&b), 64, &t), 0);
        root = json_tree_root(t);
        assert_int_equal(json_node_count(root), 100);
        assert_string_equal(json_node_string(json_node_member(root, "k7"), NULL), "207");
        size_t n = 0;
        for (const struct json_node *m = json_node_first(root); m; m = json_node_next(m))
                n++;
        assert_int_equal(n, 100);
        json_tree_free(t);
        assert_null(json_diff(buf_str(&b), b.len, 64));
        buf_free(&b);
}

/* json_parse_whole keeps its tokeners between texts: a high surrogate left
 * by a failed text must not reach the next one. */
static void test_json_parse_forgets_surrogate(void **state) {
        json_object *o = NULL;
        const char bad[] = "[\"\\ud83d\\ude0g\"]", good[] = "[\"\\ud83dx\"]";

        (void)state;
        assert_int_equal(json_parse_whole(bad, strlen(bad), 64, &o), -EBADMSG);
        assert_int_equal(json_parse_whole(good, strlen(good), 64, &o), 0);
        assert_int_equal(json_object_get_string_len(json_object_array_get_idx(o, 0)), 4);
        json_object_put(o);
}

static void expect_same(const char *s, size_t len, int max_depth) {
        char *copy = testdata_dup(s, len);
        const char *d;

        assert_non_null(copy);
        d = json_diff(copy, len, max_depth);
        if (d)
                fail_msg("%s at depth %d: %.*s", d, max_depth, (int)(len < 200 ? len : 200), s);
        free(copy);
}

static const char *const EDGES[] = {
        "-0", "1e400", "-1e400", "1e-400", "00", "000", "0001", "-001", "01", "9223372036854775807",
        "9223372036854775808", "18446744073709551615", "18446744073709551616", "-9223372036854775808",
        "-9223372036854775809", "99999999999999999999999", "1.", "0.", "-0.", ".5", "-.5", "1.e5", "00.5",
        "00e1", "1e05", "0E-0", "1e+", "1.5.5", "1e5e5", "1-2", "--1", "-", "+1", "NaN", "Infinity",
        "-Infinity", "nan", "Inf", "-Inf", "NaNa", "true", "false", "null", "nul", "truex",
        "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800x\"", "\"\\ud800\\u0041\"",
        "\"\\ud83d\\ude00\"", "\"\\ud800\\ud800\"", "\"\\udc00\\ud800\"", "\"\\ud800\\n\"", "\"\\ud800\\\"\"",
        "\"\\ud83d\\ud83d\\ude00\"", "\"\\uDBFF\\uDFFF\"", "\"\\ud83d\\ude0g\"", "\"\\x\"", "\"\\U0041\"",
        "\"a\tb\"", "\"\x7f\"", "\"\\/\"", "{}", "[]", "{\"a\":1,\"a\":2}", "{\"\\u0000a\":1,\"\":2}",
        "{\"a\" : 1 , \"b\":[1 ,2]}", "[1,]", "{\"a\":1,}", "{1:1}", "{\"a\",1}", "[1]]", "[1 ", "\"",
        "[\"\\", "'a'", "[1/]", "1 x",
};

/* Each edge case alone, in an array, as a member, and between others. */
static void test_edges(void **state) {
        struct buf b;

        (void)state;
        buf_init(&b, 4096);
        for (size_t i = 0; i < sizeof(EDGES) / sizeof(EDGES[0]); i++) {
                const char *e = EDGES[i];
                for (int f = 0; f < 4; f++) {
                        buf_truncate(&b, 0);
                        assert_true((f == 0   ? buf_printf(&b, "%s", e)
                                     : f == 1 ? buf_printf(&b, "[%s]", e)
                                     : f == 2 ? buf_printf(&b, "{\"k\":%s}", e)
                                              : buf_printf(&b, "[1, %s ,{\"x\":%s}]\n", e, e)) >= 0);
                        expect_same(b.data, b.len, 64);
                }
        }
        buf_free(&b);
}

/* Nesting around each depth bound, arrays and objects mixed. */
static void test_nesting(void **state) {
        struct buf b;

        (void)state;
        buf_init(&b, 4096);
        for (int levels = 0; levels <= 70; levels++) {
                for (int inner = 0; inner < 3; inner++) {
                        buf_truncate(&b, 0);
                        for (int i = 0; i < levels; i++)
                                assert_int_equal(buf_puts(&b, i % 2 ? "{\"k\":" : "["), 0);
                        assert_int_equal(buf_puts(&b, inner == 0 ? "" : inner == 1 ? "1" : "[]"), 0);
                        for (int i = levels - 1; i >= 0; i--)
                                assert_int_equal(buf_puts(&b, i % 2 ? "}" : "]"), 0);
                        if (levels % 2 == 0 || inner)
                                for (int depth = 1; depth <= 66; depth++)
                                        expect_same(b.data, b.len, depth);
                }
        }
        buf_free(&b);
}

static const char *const DIRS[] = { "events", "aws", "golden", "aws-responses", "imds" };
static const char FLIPS[] = { '"', '\\', '{', '}', '[', ']', ',', ':', '0', '-', 'e', '.', ' ', 'u', 'x', '\0', '\x01' };

/* Every JSON file of tests/data, whole, cut and with bytes replaced. */
static void test_corpus(void **state) {
        size_t files = 0;

        (void)state;
        for (size_t d = 0; d < sizeof(DIRS) / sizeof(DIRS[0]); d++) {
                char path[512];
                struct dirent *e;
                DIR *dir;

                snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, DIRS[d]);
                dir = opendir(path);
                assert_non_null(dir);
                while ((e = readdir(dir))) {
                        size_t n = strlen(e->d_name), len = 0;
                        char name[300], *data;

                        if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0)
                                continue;
                        snprintf(name, sizeof(name), "%s/%s", DIRS[d], e->d_name);
                        data = testdata_read(name, &len);
                        assert_non_null(data);
                        files++;
                        expect_same(data, len, 64);
                        expect_same(data, len, 8);
                        expect_same(data, len, 3);
                        for (size_t cut = 0; cut < len; cut += 1 + cut / 8)
                                expect_same(data, cut, 64);
                        for (size_t at = 0; at < len; at += 41) {
                                char saved = data[at];
                                for (size_t f = 0; f < sizeof(FLIPS); f++) {
                                        data[at] = FLIPS[f];
                                        expect_same(data, len, 64);
                                }
                                data[at] = saved;
                        }
                        free(data);
                }
                closedir(dir);
        }
        assert_true(files >= 40);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_values),
                cmocka_unit_test(test_strings),
                cmocka_unit_test(test_string_runs),
                cmocka_unit_test(test_numbers),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_depth),
                cmocka_unit_test(test_repeated_keys),
                cmocka_unit_test(test_json_parse_forgets_surrogate),
                cmocka_unit_test(test_edges),
                cmocka_unit_test(test_nesting),
                cmocka_unit_test(test_corpus),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
