/* aws_setup: the credentials provider and the SQS and SNS clients that a
 * configuration describes, built and torn down together. Shared by the
 * daemon loop and --check-config --online so both talk to AWS the same way.
 * The clients share one http_multi: the long poll (sqs_poll), the publish
 * (sns) and the delete (sqs_delete) of the relay's pipeline are in flight
 * together, each a stream of its own; sqs serves every other SQS call. */
#pragma once

#include "aws_client.h"
#include "config.h"
#include "credentials.h"

struct aws_setup {
        struct credentials *credentials;
        struct http_multi *multi;
        long *clock_offset; /* learnt once for every client (aws_client.h); on the heap, as the setup is moved by value */
        struct aws_client *sqs;
        struct aws_client *sqs_poll;
        struct aws_client *sqs_delete;
        struct aws_client *sns;
};

/* progress/userdata: see http.h (watchdog and stop checks); may be NULL.
 * On failure *ret is untouched. */
int aws_setup_open(const struct config *cfg, int (*progress)(void *), void *userdata, struct aws_setup *ret);
void aws_setup_close(struct aws_setup *s);
