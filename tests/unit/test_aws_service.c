/* The service descriptors: each service's request is built right (content
 * type, target header, signed headers, credential scope) and its endpoint
 * follows the rule. The expected values are AWS's documented ones, written
 * out here, not read from the descriptors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aws_service.h"

/* 2015-08-30T12:36:00Z, the SigV4 test suite's date. */
#define T_SIGN 1440938160

struct expected {
        const struct aws_service *svc;
        const char *signing_name;
        const char *content_type;
        const char *target; /* for action "Describe", NULL for Query */
        const char *api_version;
        const char *endpoint_us_east_1;
};

static const struct expected services[] = {
        { &aws_service_sqs, "sqs", "application/x-amz-json-1.0", "AmazonSQS.Describe", NULL,
          "https://sqs.us-east-1.amazonaws.com" },
        { &aws_service_sns, "sns", "application/x-www-form-urlencoded; charset=utf-8", NULL, "2010-03-31",
          "https://sns.us-east-1.amazonaws.com" },
        { &aws_service_ec2, "ec2", "application/x-www-form-urlencoded; charset=utf-8", NULL, "2016-11-15",
          "https://ec2.us-east-1.amazonaws.com" },
        { &aws_service_ssm, "ssm", "application/x-amz-json-1.1", "AmazonSSM.Describe", NULL,
          "https://ssm.us-east-1.amazonaws.com" },
        { &aws_service_sts, "sts", "application/x-www-form-urlencoded; charset=utf-8", NULL, "2011-06-15",
          "https://sts.us-east-1.amazonaws.com" },
};

static const char *header(const struct aws_request *q, const char *name) {
        const char *found = NULL;
        for (size_t i = 0; i < q->n_headers; i++)
                if (strcasecmp(q->headers[i].name, name) == 0) {
                        assert_null(found); /* each header once */
                        found = q->headers[i].value;
                }
        return found;
}

static void check_request(const struct expected *e, const char *token) {
        struct aws_credentials cred = { .access_key_id = "AKIDEXAMPLE",
                                        .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                        .session_token = (char *)token };
        static const char body[] = "{}";
        char scope[128], signed_headers[128];
        struct aws_request q;

        assert_int_equal(aws_request_sign(e->svc, "example.test:4566", "eu-west-3", "Describe", body,
                                          sizeof(body) - 1, &cred, T_SIGN, NULL, &q),
                         0);
        assert_string_equal(header(&q, "Host"), "example.test:4566");
        assert_string_equal(header(&q, "Content-Type"), e->content_type);
        assert_string_equal(header(&q, "X-Amz-Date"), "20150830T123600Z");
        if (e->target)
                assert_string_equal(header(&q, "X-Amz-Target"), e->target);
        else
                assert_null(header(&q, "X-Amz-Target"));
        if (token)
                assert_string_equal(header(&q, "X-Amz-Security-Token"), token);
        else
                assert_null(header(&q, "X-Amz-Security-Token"));

        const char *authz = header(&q, "Authorization");
        assert_non_null(authz);
        snprintf(scope, sizeof(scope), "Credential=AKIDEXAMPLE/20150830/eu-west-3/%s/aws4_request,",
                 e->signing_name);
        assert_non_null(strstr(authz, scope));
        snprintf(signed_headers, sizeof(signed_headers), "SignedHeaders=content-type;host;x-amz-date%s%s,",
                 token ? ";x-amz-security-token" : "", e->target ? ";x-amz-target" : "");
        assert_non_null(strstr(authz, signed_headers));
        aws_request_free(&q);
        aws_request_free(NULL);
}

static void test_requests(void **state) {
        (void)state;
        for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
                check_request(&services[i], NULL);
                check_request(&services[i], "session-token");
                if (services[i].api_version)
                        assert_string_equal(services[i].svc->api_version, services[i].api_version);
                else
                        assert_null(services[i].svc->api_version);
        }
}

static void test_target_too_long(void **state) {
        (void)state;
        struct aws_credentials cred = { .access_key_id = "AKIDEXAMPLE", .secret_access_key = "secret" };
        char action[AWS_TARGET_MAX];
        struct aws_request q = { .n_headers = 7 };

        memset(action, 'A', sizeof(action) - 1);
        action[sizeof(action) - 1] = '\0';
        assert_int_equal(aws_request_sign(&aws_service_ssm, "h", "us-east-1", action, "", 0, &cred, T_SIGN, NULL, &q),
                         -EINVAL);
        assert_int_equal(q.n_headers, 7); /* untouched on failure */
        /* Query has no target: the action is not in a header */
        assert_int_equal(aws_request_sign(&aws_service_sts, "h", "us-east-1", action, "", 0, &cred, T_SIGN, NULL, &q), 0);
        aws_request_free(&q);
}

static void test_endpoints(void **state) {
        (void)state;
        char url[AWS_ENDPOINT_MAX];

        for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
                assert_int_equal(aws_service_endpoint(services[i].svc, "us-east-1", url, sizeof(url)), 0);
                assert_string_equal(url, services[i].endpoint_us_east_1);
        }
        /* the China partition is under amazonaws.com.cn */
        assert_int_equal(aws_service_endpoint(&aws_service_ec2, "cn-north-1", url, sizeof(url)), 0);
        assert_string_equal(url, "https://ec2.cn-north-1.amazonaws.com.cn");

        char small[sizeof("https://sts.us-east-1.amazonaws.com")];
        assert_int_equal(aws_service_endpoint(&aws_service_sts, "us-east-1", small, sizeof(small)), 0);
        assert_int_equal(aws_service_endpoint(&aws_service_sts, "us-east-1", small, sizeof(small) - 1), -EINVAL);
        char region[AWS_ENDPOINT_MAX];
        memset(region, 'r', sizeof(region) - 1);
        region[sizeof(region) - 1] = '\0';
        assert_int_equal(aws_service_endpoint(&aws_service_sqs, region, url, sizeof(url)), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_requests),
                cmocka_unit_test(test_target_too_long),
                cmocka_unit_test(test_endpoints),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
