/* relay_ops: the only way the relay reaches the queue, the topic and the
 * look-ups that name targets.
 *
 * Each operation keeps the contract of the sqs.h / sns.h function it stands
 * for, with that function's client replaced by ctx: 0 or a negative errno,
 * -EIO with *err describing the AWS answer, per-entry results for the batch
 * calls. The receive and the delete are started and finished later (sqs.h),
 * each on a client of its own, so that they are in flight while the relay
 * publishes; one of each at a time. Production passes relay_aws_ops
 * (relay_aws.h); the unit tests pass a
 * table that records the calls and fails chosen entries, so every delivery
 * rule is tested without a network. */
#pragma once

#include <stddef.h>

#include "aws_error.h"
#include "event.h"
#include "sns.h"
#include "sqs.h"

struct relay_ops {
        /* sqs_receive_start, sqs_receive_finish; finish: -ECANCELED when a
         * stop or reload abandoned the long poll. */
        int (*receive_start)(void *ctx, const struct sqs_receive_params *p, struct aws_error *err);
        int (*receive_finish)(void *ctx, struct sqs_batch *ret, struct aws_error *err);
        /* sns_publish */
        int (*publish)(void *ctx, const struct sns_message *m, char *ret_message_id, size_t id_size,
                       struct aws_error *err);
        /* sns_publish_batch */
        int (*publish_batch)(void *ctx, const struct sns_message *msgs, size_t n,
                             struct sns_entry_result *results, struct aws_error *err);
        /* sqs_delete_batch_start, sqs_delete_batch_finish */
        int (*delete_start)(void *ctx, const char *queue_url, const struct sqs_batch *b, unsigned which,
                            struct aws_error *err);
        int (*delete_finish)(void *ctx, unsigned *ret_deleted, struct aws_error *err);
        /* sqs_change_visibility */
        int (*change_visibility)(void *ctx, const char *queue_url, const char *receipt_handle,
                                 int visibility_timeout, struct aws_error *err);
        /* enricher_run (enrich.h): fills what the look-ups tell into the
         * batch's notifiable events, bounded in time, never failing them;
         * NULL: no look-ups. */
        void (*enrich)(void *ctx, struct ssm_event *const *evs, size_t n);
};
