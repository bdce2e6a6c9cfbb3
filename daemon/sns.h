/* sns: SNS Publish over the Query protocol.
 *
 * The body is form-encoded as AWS SDKs encode it (urlenc.h), the answer is
 * XML. Message attributes are String attributes so subscribers can filter on
 * them; empty values are left out (SNS rejects empty attribute values). For a
 * FIFO topic the caller sets group_id and dedup_id.
 * Returns 0 with the SNS MessageId, -EIO with *err describing the AWS answer,
 * -EBADMSG for an answer without a MessageId, -E2BIG for a request above the
 * SNS limits, or -ENOMEM. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "aws_client.h"

/* SNS: "a message can include … up to 10 message attributes". */
#define SNS_ATTRIBUTES_MAX 10

struct sns_attribute {
        const char *name;
        const char *value;
};

struct sns_message {
        const char *topic_arn;
        const char *subject;   /* may be NULL */
        const char *message;
        bool message_structure_json;
        const struct sns_attribute *attributes;
        size_t n_attributes;
        const char *group_id;  /* FIFO topics only, else NULL */
        const char *dedup_id;  /* FIFO topics only, else NULL */
};

int sns_publish(struct aws_client *c, const struct sns_message *m, char *ret_message_id, size_t id_size,
                struct aws_error *err);
/* Builds the Publish form body (pure; exposed for tests). */
int sns_publish_body(const struct sns_message *m, struct buf *out);
