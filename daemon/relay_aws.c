#include "relay_aws.h"

#include <time.h>

#include "aws_setup.h"
#include "enrich.h"

static int aws_receive_start(void *ctx, unsigned lane, const struct sqs_receive_params *p, struct aws_error *err) {
        const struct aws_setup *s = ctx;
        return sqs_receive_start(s->sqs_poll[lane], p, err);
}

static int aws_receive_finish(void *ctx, unsigned lane, struct sqs_batch *ret, struct aws_error *err) {
        const struct aws_setup *s = ctx;
        return sqs_receive_finish(s->sqs_poll[lane], ret, err);
}

static bool aws_receive_ready(void *ctx, unsigned lane) {
        const struct aws_setup *s = ctx;
        return aws_client_ready(s->sqs_poll[lane]);
}

static int aws_publish(void *ctx, const struct sns_message *m, char *ret_message_id, size_t id_size,
                       struct aws_error *err) {
        const struct aws_setup *s = ctx;
        return sns_publish(aws_setup_sns_for(s, m->topic_arn), m, ret_message_id, id_size, err);
}

static int aws_publish_batch_start(void *ctx, unsigned lane, const struct sns_message *msgs, size_t n,
                                   struct aws_error *err) {
        const struct aws_setup *s = ctx;
        return sns_publish_batch_start(aws_setup_sns_lane_for(s, msgs[0].topic_arn, lane), msgs, n, err);
}

static int aws_publish_batch_finish(void *ctx, unsigned lane, const char *topic_arn, size_t n,
                                    struct sns_entry_result *results, struct aws_error *err) {
        const struct aws_setup *s = ctx;
        return sns_publish_batch_finish(aws_setup_sns_lane_for(s, topic_arn, lane), n, results, err);
}

static int aws_delete_start(void *ctx, unsigned lane, const char *queue_url, const struct sqs_batch *b,
                            unsigned which, struct aws_error *err) {
        const struct aws_setup *s = ctx;
        return sqs_delete_batch_start(s->sqs_delete[lane], queue_url, b, which, err);
}

static int aws_delete_finish(void *ctx, unsigned lane, unsigned *ret_deleted, struct aws_error *err) {
        const struct aws_setup *s = ctx;
        return sqs_delete_batch_finish(s->sqs_delete[lane], ret_deleted, err);
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
        .receive_start = aws_receive_start,
        .receive_finish = aws_receive_finish,
        .receive_ready = aws_receive_ready,
        .publish = aws_publish,
        .publish_batch_start = aws_publish_batch_start,
        .publish_batch_finish = aws_publish_batch_finish,
        .delete_start = aws_delete_start,
        .delete_finish = aws_delete_finish,
        .change_visibility = aws_change_visibility,
        .enrich = aws_enrich,
};
