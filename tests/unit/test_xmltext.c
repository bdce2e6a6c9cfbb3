#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testdata.h"
#include "xmltext.h"

/* Expected values below are read by eye from the files in tests/data or
 * written by hand from the XML 1.0 rules; none comes from running the code. */

/* Runs xml_find_text on an exact-size copy of s (no NUL after it). */
static int find(const char *s, const char *name, char *ret, size_t ret_size) {
        size_t n = strlen(s);
        char *copy = testdata_dup(s, n);
        assert_non_null(copy);
        int r = xml_find_text(copy, n, name, ret, ret_size);
        free(copy);
        return r;
}

static int find_in(const char *s, const char *within, const char *name, char *ret, size_t ret_size) {
        size_t n = strlen(s);
        char *copy = testdata_dup(s, n);
        assert_non_null(copy);
        int r = xml_find_text_in(copy, n, within, name, ret, ret_size);
        free(copy);
        return r;
}

static void assert_text(const char *xml, const char *name, const char *want) {
        char out[256];
        assert_int_equal(find(xml, name, out, sizeof(out)), 0);
        assert_string_equal(out, want);
}

static void assert_error(const char *xml, const char *name, int want) {
        char out[64];
        memset(out, 'Z', sizeof(out));
        assert_int_equal(find(xml, name, out, sizeof(out)), want);
        /* nothing written on failure */
        for (size_t i = 0; i < sizeof(out); i++)
                assert_int_equal(out[i], 'Z');
}

static void test_sns_publish_response(void **state) {
        (void)state;
        size_t len = 0;
        char *xml = testdata_read("aws-responses/sns-publish-response.xml", &len);
        char out[128];
        assert_non_null(xml);
        assert_int_equal(xml_find_text(xml, len, "MessageId", out, sizeof(out)), 0);
        assert_string_equal(out, "94f20ce6-13c5-43a0-9a9e-ca52d816e90b");
        assert_int_equal(xml_find_text(xml, len, "RequestId", out, sizeof(out)), 0);
        assert_string_equal(out, "f187a3c1-376f-11df-8963-01868b7c937a");
        assert_int_equal(xml_find_text_in(xml, len, "ResponseMetadata", "RequestId", out, sizeof(out)), 0);
        assert_string_equal(out, "f187a3c1-376f-11df-8963-01868b7c937a");
        assert_int_equal(xml_find_text_in(xml, len, "PublishResult", "MessageId", out, sizeof(out)), 0);
        assert_string_equal(out, "94f20ce6-13c5-43a0-9a9e-ca52d816e90b");
        /* the search stays inside the named element */
        assert_int_equal(xml_find_text_in(xml, len, "PublishResult", "RequestId", out, sizeof(out)), -ENOENT);
        assert_int_equal(xml_find_text(xml, len, "SequenceNumber", out, sizeof(out)), -ENOENT);
        /* PublishResponse holds elements, not text */
        assert_int_equal(xml_find_text(xml, len, "PublishResult", out, sizeof(out)), -EBADMSG);
        /* a UUID is 36 bytes: 37 fit with the NUL, 36 do not */
        assert_int_equal(xml_find_text(xml, len, "MessageId", out, 37), 0);
        assert_int_equal(xml_find_text(xml, len, "MessageId", out, 36), -E2BIG);
        free(xml);
}

/* The SQS guide prints xmlns values unquoted; that must still give the
 * QueueUrl (the tag ends at its '>') and never read astray. */
static void test_createqueue_unquoted_attributes(void **state) {
        (void)state;
        size_t len = 0;
        char *xml = testdata_read("aws-responses/sqs-query-createqueue-response-awsdocs.xml", &len);
        char out[128];
        assert_non_null(xml);
        assert_int_equal(xml_find_text(xml, len, "QueueUrl", out, sizeof(out)), 0);
        assert_string_equal(out, "https://sqs.us-east-2.amazonaws.com/770098461991/queue2");
        assert_int_equal(xml_find_text_in(xml, len, "ResponseMetadata", "RequestId", out, sizeof(out)), 0);
        assert_string_equal(out, "cb919c0a-9bce-4afe-9b48-9bdf2412bb67");
        free(xml);
}

static const char receipt_handle[] =
        "MbZj6wDWli+JvwwJaBV+3dcjk2YW2vA3+STFFljTM8tJJg6HRG6PYSasuWXPJB+Cw\n"
        "        Lj1FjgXUv1uSj1gUPAWV66FU/WeR4mq2OKpEGYWbnLmpRCJVAyeMjeU5ZBdtcQ+QE\n"
        "        auMZc8ZRv37sIW2iJKq3M9MFx1YvV11A2x/KSbkJ0=";

static void test_receivemessage(void **state) {
        (void)state;
        size_t len = 0;
        char *xml = testdata_read("aws-responses/sqs-query-receivemessage-response.xml", &len);
        char out[512];
        assert_non_null(xml);
        /* inner newlines and indentation are part of the value (botocore's
         * parsed form, sqs-receivemessage-parsed-botocore.json, keeps them) */
        assert_int_equal(xml_find_text(xml, len, "ReceiptHandle", out, sizeof(out)), 0);
        assert_string_equal(out, receipt_handle);
        assert_int_equal(xml_find_text_in(xml, len, "Message", "Body", out, sizeof(out)), 0);
        assert_string_equal(out, "This is a test message");
        assert_int_equal(xml_find_text(xml, len, "MD5OfBody", out, sizeof(out)), 0);
        assert_string_equal(out, "fafb00f5732ab283681e124bf8747ed1");
        assert_int_equal(xml_find_text_in(xml, len, "ResponseMetadata", "RequestId", out, sizeof(out)), 0);
        assert_string_equal(out, "b6633655-283d-45b4-aee4-4e84e0ae6afa");
        free(xml);
}

/* Walking a list, as the SNS client walks PublishBatch's <member>s. */
static void test_iterate_elements(void **state) {
        (void)state;
        static const char *const want[][2] = {
                { "SenderId", "195004372649" },
                { "SentTimestamp", "1238099229000" },
                { "ApproximateReceiveCount", "5" },
                { "ApproximateFirstReceiveTimestamp", "1250700979248" },
        };
        size_t len, i = 0;
        char *xml = testdata_read("aws-responses/sqs-query-receivemessage-response.xml", &len);
        const char *p, *el;
        size_t rest, el_len;
        char out[64];
        assert_non_null(xml);
        for (p = xml, rest = len; xml_find_element(p, rest, "Attribute", &el, &el_len) == 0;) {
                assert_true(i < 4);
                assert_true(el >= p && el + el_len <= p + rest);
                assert_memory_equal(el, "<Attribute>", 11);
                assert_memory_equal(el + el_len - 12, "</Attribute>", 12);
                assert_int_equal(xml_find_text(el, el_len, "Name", out, sizeof(out)), 0);
                assert_string_equal(out, want[i][0]);
                assert_int_equal(xml_find_text(el, el_len, "Value", out, sizeof(out)), 0);
                assert_string_equal(out, want[i][1]);
                rest -= (size_t)(el + el_len - p);
                p = el + el_len;
                i++;
        }
        assert_int_equal(i, 4);
        free(xml);
}

/* Every prefix of a real answer, as a cut-off body would arrive: each call
 * either finds the complete value or fails cleanly, and ASan checks that no
 * byte past the prefix is read. */
static void test_every_prefix(void **state) {
        (void)state;
        size_t len = 0;
        char *xml = testdata_read("aws-responses/sqs-query-receivemessage-response.xml", &len);
        char out[512];
        assert_non_null(xml);
        const char *close = memmem(xml, len, "</ReceiptHandle>", strlen("</ReceiptHandle>"));
        assert_non_null(close);
        size_t complete = (size_t)(close - xml) + strlen("</ReceiptHandle>");
        for (size_t n = 0; n <= len; n++) {
                char *cut = testdata_dup(xml, n);
                assert_non_null(cut);
                int r = xml_find_text(cut, n, "ReceiptHandle", out, sizeof(out));
                if (n >= complete) {
                        assert_int_equal(r, 0);
                        assert_string_equal(out, receipt_handle);
                } else {
                        assert_true(r == -ENOENT || r == -EBADMSG);
                }
                r = xml_find_text_in(cut, n, "Message", "Body", out, sizeof(out));
                assert_true(r == 0 || r == -ENOENT || r == -EBADMSG);
                if (r == 0)
                        assert_string_equal(out, "This is a test message");
                free(cut);
        }
        free(xml);
}

static void test_error_files(void **state) {
        (void)state;
        size_t len = 0;
        char out[256];
        char *xml = testdata_read("aws-responses/sqs-query-error-invalidaddress.xml", &len);
        assert_non_null(xml);
        /* <?xml …?> declaration skipped; <Detail/> is an empty element */
        assert_int_equal(xml_find_text_in(xml, len, "Error", "Code", out, sizeof(out)), 0);
        assert_string_equal(out, "InvalidAddress");
        assert_int_equal(xml_find_text(xml, len, "Detail", out, sizeof(out)), 0);
        assert_string_equal(out, "");
        free(xml);

        xml = testdata_read("aws-responses/ec2-error-response-variant.xml", &len);
        assert_non_null(xml);
        /* <Errors> is not <Error> */
        assert_int_equal(xml_find_text_in(xml, len, "Error", "Code", out, sizeof(out)), 0);
        assert_string_equal(out, "InvalidInstanceID.Malformed");
        assert_int_equal(xml_find_text(xml, len, "RequestId", out, sizeof(out)), -ENOENT);
        assert_int_equal(xml_find_text(xml, len, "RequestID", out, sizeof(out)), 0);
        assert_string_equal(out, "dfb14b43-9a55-4d8e-b676-e8034d12bbeb");
        free(xml);
}

static void test_entities(void **state) {
        (void)state;
        assert_text("<M>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;</M>", "M", "a <b> & \"c\" 'd'");
        /* decimal, hex (either case of digits), leading zeros, multi-byte UTF-8 */
        assert_text("<M>&#65;&#x42;&#x6a;&#x6A;&#0000067;</M>", "M", "ABjjC");
        assert_text("<M>&#x3042;&#12354;</M>", "M", "\xE3\x81\x82\xE3\x81\x82");           /* U+3042 */
        assert_text("<M>&#x1F600;</M>", "M", "\xF0\x9F\x98\x80");                             /* U+1F600 */
        assert_text("<M>&#xA9;&#x7FF;&#x800;</M>", "M", "\xC2\xA9\xDF\xBF\xE0\xA0\x80");
        assert_text("<M>&#x10FFFF;</M>", "M", "\xF4\x8F\xBF\xBF");
        assert_text("<M>&amp;lt;</M>", "M", "&lt;"); /* decoded once only */
        /* raw UTF-8 passes through */
        assert_text("<M>\xE6\x97\xA5\xE6\x9C\xAC</M>", "M", "\xE6\x97\xA5\xE6\x9C\xAC");
        assert_error("<M>&foo;</M>", "M", -EBADMSG);
        assert_error("<M>&amp</M>", "M", -EBADMSG);
        assert_error("<M>a & b</M>", "M", -EBADMSG);
        assert_error("<M>&#;</M>", "M", -EBADMSG);
        assert_error("<M>&#x;</M>", "M", -EBADMSG);
        assert_error("<M>&#X41;</M>", "M", -EBADMSG); /* XML: lower-case x only */
        assert_error("<M>&#12a;</M>", "M", -EBADMSG);
        assert_error("<M>&#0;</M>", "M", -EBADMSG);
        assert_error("<M>&#1;</M>", "M", -EBADMSG);
        assert_error("<M>&#xD800;</M>", "M", -EBADMSG); /* surrogate */
        assert_error("<M>&#xFFFE;</M>", "M", -EBADMSG);
        assert_error("<M>&#x110000;</M>", "M", -EBADMSG);
        assert_error("<M>&#99999999999999999999;</M>", "M", -EBADMSG);
        assert_error("<M>&#x100000041;</M>", "M", -EBADMSG); /* would wrap to 'A' in 32 bits */
        assert_error("<M>&LT;</M>", "M", -EBADMSG);
        /* a reference cut by the end of the input */
        assert_error("<M>&#x41", "M", -EBADMSG);
}

static void test_trim_and_whitespace(void **state) {
        (void)state;
        assert_text("<M>  \n\t abc  def \r\n </M>", "M", "abc  def");
        assert_text("<M> \n </M>", "M", "");
        assert_text("<M></M>", "M", "");
        assert_text("<M/>", "M", "");
        assert_text("<M a=\"1\" />", "M", "");
        /* trimming is of the decoded text */
        assert_text("<M>&#32;x&#x9;</M>", "M", "x");
        /* XML 1.0, 2.11: CR LF and lone CR are read as LF */
        assert_text("<M>a\r\nb\rc</M>", "M", "a\nb\nc");
        /* a reference to CR is kept */
        assert_text("<M>a&#13;b</M>", "M", "a\rb");
}

static void test_markup(void **state) {
        (void)state;
        /* namespace prefix, attributes, '>' inside a quoted value */
        assert_text("<r><ns:Code attr=\"x>y\" b='<'>V</ns:Code></r>", "Code", "V");
        assert_text("<Code\n  a = \"1\"\n>V</Code >", "Code", "V");
        /* names match whole local names only */
        assert_text("<r><CodeX>1</CodeX><XCode>2</XCode><a:XCode>3</a:XCode><Code>4</Code></r>", "Code", "4");
        /* comments, processing instructions and DOCTYPE before and inside */
        assert_text("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY e \"x>\">]>"
                    "<!-- <Code>fake</Code> --><r><?pi <Code>?><Code>re<!-- c -->al<?p x?></Code></r>",
                    "Code", "real");
        /* CDATA is kept verbatim; markup inside it is not markup */
        assert_text("<r><![CDATA[<Code>fake</Code>]]><Code>a<![CDATA[<&>]]>b</Code></r>", "Code", "a<&>b");
        /* a comment inside the element may hold what looks like its end tag */
        assert_text("<Code>a<!-- </Code> -->b</Code>", "Code", "ab");
        /* first one wins */
        assert_text("<r><Code>1</Code><Code>2</Code></r>", "Code", "1");
        /* '>' is allowed in character data */
        assert_text("<M>a > b</M>", "M", "a > b");
}

static void test_malformed(void **state) {
        (void)state;
        assert_error("<r><Code>abc", "Code", -EBADMSG);            /* no end tag */
        assert_error("<r><Code>abc</Co", "Code", -EBADMSG);        /* end tag cut */
        assert_error("<r><Code>abc</Message></r>", "Code", -EBADMSG);
        assert_error("<r><ns:Code>abc</Code></r>", "Code", -EBADMSG); /* prefix must match */
        assert_error("<r><Code attr=\"abc>x</Code>", "Code", -EBADMSG); /* quote never closed */
        assert_error("<r><Code", "Code", -EBADMSG);
        assert_error("<!-- never closed <Code>x</Code>", "Code", -EBADMSG);
        assert_error("<?pi never closed <Code>x</Code>", "Code", -EBADMSG);
        assert_error("<![CDATA[ never closed <Code>x</Code>", "Code", -EBADMSG);
        assert_error("<r>a < b<Code>x</Code></r>", "Code", -EBADMSG);
        assert_error("< Code>x</Code>", "Code", -EBADMSG);
        assert_error("<Code>a <b>c</b></Code>", "Code", -EBADMSG); /* has a child element */
        assert_error("<r><Code>a<b</Code></r>", "Code", -EBADMSG);
        /* absent */
        assert_error("", "Code", -ENOENT);
        assert_error("no markup at all", "Code", -ENOENT);
        assert_error("<r><Codes>x</Codes></r>", "Code", -ENOENT);
        assert_error("<r>text without end", "Code", -ENOENT);
}

static void test_nul_bytes(void **state) {
        (void)state;
        static const char xml[] = "<r><A>a\0b</A><B>ok</B></r>";
        char out[16];
        char *copy = testdata_dup(xml, sizeof(xml) - 1);
        assert_non_null(copy);
        assert_int_equal(xml_find_text(copy, sizeof(xml) - 1, "A", out, sizeof(out)), -EBADMSG);
        assert_int_equal(xml_find_text(copy, sizeof(xml) - 1, "B", out, sizeof(out)), 0);
        assert_string_equal(out, "ok");
        free(copy);
}

static void test_within(void **state) {
        (void)state;
        char out[32];
        static const char doc[] = "<r><A><x>1</x></A><B><Code>z</Code></B></r>";
        assert_int_equal(find_in(doc, "A", "Code", out, sizeof(out)), -ENOENT);
        assert_int_equal(find_in(doc, "B", "Code", out, sizeof(out)), 0);
        assert_string_equal(out, "z");
        assert_int_equal(find_in(doc, "C", "Code", out, sizeof(out)), -ENOENT);
        /* descendants at any depth; nested elements of the same name */
        assert_int_equal(find_in("<m><m><v>in</v></m><w>out</w></m>", "m", "w", out, sizeof(out)), 0);
        assert_string_equal(out, "out");
        assert_int_equal(find_in("<A/><B><Code>z</Code></B>", "A", "Code", out, sizeof(out)), -ENOENT);
        /* an unterminated container is malformed even if the child is whole */
        assert_int_equal(find_in("<A><Code>z</Code>", "A", "Code", out, sizeof(out)), -EBADMSG);

        const char *el;
        size_t el_len;
        static const char nested[] = "<r><m a=\"1\"><m>x</m></m><m/></r>";
        assert_int_equal(xml_find_element(nested, strlen(nested), "m", &el, &el_len), 0);
        assert_ptr_equal(el, nested + 3);
        assert_int_equal(el_len, strlen("<m a=\"1\"><m>x</m></m>"));
        assert_int_equal(xml_find_element(el + el_len, strlen(el + el_len), "m", &el, &el_len), 0);
        assert_int_equal(el_len, strlen("<m/>"));
}

static void test_e2big_and_args(void **state) {
        (void)state;
        char out[8];
        memset(out, 'Z', sizeof(out));
        assert_int_equal(find("<M>abcdefgh</M>", "M", out, sizeof(out)), -E2BIG);
        for (size_t i = 0; i < sizeof(out); i++)
                assert_int_equal(out[i], 'Z');
        assert_int_equal(find("<M>abcdefg</M>", "M", out, sizeof(out)), 0);
        assert_string_equal(out, "abcdefg");
        /* size is of the decoded, trimmed text */
        assert_int_equal(find("<M>   &lt;&lt;&lt;&lt;&lt;&lt;&lt;   </M>", "M", out, sizeof(out)), 0);
        assert_string_equal(out, "<<<<<<<");
        assert_int_equal(find("<M>\xF0\x9F\x98\x80\xF0\x9F\x98\x80</M>", "M", out, sizeof(out)), -E2BIG);

        const char *el;
        size_t el_len;
        assert_int_equal(xml_find_text(NULL, 0, "M", out, sizeof(out)), -ENOENT);
        assert_int_equal(xml_find_text(NULL, 3, "M", out, sizeof(out)), -EINVAL);
        assert_int_equal(xml_find_text("<M/>", 4, NULL, out, sizeof(out)), -EINVAL);
        assert_int_equal(xml_find_text("<M/>", 4, "", out, sizeof(out)), -EINVAL);
        assert_int_equal(xml_find_text("<a:M/>", 6, "a:M", out, sizeof(out)), -EINVAL);
        assert_int_equal(xml_find_text("<M/>", 4, "M", NULL, 8), -EINVAL);
        assert_int_equal(xml_find_text("<M/>", 4, "M", out, 0), -EINVAL);
        assert_int_equal(xml_find_text_in("<M/>", 4, NULL, "M", out, sizeof(out)), -EINVAL);
        assert_int_equal(xml_find_element("<M/>", 4, "M", NULL, &el_len), -EINVAL);
        assert_int_equal(xml_find_element("<M/>", 4, "M", &el, NULL), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sns_publish_response),
                cmocka_unit_test(test_createqueue_unquoted_attributes),
                cmocka_unit_test(test_receivemessage),
                cmocka_unit_test(test_iterate_elements),
                cmocka_unit_test(test_every_prefix),
                cmocka_unit_test(test_error_files),
                cmocka_unit_test(test_entities),
                cmocka_unit_test(test_trim_and_whitespace),
                cmocka_unit_test(test_markup),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_nul_bytes),
                cmocka_unit_test(test_within),
                cmocka_unit_test(test_e2big_and_args),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
