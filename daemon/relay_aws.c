#include "relay_aws.h"

#include <time.h>

#include "aws_setup.h"
#include "enrich.h"

static int aws_receive(void *ctx, const struct sqs_receive_params *p, struct sqs_batch *ret,
                       struct aws_error *err) {
        const struct aws_setup *s = ctx;
        return sqs_receive(s->sqs, p, ret, err);
}

static int aws_publish(void *ctx, const struct sns_message *m, char *ret_message_id, size_t id_size,
                       struct aws_error *err) {
        const struct aws_setup *s = ctx;
        return sns_publish(aws_setup_sns_for(s, m->topic_arn), m, ret_message_id, id_size, err);
}

static int aws_publish_batch(void *ctx, const struct sns_message *msgs, size_t n,
                             struct sns_entry_result *results, struct aws_error *err) {
        const struct aws_setup *s = ctx;
        return sns_publish_batch(aws_setup_sns_for(s, msgs[0].topic_arn), msgs, n, results, err);
}

static int aws_delete_batch(void *ctx, const char *queue_url, const struct sqs_batch *b, unsigned which,
                            unsigned *ret_deleted, struct aws_error *err) {
        const struct aws_setup *s = ctx;
        return sqs_delete_batch(s->sqs, queue_url, b, which, ret_deleted, err);
}

static int aws_change_visibility(void *ctx, const char *queue_url, const char *receipt_handle,
                                 int visibility_timeout, struct aws_error *err) {
        const struct aws_setup *s = ctx;
        return sqs_change_visibility(s->sqs, queue_url, receipt_handle, visibility_timeout, err);
}

static void aws_enrich(void *ctx, struct ssm_event *const *evs, size_t n) {
        const struct aws_setup *s = ctx;
        enricher_run(s->enricher, evs, n, time(NULL));
}

const struct relay_ops relay_aws_ops = {
        .receive = aws_receive,
        .publish = aws_publish,
        .publish_batch = aws_publish_batch,
        .delete_batch = aws_delete_batch,
        .change_visibility = aws_change_visibility,
        .enrich = aws_enrich,
};
