/* aws_setup: the credentials provider, the SQS and SNS clients, the SSM
 * client of the session tracker (sessions.h) and the enricher (enrich.h)
 * that a configuration describes, built and torn down together; the
 * enricher borrows the config, which must outlive the setup.
 * Shared by the daemon loop and --check-config --online so both talk to AWS
 * the same way. SNS has one client per region a topic is in ([sns] topic_arn
 * and every rule's topics), signed for that region; an [aws] sns_endpoint (or
 * AWS_ENDPOINT_URL_SNS) override is every region's endpoint, otherwise each
 * region's own endpoint is used.
 * The clients share one http_multi: the long polls (sqs_poll), the publishes
 * (sns_lanes) and the deletes (sqs_delete) of the relay's pipeline, one of
 * each per lane (relay_ops.h), are in flight together, each a stream of its
 * own; sqs serves every other SQS call, and sns every publish outside the
 * lanes. */
#pragma once

#include "aws_client.h"
#include "awsid.h"
#include "config.h"
#include "credentials.h"
#include "enrich.h"
#include "relay_ops.h"

/* A list: each node stays where it is, since its client borrows region. */
struct aws_sns_region {
        char region[AWS_REGION_MAX + 1];
        char endpoint[AWS_ENDPOINT_MAX]; /* the client's, for messages */
        struct aws_client *client;
        struct aws_client *lanes[RELAY_LANES];
        struct aws_sns_region *next;
};

struct aws_setup {
        struct credentials *credentials;
        struct http_multi *multi;
        long *clock_offset; /* learnt once for every client (aws_client.h); on the heap, as the setup is moved by value */
        struct aws_client *sqs;
        struct aws_client *sqs_poll[RELAY_LANES];
        struct aws_client *sqs_delete[RELAY_LANES];
        struct aws_client *sns; /* the configured region's */
        struct aws_client *sns_lanes[RELAY_LANES]; /* the configured region's */
        struct aws_sns_region *sns_regions; /* the other regions' */
        struct enricher *enricher;
        struct aws_client *ssm; /* DescribeSessions (ssm_sessions.h), in the configured region */
};

/* progress/userdata: see http.h (watchdog and stop checks); may be NULL.
 * On failure *ret is untouched. */
int aws_setup_open(const struct config *cfg, int (*progress)(void *), void *userdata, struct aws_setup *ret);
void aws_setup_close(struct aws_setup *s);
/* The SNS client for the region of topic_arn (the configured region's for a
 * topic the configuration does not name). */
struct aws_client *aws_setup_sns_for(const struct aws_setup *s, const char *topic_arn);
/* The same region's client of lane (< RELAY_LANES). */
struct aws_client *aws_setup_sns_lane_for(const struct aws_setup *s, const char *topic_arn, unsigned lane);
/* The endpoint of that client; cfg's sns_endpoint for the configured region. */
const char *aws_setup_sns_endpoint_for(const struct aws_setup *s, const struct config *cfg, const char *topic_arn);
