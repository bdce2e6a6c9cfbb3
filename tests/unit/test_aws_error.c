#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "aws_error.h"
#include "testdata.h"

/* Expected codes, messages and request ids are read by eye from the files in
 * tests/data/aws-responses; classes follow the table in aws_error.h; epoch
 * values were worked out by hand (see test_http_date). */

/* RFC 7231's example date, Sun, 06 Nov 1994 08:49:37 GMT: 9075 days
 * (24 years with 6 leap days, Jan-Oct 1994, 5 days of November) of 86400 s
 * plus 8 h 49 min 37 s. The local clock in these tests. */
#define NOW ((time_t)784111777)

static int from_xml(long status, const char *s, time_t server_date, struct aws_error *e) {
        size_t n = strlen(s);
        char *body = testdata_dup(s, n); /* exact size, no NUL after it */
        assert_non_null(body);
        int r = aws_error_from_xml(status, body, n, server_date, NOW, e);
        free(body);
        return r;
}

static int from_json(long status, const char *s, const struct aws_json_error_headers *h,
                     time_t server_date, struct aws_error *e) {
        size_t n = s ? strlen(s) : 0;
        char *body = s ? testdata_dup(s, n) : NULL;
        assert_true(!s || body);
        int r = aws_error_from_json_headers(status, body, n, h, server_date, NOW, e);
        free(body);
        return r;
}

static char *error_response(const char *code, const char *message) {
        struct buf b = { .max = TESTDATA_MAX };
        assert_int_equal(buf_printf(&b,
                                    "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
                                    "<Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>"
                                    "<RequestId>req-1</RequestId></ErrorResponse>",
                                    code, message),
                         0);
        return buf_steal(&b);
}

static enum aws_error_class xml_class(long status, const char *code, time_t server_date) {
        struct aws_error e;
        char *body = error_response(code, "m");
        assert_int_equal(from_xml(status, body, server_date, &e), 0);
        assert_string_equal(e.code, code);
        free(body);
        return e.cls;
}

static enum aws_error_class json_class(long status, const char *type, time_t server_date) {
        struct aws_error e;
        struct buf b = { .max = TESTDATA_MAX };
        assert_int_equal(buf_printf(&b, "{\"__type\":\"com.amazonaws.sqs#%s\",\"message\":\"m\"}", type), 0);
        assert_int_equal(from_json(status, buf_str(&b), NULL, server_date, &e), 0);
        assert_string_equal(e.code, type);
        buf_free(&b);
        return e.cls;
}

static void test_xml_error_files(void **state) {
        (void)state;
        static const struct {
                const char *file;
                long status;
                const char *code, *message, *request_id;
        } cases[] = {
                { "sns-error-invalidparameter.xml", 400, "InvalidParameter", "TopicArn",
                  "8c4c8aa7-436b-5b46-91d5-c0a339158557" },
                { "iam-error-nosuchentity.xml", 404, "NoSuchEntity",
                  "The user with name foobar cannot be found.", "358299bb-b7f8-11e2-8d39-e3a125f625ee" },
                { "sts-error-accessdenied.xml", 403, "AccessDenied",
                  "GetSessionToken call failed, unable to validate MFA code.  Please verify your MFA "
                  "serial number is valid and associated with this user.",
                  "8088f6eb-b7fb-11e2-8d25-4b9f3b52b80f" },
                { "sqs-query-error-invalidaddress.xml", 404, "InvalidAddress",
                  "The address foobar is not valid for this endpoint.", "9b06cd2c-b433-550f-bde2-8728ce9b1a93" },
                { "sqs-query-error-invalidparametervalue-awsdocs.xml", 400, "InvalidParameterValue",
                  "Value (quename_nonalpha) for parameter QueueName is invalid.\n"
                  "         Must be an alphanumeric String of 1 to 80 in length.",
                  "42d59b56-7407-4c4a-be0f-4c88daeea257" },
                { "ec2-error-response-variant.xml", 400, "InvalidInstanceID.Malformed",
                  "Invalid id: \"foobar\"", "dfb14b43-9a55-4d8e-b676-e8034d12bbeb" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct buf path = { .max = TESTDATA_MAX };
                struct aws_error e;
                size_t len = 0;
                assert_int_equal(buf_printf(&path, "aws-responses/%s", cases[i].file), 0);
                char *body = testdata_read(buf_str(&path), &len);
                assert_non_null(body);

                assert_int_equal(aws_error_from_xml(cases[i].status, body, len, 0, NOW, &e), 0);
                assert_int_equal(e.cls, AWS_ERR_FATAL);
                assert_int_equal(e.http_status, cases[i].status);
                assert_string_equal(e.code, cases[i].code);
                assert_string_equal(e.query_code, "");
                assert_string_equal(e.message, cases[i].message);
                assert_string_equal(e.request_id, cases[i].request_id);
                assert_false(aws_error_is_retryable(&e));

                /* the same codes from a server failure are retried on the status */
                assert_int_equal(aws_error_from_xml(503, body, len, 0, NOW, &e), 0);
                assert_int_equal(e.cls, AWS_ERR_RETRYABLE);
                assert_string_equal(e.code, cases[i].code);

                /* 2xx is success whatever the body says */
                assert_int_equal(aws_error_from_xml(200, body, len, 0, NOW, &e), 0);
                assert_int_equal(e.cls, AWS_ERR_NONE);
                assert_string_equal(e.code, "");
                free(body);
                buf_free(&path);
        }
}

static void test_xml_success_bodies(void **state) {
        (void)state;
        static const char *const files[] = {
                "aws-responses/sns-publish-response.xml",
                "aws-responses/sqs-query-receivemessage-response.xml",
                "aws-responses/sqs-query-createqueue-response-awsdocs.xml",
        };
        static const char *const request_ids[] = {
                "f187a3c1-376f-11df-8963-01868b7c937a",
                "b6633655-283d-45b4-aee4-4e84e0ae6afa",
                "cb919c0a-9bce-4afe-9b48-9bdf2412bb67",
        };
        for (size_t i = 0; i < 3; i++) {
                struct aws_error e;
                size_t len = 0;
                char *body = testdata_read(files[i], &len);
                assert_non_null(body);
                assert_int_equal(aws_error_from_xml(200, body, len, 0, NOW, &e), 0);
                assert_int_equal(e.cls, AWS_ERR_NONE);
                /* a success body under an error status: no <Error>, so the
                 * status decides, and the request id is still found */
                assert_int_equal(aws_error_from_xml(400, body, len, 0, NOW, &e), 0);
                assert_int_equal(e.cls, AWS_ERR_FATAL);
                assert_string_equal(e.code, "HTTP 400");
                assert_string_equal(e.message, "");
                assert_string_equal(e.request_id, request_ids[i]);
                free(body);
        }
}

static void test_sqs_json_error_file(void **state) {
        (void)state;
        char *text = testdata_read_string("aws-responses/sqs-json-error-queuedoesnotexist.json");
        assert_non_null(text);
        struct json_object *doc = json_tokener_parse(text), *v, *headers;
        assert_non_null(doc);
        assert_true(json_object_object_get_ex(doc, "status", &v));
        long status = json_object_get_int(v);
        assert_true(json_object_object_get_ex(doc, "headers", &headers));
        assert_true(json_object_object_get_ex(headers, "x-amzn-query-error", &v));
        const char *query_error = json_object_get_string(v);
        assert_true(json_object_object_get_ex(doc, "body", &v));
        size_t len = (size_t)json_object_get_string_len(v);
        char *body = testdata_dup(json_object_get_string(v), len);
        assert_non_null(body);

        struct aws_error e;
        assert_int_equal(aws_error_from_json(status, body, len, query_error, 0, NOW, &e), 0);
        assert_int_equal(e.http_status, 400);
        assert_int_equal(e.cls, AWS_ERR_FATAL);
        assert_string_equal(e.code, "QueueDoesNotExist");
        assert_string_equal(e.query_code, "AWS.SimpleQueueService.NonExistentQueue");
        assert_string_equal(e.message, "The specified queue does not exist.");
        assert_string_equal(e.request_id, "");

        /* without the header the code alone is known */
        assert_int_equal(aws_error_from_json(status, body, len, NULL, 0, NOW, &e), 0);
        assert_string_equal(e.code, "QueueDoesNotExist");
        assert_string_equal(e.query_code, "");

        /* every cut of the body: unparsable, so the status decides, but the
         * header still gives the query code */
        for (size_t n = 0; n < len; n++) {
                char *cut = testdata_dup(body, n);
                assert_non_null(cut);
                assert_int_equal(aws_error_from_json(status, cut, n, query_error, 0, NOW, &e), 0);
                assert_int_equal(e.cls, AWS_ERR_FATAL);
                assert_string_equal(e.code, "HTTP 400");
                assert_string_equal(e.query_code, "AWS.SimpleQueueService.NonExistentQueue");
                assert_int_equal(aws_error_from_json(500, cut, n, query_error, 0, NOW, &e), 0);
                assert_int_equal(e.cls, AWS_ERR_RETRYABLE);
                free(cut);
        }
        free(body);
        json_object_put(doc);
        free(text);
}

static const char *case_header(struct json_object *response, const char *name) {
        struct json_object *headers;
        if (!json_object_object_get_ex(response, "headers", &headers))
                return NULL;
        json_object_object_foreach(headers, key, value) {
                if (strcasecmp(key, name) == 0)
                        return json_object_get_string(value);
        }
        return NULL;
}

/* One botocore protocol-test case: response {status_code, headers, body?},
 * errorCode and errorMessage (null: none) as botocore reports them. botocore's
 * error code is the x-amzn-query-error code when there is one. */
static void check_protocol_case(const char *protocol, struct json_object *c) {
        struct json_object *response, *v;
        struct aws_error e;
        const char *id = "?";

        if (json_object_object_get_ex(c, "id", &v))
                id = json_object_get_string(v);
        print_message("case %s\n", id);
        assert_true(json_object_object_get_ex(c, "response", &response));
        assert_true(json_object_object_get_ex(response, "status_code", &v));
        long status = json_object_get_int(v);
        const char *body = NULL;
        size_t len = 0;
        if (json_object_object_get_ex(response, "body", &v)) {
                body = json_object_get_string(v);
                len = (size_t)json_object_get_string_len(v);
        }
        char *copy = testdata_dup(body, len);
        assert_non_null(copy);
        if (strcmp(protocol, "query") == 0) {
                assert_int_equal(aws_error_from_xml(status, body ? copy : NULL, len, 0, NOW, &e), 0);
        } else {
                assert_string_equal(protocol, "json");
                const struct aws_json_error_headers h = {
                        .error_type = case_header(response, "X-Amzn-Errortype"),
                        .query_error = case_header(response, "x-amzn-query-error"),
                };
                assert_int_equal(aws_error_from_json_headers(status, body ? copy : NULL, len, &h, 0, NOW, &e), 0);
        }
        free(copy);

        assert_true(json_object_object_get_ex(c, "errorCode", &v));
        assert_string_equal(e.query_code[0] ? e.query_code : e.code, json_object_get_string(v));
        const char *want_message = "";
        if (json_object_object_get_ex(c, "errorMessage", &v) && v)
                want_message = json_object_get_string(v);
        assert_string_equal(e.message, want_message);
        /* none of these codes is in the table: the status decides */
        assert_int_equal(e.cls, status >= 500 ? AWS_ERR_RETRYABLE : AWS_ERR_FATAL);
        assert_int_equal(e.http_status, status);
}

static void test_botocore_protocol_error_cases(void **state) {
        (void)state;
        char *text = testdata_read_string("aws-responses/botocore-protocol-error-cases.json");
        assert_non_null(text);
        struct json_object *doc = json_tokener_parse(text), *cases, *v;
        assert_non_null(doc);
        assert_true(json_object_object_get_ex(doc, "cases", &cases));
        size_t n = json_object_array_length(cases);
        assert_int_equal(n, 17);
        for (size_t i = 0; i < n; i++) {
                struct json_object *c = json_object_array_get_idx(cases, i);
                assert_true(json_object_object_get_ex(c, "protocol", &v));
                check_protocol_case(json_object_get_string(v), c);
        }
        json_object_put(doc);
        free(text);

        /* spot checks of the namespace and URI stripping, by hand */
        struct aws_error e;
        const struct aws_json_error_headers h = {
                .error_type = "aws.protocoltests.json10#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/",
        };
        assert_int_equal(from_json(500, NULL, &h, 0, &e), 0);
        assert_string_equal(e.code, "FooError");
        assert_int_equal(from_json(400, "{\"code\": \"a#b#Bar:x#y\"}", NULL, 0, &e), 0);
        assert_string_equal(e.code, "Bar");
}

static void test_botocore_query_compatible_file(void **state) {
        (void)state;
        char *text = testdata_read_string("aws-responses/botocore-protocol-json10-query-compatible.json");
        assert_non_null(text);
        struct json_object *doc = json_tokener_parse(text), *cases;
        assert_non_null(doc);
        size_t seen = 0;
        for (size_t i = 0; i < json_object_array_length(doc); i++) {
                struct json_object *suite = json_object_array_get_idx(doc, i);
                assert_true(json_object_object_get_ex(suite, "cases", &cases));
                for (size_t j = 0; j < json_object_array_length(cases); j++) {
                        struct json_object *c = json_object_array_get_idx(cases, j), *response, *v;
                        struct aws_error e;
                        assert_true(json_object_object_get_ex(c, "response", &response));
                        assert_true(json_object_object_get_ex(response, "status_code", &v));
                        long status = json_object_get_int(v);
                        assert_true(json_object_object_get_ex(response, "body", &v));
                        size_t len = (size_t)json_object_get_string_len(v);
                        char *body = testdata_dup(json_object_get_string(v), len);
                        assert_non_null(body);
                        /* the plain entry point: only x-amzn-query-error */
                        assert_int_equal(aws_error_from_json(status, body, len,
                                                             case_header(response, "x-amzn-query-error"),
                                                             0, NOW, &e), 0);
                        free(body);
                        assert_true(json_object_object_get_ex(c, "errorCode", &v));
                        assert_string_equal(e.query_code[0] ? e.query_code : e.code, json_object_get_string(v));
                        assert_true(json_object_object_get_ex(c, "errorMessage", &v));
                        assert_string_equal(e.message, json_object_get_string(v));
                        assert_int_equal(e.cls, AWS_ERR_FATAL);
                        seen++;
                }
        }
        assert_int_equal(seen, 2);
        json_object_put(doc);
        free(text);

        /* the second case by hand: both codes kept */
        struct aws_error e;
        const struct aws_json_error_headers h = { .query_error = "Customized;Sender" };
        assert_int_equal(from_json(400, "{\"__type\": \"aws.protocoltests.json10#CustomCodeError\", \"message\": \"Hi\"}",
                                   &h, 0, &e), 0);
        assert_string_equal(e.code, "CustomCodeError");
        assert_string_equal(e.query_code, "Customized");
}

/* SNS Publish: class decided for every modeled code (aws_error.h table). */
static const struct {
        const char *code;
        enum aws_error_class cls;
} sns_publish_expect[] = {
        { "InvalidParameter", AWS_ERR_FATAL },
        { "ParameterValueInvalid", AWS_ERR_FATAL },
        { "InternalError", AWS_ERR_RETRYABLE },
        { "NotFound", AWS_ERR_FATAL },
        { "EndpointDisabled", AWS_ERR_FATAL },
        { "PlatformApplicationDisabled", AWS_ERR_FATAL },
        { "AuthorizationError", AWS_ERR_FATAL },
        { "KMSDisabled", AWS_ERR_FATAL },
        { "KMSInvalidState", AWS_ERR_FATAL },
        { "KMSNotFound", AWS_ERR_FATAL },
        { "KMSOptInRequired", AWS_ERR_FATAL },
        { "KMSThrottling", AWS_ERR_THROTTLED },
        { "KMSAccessDenied", AWS_ERR_FATAL },
        { "InvalidSecurity", AWS_ERR_FATAL },
        { "ValidationException", AWS_ERR_FATAL },
};

/* SQS: the file names shapes only. Their x-amzn-query-error codes and HTTP
 * statuses are those of the awsQueryError traits in the SQS Smithy model
 * (as generated into aws-sdk-js-v3 clients/client-sqs); InvalidIdFormat has
 * none (status 400 is then the JSON protocol's client-error default). */
static const struct {
        const char *shape;
        const char *query_code;
        long status;
        enum aws_error_class cls;
} sqs_expect[] = {
        { "UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", 400, AWS_ERR_FATAL },
        { "OverLimit", "OverLimit", 403, AWS_ERR_THROTTLED },
        { "RequestThrottled", "RequestThrottled", 403, AWS_ERR_THROTTLED },
        { "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400, AWS_ERR_FATAL },
        { "InvalidSecurity", "InvalidSecurity", 403, AWS_ERR_FATAL },
        { "KmsDisabled", "KMS.DisabledException", 400, AWS_ERR_FATAL },
        { "KmsInvalidState", "KMS.InvalidStateException", 400, AWS_ERR_FATAL },
        { "KmsNotFound", "KMS.NotFoundException", 400, AWS_ERR_FATAL },
        { "KmsOptInRequired", "KMS.OptInRequired", 403, AWS_ERR_FATAL },
        { "KmsThrottled", "KMS.ThrottlingException", 400, AWS_ERR_THROTTLED },
        { "KmsAccessDenied", "KMS.AccessDeniedException", 400, AWS_ERR_FATAL },
        { "KmsInvalidKeyUsage", "KMS.InvalidKeyUsageException", 400, AWS_ERR_FATAL },
        { "InvalidAddress", "InvalidAddress", 404, AWS_ERR_FATAL },
        { "InvalidIdFormat", NULL, 400, AWS_ERR_FATAL },
        { "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 404, AWS_ERR_FATAL },
        { "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", 400, AWS_ERR_FATAL },
};

static void check_sns_error(struct json_object *err) {
        struct json_object *v;
        assert_true(json_object_object_get_ex(err, "code", &v));
        const char *code = json_object_get_string(v);
        assert_true(json_object_object_get_ex(err, "httpStatusCode", &v));
        long status = json_object_get_int(v);
        print_message("SNS Publish %s %ld\n", code, status);
        size_t i = 0;
        while (i < sizeof(sns_publish_expect) / sizeof(sns_publish_expect[0]) &&
               strcmp(sns_publish_expect[i].code, code) != 0)
                i++;
        assert_true(i < sizeof(sns_publish_expect) / sizeof(sns_publish_expect[0])); /* every code decided */
        assert_int_equal(xml_class(status, code, 0), sns_publish_expect[i].cls);
}

static void check_sqs_error(struct json_object *err) {
        struct json_object *v;
        struct aws_error e;
        assert_true(json_object_object_get_ex(err, "shape", &v));
        const char *shape = json_object_get_string(v);
        print_message("SQS %s\n", shape);
        size_t i = 0;
        while (i < sizeof(sqs_expect) / sizeof(sqs_expect[0]) && strcmp(sqs_expect[i].shape, shape) != 0)
                i++;
        assert_true(i < sizeof(sqs_expect) / sizeof(sqs_expect[0]));
        /* as SQS sends it: __type and x-amzn-query-error */
        struct buf body = { .max = TESTDATA_MAX }, header = { .max = TESTDATA_MAX };
        assert_int_equal(buf_printf(&body, "{\"__type\":\"com.amazonaws.sqs#%s\",\"message\":\"m\"}", shape), 0);
        if (sqs_expect[i].query_code)
                assert_int_equal(buf_printf(&header, "%s;Sender", sqs_expect[i].query_code), 0);
        const struct aws_json_error_headers h = {
                .query_error = sqs_expect[i].query_code ? buf_str(&header) : NULL,
        };
        assert_int_equal(from_json(sqs_expect[i].status, buf_str(&body), &h, 0, &e), 0);
        assert_int_equal(e.cls, sqs_expect[i].cls);
        assert_string_equal(e.code, shape);
        assert_string_equal(e.query_code, sqs_expect[i].query_code ? sqs_expect[i].query_code : "");
        /* either code alone classifies the same */
        assert_int_equal(json_class(sqs_expect[i].status, shape, 0), sqs_expect[i].cls);
        buf_free(&body);
        buf_free(&header);
}

static void test_modeled_errors(void **state) {
        (void)state;
        char *text = testdata_read_string("aws-responses/botocore-derived-error-codes.json");
        assert_non_null(text);
        struct json_object *doc = json_tokener_parse(text), *services, *svc, *ops, *errors;
        assert_non_null(doc);
        assert_true(json_object_object_get_ex(doc, "services", &services));
        size_t sns_seen = 0, sqs_seen = 0;

        assert_true(json_object_object_get_ex(services, "sns", &svc));
        assert_true(json_object_object_get_ex(svc, "operations", &ops));
        json_object_object_foreach(ops, op, def) {
                assert_string_equal(op, "Publish");
                assert_true(json_object_object_get_ex(def, "errors", &errors));
                for (size_t i = 0; i < json_object_array_length(errors); i++, sns_seen++)
                        check_sns_error(json_object_array_get_idx(errors, i));
        }
        assert_true(json_object_object_get_ex(services, "sqs", &svc));
        assert_true(json_object_object_get_ex(svc, "operations", &ops));
        json_object_object_foreach(ops, sqs_op, sqs_def) {
                print_message("SQS operation %s\n", sqs_op);
                assert_true(json_object_object_get_ex(sqs_def, "errors", &errors));
                for (size_t i = 0; i < json_object_array_length(errors); i++, sqs_seen++)
                        check_sqs_error(json_object_array_get_idx(errors, i));
        }
        /* 15 Publish errors; 13 + 7 + 7 for Receive/Delete/ChangeVisibility */
        assert_int_equal(sns_seen, 15);
        assert_int_equal(sqs_seen, 27);
        json_object_put(doc);
        free(text);
}

static void test_clock_skew(void **state) {
        (void)state;
        time_t plus10, minus10, plus1;
        assert_int_equal(http_date_parse("Sun, 06 Nov 1994 08:59:37 GMT", &plus10), 0);
        assert_int_equal(http_date_parse("Sun, 06 Nov 1994 08:39:37 GMT", &minus10), 0);
        assert_int_equal(http_date_parse("Sun, 06 Nov 1994 08:50:37 GMT", &plus1), 0);

        assert_int_equal(xml_class(403, "SignatureDoesNotMatch", plus10), AWS_ERR_CLOCK_SKEW);
        assert_int_equal(xml_class(403, "SignatureDoesNotMatch", minus10), AWS_ERR_CLOCK_SKEW);
        assert_int_equal(xml_class(403, "SignatureDoesNotMatch", plus1), AWS_ERR_FATAL);
        assert_int_equal(xml_class(403, "SignatureDoesNotMatch", 0), AWS_ERR_FATAL); /* no Date */
        /* the threshold: more than 4 minutes */
        assert_int_equal(xml_class(403, "SignatureDoesNotMatch", NOW + 240), AWS_ERR_FATAL);
        assert_int_equal(xml_class(403, "SignatureDoesNotMatch", NOW - 240), AWS_ERR_FATAL);
        assert_int_equal(xml_class(403, "SignatureDoesNotMatch", NOW + 241), AWS_ERR_CLOCK_SKEW);
        assert_int_equal(xml_class(403, "SignatureDoesNotMatch", NOW - 241), AWS_ERR_CLOCK_SKEW);
        assert_int_equal(xml_class(401, "AuthFailure", plus10), AWS_ERR_CLOCK_SKEW);
        assert_int_equal(xml_class(401, "AuthFailure", plus1), AWS_ERR_FATAL);
        assert_int_equal(json_class(400, "InvalidSignatureException", plus10), AWS_ERR_CLOCK_SKEW);
        assert_int_equal(json_class(400, "InvalidSignatureException", plus1), AWS_ERR_FATAL);
        /* a Date far outside any real clock must not overflow the difference */
        struct aws_error e;
        char *body = error_response("SignatureDoesNotMatch", "m");
        size_t n = strlen(body);
        assert_int_equal(aws_error_from_xml(403, body, n, INT64_MAX, -1000, &e), 0);
        assert_int_equal(e.cls, AWS_ERR_CLOCK_SKEW);
        assert_int_equal(aws_error_from_xml(403, body, n, INT64_MIN, 1000, &e), 0);
        assert_int_equal(e.cls, AWS_ERR_CLOCK_SKEW);
        free(body);

        /* definite skew codes need no Date */
        assert_int_equal(xml_class(403, "RequestTimeTooSkewed", 0), AWS_ERR_CLOCK_SKEW);
        assert_int_equal(xml_class(400, "RequestExpired", 0), AWS_ERR_CLOCK_SKEW);
        assert_int_equal(json_class(400, "RequestInTheFuture", plus1), AWS_ERR_CLOCK_SKEW);
        assert_true(aws_error_is_retryable(&(struct aws_error){ .cls = AWS_ERR_CLOCK_SKEW }));
}

static void test_throttling_and_server_errors(void **state) {
        (void)state;
        struct aws_error e;
        assert_int_equal(xml_class(400, "Throttling", 0), AWS_ERR_THROTTLED);
        assert_int_equal(xml_class(400, "RequestLimitExceeded", 0), AWS_ERR_THROTTLED);
        assert_int_equal(xml_class(503, "SlowDown", 0), AWS_ERR_THROTTLED);
        assert_int_equal(xml_class(429, "Throttled", 0), AWS_ERR_THROTTLED);
        assert_int_equal(json_class(400, "ThrottlingException", 0), AWS_ERR_THROTTLED);
        assert_int_equal(json_class(400, "TooManyRequestsException", 0), AWS_ERR_THROTTLED);
        assert_int_equal(json_class(400, "ProvisionedThroughputExceededException", 0), AWS_ERR_THROTTLED);
        assert_int_equal(xml_class(503, "ServiceUnavailable", 0), AWS_ERR_RETRYABLE);
        assert_int_equal(xml_class(500, "InternalFailure", 0), AWS_ERR_RETRYABLE);
        assert_int_equal(json_class(400, "RequestTimeoutException", 0), AWS_ERR_RETRYABLE);
        /* the code wins over a 4xx status */
        assert_int_equal(xml_class(400, "InternalError", 0), AWS_ERR_RETRYABLE);
        assert_int_equal(xml_class(400, "PriorRequestNotComplete", 0), AWS_ERR_RETRYABLE);
        /* codes are exact */
        assert_int_equal(xml_class(400, "throttling", 0), AWS_ERR_FATAL);
        assert_int_equal(xml_class(400, "ThrottlingX", 0), AWS_ERR_FATAL);

        /* bodies that are not AWS errors: the status decides */
        assert_int_equal(from_xml(429, "<html><body>Too Many Requests</body></html>", 0, &e), 0);
        assert_int_equal(e.cls, AWS_ERR_THROTTLED);
        assert_string_equal(e.code, "HTTP 429");
        assert_int_equal(from_json(429, "rate limited", NULL, 0, &e), 0);
        assert_int_equal(e.cls, AWS_ERR_THROTTLED);
        assert_int_equal(from_xml(500, "<html><h1>500 Internal Server Error</h1>", 0, &e), 0);
        assert_int_equal(e.cls, AWS_ERR_RETRYABLE);
        assert_string_equal(e.code, "HTTP 500");
        assert_int_equal(aws_error_from_xml(502, NULL, 0, 0, NOW, &e), 0);
        assert_int_equal(e.cls, AWS_ERR_RETRYABLE);
        assert_string_equal(e.code, "HTTP 502");
        assert_int_equal(aws_error_from_json(504, NULL, 0, NULL, 0, NOW, &e), 0);
        assert_int_equal(e.cls, AWS_ERR_RETRYABLE);
        assert_string_equal(e.code, "HTTP 504");
        assert_int_equal(from_xml(404, "<html>Not Found</html>", 0, &e), 0);
        assert_int_equal(e.cls, AWS_ERR_FATAL);
        assert_string_equal(e.code, "HTTP 404");
        assert_int_equal(from_xml(301, "", 0, &e), 0);
        assert_int_equal(e.cls, AWS_ERR_FATAL);
        assert_int_equal(from_xml(403, "<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>", 0, &e), 0);
        assert_int_equal(e.cls, AWS_ERR_FATAL);
        assert_string_equal(e.message, "");
        assert_string_equal(e.request_id, "");
        /* empty code element: as if absent */
        assert_int_equal(from_xml(400, "<Error><Code> </Code></Error>", 0, &e), 0);
        assert_string_equal(e.code, "HTTP 400");
        /* S3 style: <Error> is the root and holds RequestId */
        assert_int_equal(from_xml(503, "<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message>"
                                       "<RequestId>4442587FB7D0A2F9</RequestId></Error>", 0, &e), 0);
        assert_int_equal(e.cls, AWS_ERR_THROTTLED);
        assert_string_equal(e.request_id, "4442587FB7D0A2F9");
}

static void test_credentials_expired(void **state) {
        (void)state;
        assert_int_equal(xml_class(403, "ExpiredToken", 0), AWS_ERR_CREDENTIALS_EXPIRED);
        assert_int_equal(json_class(400, "ExpiredTokenException", 0), AWS_ERR_CREDENTIALS_EXPIRED);
        assert_int_equal(xml_class(400, "TokenRefreshRequired", 0), AWS_ERR_CREDENTIALS_EXPIRED);
        /* decided FATAL: a malformed or unknown token does not heal on refresh */
        assert_int_equal(xml_class(400, "InvalidToken", 0), AWS_ERR_FATAL);
        assert_int_equal(xml_class(403, "InvalidClientTokenId", 0), AWS_ERR_FATAL);
        assert_int_equal(json_class(400, "UnrecognizedClientException", 0), AWS_ERR_FATAL);
        assert_int_equal(xml_class(403, "AccessDenied", 0), AWS_ERR_FATAL);
}

static void test_success_statuses(void **state) {
        (void)state;
        struct aws_error e;
        static const char throttle_json[] = "{\"__type\":\"ThrottlingException\",\"message\":\"slow\"}";
        char *throttle_xml = error_response("Throttling", "Rate exceeded");
        for (long status = 200; status <= 299; status++) {
                assert_int_equal(from_xml(status, throttle_xml, 0, &e), 0);
                assert_int_equal(e.cls, AWS_ERR_NONE);
                assert_int_equal(e.http_status, status);
                assert_string_equal(e.code, "");
                assert_false(aws_error_is_retryable(&e));
                assert_int_equal(from_json(status, throttle_json, NULL, 0, &e), 0);
                assert_int_equal(e.cls, AWS_ERR_NONE);
        }
        assert_int_equal(from_xml(199, throttle_xml, 0, &e), 0);
        assert_int_equal(e.cls, AWS_ERR_THROTTLED);
        assert_int_equal(from_json(300, throttle_json, NULL, 0, &e), 0);
        assert_int_equal(e.cls, AWS_ERR_THROTTLED);
        free(throttle_xml);
}

/* Every cut of a real ErrorResponse, as a connection dropped mid-body would
 * deliver it: the code is read once <Error> is complete, the status decides
 * before that, and no byte past the cut is read (ASan). */
static void test_truncated_xml(void **state) {
        (void)state;
        size_t len = 0;
        char *body = testdata_read("aws-responses/sns-error-invalidparameter.xml", &len);
        assert_non_null(body);
        const char *error_end = memmem(body, len, "</Error>", 8);
        const char *rid_end = memmem(body, len, "</RequestId>", 12);
        assert_non_null(error_end);
        assert_non_null(rid_end);
        for (size_t n = 0; n <= len; n++) {
                struct aws_error e;
                char *cut = testdata_dup(body, n);
                assert_non_null(cut);
                assert_int_equal(aws_error_from_xml(400, cut, n, 0, NOW, &e), 0);
                assert_int_equal(e.cls, AWS_ERR_FATAL);
                if (n >= (size_t)(error_end - body) + 8) {
                        assert_string_equal(e.code, "InvalidParameter");
                        assert_string_equal(e.message, "TopicArn");
                } else {
                        assert_string_equal(e.code, "HTTP 400");
                        assert_string_equal(e.message, "");
                }
                assert_string_equal(e.request_id, n >= (size_t)(rid_end - body) + 12
                                                          ? "8c4c8aa7-436b-5b46-91d5-c0a339158557"
                                                          : "");
                free(cut);
        }
        free(body);

        /* a cut Throttling answer is throttled only once its code is whole */
        char *throttle = error_response("Throttling", "Rate exceeded");
        len = strlen(throttle);
        size_t whole = (size_t)((const char *)memmem(throttle, len, "</Error>", 8) - throttle) + 8;
        for (size_t n = 0; n <= len; n++) {
                struct aws_error e;
                char *cut = testdata_dup(throttle, n);
                assert_non_null(cut);
                assert_int_equal(aws_error_from_xml(400, cut, n, 0, NOW, &e), 0);
                assert_int_equal(e.cls, n >= whole ? AWS_ERR_THROTTLED : AWS_ERR_FATAL);
                free(cut);
        }
        free(throttle);
}

static void test_json_bodies(void **state) {
        (void)state;
        struct aws_error e;
        /* trailing whitespace is fine, trailing garbage is not JSON */
        assert_int_equal(from_json(400, "{\"__type\":\"ExpiredTokenException\"}\r\n ", NULL, 0, &e), 0);
        assert_string_equal(e.code, "ExpiredTokenException");
        assert_int_equal(from_json(400, "{\"__type\":\"ExpiredTokenException\"}x", NULL, 0, &e), 0);
        assert_string_equal(e.code, "HTTP 400");
        /* not an object, wrong member types */
        static const char *const not_errors[] = {
                "[\"ThrottlingException\"]", "\"ThrottlingException\"", "null", "42", "{}",
                "{\"__type\": 7, \"message\": [1]}", "{\"__type\": null}", "{\"__type\": \"\"}",
                "{\"__type\": \"ns#\"}", "{\"Type\": \"ThrottlingException\"}",
        };
        for (size_t i = 0; i < sizeof(not_errors) / sizeof(not_errors[0]); i++) {
                assert_int_equal(from_json(400, not_errors[i], NULL, 0, &e), 0);
                assert_string_equal(e.code, "HTTP 400");
                assert_string_equal(e.message, "");
                assert_int_equal(e.cls, AWS_ERR_FATAL);
        }
        /* "message" is preferred to "Message"; "code" to "__type" */
        assert_int_equal(from_json(400, "{\"__type\":\"A\",\"code\":\"B\",\"Message\":\"M\",\"message\":\"m\"}", NULL, 0, &e), 0);
        assert_string_equal(e.code, "B");
        assert_string_equal(e.message, "m");
        /* a JSON NUL ends the text rather than hiding bytes after it */
        assert_int_equal(from_json(400, "{\"__type\":\"X\",\"message\":\"a\\u0000b\"}", NULL, 0, &e), 0);
        assert_string_equal(e.message, "a");
        /* escapes decoded by the JSON parser */
        assert_int_equal(from_json(400, "{\"__type\":\"X\",\"message\":\"caf\\u00e9 \\\"q\\\"\"}", NULL, 0, &e), 0);
        assert_string_equal(e.message, "caf\xC3\xA9 \"q\"");

        /* nesting far beyond any error body is refused, not walked */
        struct buf deep = { .max = TESTDATA_MAX };
        assert_int_equal(buf_puts(&deep, "{\"__type\":\"ThrottlingException\",\"x\":"), 0);
        for (int i = 0; i < 1000; i++)
                assert_int_equal(buf_putc(&deep, '['), 0);
        for (int i = 0; i < 1000; i++)
                assert_int_equal(buf_putc(&deep, ']'), 0);
        assert_int_equal(buf_putc(&deep, '}'), 0);
        assert_int_equal(from_json(400, buf_str(&deep), NULL, 0, &e), 0);
        assert_string_equal(e.code, "HTTP 400");
        buf_free(&deep);

        /* headers: trimmed request id; the error type header wins */
        const struct aws_json_error_headers h = {
                .error_type = "ThrottlingException:http://internal.amazon.com/x",
                .query_error = "RequestThrottled;Sender",
                .request_id = "  0b3f0f44-5cba-5b2f-8bb8-1f7d8b8f2f9e \r\n",
        };
        assert_int_equal(from_json(400, "{\"__type\":\"com.amazonaws.sqs#Other\"}", &h, 0, &e), 0);
        assert_string_equal(e.code, "ThrottlingException");
        assert_string_equal(e.query_code, "RequestThrottled");
        assert_string_equal(e.request_id, "0b3f0f44-5cba-5b2f-8bb8-1f7d8b8f2f9e");
        assert_int_equal(e.cls, AWS_ERR_THROTTLED);
        /* a query header counts only as exactly "<code>;<type>" */
        static const char *const bad_query[] = { "RequestThrottled", ";Sender", "A;B;C", "" };
        for (size_t i = 0; i < sizeof(bad_query) / sizeof(bad_query[0]); i++) {
                const struct aws_json_error_headers hq = { .query_error = bad_query[i] };
                assert_int_equal(from_json(403, "{\"__type\":\"Other\"}", &hq, 0, &e), 0);
                assert_string_equal(e.query_code, "");
                assert_int_equal(e.cls, AWS_ERR_FATAL);
        }
        /* the query code alone can classify */
        const struct aws_json_error_headers hq = { .query_error = "KMS.ThrottlingException;Sender" };
        assert_int_equal(from_json(400, "{\"__type\":\"Other\"}", &hq, 0, &e), 0);
        assert_int_equal(e.cls, AWS_ERR_THROTTLED);
}

static void test_field_caps(void **state) {
        (void)state;
        struct aws_error e;
        struct buf msg = { .max = TESTDATA_MAX }, body = { .max = TESTDATA_MAX };

        /* 2000 ASCII bytes: 508 kept, then "..." */
        for (int i = 0; i < 2000; i++)
                assert_int_equal(buf_putc(&msg, 'x'), 0);
        char *xml = error_response("InvalidParameter", buf_str(&msg));
        assert_int_equal(from_xml(400, xml, 0, &e), 0);
        free(xml);
        assert_int_equal(strlen(e.message), 511);
        assert_memory_equal(e.message + 508, "...", 4);
        assert_int_equal(strspn(e.message, "x"), 508);

        /* 300 three-byte characters: 508 bytes would split the 170th, so 169
         * whole characters (507 bytes) are kept */
        buf_truncate(&msg, 0);
        for (int i = 0; i < 300; i++)
                assert_int_equal(buf_puts(&msg, "\xE3\x81\x82"), 0);
        assert_int_equal(buf_printf(&body, "{\"__type\":\"X\",\"message\":\"%s\"}", buf_str(&msg)), 0);
        assert_int_equal(from_json(400, buf_str(&body), NULL, 0, &e), 0);
        assert_int_equal(strlen(e.message), 510);
        assert_memory_equal(e.message, buf_str(&msg), 507);
        assert_string_equal(e.message + 507, "...");

        /* a message that just fits is not cut */
        buf_truncate(&msg, 0);
        for (int i = 0; i < 511; i++)
                assert_int_equal(buf_putc(&msg, 'y'), 0);
        xml = error_response("InvalidParameter", buf_str(&msg));
        assert_int_equal(from_xml(400, xml, 0, &e), 0);
        free(xml);
        assert_string_equal(e.message, buf_str(&msg));

        /* an overlong code is cut and so matches nothing: the status decides */
        buf_truncate(&msg, 0);
        assert_int_equal(buf_puts(&msg, "Throttling"), 0);
        for (int i = 0; i < 200; i++)
                assert_int_equal(buf_putc(&msg, 'A'), 0);
        xml = error_response(buf_str(&msg), "m");
        assert_int_equal(from_xml(400, xml, 0, &e), 0);
        free(xml);
        assert_int_equal(strlen(e.code), 127);
        assert_memory_equal(e.code, buf_str(&msg), 124);
        assert_string_equal(e.code + 124, "...");
        assert_int_equal(e.cls, AWS_ERR_FATAL);

        /* only the first AWS_ERROR_BODY_MAX bytes are examined */
        buf_truncate(&body, 0);
        assert_int_equal(buf_puts(&body, "<ErrorResponse><Error><Code>Throttling</Code></Error><!--"), 0);
        while (body.len < AWS_ERROR_BODY_MAX + 1000)
                assert_int_equal(buf_putc(&body, '-'), 0);
        assert_int_equal(buf_puts(&body, "--><RequestId>late</RequestId></ErrorResponse>"), 0);
        assert_int_equal(from_xml(400, buf_str(&body), 0, &e), 0);
        assert_int_equal(e.cls, AWS_ERR_THROTTLED);
        assert_string_equal(e.request_id, ""); /* beyond the cap */
        buf_truncate(&body, 0);
        assert_int_equal(buf_puts(&body, "{\"__type\":\"ThrottlingException\",\"message\":\""), 0);
        while (body.len < AWS_ERROR_BODY_MAX + 1000)
                assert_int_equal(buf_putc(&body, 'z'), 0);
        assert_int_equal(buf_puts(&body, "\"}"), 0);
        assert_int_equal(from_json(400, buf_str(&body), NULL, 0, &e), 0);
        assert_string_equal(e.code, "HTTP 400");

        /* entities in the message are decoded */
        xml = error_response("InvalidParameter", "Invalid parameter: Message &lt;too &amp; long&gt; &quot;x&quot;");
        assert_int_equal(from_xml(400, xml, 0, &e), 0);
        free(xml);
        assert_string_equal(e.message, "Invalid parameter: Message <too & long> \"x\"");
        buf_free(&msg);
        buf_free(&body);
}

static void test_bad_arguments(void **state) {
        (void)state;
        struct aws_error e = { .cls = AWS_ERR_THROTTLED };
        assert_int_equal(aws_error_from_xml(400, NULL, 5, 0, NOW, &e), -EINVAL);
        assert_int_equal(aws_error_from_json(400, NULL, 5, NULL, 0, NOW, &e), -EINVAL);
        assert_int_equal(aws_error_from_xml(400, "<a/>", 4, 0, NOW, NULL), -EINVAL);
        assert_int_equal(aws_error_from_json_headers(400, "{}", 2, NULL, 0, NOW, NULL), -EINVAL);
        assert_int_equal(e.cls, AWS_ERR_THROTTLED); /* untouched */
        aws_error_from_transport(-ETIMEDOUT, NULL);
}

static void test_transport(void **state) {
        (void)state;
        static const struct {
                int err;
                const char *code;
                enum aws_error_class cls;
        } cases[] = {
                { -ETIMEDOUT, "ETIMEDOUT", AWS_ERR_RETRYABLE },
                { -ECONNRESET, "ECONNRESET", AWS_ERR_RETRYABLE },
                { -ECONNREFUSED, "ECONNREFUSED", AWS_ERR_RETRYABLE },
                { -EHOSTUNREACH, "EHOSTUNREACH", AWS_ERR_RETRYABLE },
                { -E2BIG, "E2BIG", AWS_ERR_RETRYABLE },
                { -ENOMEM, "ENOMEM", AWS_ERR_RETRYABLE },
                { -EINVAL, "EINVAL", AWS_ERR_FATAL },
                { -EPROTONOSUPPORT, "EPROTONOSUPPORT", AWS_ERR_FATAL },
                { 0, "EIO", AWS_ERR_RETRYABLE },
                { 5, "EIO", AWS_ERR_RETRYABLE },
                { INT_MIN, "EIO", AWS_ERR_RETRYABLE },
                { -99999, "errno 99999", AWS_ERR_RETRYABLE },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct aws_error e;
                memset(&e, 0x55, sizeof(e));
                aws_error_from_transport(cases[i].err, &e);
                assert_string_equal(e.code, cases[i].code);
                assert_int_equal(e.cls, cases[i].cls);
                assert_int_equal(e.http_status, 0);
                assert_string_equal(e.query_code, "");
                assert_string_equal(e.request_id, "");
                assert_true(strlen(e.message) < sizeof(e.message));
        }
        struct aws_error e;
        aws_error_from_transport(-ETIMEDOUT, &e);
        assert_string_equal(e.message, "Connection timed out"); /* glibc's text */
        assert_true(aws_error_is_retryable(&e));
        assert_int_equal(e.source, AWS_SOURCE_TRANSPORT);
}

/* Failures of this process say so (source, errno name), never with a code
 * that looks like AWS's; -E2BIG is the one no retry mends. */
static void test_local(void **state) {
        (void)state;
        char line[AWS_ERROR_DESCRIBE_MAX];
        struct aws_error e;

        memset(&e, 0x55, sizeof(e));
        aws_error_local(&e, AWS_ERR_RETRYABLE, -ECONNREFUSED, "the service at %s refused", "http://h:1");
        assert_int_equal(e.source, AWS_SOURCE_LOCAL);
        assert_int_equal(e.cls, AWS_ERR_RETRYABLE);
        assert_int_equal(e.http_status, 0);
        assert_string_equal(e.code, "ECONNREFUSED");
        assert_string_equal(e.message, "the service at http://h:1 refused");
        assert_string_equal(e.query_code, "");
        assert_string_equal(e.request_id, "");
        aws_error_describe(&e, line, sizeof(line));
        assert_string_equal(line, "the service at http://h:1 refused (retryable)");
        aws_error_local(NULL, AWS_ERR_FATAL, -EINVAL, "ignored");

        aws_error_from_errno(-E2BIG, &e);
        assert_int_equal(e.source, AWS_SOURCE_LOCAL);
        assert_int_equal(e.cls, AWS_ERR_FATAL);
        assert_string_equal(e.code, "E2BIG");
        assert_string_equal(e.message, "Argument list too long");
        aws_error_from_errno(-EBADMSG, &e);
        assert_int_equal(e.cls, AWS_ERR_RETRYABLE);
        aws_error_describe(&e, line, sizeof(line));
        assert_string_equal(line, "Bad message (retryable)");

        /* aws_error_return: -EIO's error is the client's and stays as it is */
        memset(&e, 0x55, sizeof(e));
        e.code[0] = '\0';
        assert_int_equal(aws_error_return(-EIO, &e), -EIO);
        assert_string_equal(e.code, "");
        assert_int_equal(aws_error_return(0, &e), 0);
        assert_string_equal(e.code, "");
        assert_int_equal(aws_error_return(-ENOMEM, &e), -ENOMEM);
        assert_string_equal(e.code, "ENOMEM");
        assert_int_equal(e.source, AWS_SOURCE_LOCAL);
}

/* The status in words first, then the code and message; a transport failure
 * by what happened. */
static void test_describe(void **state) {
        (void)state;
        static const char sig[] = "<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>"
                                  "<Message>The request signature we calculated does not match</Message></Error>"
                                  "<RequestId>r1</RequestId></ErrorResponse>";
        char out[AWS_ERROR_DESCRIBE_MAX];
        struct aws_error e;

        assert_int_equal(aws_error_from_xml(403, sig, sizeof(sig) - 1, 0, NOW, &e), 0);
        aws_error_describe(&e, out, sizeof(out));
        assert_string_equal(out, "HTTP 403 Forbidden: SignatureDoesNotMatch: The request signature we "
                                 "calculated does not match (fatal)");
        /* no code in the body: the status is said once */
        assert_int_equal(aws_error_from_json(503, "", 0, NULL, 0, NOW, &e), 0);
        aws_error_describe(&e, out, sizeof(out));
        assert_string_equal(out, "HTTP 503 Service Unavailable (retryable)");
        /* a status without a phrase in the table */
        assert_int_equal(aws_error_from_json(418, "", 0, NULL, 0, NOW, &e), 0);
        aws_error_describe(&e, out, sizeof(out));
        assert_string_equal(out, "HTTP 418 (fatal)");
        aws_error_from_transport(-EHOSTUNREACH, &e);
        snprintf(e.message, sizeof(e.message), "cannot resolve sqs.example.invalid");
        aws_error_describe(&e, out, sizeof(out));
        assert_string_equal(out, "cannot resolve sqs.example.invalid (retryable)");
        e.message[0] = '\0';
        aws_error_describe(&e, out, sizeof(out));
        assert_string_equal(out, "EHOSTUNREACH (retryable)");
        /* the longest fields fit whole */
        memset(&e, 'x', sizeof(e));
        e.cls = AWS_ERR_CREDENTIALS_EXPIRED;
        e.http_status = 413;
        e.code[sizeof(e.code) - 1] = e.message[sizeof(e.message) - 1] = '\0';
        aws_error_describe(&e, out, sizeof(out));
        assert_int_equal(strlen(out), strlen("HTTP 413 Content Too Large: ") + 127 + 2 + 511 +
                                              strlen(" (credentials-expired)"));
}

static void test_class_names(void **state) {
        (void)state;
        assert_string_equal(aws_error_class_name(AWS_ERR_NONE), "none");
        assert_string_equal(aws_error_class_name(AWS_ERR_RETRYABLE), "retryable");
        assert_string_equal(aws_error_class_name(AWS_ERR_THROTTLED), "throttled");
        assert_string_equal(aws_error_class_name(AWS_ERR_CLOCK_SKEW), "clock-skew");
        assert_string_equal(aws_error_class_name(AWS_ERR_CREDENTIALS_EXPIRED), "credentials-expired");
        assert_string_equal(aws_error_class_name(AWS_ERR_FATAL), "fatal");
        assert_string_equal(aws_error_class_name((enum aws_error_class)42), "unknown");

        static const bool retryable[] = {
                [AWS_ERR_NONE] = false,      [AWS_ERR_RETRYABLE] = true,
                [AWS_ERR_THROTTLED] = true,  [AWS_ERR_CLOCK_SKEW] = true,
                [AWS_ERR_CREDENTIALS_EXPIRED] = true, [AWS_ERR_FATAL] = false,
        };
        for (int c = AWS_ERR_NONE; c <= AWS_ERR_FATAL; c++) {
                struct aws_error e = { .cls = (enum aws_error_class)c };
                assert_int_equal(aws_error_is_retryable(&e), retryable[c]);
        }
        assert_false(aws_error_is_retryable(NULL));
}

static void assert_date(const char *s, time_t want) {
        time_t t = 12345;
        print_message("date \"%s\"\n", s);
        assert_int_equal(http_date_parse(s, &t), 0);
        assert_int_equal(t, want);
}

static void assert_bad_date(const char *s) {
        time_t t = 12345;
        print_message("bad date \"%s\"\n", s);
        assert_int_equal(http_date_parse(s, &t), -EINVAL);
        assert_int_equal(t, 12345);
}

/* Hand-computed epochs: 2024-02-29 is day 19782 (54 years with 13 leap days,
 * then 31 + 28 days); 2069-01-01 is day 36160 (99 years, 25 leap days);
 * 2017-01-01 is 1483228800 and 2^31 s is 2038-01-19 03:14:08. */
static void test_http_date(void **state) {
        (void)state;
        /* RFC 7231, 7.1.1.1: the same instant in its three forms */
        assert_date("Sun, 06 Nov 1994 08:49:37 GMT", NOW);
        assert_date("Sunday, 06-Nov-94 08:49:37 GMT", NOW);
        assert_date("Sun Nov  6 08:49:37 1994", NOW);
        assert_date("Sun Nov 16 08:49:37 1994", NOW + 10 * 86400);
        assert_date("  Sun, 06 Nov 1994 08:49:37 GMT \t", NOW);
        assert_date("Thu, 01 Jan 1970 00:00:00 GMT", 0);
        assert_date("Thu, 29 Feb 2024 12:00:00 GMT", (time_t)19782 * 86400 + 12 * 3600);
        assert_date("Tue, 19 Jan 2038 03:14:08 GMT", (time_t)2147483648);
        assert_date("Sat, 31 Dec 2016 23:59:60 GMT", (time_t)1483228800); /* leap second */
        /* RFC 850 two-digit years: 70-99 are 19xx, 00-69 20xx */
        assert_date("Thursday, 01-Jan-70 00:00:00 GMT", 0);
        assert_date("Tuesday, 01-Jan-69 00:00:00 GMT", (time_t)36160 * 86400);
        /* the weekday name is not checked against the date */
        assert_date("Mon, 06 Nov 1994 08:49:37 GMT", NOW);

        assert_bad_date("");
        assert_bad_date("garbage");
        assert_bad_date("Sun, 06 Nov 1994 08:49:37");
        assert_bad_date("Sun, 06 Nov 1994 08:49:37 UTC");
        assert_bad_date("Sun, 06 Nov 1994 08:49:37 GMT x");
        assert_bad_date("Sun, 6 Nov 1994 08:49:37 GMT");
        assert_bad_date("Sun, 06 Nov 94 08:49:37 GMT");
        assert_bad_date("sun, 06 Nov 1994 08:49:37 GMT");
        assert_bad_date("Sun, 06 nov 1994 08:49:37 GMT");
        assert_bad_date("Sun, 06 November 1994 08:49:37 GMT");
        assert_bad_date("Sunday, 06 Nov 1994 08:49:37 GMT");
        assert_bad_date("Sun, 06-Nov-94 08:49:37 GMT");
        assert_bad_date("Sun Nov 6 08:49:37 1994");
        assert_bad_date("Sun Nov  6 08:49:37 1994 GMT");
        assert_bad_date("Thu, 29 Feb 2023 12:00:00 GMT");
        assert_bad_date("Mon, 29 Feb 2100 12:00:00 GMT");
        assert_bad_date("Sun, 31 Apr 1994 08:49:37 GMT");
        assert_bad_date("Sun, 00 Nov 1994 08:49:37 GMT");
        assert_bad_date("Sun, 06 Nov 1994 24:00:00 GMT");
        assert_bad_date("Sun, 06 Nov 1994 08:60:00 GMT");
        assert_bad_date("Sun, 06 Nov 1994 08:49:61 GMT");
        assert_bad_date("Sun, 06 Nov 1994 8:49:37 GMT");
        assert_bad_date("Sun, 06 Nov 1994 08:49:37 GMT\n");
        assert_date("Tue, 29 Feb 2000 00:00:00 GMT", (time_t)11016 * 86400); /* 400-year rule */
        time_t t = 1;
        assert_int_equal(http_date_parse(NULL, &t), -EINVAL);
        assert_int_equal(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", NULL), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_xml_error_files),
                cmocka_unit_test(test_xml_success_bodies),
                cmocka_unit_test(test_sqs_json_error_file),
                cmocka_unit_test(test_botocore_protocol_error_cases),
                cmocka_unit_test(test_botocore_query_compatible_file),
                cmocka_unit_test(test_modeled_errors),
                cmocka_unit_test(test_clock_skew),
                cmocka_unit_test(test_throttling_and_server_errors),
                cmocka_unit_test(test_credentials_expired),
                cmocka_unit_test(test_success_statuses),
                cmocka_unit_test(test_truncated_xml),
                cmocka_unit_test(test_json_bodies),
                cmocka_unit_test(test_field_caps),
                cmocka_unit_test(test_bad_arguments),
                cmocka_unit_test(test_transport),
                cmocka_unit_test(test_local),
                cmocka_unit_test(test_describe),
                cmocka_unit_test(test_class_names),
                cmocka_unit_test(test_http_date),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
