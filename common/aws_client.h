/* aws_client: the one signed-HTTP path of every SQS and SNS call.
 *
 * One client per endpoint (its own keep-alive connection). A call takes the
 * current credentials, signs with SigV4 at the local time corrected by the
 * learnt clock offset, sends, and classifies the answer with aws_error. Two
 * answers are handled here, once per call, because only this layer can:
 *  - clock skew: the offset is taken from the server's Date header and the
 *    request is signed again and resent;
 *  - expired credentials: the provider drops its cached credentials and the
 *    request is signed with fresh ones and resent.
 * Everything else is for the caller to decide (it knows the message). */
#pragma once

#include <stddef.h>
#include <time.h>

#include "aws_error.h"
#include "credentials.h"

struct aws_client;

enum aws_protocol {
        AWS_PROTOCOL_JSON10, /* SQS: application/x-amz-json-1.0 + X-Amz-Target */
        AWS_PROTOCOL_QUERY,  /* SNS: form body, XML answers */
};

struct aws_client_options {
        const char *endpoint;  /* base URL: scheme://host[:port] */
        const char *service;   /* signing name: "sqs", "sns" */
        const char *region;
        enum aws_protocol protocol;
        const char *target_prefix; /* JSON 1.0: "AmazonSQS." */
        struct credentials *credentials; /* borrowed */
        size_t max_body;
        long connect_timeout_ms;
        int (*progress)(void *userdata); /* see http.h */
        void *progress_userdata;
};

/* The outcome of a completed call: an answer (of any status) or a transport
 * failure, classified. body is the answer's body on success, NULL otherwise. */
struct aws_result {
        struct aws_error error; /* error.cls == AWS_ERR_NONE on success */
        char *body;
        size_t body_len;
        char request_id[128];
};

int aws_client_new(const struct aws_client_options *opt, struct aws_client **ret);
void aws_client_free(struct aws_client *c);

/* action: the X-Amz-Target suffix (JSON 1.0) and only informative for Query.
 * Returns 0 when the call completed (see ret->error), -ECANCELED when the
 * progress hook stopped it, -E2BIG for an answer above max_body, -ENOMEM or
 * -EINVAL for local failures. A call that could not get credentials completes with
 * error.cls AWS_ERR_RETRYABLE and code "NoCredentials". */
int aws_client_call(struct aws_client *c, const char *action, const char *body, size_t body_len,
                    long timeout_ms, struct aws_result *ret);
void aws_result_clear(struct aws_result *r);

/* Seconds added to the local clock when signing (learnt from skew answers). */
long aws_client_clock_offset(const struct aws_client *c);
