/* aws_client's error contract where no server is needed: a call that cannot
 * get credentials fails with -EIO and the provider's own local error (no
 * made-up AWS code), and nothing is written to the answer. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "aws_client.h"
#include "http.h"

/* Never contacted: the call fails before anything is sent. */
#define UNUSED_ENDPOINT "http://127.0.0.1:9"

static const char *no_env(const char *name) {
        (void)name;
        return NULL;
}

static void test_no_credentials(void **state) {
        (void)state;
        const struct credentials_options co = { .access_key_id = "AKIDONLY", .getenv = no_env };
        struct credentials *cred;
        struct aws_client *c;
        struct aws_answer answer = { .body_len = 7 };
        struct aws_error err;

        assert_int_equal(credentials_new(&co, &cred), 0);
        const struct aws_client_options o = { .service = &aws_service_ssm, .endpoint = UNUSED_ENDPOINT,
                                              .region = "us-east-1", .credentials = cred, .max_body = 1024,
                                              .connect_timeout_ms = 1000 };
        assert_int_equal(aws_client_new(&o, &c), 0);
        assert_int_equal(aws_client_call(c, "GetParameter", "{}", 2, 1000, &answer, &err), -EIO);
        assert_int_equal(answer.body_len, 7); /* untouched on failure */
        assert_int_equal(err.source, AWS_SOURCE_LOCAL);
        assert_int_equal(err.cls, AWS_ERR_RETRYABLE);
        assert_int_equal(err.http_status, 0);
        assert_string_equal(err.code, "EINVAL");
        assert_string_equal(err.message, "the config file sets access_key_id but not secret_access_key");
        aws_client_free(c);
        aws_client_free(NULL);
        credentials_free(cred);
}

/* Without an endpoint the service's rule makes one; a region that makes no
 * endpoint is refused. */
static void test_endpoint_from_rule(void **state) {
        (void)state;
        char region[AWS_ENDPOINT_MAX];
        struct aws_client *c = NULL;
        struct aws_client_options o = { .service = &aws_service_sts, .region = "eu-west-1", .max_body = 1024 };

        assert_int_equal(aws_client_new(&o, &c), 0);
        aws_client_free(c);
        memset(region, 'r', sizeof(region) - 1);
        region[sizeof(region) - 1] = '\0';
        o.region = region;
        c = (struct aws_client *)1;
        assert_int_equal(aws_client_new(&o, &c), -EINVAL);
        assert_ptr_equal(c, (struct aws_client *)1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_no_credentials),
                cmocka_unit_test(test_endpoint_from_rule),
        };
        if (http_global_init() < 0)
                return 1;
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        http_global_cleanup();
        return r;
}
