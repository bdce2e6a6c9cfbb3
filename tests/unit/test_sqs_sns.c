/* The pure halves of the SQS and SNS clients: request bodies and answers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sns.h"
#include "sqs.h"
#include "testdata.h"

static void test_receive_cli_example(void **state) {
        (void)state;
        size_t len = 0;
        char *body = testdata_read("aws-responses/sqs-receivemessage-awscli-example.json", &len);
        struct sqs_batch b = { 0 };
        assert_non_null(body);
        assert_int_equal(sqs_parse_receive(body, len, &b), 0);
        assert_int_equal(b.n, 1);
        assert_string_equal(b.msg[0].message_id, "d6790f8d-d575-4f01-bc51-40122EXAMPLE");
        assert_string_equal(b.msg[0].receipt_handle, "AQEBzbVv...fqNzFw==");
        assert_string_equal(b.msg[0].body, "My first message.");
        assert_int_equal(b.msg[0].body_len, strlen("My first message."));
        assert_int_equal(b.msg[0].receive_count, 5);
        sqs_batch_clear(&b);
        assert_int_equal(b.n, 0);
        free(body);
}

static void test_receive_shapes(void **state) {
        (void)state;
        struct sqs_batch b = { .n = 0 };
        static const char empty[] = "{}";
        assert_int_equal(sqs_parse_receive(empty, 2, &b), 0);
        assert_int_equal(b.n, 0);
        /* a body holding a NUL and JSON escapes survives byte for byte */
        static const char nul[] = "{\"Messages\":[{\"MessageId\":\"m\",\"ReceiptHandle\":\"r\","
                                  "\"Body\":\"a\\u0000b\\n\\\"\"}]}";
        assert_int_equal(sqs_parse_receive(nul, sizeof(nul) - 1, &b), 0);
        assert_int_equal(b.n, 1);
        assert_int_equal(b.msg[0].body_len, 5);
        assert_memory_equal(b.msg[0].body, "a\0b\n\"", 5);
        assert_int_equal(b.msg[0].receive_count, 0);
        sqs_batch_clear(&b);

        static const char *const bad[] = {
                "not json",
                "[]",
                "{\"Messages\":{}}",
                "{\"Messages\":[{\"ReceiptHandle\":\"r\",\"Body\":\"b\"}]}",  /* no MessageId */
                "{\"Messages\":[{\"MessageId\":\"m\",\"ReceiptHandle\":\"r\",\"Body\":7}]}",
                "{\"Messages\":[{},{},{},{},{},{},{},{},{},{},{}]}",             /* 11 > 10 */
                "{\"Messages\":[[[[[[[[[[[]]]]]]]]]]]}",                         /* too deep */
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                b.n = 0;
                assert_int_equal(sqs_parse_receive(bad[i], strlen(bad[i]), &b), -EBADMSG);
                assert_int_equal(b.n, 0);
        }
}

static void test_delete_batch_answer(void **state) {
        (void)state;
        unsigned deleted = 77;
        static const char ok[] = "{\"Successful\":[{\"Id\":\"0\"},{\"Id\":\"3\"}],"
                                 "\"Failed\":[{\"Id\":\"1\",\"Code\":\"ReceiptHandleIsInvalid\",\"SenderFault\":true}]}";
        assert_int_equal(sqs_parse_delete_batch(ok, strlen(ok), &deleted), 0);
        assert_int_equal(deleted, (1u << 0) | (1u << 3));
        deleted = 77;
        static const char bad_id[] = "{\"Successful\":[{\"Id\":\"12\"}]}";
        assert_int_equal(sqs_parse_delete_batch(bad_id, strlen(bad_id), &deleted), -EBADMSG);
        assert_int_equal(deleted, 77);
}

static void test_publish_body(void **state) {
        (void)state;
        struct buf b;
        const struct sns_attribute attrs[] = { { "event_name", "StartSession" }, { "actor", "" },
                                               { "outcome", "failure" } };
        const struct sns_message m = {
                .topic_arn = "arn:aws:sns:us-east-1:123456789012:alerts",
                .subject = "SSM StartSession",
                .message = "user alice started session\nline 2",
                .attributes = attrs,
                .n_attributes = 3,
        };
        buf_init(&b, 0);
        assert_int_equal(sns_publish_body(&m, &b), 0);
        /* Hand-encoded as DESIGN.md's wire rules say: space '+', ':' %3A, '\n' %0A;
         * the empty attribute is left out and numbering stays dense. */
        assert_string_equal(buf_str(&b),
                            "Action=Publish&Version=2010-03-31"
                            "&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Aalerts"
                            "&Subject=SSM+StartSession&Message=user+alice+started+session%0Aline+2"
                            "&MessageAttributes.entry.1.Name=event_name"
                            "&MessageAttributes.entry.1.Value.DataType=String"
                            "&MessageAttributes.entry.1.Value.StringValue=StartSession"
                            "&MessageAttributes.entry.2.Name=outcome"
                            "&MessageAttributes.entry.2.Value.DataType=String"
                            "&MessageAttributes.entry.2.Value.StringValue=failure");
        buf_free(&b);
}

static void test_publish_batch_body(void **state) {
        (void)state;
        struct buf b;
        const struct sns_message m[2] = {
                { .topic_arn = "arn:aws:sns:us-east-1:123456789012:t.fifo", .message = "a", .subject = "s",
                  .group_id = "g", .dedup_id = "e1", .message_structure_json = true },
                { .topic_arn = "arn:aws:sns:us-east-1:123456789012:t.fifo", .message = "b" },
        };
        buf_init(&b, 0);
        assert_int_equal(sns_publish_batch_body(m, 2, &b), 0);
        assert_string_equal(buf_str(&b),
                            "Action=PublishBatch&Version=2010-03-31"
                            "&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3At.fifo"
                            "&PublishBatchRequestEntries.member.1.Id=0"
                            "&PublishBatchRequestEntries.member.1.Subject=s"
                            "&PublishBatchRequestEntries.member.1.Message=a"
                            "&PublishBatchRequestEntries.member.1.MessageStructure=json"
                            "&PublishBatchRequestEntries.member.1.MessageGroupId=g"
                            "&PublishBatchRequestEntries.member.1.MessageDeduplicationId=e1"
                            "&PublishBatchRequestEntries.member.2.Id=1"
                            "&PublishBatchRequestEntries.member.2.Message=b");
        buf_free(&b);
        assert_int_equal(sns_publish_batch_body(m, 0, &b), -EINVAL);
        assert_int_equal(sns_publish_batch_body(m, SNS_BATCH_MAX + 1, &b), -EINVAL);
}

static void test_publish_batch_too_large(void **state) {
        (void)state;
        struct buf b;
        char *big = malloc(SNS_PAYLOAD_MAX / 2 + 1);
        memset(big, 'x', SNS_PAYLOAD_MAX / 2);
        big[SNS_PAYLOAD_MAX / 2] = '\0';
        const struct sns_message m[3] = {
                { .topic_arn = "arn:aws:sns:us-east-1:123456789012:t", .message = big },
                { .topic_arn = "arn:aws:sns:us-east-1:123456789012:t", .message = big },
                { .topic_arn = "arn:aws:sns:us-east-1:123456789012:t", .message = "x" },
        };
        buf_init(&b, 0);
        assert_int_equal(sns_publish_batch_body(m, 2, &b), 0); /* exactly 256 KiB in all */
        buf_free(&b);
        assert_int_equal(sns_publish_batch_body(m, 3, &b), -E2BIG);
        buf_free(&b);
        free(big);
}

/* Shaped as the SNS API reference documents PublishBatchResponse (Query
 * protocol lists are <member> elements). */
static const char batch_answer[] =
        "<PublishBatchResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
        "  <PublishBatchResult>\n"
        "    <Successful>\n"
        "      <member><Id>2</Id><MessageId>mid-2</MessageId></member>\n"
        "      <member><MessageId>mid-0</MessageId><Id>0</Id></member>\n"
        "    </Successful>\n"
        "    <Failed>\n"
        "      <member><Id>1</Id><Code>InternalError</Code><Message>try later</Message>"
        "<SenderFault>false</SenderFault></member>\n"
        "      <member><Id>3</Id><Code>InvalidParameter</Code><Message>bad</Message>"
        "<SenderFault>true</SenderFault></member>\n"
        "    </Failed>\n"
        "  </PublishBatchResult>\n"
        "  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>\n"
        "</PublishBatchResponse>\n";

static void test_publish_batch_answer(void **state) {
        (void)state;
        struct sns_entry_result r[5];
        char *xml = testdata_dup(batch_answer, sizeof(batch_answer) - 1);
        assert_int_equal(sns_parse_publish_batch(xml, sizeof(batch_answer) - 1, 5, r), 0);
        assert_true(r[0].ok);
        assert_string_equal(r[0].message_id, "mid-0");
        assert_true(r[2].ok);
        assert_string_equal(r[2].message_id, "mid-2");
        assert_false(r[1].ok);
        assert_string_equal(r[1].error.code, "InternalError");
        assert_string_equal(r[1].error.message, "try later");
        assert_int_equal(r[1].error.cls, AWS_ERR_RETRYABLE);
        assert_false(r[3].ok);
        assert_int_equal(r[3].error.cls, AWS_ERR_FATAL);
        /* entry 4 is in neither list: not published, worth a retry */
        assert_false(r[4].ok);
        assert_int_equal(r[4].error.cls, AWS_ERR_RETRYABLE);
        /* an Id that was never sent makes the answer unusable */
        assert_int_equal(sns_parse_publish_batch(xml, sizeof(batch_answer) - 1, 3, r), -EBADMSG);
        free(xml);
        /* so does a failed entry without the Code the API reference requires
         * (found by fuzz_aws_error) */
        static const char no_code[] = "<Failed><member><Id>0</Id><Message>m</Message></member></Failed>";
        static const char empty_code[] = "<Failed><member><Id>0</Id><Code></Code></member></Failed>";
        xml = testdata_dup(no_code, sizeof(no_code) - 1);
        assert_int_equal(sns_parse_publish_batch(xml, sizeof(no_code) - 1, 1, r), -EBADMSG);
        free(xml);
        xml = testdata_dup(empty_code, sizeof(empty_code) - 1);
        assert_int_equal(sns_parse_publish_batch(xml, sizeof(empty_code) - 1, 1, r), -EBADMSG);
        free(xml);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_receive_cli_example),  cmocka_unit_test(test_receive_shapes),
                cmocka_unit_test(test_delete_batch_answer),  cmocka_unit_test(test_publish_body),
                cmocka_unit_test(test_publish_batch_body),   cmocka_unit_test(test_publish_batch_too_large),
                cmocka_unit_test(test_publish_batch_answer),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
