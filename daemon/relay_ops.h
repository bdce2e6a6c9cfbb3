/* relay_ops: the only way the relay reaches the queue, the topic and the
 * look-ups that name targets.
 *
 * Each operation keeps the contract of the sqs.h / sns.h function it stands
 * for, with that function's client replaced by ctx: 0 or a negative errno,
 * -EIO with *err describing the AWS answer, per-entry results for the batch
 * calls. Production passes relay_aws_ops (relay_aws.h); the unit tests pass a
 * table that records the calls and fails chosen entries, so every delivery
 * rule is tested without a network. */
#pragma once

#include <stddef.h>

#include "aws_error.h"
#include "event.h"
#include "sns.h"
#include "sqs.h"

struct relay_ops {
        /* sqs_receive; -ECANCELED when a stop or reload abandoned the long poll. */
        int (*receive)(void *ctx, const struct sqs_receive_params *p, struct sqs_batch *ret,
                       struct aws_error *err);
        /* sns_publish */
        int (*publish)(void *ctx, const struct sns_message *m, char *ret_message_id, size_t id_size,
                       struct aws_error *err);
        /* sns_publish_batch */
        int (*publish_batch)(void *ctx, const struct sns_message *msgs, size_t n,
                             struct sns_entry_result *results, struct aws_error *err);
        /* sqs_delete_batch */
        int (*delete_batch)(void *ctx, const char *queue_url, const struct sqs_batch *b, unsigned which,
                            unsigned *ret_deleted, struct aws_error *err);
        /* sqs_change_visibility */
        int (*change_visibility)(void *ctx, const char *queue_url, const char *receipt_handle,
                                 int visibility_timeout, struct aws_error *err);
        /* enricher_run (enrich.h): fills what the look-ups tell into the
         * batch's notifiable events, bounded in time, never failing them;
         * NULL: no look-ups. */
        void (*enrich)(void *ctx, struct ssm_event *const *evs, size_t n);
};
