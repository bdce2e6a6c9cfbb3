/* sns: SNS Publish and PublishBatch over the Query protocol.
 *
 * Bodies are form-encoded as AWS SDKs encode them (urlenc.h), answers are
 * XML. Message attributes are String attributes so subscribers can filter on
 * them; empty values are left out (SNS rejects empty attribute values). For a
 * FIFO topic the caller sets group_id and dedup_id. Attribute values and FIFO
 * ids go out as sns_values.h makes them, so no value from the event can make
 * SNS refuse the request. The SNS size limit is checked on what goes out for
 * each message (sns_message_size), for one message and for a whole batch.
 * PublishBatch reports every entry separately: one entry's failure is that
 * entry's, and the caller deletes only what SNS accepted.
 * Failures: a negative errno with *err saying why (aws_error.h): -EIO for
 * AWS's error answer, no answer or no credentials (aws_client.h), -EBADMSG
 * for an answer that is not what the API documents, -E2BIG for a request
 * above the SNS limits (a FATAL error), -ECANCELED, -ENOMEM. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "aws_client.h"
#include "buf.h"

/* SNS: "a message can include … up to 10 message attributes". */
#define SNS_ATTRIBUTES_MAX 10
/* SNS: "The maximum number of entries in a PublishBatch request is 10." */
#define SNS_BATCH_MAX 10
/* SNS: the message, and the total of all messages in one PublishBatch, are
 * at most 262,144 bytes (256 KiB). */
#define SNS_PAYLOAD_MAX (256 * 1024)
/* The largest SNS answer we read: a PublishBatch result of SNS_BATCH_MAX
 * entries is a few KiB, and an error answer is capped at AWS_ERROR_BODY_MAX
 * anyway; what is larger is not an answer of SNS. */
#define SNS_ANSWER_MAX AWS_ERROR_BODY_MAX

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

struct sns_entry_result {
        bool ok;
        char message_id[128]; /* when ok */
        struct aws_error error; /* when not ok */
};

int sns_publish(struct aws_client *c, const struct sns_message *m, char *ret_message_id, size_t id_size,
                struct aws_error *err);

/* Publishes n (1..SNS_BATCH_MAX) messages to msgs[0].topic_arn in one call,
 * started and finished later (aws_client.h): start builds and sends the
 * request (msgs may be freed then); finish: 0 and every entry's outcome in
 * results[i]. */
int sns_publish_batch_start(struct aws_client *c, const struct sns_message *msgs, size_t n, struct aws_error *err);
int sns_publish_batch_finish(struct aws_client *c, size_t n, struct sns_entry_result *results,
                             struct aws_error *err);

/* GetTopicAttributes: proves access to the topic (--check-config --online). */
int sns_check_topic(struct aws_client *c, const char *topic_arn, struct aws_error *err);

/* The bytes of m that count against SNS_PAYLOAD_MAX: subject, message, each
 * attribute's name, type and value as sent, and the FIFO ids as sent.
 * -E2BIG when m alone is above the limit. */
int sns_message_size(const struct sns_message *m, size_t *ret);

/* Request bodies and answer parsing (pure; exposed for tests and fuzzing). */
int sns_publish_body(const struct sns_message *m, struct buf *out);
int sns_publish_batch_body(const struct sns_message *msgs, size_t n, struct buf *out);
/* n: the entries sent (at most SNS_BATCH_MAX, else -EINVAL). */
int sns_parse_publish_batch(const char *xml, size_t len, size_t n, struct sns_entry_result *results);
