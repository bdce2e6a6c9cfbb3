/* relay_ops: the only way the relay reaches the queue, the topic and the
 * look-ups that name targets.
 *
 * Each operation keeps the contract of the sqs.h / sns.h function it stands
 * for, with that function's client replaced by ctx: 0 or a negative errno,
 * -EIO with *err describing the AWS answer, per-entry results for the batch
 * calls. The receive, the PublishBatch and the delete are started and
 * finished later (sqs.h, sns.h) on a lane: each lane has a client of its own
 * for each, so that the calls of RELAY_LANES batches are in flight together;
 * one call of each kind per lane at a time. Production passes relay_aws_ops
 * (relay_aws.h); the unit tests pass a table that records the calls and
 * fails chosen entries, so every delivery rule is tested without a network. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "aws_error.h"
#include "event.h"
#include "sns.h"
#include "sqs.h"

/* Batches in flight together: two receives, two publishes and two deletes
 * keep a queue with a backlog draining at about two batches per round trip. */
#define RELAY_LANES 2

struct relay_ops {
        /* sqs_receive_start, sqs_receive_finish; finish: -ECANCELED when a
         * stop or reload abandoned the long poll. */
        int (*receive_start)(void *ctx, unsigned lane, const struct sqs_receive_params *p, struct aws_error *err);
        int (*receive_finish)(void *ctx, unsigned lane, struct sqs_batch *ret, struct aws_error *err);
        /* aws_client_ready of the lane's receive: its finish would not wait */
        bool (*receive_ready)(void *ctx, unsigned lane);
        /* sns_publish, outside the lanes */
        int (*publish)(void *ctx, const struct sns_message *m, char *ret_message_id, size_t id_size,
                       struct aws_error *err);
        /* sns_publish_batch_start, sns_publish_batch_finish */
        int (*publish_batch_start)(void *ctx, unsigned lane, const struct sns_message *msgs, size_t n,
                                   struct aws_error *err);
        int (*publish_batch_finish)(void *ctx, unsigned lane, const char *topic_arn, size_t n,
                                    struct sns_entry_result *results, struct aws_error *err);
        /* sqs_delete_batch_start, sqs_delete_batch_finish */
        int (*delete_start)(void *ctx, unsigned lane, const char *queue_url, const struct sqs_batch *b,
                            unsigned which, struct aws_error *err);
        int (*delete_finish)(void *ctx, unsigned lane, unsigned *ret_deleted, struct aws_error *err);
        /* sqs_change_visibility */
        int (*change_visibility)(void *ctx, const char *queue_url, const char *receipt_handle,
                                 int visibility_timeout, struct aws_error *err);
        /* enricher_run (enrich.h): fills what the look-ups tell into the
         * batch's notifiable events, bounded in time, never failing them;
         * NULL: no look-ups. */
        void (*enrich)(void *ctx, struct ssm_event *const *evs, size_t n);
};
