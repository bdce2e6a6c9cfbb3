/* The pure halves of the SQS and SNS clients: request bodies and answers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "buf.h"
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

/* The request bodies as json-c built them before they were written
 * directly: the reference they must equal, parsed back. */
static json_object *ref_receive(const struct sqs_receive_params *p) {
        json_object *req = json_object_new_object(), *names = json_object_new_array();
        json_object_array_add(names, json_object_new_string("ApproximateReceiveCount"));
        json_object_object_add(req, "QueueUrl", json_object_new_string(p->queue_url));
        json_object_object_add(req, "MaxNumberOfMessages", json_object_new_int(p->max_messages));
        json_object_object_add(req, "WaitTimeSeconds", json_object_new_int(p->wait_time_seconds));
        json_object_object_add(req, "VisibilityTimeout", json_object_new_int(p->visibility_timeout));
        json_object_object_add(req, "MessageSystemAttributeNames", names);
        return req;
}

static json_object *ref_delete(const char *queue_url, const struct sqs_batch *b, unsigned which) {
        json_object *req = json_object_new_object(), *entries = json_object_new_array();
        for (size_t i = 0; i < b->n; i++) {
                if (!(which & (1u << i)))
                        continue;
                json_object *e = json_object_new_object();
                const char id[2] = { (char)('0' + i), '\0' };
                json_object_array_add(entries, e);
                json_object_object_add(e, "Id", json_object_new_string(id));
                json_object_object_add(e, "ReceiptHandle", json_object_new_string(b->msg[i].receipt_handle));
        }
        json_object_object_add(req, "QueueUrl", json_object_new_string(queue_url));
        json_object_object_add(req, "Entries", entries);
        return req;
}

/* body parses as JSON equal to want; where no string needs an escape the
 * bytes are json-c's own too. Takes want. */
static void assert_same_json(const struct buf *body, json_object *want, bool plain) {
        json_object *got = json_tokener_parse(buf_str(body));
        assert_non_null(got);
        assert_true(json_object_equal(got, want));
        if (plain)
                assert_string_equal(buf_str(body),
                                    json_object_to_json_string_ext(want, JSON_C_TO_STRING_PLAIN |
                                                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(got);
        json_object_put(want);
}

static void test_request_bodies(void **state) {
        static const char *const HANDLES[] = {
                "AQEBzbVv...fqNzFw==", "a\"quote", "back\\slash", "line\nbreak\ttab\x01\x1f", "sl/ash",
                "caf\xc3\xa9 \xe6\x97\xa5", "", "\x7f",
        };
        static const char URL[] = "http://127.0.0.1:4566/000000000000/q";
        struct sqs_receive_params p = { .queue_url = URL, .max_messages = 10, .wait_time_seconds = 20,
                                        .visibility_timeout = -1 };
        struct sqs_batch b = { .n = SQS_BATCH_MAX };
        struct buf body;

        (void)state;
        buf_init(&body, 1 << 16);
        assert_int_equal(sqs_receive_body(&p, &body), 0);
        assert_same_json(&body, ref_receive(&p), true);
        p.queue_url = "http://x/q\"\\\n";
        buf_truncate(&body, 0);
        assert_int_equal(sqs_receive_body(&p, &body), 0);
        assert_same_json(&body, ref_receive(&p), false);

        for (size_t i = 0; i < b.n; i++)
                b.msg[i].receipt_handle = (char *)HANDLES[i % (sizeof(HANDLES) / sizeof(HANDLES[0]))];
        static const unsigned WHICH[] = { 1, 1u << 9, 0x3ff, 0x155, 0x2aa };
        for (size_t w = 0; w < sizeof(WHICH) / sizeof(WHICH[0]); w++) {
                buf_truncate(&body, 0);
                assert_int_equal(sqs_delete_batch_body(URL, &b, WHICH[w], &body), 0);
                assert_same_json(&body, ref_delete(URL, &b, WHICH[w]), WHICH[w] == 1);
        }
        /* no entry: refused, nothing written */
        buf_truncate(&body, 0);
        assert_int_equal(buf_puts(&body, "x"), 0);
        assert_int_equal(sqs_delete_batch_body(URL, &b, 0, &body), -EINVAL);
        assert_string_equal(buf_str(&body), "x");
        buf_free(&body);

        /* past the buffer's maximum: refused, nothing written */
        buf_init(&body, 40);
        assert_int_equal(sqs_delete_batch_body(URL, &b, 0x3ff, &body), -E2BIG);
        assert_int_equal(body.len, 0);
        assert_int_equal(sqs_receive_body(&p, &body), -E2BIG);
        assert_int_equal(body.len, 0);
        buf_free(&body);
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
        buf_init(&b, TESTDATA_MAX);
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
        buf_init(&b, TESTDATA_MAX);
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

/* Two-digit indexes: the tenth entry and the tenth attribute of a full batch. */
static void test_publish_batch_indexes(void **state) {
        (void)state;
        struct buf b;
        struct sns_attribute a[SNS_ATTRIBUTES_MAX];
        struct sns_message m[SNS_BATCH_MAX];
        static const char *const names[SNS_ATTRIBUTES_MAX] = { "a0", "a1", "a2", "a3", "a4",
                                                               "a5", "a6", "a7", "a8", "a9" };
        for (size_t i = 0; i < SNS_ATTRIBUTES_MAX; i++)
                a[i] = (struct sns_attribute){ names[i], "v" };
        for (size_t i = 0; i < SNS_BATCH_MAX; i++)
                m[i] = (struct sns_message){ .topic_arn = "arn:aws:sns:us-east-1:123456789012:t", .message = "m",
                                             .attributes = a, .n_attributes = SNS_ATTRIBUTES_MAX };
        buf_init(&b, TESTDATA_MAX);
        assert_int_equal(sns_publish_batch_body(m, SNS_BATCH_MAX, &b), 0);
        assert_non_null(strstr(buf_str(&b), "&PublishBatchRequestEntries.member.9.Id=8&"));
        assert_non_null(strstr(buf_str(&b), "&PublishBatchRequestEntries.member.10.Id=9&"));
        assert_non_null(strstr(buf_str(&b),
                               "&PublishBatchRequestEntries.member.10.MessageAttributes.entry.10.Name=a9"
                               "&PublishBatchRequestEntries.member.10.MessageAttributes.entry.10.Value.DataType=String"
                               "&PublishBatchRequestEntries.member.10.MessageAttributes.entry.10.Value.StringValue=v"));
        assert_null(strstr(buf_str(&b), "member.11."));
        buf_free(&b);
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
        buf_init(&b, TESTDATA_MAX);
        assert_int_equal(sns_publish_batch_body(m, 2, &b), 0); /* exactly 256 KiB in all */
        buf_free(&b);
        assert_int_equal(sns_publish_batch_body(m, 3, &b), -E2BIG);
        buf_free(&b);
        free(big);
}

/* The budget counts what goes out for each entry: subject, message, each
 * attribute's name, type and (capped) value, FIFO ids. */
static void test_message_size(void **state) {
        (void)state;
        const struct sns_attribute a[3] = { { "actor", "alice" }, { "outcome", "" }, { "event_name", NULL } };
        struct sns_message m = { .topic_arn = "arn:aws:sns:us-east-1:123456789012:t", .subject = "subj",
                                 .message = "hello", .attributes = a, .n_attributes = 3 };
        size_t size = 0;
        assert_int_equal(sns_message_size(&m, &size), 0);
        assert_int_equal(size, strlen("subj") + strlen("hello") + strlen("actor") + strlen("String") + strlen("alice"));
        m.group_id = "g1";
        m.dedup_id = "id with space"; /* sent as its 64-digit SHA-256 */
        assert_int_equal(sns_message_size(&m, &size), 0);
        assert_int_equal(size, 4 + 5 + 5 + 6 + 5 + 2 + 64);

        /* a 200 KB attribute value counts as what is sent: 256 bytes */
        char *big = malloc(200001);
        memset(big, 'u', 200000);
        big[200000] = '\0';
        const struct sns_attribute huge[1] = { { "actor", big } };
        m = (struct sns_message){ .topic_arn = "t", .message = "m", .attributes = huge, .n_attributes = 1 };
        assert_int_equal(sns_message_size(&m, &size), 0);
        assert_int_equal(size, 1 + 5 + 6 + 256);
        free(big);
}

/* Two messages of 128 KiB fit one batch; a subject or an attribute more
 * makes the batch too large, so it is refused before anything is sent. */
static void test_batch_budget_counts_subject_and_attributes(void **state) {
        (void)state;
        struct buf b;
        char *half = malloc(SNS_PAYLOAD_MAX / 2 + 1);
        memset(half, 'x', SNS_PAYLOAD_MAX / 2);
        half[SNS_PAYLOAD_MAX / 2] = '\0';
        const struct sns_attribute a[1] = { { "actor", "a" } };
        struct sns_message m[2] = {
                { .topic_arn = "arn:aws:sns:us-east-1:123456789012:t", .message = half },
                { .topic_arn = "arn:aws:sns:us-east-1:123456789012:t", .message = half },
        };
        buf_init(&b, TESTDATA_MAX);
        assert_int_equal(sns_publish_batch_body(m, 2, &b), 0);
        buf_free(&b);
        m[1].subject = "s";
        assert_int_equal(sns_publish_batch_body(m, 2, &b), -E2BIG);
        m[1].subject = NULL;
        m[0].attributes = a;
        m[0].n_attributes = 1;
        assert_int_equal(sns_publish_batch_body(m, 2, &b), -E2BIG);
        buf_free(&b);
        /* one message alone: the same limit */
        char *full = malloc(SNS_PAYLOAD_MAX + 1);
        memset(full, 'y', SNS_PAYLOAD_MAX);
        full[SNS_PAYLOAD_MAX] = '\0';
        struct sns_message one = { .topic_arn = "t", .message = full };
        assert_int_equal(sns_publish_body(&one, &b), 0);
        buf_free(&b);
        one.subject = "s";
        assert_int_equal(sns_publish_body(&one, &b), -E2BIG);
        buf_free(&b);
        free(full);
        free(half);
}

/* What a hostile record puts in attributes and FIFO ids goes out as values
 * SNS accepts. */
static void test_hostile_values_in_the_form(void **state) {
        (void)state;
        struct buf b;
        const struct sns_attribute a[1] = { { "actor", "x\x01\ny" } };
        const struct sns_message m = { .topic_arn = "t.fifo", .message = "m", .attributes = a, .n_attributes = 1,
                                       .group_id = "i-1", .dedup_id = "evt id with space" };
        buf_init(&b, TESTDATA_MAX);
        assert_int_equal(sns_publish_body(&m, &b), 0);
        assert_string_equal(buf_str(&b),
                            "Action=Publish&Version=2010-03-31&TopicArn=t.fifo&Message=m"
                            "&MessageAttributes.entry.1.Name=actor"
                            "&MessageAttributes.entry.1.Value.DataType=String"
                            "&MessageAttributes.entry.1.Value.StringValue=x%5Cx01%5Cny"
                            "&MessageGroupId=i-1"
                            "&MessageDeduplicationId=81cb77c698b9472cc44b4bc6a9206d736fd165cdad97a96ccdbc66873a4925a5");
        buf_free(&b);
}

static void test_next_max_messages(void **state) {
        (void)state;
        /* too large: halve down to 1 */
        assert_int_equal(sqs_next_max_messages(10, 10, true, 0, 0), 5);
        assert_int_equal(sqs_next_max_messages(5, 10, true, 0, 0), 2);
        assert_int_equal(sqs_next_max_messages(2, 10, true, 0, 0), 1);
        assert_int_equal(sqs_next_max_messages(1, 10, true, 0, 0), 1);
        /* small answers: back up, never past the configured count */
        assert_int_equal(sqs_next_max_messages(1, 10, false, 3000, 1), 2);
        assert_int_equal(sqs_next_max_messages(5, 10, false, 3000, 5), 10);
        assert_int_equal(sqs_next_max_messages(5, 7, false, 3000, 5), 7);
        assert_int_equal(sqs_next_max_messages(10, 10, false, 3000, 10), 10);
        /* nothing learnt from an empty answer */
        assert_int_equal(sqs_next_max_messages(2, 10, false, 2, 0), 2);
        /* 3 MiB a message (1 MiB of escaped text): four would fill 12 MiB, more
         * than half the cap, so stay at 2 */
        assert_int_equal(sqs_next_max_messages(2, 10, false, 2 * 3u * 1024 * 1024, 2), 2);
        /* 2 MiB a message: four fill exactly half */
        assert_int_equal(sqs_next_max_messages(2, 10, false, 2 * 2u * 1024 * 1024, 2), 4);
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
                cmocka_unit_test(test_delete_batch_answer),  cmocka_unit_test(test_request_bodies),  cmocka_unit_test(test_publish_body),
                cmocka_unit_test(test_publish_batch_body),   cmocka_unit_test(test_publish_batch_indexes),
                cmocka_unit_test(test_publish_batch_too_large),
                cmocka_unit_test(test_publish_batch_answer),
                cmocka_unit_test(test_message_size),
                cmocka_unit_test(test_batch_budget_counts_subject_and_attributes),
                cmocka_unit_test(test_hostile_values_in_the_form),
                cmocka_unit_test(test_next_max_messages),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
