/* sqs: the three SQS calls of the relay, over the AWS JSON 1.0 protocol.
 *
 * ReceiveMessage long-polls (WaitTimeSeconds) for up to 10 messages and asks
 * for ApproximateReceiveCount; DeleteMessageBatch reports each entry's result
 * separately, because one failed entry must not be mistaken for the batch;
 * ChangeMessageVisibility hands a message back before its timeout.
 * The calls return 0, or on failure a negative errno with *err saying why
 * (aws_error.h): -EIO for AWS's error answer, no answer or no credentials
 * (aws_client.h), -EBADMSG for an answer that is not what the API
 * documents, -ECANCELED, -ENOMEM. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "aws_client.h"
#include "buf.h"

/* SQS: "MaxNumberOfMessages … Valid values: 1 to 10." */
#define SQS_BATCH_MAX 10
/* The largest ReceiveMessage answer read: ten messages of the default
 * 256 KiB, JSON-escaped (up to 6 bytes per byte). A queue whose
 * MaximumMessageSize is raised (up to 1 MiB) can answer more: sqs_receive_finish
 * then fails with -E2BIG and the caller asks for fewer messages
 * (sqs_next_max_messages). */
#define SQS_ANSWER_MAX (16u * 1024 * 1024)

struct sqs_message {
        char *message_id;
        char *receipt_handle;
        char *body;
        size_t body_len;
        int receive_count; /* ApproximateReceiveCount; 0 when not reported */
};

struct sqs_batch {
        struct sqs_message msg[SQS_BATCH_MAX];
        size_t n;
        size_t answer_len; /* bytes of the answer they came in */
};

struct sqs_receive_params {
        const char *queue_url;
        int max_messages;
        int wait_time_seconds;
        int visibility_timeout;
};

/* ReceiveMessage, started and finished later (aws_client.h) so that the
 * long poll is in flight while the previous batch is handled.
 * Finish: -E2BIG when the answer was above SQS_ANSWER_MAX (the client's
 * max_body must be SQS_ANSWER_MAX); its messages return after their
 * visibility timeout. */
int sqs_receive_start(struct aws_client *c, const struct sqs_receive_params *p, struct aws_error *err);
int sqs_receive_finish(struct aws_client *c, struct sqs_batch *ret, struct aws_error *err);

/* The MaxNumberOfMessages to ask for next, after asking for `asked` (1..max).
 * After an answer too large: half as many (at least 1), so that big messages
 * come a few at a time instead of failing every receive until the queue
 * gives them to its dead-letter queue. After an answer of answer_len bytes
 * holding n > 0 messages: twice as many (at most max) when twice as many
 * messages of their average size would fill at most half of SQS_ANSWER_MAX,
 * so a burst of big messages does not make it fail again at once. Else
 * `asked`. Pure. */
int sqs_next_max_messages(int asked, int max, bool too_large, size_t answer_len, size_t n);
void sqs_batch_clear(struct sqs_batch *b);

/* Deletes the messages whose index is set in `which` (bit i = msg[i];
 * -EINVAL when none is), started and finished later (aws_client.h): b may
 * be freed once started. ret_deleted gets a bit for each entry SQS
 * confirmed; entries that failed are described in the log by the caller
 * from err when the call failed as a whole, or simply stay unset. */
int sqs_delete_batch_start(struct aws_client *c, const char *queue_url, const struct sqs_batch *b, unsigned which,
                           struct aws_error *err);
int sqs_delete_batch_finish(struct aws_client *c, unsigned *ret_deleted, struct aws_error *err);

int sqs_change_visibility(struct aws_client *c, const char *queue_url, const char *receipt_handle,
                          int visibility_timeout, struct aws_error *err);

/* GetQueueAttributes: proves access to the queue (--check-config --online);
 * ret_waiting gets ApproximateNumberOfMessages. */
int sqs_get_queue_depth(struct aws_client *c, const char *queue_url, long *ret_waiting, struct aws_error *err);

/* The JSON bodies of ReceiveMessage and DeleteMessageBatch, appended to out
 * (pure; exposed for tests): 0, or -EINVAL for a delete of no entry, -E2BIG,
 * -ENOMEM with out as it was. */
int sqs_receive_body(const struct sqs_receive_params *p, struct buf *out);
int sqs_delete_batch_body(const char *queue_url, const struct sqs_batch *b, unsigned which, struct buf *out);

/* Parses a ReceiveMessage answer body (pure; exposed for tests and fuzzing). */
int sqs_parse_receive(const char *body, size_t len, struct sqs_batch *ret);
/* Parses a DeleteMessageBatch answer: bit i set when entry Id "i" succeeded. */
int sqs_parse_delete_batch(const char *body, size_t len, unsigned *ret_deleted);
