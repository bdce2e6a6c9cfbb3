/* aws_setup: the credentials provider and the SQS, SNS and SSM clients that a
 * configuration describes, built and torn down together. Shared by the
 * daemon loop and --check-config --online so both talk to AWS the same way. */
#pragma once

#include "aws_client.h"
#include "config.h"
#include "credentials.h"

struct aws_setup {
        struct credentials *credentials;
        struct aws_client *sqs;
        struct aws_client *sns;
        struct aws_client *ssm; /* DescribeSessions (ssm_sessions.h) */
};

/* progress/userdata: see http.h (watchdog and stop checks); may be NULL.
 * On failure *ret is untouched. */
int aws_setup_open(const struct config *cfg, int (*progress)(void *), void *userdata, struct aws_setup *ret);
void aws_setup_close(struct aws_setup *s);
