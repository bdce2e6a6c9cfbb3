/* The relay driven through a fake relay_ops table: every row of DESIGN.md's
 * "Message policy", partial PublishBatch and DeleteMessageBatch results,
 * dedupe after a failed delete, the poison threshold, a stop with messages in
 * hand, a batch above the SNS size limit, the whole-batch failure that goes
 * out one message at a time, and the receive that asks for fewer messages
 * after too large an answer. The fake records each call and fails chosen
 * entries as SQS and SNS would report them. log_fields, event_parse,
 * render_event and render_fallback are wrapped (-Wl,--wrap, see
 * tests/CMakeLists.txt) to read each entry's MESSAGE_ID and to inject
 * allocation and render failures. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event.h"
#include "log.h"
#include "macro.h"
#include "relay.h"
#include "render.h"

#define QUEUE "https://sqs.us-east-1.amazonaws.com/123456789012/q"
#define TOPIC "arn:aws:sns:us-east-1:123456789012:t"
/* a rule's route: a standard topic in another region and a FIFO topic */
#define TOPIC_SEC "arn:aws:sns:eu-west-1:123456789012:security"
#define TOPIC_OPS "arn:aws:sns:us-east-1:123456789012:ops.fifo"
#define MAX_RECEIVE 5
#define VISIBILITY 30
#define CALLS_MAX 64
#define IDS_MAX 32
#define LOGS_MAX 64

enum call { CALL_RECEIVE, CALL_PUBLISH, CALL_PUBLISH_BATCH, CALL_DELETE_BATCH, CALL_VISIBILITY };

/* A message the test put in a batch: its SQS MessageId and, for an event,
 * its eventID, by which the fake tells whose notification SNS got. */
struct known {
        char sqs_id[32];
        char event_id[48];
        /* message attributes of its last notification SNS got; "" when absent */
        char rule_attr[48];
        char severity_attr[16];
};

struct log_entry_seen {
        const char *message_id;
        int level;
        char text[512];
        char rule[48]; /* the RULE= field; "" when absent */
};

static struct fake {
        /* injected */
        const char *fail_publish[IDS_MAX]; /* SQS ids whose notification SNS refuses */
        size_t n_fail_publish;
        bool fail_every_publish;           /* Publish (not the batch) refuses everything */
        struct aws_error publish_err;
        int batch_rc;                      /* PublishBatch fails as a whole with this */
        struct aws_error batch_err;
        const char *fail_delete[IDS_MAX];  /* SQS ids whose delete entry fails */
        size_t n_fail_delete;
        int delete_rc;                     /* DeleteMessageBatch fails as a whole with this */
        int receive_rc[8];                 /* successive receives' results */
        size_t n_receive_rc;
        const struct sqs_batch *receive_from; /* copied out by a receive that succeeds */
        size_t receive_answer_len;
        bool stop_at_publish;              /* "SIGTERM" arrives during the first publish */
        bool parse_nomem, render_fail, fallback_fail;
        const char *fail_topic;            /* every publish to this topic is refused */
        bool fail_digest;                  /* every digest is refused */
        const char *target_name;           /* the look-ups name every target so, with Environment=production */
        /* recorded */
        bool stopped;
        enum call calls[CALLS_MAX];
        size_t n_calls;
        const char *published[IDS_MAX];    /* SQS ids SNS accepted a notification for */
        const char *published_to[IDS_MAX]; /* and the topic that accepted it */
        size_t n_published;
        const char *deleted[IDS_MAX];
        size_t n_deleted;
        const char *made_visible[IDS_MAX];
        int visibility_timeout[IDS_MAX];
        size_t n_made_visible;
        int asked[8];                      /* MaxNumberOfMessages of each receive */
        int waited[8];                     /* WaitTimeSeconds of each receive */
        /* the hooks (relay_set_hooks): event IDs as each was called, and
         * how many publishes SNS had accepted at that moment */
        char completed[IDS_MAX][48];
        size_t n_completed;
        char accepted[IDS_MAX][48];
        size_t published_when_accepted[IDS_MAX];
        size_t n_accepted;
        char dropped[IDS_MAX][48];
        size_t n_dropped;
        size_t n_too_large;                /* PublishBatch refused as above SNS_PAYLOAD_MAX */
        int receive_started_rc[RELAY_LANES]; /* what the receive in flight on each lane will answer */
        int delete_started_rc[RELAY_LANES];  /* what the delete in flight on each lane will answer */
        unsigned delete_started_deleted[RELAY_LANES];
        bool receive_in_flight[RELAY_LANES], publish_in_flight[RELAY_LANES], delete_in_flight[RELAY_LANES];
        int batch_started_rc[RELAY_LANES];   /* what the PublishBatch in flight on each lane will answer */
        struct sns_entry_result batch_started_results[RELAY_LANES][SNS_BATCH_MAX];
        const char *batch_started_topic[RELAY_LANES];
        size_t max_publishes_in_flight, max_receives_in_flight;
        bool receive_waiting;              /* receive_ready: no answer yet */
        size_t n_delete_finished;
        size_t n_publish_during_delete;    /* publishes made while a delete was in flight */
        size_t n_digests;                  /* digests SNS accepted */
        const char *digest_topic[8];
        size_t digest_members[8];          /* eventIDs each listed */
        char digest_severity[8][16];
        size_t n_enrich;                   /* look-up rounds, and the events of the last one */
        size_t enrich_events;
        struct known known[IDS_MAX];
        size_t n_known;
        struct log_entry_seen logs[LOGS_MAX];
        size_t n_logs;
} F;

/* --- wrapped functions ------------------------------------------------- */

void __wrap_log_fields(int level, const char *message_id, const struct log_field *fields, size_t n_fields,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void __wrap_log_fields(int level, const char *message_id, const struct log_field *fields, size_t n_fields,
                       const char *fmt, ...) {
        va_list ap;
        assert_true(n_fields == 0 || fields != NULL);
        assert_true(F.n_logs < LOGS_MAX);
        struct log_entry_seen *e = &F.logs[F.n_logs++];
        e->message_id = message_id;
        e->level = level;
        e->rule[0] = '\0';
        for (size_t i = 0; i < n_fields; i++)
                if (strcmp(fields[i].key, "RULE") == 0 && fields[i].value)
                        snprintf(e->rule, sizeof(e->rule), "%s", fields[i].value);
        va_start(ap, fmt);
        vsnprintf(e->text, sizeof(e->text), fmt, ap);
        va_end(ap);
}

int __real_event_parse(const char *body, size_t len, struct ssm_event **ret);
int __wrap_event_parse(const char *body, size_t len, struct ssm_event **ret);
int __wrap_event_parse(const char *body, size_t len, struct ssm_event **ret) {
        return F.parse_nomem ? -ENOMEM : __real_event_parse(body, len, ret);
}

int __real_render_event(const struct ssm_event *ev, const struct render_local_time *lt,
                        const struct render_options *o, struct rendered *ret);
int __wrap_render_event(const struct ssm_event *ev, const struct render_local_time *lt,
                        const struct render_options *o, struct rendered *ret);
int __wrap_render_event(const struct ssm_event *ev, const struct render_local_time *lt,
                        const struct render_options *o, struct rendered *ret) {
        return F.render_fail ? -ENOMEM : __real_render_event(ev, lt, o, ret);
}

int __real_render_fallback(const char *sqs_message_id, const char *body, size_t len,
                           const struct render_options *o, struct rendered *ret);
int __wrap_render_fallback(const char *sqs_message_id, const char *body, size_t len,
                           const struct render_options *o, struct rendered *ret);
int __wrap_render_fallback(const char *sqs_message_id, const char *body, size_t len,
                           const struct render_options *o, struct rendered *ret) {
        return F.fallback_fail ? -ENOMEM : __real_render_fallback(sqs_message_id, body, len, o, ret);
}

/* --- the fake table ---------------------------------------------------- */

static void record(enum call c) {
        assert_true(F.n_calls < CALLS_MAX);
        F.calls[F.n_calls++] = c;
}

static const struct known *known_by_sqs_id(const char *sqs_id) {
        for (size_t i = 0; i < F.n_known; i++)
                if (strcmp(F.known[i].sqs_id, sqs_id) == 0)
                        return &F.known[i];
        fail_msg("unknown SQS message %s", sqs_id);
        return NULL;
}

/* Whose notification is this: an event's carries its eventID, a fallback
 * its SQS MessageId. */
static const struct known *known_by_notification(const struct sns_message *m) {
        for (size_t i = 0; i < F.n_known; i++) {
                const struct known *k = &F.known[i];
                if ((k->event_id[0] && strstr(m->message, k->event_id)) || strstr(m->message, k->sqs_id))
                        return k;
        }
        fail_msg("a notification for no message of the batch");
        return NULL;
}

/* Keeps the attributes a subscription filter policy would see. */
static void note_attributes(const struct sns_message *m, const struct known *k) {
        struct known *w = (struct known *)k;
        w->rule_attr[0] = w->severity_attr[0] = '\0';
        for (size_t i = 0; i < m->n_attributes; i++) {
                const struct sns_attribute *a = &m->attributes[i];
                if (a->value && strcmp(a->name, "rule") == 0)
                        snprintf(w->rule_attr, sizeof(w->rule_attr), "%s", a->value);
                if (a->value && strcmp(a->name, "severity") == 0)
                        snprintf(w->severity_attr, sizeof(w->severity_attr), "%s", a->value);
        }
}

static bool listed(const char *const *ids, size_t n, const char *id) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(ids[i], id) == 0)
                        return true;
        return false;
}

static void copy_batch(const struct sqs_batch *from, struct sqs_batch *to) {
        *to = (struct sqs_batch){ .n = from->n, .answer_len = F.receive_answer_len };
        for (size_t i = 0; i < from->n; i++) {
                const struct sqs_message *m = &from->msg[i];
                to->msg[i] = (struct sqs_message){
                        .message_id = strdup(m->message_id),
                        .receipt_handle = strdup(m->receipt_handle),
                        .body = malloc(m->body_len),
                        .body_len = m->body_len,
                        .receive_count = m->receive_count,
                };
                assert_non_null(to->msg[i].message_id);
                assert_non_null(to->msg[i].receipt_handle);
                assert_non_null(to->msg[i].body);
                memcpy(to->msg[i].body, m->body, m->body_len);
        }
}

/* Only the topics the tests configure; FIFO ids exactly for .fifo topics. */
static bool refused_by_topic(const struct sns_message *m) {
        const bool fifo = strcmp(m->topic_arn, TOPIC_OPS) == 0;
        assert_true(strcmp(m->topic_arn, TOPIC) == 0 || strcmp(m->topic_arn, TOPIC_SEC) == 0 || fifo);
        assert_true(fifo == (m->group_id != NULL));
        assert_true(fifo == (m->dedup_id != NULL));
        return F.fail_topic && strcmp(F.fail_topic, m->topic_arn) == 0;
}

static void accepted_by_sns(const struct sns_message *m, const struct known *k) {
        assert_true(F.n_published < IDS_MAX);
        F.published_to[F.n_published] = m->topic_arn;
        F.published[F.n_published++] = k->sqs_id;
        note_attributes(m, k);
}

static size_t count_true(const bool *v) {
        size_t n = 0;
        for (size_t l = 0; l < RELAY_LANES; l++)
                n += v[l];
        return n;
}

static int fake_receive_start(void *ctx, unsigned lane, const struct sqs_receive_params *p, struct aws_error *err) {
        size_t k = 0;
        (void)err;
        assert_ptr_equal(ctx, &F);
        assert_true(lane < RELAY_LANES && !F.receive_in_flight[lane]);
        F.receive_in_flight[lane] = true;
        if (count_true(F.receive_in_flight) > F.max_receives_in_flight)
                F.max_receives_in_flight = count_true(F.receive_in_flight);
        assert_string_equal(p->queue_url, QUEUE);
        for (size_t i = 0; i < F.n_calls; i++)
                k += F.calls[i] == CALL_RECEIVE;
        record(CALL_RECEIVE);
        assert_true(k < ELEMENTSOF(F.asked));
        F.asked[k] = p->max_messages;
        F.waited[k] = p->wait_time_seconds;
        F.receive_started_rc[lane] = k < F.n_receive_rc ? F.receive_rc[k] : 0;
        return 0;
}

static int fake_receive_finish(void *ctx, unsigned lane, struct sqs_batch *ret, struct aws_error *err) {
        int rc = F.receive_started_rc[lane];
        assert_ptr_equal(ctx, &F);
        assert_true(lane < RELAY_LANES && F.receive_in_flight[lane]);
        F.receive_in_flight[lane] = false;
        if (rc == -EIO)
                *err = (struct aws_error){ .cls = AWS_ERR_RETRYABLE, .http_status = 500, .code = "InternalError",
                                           .request_id = "req-receive" };
        if (rc < 0)
                return rc;
        copy_batch(F.receive_from, ret);
        return 0;
}

static size_t calls_of(enum call c) {
        size_t n = 0;
        for (size_t i = 0; i < F.n_calls; i++)
                n += F.calls[i] == c;
        return n;
}

static void note_publish_during_delete(void) {
        F.n_publish_during_delete += calls_of(CALL_DELETE_BATCH) > F.n_delete_finished;
}

static int fake_publish(void *ctx, const struct sns_message *m, char *ret_message_id, size_t id_size,
                        struct aws_error *err) {
        size_t size;
        assert_ptr_equal(ctx, &F);
        record(CALL_PUBLISH);
        note_publish_during_delete();
        if (sns_message_size(m, &size) < 0)
                return aws_error_return(-E2BIG, err); /* as sns.c: err written on every failure */
        if (strstr(m->message, "\"kind\":\"digest\"")) {
                if (F.fail_digest || refused_by_topic(m)) {
                        *err = F.publish_err;
                        return -EIO;
                }
                assert_true(F.n_digests < ELEMENTSOF(F.digest_topic));
                F.digest_topic[F.n_digests] = m->topic_arn;
                F.digest_members[F.n_digests] = 0;
                for (const char *p = m->message; (p = strstr(p, "\"event_id\":\"evt-")); p++)
                        F.digest_members[F.n_digests]++;
                for (size_t i = 0; i < m->n_attributes; i++) {
                        if (strcmp(m->attributes[i].name, "event_name") == 0)
                                assert_string_equal(m->attributes[i].value, "Digest");
                        if (strcmp(m->attributes[i].name, "severity") == 0)
                                snprintf(F.digest_severity[F.n_digests], sizeof(F.digest_severity[0]), "%s",
                                         m->attributes[i].value);
                }
                F.n_digests++;
                snprintf(ret_message_id, id_size, "digest-%zu", F.n_digests);
                return 0;
        }
        const struct known *k = known_by_notification(m);
        if (F.stop_at_publish)
                F.stopped = true;
        if (F.fail_every_publish || listed(F.fail_publish, F.n_fail_publish, k->sqs_id) || refused_by_topic(m)) {
                *err = F.publish_err;
                return -EIO;
        }
        accepted_by_sns(m, k);
        snprintf(ret_message_id, id_size, "sns-%zu", F.n_published);
        return 0;
}

static bool fake_receive_ready(void *ctx, unsigned lane) {
        assert_ptr_equal(ctx, &F);
        assert_true(lane < RELAY_LANES && F.receive_in_flight[lane]);
        return !F.receive_waiting;
}

/* The answer is decided at the start and told by the finish. */
static int fake_publish_batch(const struct sns_message *msgs, size_t n, struct sns_entry_result *results,
                              struct aws_error *err) {
        size_t total = 0, size;
        record(CALL_PUBLISH_BATCH);
        note_publish_during_delete();
        assert_true(n >= 2 && n <= SNS_BATCH_MAX);
        if (F.batch_rc) {
                *err = F.batch_err;
                return F.batch_rc;
        }
        /* sns.h: the total of a batch counts against SNS_PAYLOAD_MAX. */
        for (size_t i = 0; i < n; i++) {
                if (sns_message_size(&msgs[i], &size) < 0)
                        return aws_error_return(-E2BIG, err);
                total += size;
        }
        if (total > SNS_PAYLOAD_MAX) {
                F.n_too_large++;
                return aws_error_return(-E2BIG, err);
        }
        if (F.stop_at_publish)
                F.stopped = true;
        for (size_t i = 0; i < n; i++) {
                const struct known *k = known_by_notification(&msgs[i]);
                /* sns.h: one batch goes to msgs[0].topic_arn */
                assert_string_equal(msgs[i].topic_arn, msgs[0].topic_arn);
                results[i] = (struct sns_entry_result){ 0 };
                if (listed(F.fail_publish, F.n_fail_publish, k->sqs_id) || refused_by_topic(&msgs[i])) {
                        results[i].error = F.publish_err;
                        continue;
                }
                results[i].ok = true;
                accepted_by_sns(&msgs[i], k);
                snprintf(results[i].message_id, sizeof(results[i].message_id), "sns-%zu", F.n_published);
        }
        return 0;
}

static int fake_publish_batch_start(void *ctx, unsigned lane, const struct sns_message *msgs, size_t n,
                                    struct aws_error *err) {
        assert_ptr_equal(ctx, &F);
        assert_true(lane < RELAY_LANES && !F.publish_in_flight[lane]);
        int rc = fake_publish_batch(msgs, n, F.batch_started_results[lane], err);
        if (rc == -E2BIG)
                return rc; /* as sns.c: refused before anything is sent */
        F.publish_in_flight[lane] = true;
        if (count_true(F.publish_in_flight) > F.max_publishes_in_flight)
                F.max_publishes_in_flight = count_true(F.publish_in_flight);
        F.batch_started_rc[lane] = rc;
        F.batch_started_topic[lane] = msgs[0].topic_arn;
        return 0;
}

static int fake_publish_batch_finish(void *ctx, unsigned lane, const char *topic_arn, size_t n,
                                     struct sns_entry_result *results, struct aws_error *err) {
        assert_ptr_equal(ctx, &F);
        assert_true(lane < RELAY_LANES && F.publish_in_flight[lane]);
        F.publish_in_flight[lane] = false;
        if (F.batch_started_rc[lane]) {
                *err = F.batch_err;
                return F.batch_started_rc[lane];
        }
        assert_string_equal(topic_arn, F.batch_started_topic[lane]); /* relay_ops.h: the started batch's topic */
        for (size_t i = 0; i < n; i++)
                results[i] = F.batch_started_results[lane][i];
        return 0;
}

/* The messages count as deleted from the start: what the test asserts is
 * which deletes were asked for, and when. */
static int fake_delete_start(void *ctx, unsigned lane, const char *queue_url, const struct sqs_batch *b,
                             unsigned which, struct aws_error *err) {
        unsigned deleted = 0;
        (void)err;
        assert_ptr_equal(ctx, &F);
        assert_true(lane < RELAY_LANES && !F.delete_in_flight[lane]);
        F.delete_in_flight[lane] = true;
        assert_string_equal(queue_url, QUEUE);
        record(CALL_DELETE_BATCH);
        assert_true(which != 0);
        F.delete_started_rc[lane] = F.delete_rc;
        if (F.delete_rc)
                return 0;
        for (size_t i = 0; i < b->n; i++) {
                if (!(which & (1u << i)))
                        continue;
                const struct known *k = known_by_sqs_id(b->msg[i].message_id);
                if (listed(F.fail_delete, F.n_fail_delete, k->sqs_id))
                        continue;
                deleted |= 1u << i;
                F.deleted[F.n_deleted++] = k->sqs_id;
        }
        F.delete_started_deleted[lane] = deleted;
        return 0;
}

static int fake_delete_finish(void *ctx, unsigned lane, unsigned *ret_deleted, struct aws_error *err) {
        assert_ptr_equal(ctx, &F);
        assert_true(lane < RELAY_LANES && F.delete_in_flight[lane]);
        F.delete_in_flight[lane] = false;
        F.n_delete_finished++;
        if (F.delete_started_rc[lane]) {
                *err = (struct aws_error){ .cls = AWS_ERR_RETRYABLE, .http_status = 503, .code = "ServiceUnavailable",
                                           .request_id = "req-delete" };
                return F.delete_started_rc[lane];
        }
        *ret_deleted = F.delete_started_deleted[lane];
        return 0;
}

static int fake_change_visibility(void *ctx, const char *queue_url, const char *receipt_handle,
                                  int visibility_timeout, struct aws_error *err) {
        (void)err;
        assert_ptr_equal(ctx, &F);
        assert_string_equal(queue_url, QUEUE);
        record(CALL_VISIBILITY);
        /* receipt handles are "rh-" + the SQS id (add_message) */
        assert_true(strncmp(receipt_handle, "rh-", 3) == 0);
        const struct known *k = known_by_sqs_id(receipt_handle + 3);
        F.visibility_timeout[F.n_made_visible] = visibility_timeout;
        F.made_visible[F.n_made_visible++] = k->sqs_id;
        return 0;
}

static void fake_enrich(void *ctx, struct ssm_event *const *evs, size_t n) {
        (void)ctx;
        F.n_enrich++;
        F.enrich_events = n;
        for (size_t i = 0; i < n && F.target_name; i++) {
                evs[i]->target_name = strdup(F.target_name);
                evs[i]->target_tags = calloc(1, sizeof(*evs[i]->target_tags));
                assert_non_null(evs[i]->target_tags);
                evs[i]->target_tags[0] = (struct event_tag){ strdup("Environment"), strdup("production") };
                evs[i]->n_target_tags = 1;
        }
}

static const struct relay_ops FAKE_OPS = {
        .receive_start = fake_receive_start,
        .receive_finish = fake_receive_finish,
        .receive_ready = fake_receive_ready,
        .publish = fake_publish,
        .publish_batch_start = fake_publish_batch_start,
        .publish_batch_finish = fake_publish_batch_finish,
        .delete_start = fake_delete_start,
        .delete_finish = fake_delete_finish,
        .change_visibility = fake_change_visibility,
        .enrich = fake_enrich,
};

/* A cycle as the daemon's loop runs it, the delete waited for. */
static enum relay_outcome handle(struct relay *r, struct sqs_batch *b, int64_t now) {
        enum relay_outcome o = relay_handle(r, b, now);
        relay_settle(r);
        return o;
}

static int receive(struct relay *r, int64_t now, struct sqs_batch *b) {
        relay_receive_start(r, now, false);
        assert_true(relay_receiving(r));
        return relay_receive_finish(r, b);
}

/* --- building batches and checking results ------------------------------ */

static struct relay_settings settings(void) {
        return (struct relay_settings){
                .queue_url = QUEUE,
                .wait_time_seconds = 20,
                .max_messages = SQS_BATCH_MAX,
                .visibility_timeout = VISIBILITY,
                .max_receive_count = MAX_RECEIVE,
                .topic_arn = TOPIC,
                .timezone = "UTC",
                .render = { .format = RENDER_JSON, .language = RENDER_EN },
        };
}

static struct relay *relay_with(const struct relay_settings *s) {
        struct relay *r = NULL;
        assert_int_equal(relay_new(s, &FAKE_OPS, &F, &r), 0);
        return r;
}

static void add_message(struct sqs_batch *b, const char *sqs_id, const char *event_id, const char *body,
                        int receive_count) {
        char rh[64];
        assert_true(b->n < SQS_BATCH_MAX);
        assert_true(F.n_known < IDS_MAX);
        struct known *k = &F.known[F.n_known++];
        snprintf(k->sqs_id, sizeof(k->sqs_id), "%s", sqs_id);
        snprintf(k->event_id, sizeof(k->event_id), "%s", event_id ? event_id : "");
        snprintf(rh, sizeof(rh), "rh-%s", sqs_id);
        size_t len = strlen(body);
        struct sqs_message *m = &b->msg[b->n++];
        /* exact size, no NUL: ASan reports a read past the body */
        *m = (struct sqs_message){ .message_id = strdup(sqs_id), .receipt_handle = strdup(rh),
                                   .body = malloc(len), .body_len = len, .receive_count = receive_count };
        assert_non_null(m->message_id);
        assert_non_null(m->receipt_handle);
        assert_non_null(m->body);
        memcpy(m->body, body, len);
}

/* A CloudTrail record from source/name by user; eventID "evt-" + sqs_id. */
static void add_event_by(struct sqs_batch *b, const char *sqs_id, const char *source, const char *name,
                         const char *user, int receive_count) {
        static const char fmt[] =
                "{\"eventVersion\":\"1.08\",\"eventSource\":\"%s\",\"eventName\":\"%s\",\"eventID\":\"%s\","
                "\"eventTime\":\"2024-08-01T12:00:00Z\",\"awsRegion\":\"us-east-1\","
                "\"recipientAccountId\":\"123456789012\",\"userIdentity\":{\"type\":\"IAMUser\","
                "\"userName\":\"%s\",\"accountId\":\"123456789012\"},"
                "\"requestParameters\":{\"target\":\"i-0123456789abcdef0\"}}";
        char event_id[48];
        snprintf(event_id, sizeof(event_id), "evt-%s", sqs_id);
        size_t n = sizeof(fmt) + strlen(source) + strlen(name) + strlen(event_id) + strlen(user);
        char *body = malloc(n);
        assert_non_null(body);
        snprintf(body, n, fmt, source, name, event_id, user);
        add_message(b, sqs_id, event_id, body, receive_count);
        free(body);
}

static void add_event(struct sqs_batch *b, const char *sqs_id, int receive_count) {
        add_event_by(b, sqs_id, "ssm.amazonaws.com", "StartSession", "alice", receive_count);
}


static void assert_calls(const enum call *want, size_t n) {
        assert_int_equal(F.n_calls, n);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(F.calls[i], want[i]);
}
#define ASSERT_CALLS(...)                                                  \
        do {                                                               \
                const enum call want_[] = { __VA_ARGS__ };                 \
                assert_calls(want_, ELEMENTSOF(want_));                    \
        } while (0)

static size_t count_of(const char *const *ids, size_t n, const char *id) {
        size_t c = 0;
        for (size_t i = 0; i < n; i++)
                c += strcmp(ids[i], id) == 0;
        return c;
}
#define PUBLISHED(id) count_of(F.published, F.n_published, id)

/* How often topic accepted sqs_id's notification. */
static size_t published_to(const char *sqs_id, const char *topic) {
        size_t c = 0;
        for (size_t i = 0; i < F.n_published; i++)
                c += strcmp(F.published[i], sqs_id) == 0 && strcmp(F.published_to[i], topic) == 0;
        return c;
}
#define DELETED(id) count_of(F.deleted, F.n_deleted, id)
#define MADE_VISIBLE(id) count_of(F.made_visible, F.n_made_visible, id)

/* Entries logged under message_id (NULL: without one). */
static size_t logged(const char *message_id) {
        size_t n = 0;
        for (size_t i = 0; i < F.n_logs; i++)
                if (message_id ? F.logs[i].message_id && strcmp(F.logs[i].message_id, message_id) == 0
                               : !F.logs[i].message_id)
                        n++;
        return n;
}

static const struct log_entry_seen *log_with(const char *text) {
        for (size_t i = 0; i < F.n_logs; i++)
                if (strstr(F.logs[i].text, text))
                        return &F.logs[i];
        return NULL;
}

/* The level of the entry whose text holds text; fails the test when there
 * is none. */
static int level_of(const char *text) {
        const struct log_entry_seen *e = log_with(text);
        if (!e)
                fail_msg("no log entry with \"%s\"", text);
        return e ? e->level : -1;
}

/* The RULE= field of the entry whose text holds text ("" without one);
 * fails the test when there is no such entry. */
static const char *rule_field_of(const char *text) {
        const struct log_entry_seen *e = log_with(text);
        if (!e)
                fail_msg("no log entry with \"%s\"", text);
        return e ? e->rule : "";
}

static struct aws_error aws_err(enum aws_error_class cls, const char *code) {
        struct aws_error e = { .cls = cls, .http_status = cls == AWS_ERR_FATAL ? 400 : 500 };
        snprintf(e.code, sizeof(e.code), "%s", code);
        snprintf(e.request_id, sizeof(e.request_id), "req-%s", code);
        return e;
}

static void forget_calls(void) {
        F.n_calls = 0;
        F.n_logs = 0;
}

static int setup(void **state) {
        (void)state;
        F = (struct fake){ 0 };
        return 0;
}

static void hook_complete(void *ctx, struct ssm_event *ev) {
        assert_ptr_equal(ctx, &F);
        snprintf(F.completed[F.n_completed++], sizeof(F.completed[0]), "%s", ev->event_id);
        /* what a listener adds reaches the notification */
        free(ev->target);
        ev->target = strdup("i-completedbyhook");
}

static void hook_accepted(void *ctx, const struct ssm_event *ev) {
        assert_ptr_equal(ctx, &F);
        F.published_when_accepted[F.n_accepted] = F.n_published;
        snprintf(F.accepted[F.n_accepted++], sizeof(F.accepted[0]), "%s", ev->event_id);
}

static void hook_dropped(void *ctx, const struct ssm_event *ev) {
        assert_ptr_equal(ctx, &F);
        snprintf(F.dropped[F.n_dropped++], sizeof(F.dropped[0]), "%s", ev->event_id);
}

static const struct relay_hooks HOOKS = { .complete = hook_complete, .accepted = hook_accepted,
                                          .dropped = hook_dropped };

/* --- DESIGN.md's message policy, row by row ----------------------------- */

static void test_notifiable_event_is_published_then_deleted(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        add_event(&b, "msg-0001", 1);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        ASSERT_CALLS(CALL_PUBLISH, CALL_DELETE_BATCH);
        assert_int_equal(PUBLISHED("msg-0001"), 1);
        assert_int_equal(DELETED("msg-0001"), 1);
        assert_int_equal(relay_get_stats(r)->published, 1);
        assert_int_equal(relay_get_stats(r)->deleted, 1);
        assert_int_equal(logged(LOG_MSGID_PUBLISHED), 1);
        assert_non_null(log_with("published StartSession by alice on i-0123456789abcdef0 (success) as SNS message sns-1 "
                                 "to " TOPIC));
        sqs_batch_clear(&b);
        relay_free(r);
}

static void test_event_the_filter_drops_is_deleted_unpublished(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        add_event_by(&b, "msg-0001", "ec2.amazonaws.com", "StartSession", "alice", 1);
        add_event_by(&b, "msg-0002", "ssm.amazonaws.com", "DescribeInstanceInformation", "alice", 1);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        ASSERT_CALLS(CALL_DELETE_BATCH);
        assert_int_equal(DELETED("msg-0001") + DELETED("msg-0002"), 2);
        assert_int_equal(relay_get_stats(r)->filtered, 2);
        assert_int_equal(logged(LOG_MSGID_FILTERED), 2);
        assert_int_equal(level_of("DescribeInstanceInformation from ssm.amazonaws.com is not notified"), LOG_INFO);
        sqs_batch_clear(&b);
        relay_free(r);
}

static void test_unrecognized_body_gets_a_fallback_then_is_deleted(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        add_message(&b, "msg-0001", NULL, "not JSON {", 1);
        add_message(&b, "msg-0002", NULL, "{\"detail-type\":\"EC2 Instance State-change Notification\"}", 1);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        ASSERT_CALLS(CALL_PUBLISH_BATCH, CALL_DELETE_BATCH);
        assert_int_equal(PUBLISHED("msg-0001"), 1);
        assert_int_equal(PUBLISHED("msg-0002"), 1);
        assert_int_equal(DELETED("msg-0001") + DELETED("msg-0002"), 2);
        assert_int_equal(relay_get_stats(r)->unrecognized, 2);
        assert_int_equal(logged(LOG_MSGID_UNRECOGNIZED), 2);
        assert_int_equal(logged(LOG_MSGID_PUBLISHED), 0);
        assert_non_null(log_with("message msg-0001 is not JSON; published a fallback"));
        assert_non_null(log_with("message msg-0002 is not a CloudTrail event; published a fallback"));
        sqs_batch_clear(&b);
        relay_free(r);
}

static void test_unrecognized_keep_leaves_it_for_the_dlq(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        struct relay_settings s = settings();
        s.unrecognized_keep = true;
        struct relay *r = relay_with(&s);
        add_message(&b, "msg-0001", NULL, "not JSON {", 1);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        assert_int_equal(F.n_calls, 0);
        assert_int_equal(relay_get_stats(r)->unrecognized, 1);
        assert_int_equal(logged(LOG_MSGID_UNRECOGNIZED), 1);
        assert_non_null(log_with("kept in the queue for the dead-letter queue"));
        sqs_batch_clear(&b);
        relay_free(r);
}

static void test_retryable_publish_failure_keeps_it_and_backs_off(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        add_event(&b, "msg-0001", 1);
        F.fail_publish[F.n_fail_publish++] = "msg-0001";
        F.publish_err = aws_err(AWS_ERR_THROTTLED, "Throttling");
        assert_int_equal(handle(r, &b, 0), RELAY_PUBLISH_FAILED);
        /* Not deleted; handed back early so the retry comes after a backoff,
         * not a whole visibility timeout later. */
        ASSERT_CALLS(CALL_PUBLISH, CALL_VISIBILITY);
        assert_int_equal(MADE_VISIBLE("msg-0001"), 1);
        assert_true(F.visibility_timeout[0] > 0 && F.visibility_timeout[0] <= VISIBILITY);
        assert_int_equal(relay_get_stats(r)->failed, 1);
        assert_int_equal(relay_get_stats(r)->poison, 0);
        assert_non_null(strstr(relay_get_stats(r)->last_error, "Throttling"));
        assert_int_equal(logged(LOG_MSGID_PUBLISH_FAILED), 1);
        assert_int_equal(logged(LOG_MSGID_POISON), 0);
        sqs_batch_clear(&b);
        relay_free(r);
}

static void test_fatal_publish_failure_keeps_it_without_backoff(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        add_event(&b, "msg-0001", 1);
        F.fail_publish[F.n_fail_publish++] = "msg-0001";
        F.publish_err = aws_err(AWS_ERR_FATAL, "InvalidParameter");
        /* The message's own fault: SNS is fine, the loop goes on. */
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        ASSERT_CALLS(CALL_PUBLISH);
        assert_int_equal(logged(LOG_MSGID_PUBLISH_FAILED), 1);
        sqs_batch_clear(&b);
        relay_free(r);
}

static void test_poison_threshold(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        F.publish_err = aws_err(AWS_ERR_RETRYABLE, "InternalError");
        F.fail_publish[F.n_fail_publish++] = "msg-0001";
        F.fail_publish[F.n_fail_publish++] = "msg-0002";

        /* Below the limit a failure is retried; on the last receive allowed it is given up. */
        add_event(&b, "msg-0001", MAX_RECEIVE - 1);
        add_event(&b, "msg-0002", MAX_RECEIVE);
        assert_int_equal(handle(r, &b, 0), RELAY_PUBLISH_FAILED);
        assert_int_equal(F.n_deleted, 0);
        assert_int_equal(logged(LOG_MSGID_PUBLISH_FAILED), 1);
        assert_int_equal(logged(LOG_MSGID_POISON), 1);
        assert_non_null(log_with("message msg-0002 failed to publish on receive 5 of 5, giving up on it"));
        assert_int_equal(relay_get_stats(r)->poison, 1);
        sqs_batch_clear(&b);

        /* Past it, it is not tried at all, and the last error is in the log. */
        forget_calls();
        add_event(&b, "msg-0003", MAX_RECEIVE + 1);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        assert_int_equal(F.n_calls, 0);
        assert_int_equal(logged(LOG_MSGID_POISON), 1);
        assert_int_equal(level_of("message msg-0003 was received 6 times"), LOG_ERR);
        assert_non_null(log_with("last error: publish: HTTP 500 Internal Server Error: InternalError"));
        assert_int_equal(relay_get_stats(r)->poison, 2);
        sqs_batch_clear(&b);
        relay_free(r);
}

/* --- batches ------------------------------------------------------------ */

static void test_partial_publish_batch_deletes_only_what_sns_accepted(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        add_event(&b, "msg-0001", 1);
        add_event(&b, "msg-0002", 1);
        add_event(&b, "msg-0003", 1);
        F.fail_publish[F.n_fail_publish++] = "msg-0002";
        F.publish_err = aws_err(AWS_ERR_RETRYABLE, "InternalError");
        assert_int_equal(handle(r, &b, 0), RELAY_PUBLISH_FAILED);
        ASSERT_CALLS(CALL_PUBLISH_BATCH, CALL_VISIBILITY, CALL_DELETE_BATCH);
        assert_int_equal(DELETED("msg-0001"), 1);
        assert_int_equal(DELETED("msg-0002"), 0);
        assert_int_equal(DELETED("msg-0003"), 1);
        assert_int_equal(MADE_VISIBLE("msg-0002"), 1);
        assert_int_equal(relay_get_stats(r)->published, 2);
        assert_int_equal(relay_get_stats(r)->failed, 1);
        sqs_batch_clear(&b);
        relay_free(r);
}

static void test_partial_delete_then_redelivery_is_a_duplicate(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        add_event(&b, "msg-0001", 1);
        add_event(&b, "msg-0002", 1);
        F.fail_delete[F.n_fail_delete++] = "msg-0002";
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        assert_int_equal(F.n_published, 2);
        assert_int_equal(DELETED("msg-0001"), 1);
        assert_int_equal(DELETED("msg-0002"), 0);
        assert_int_equal(relay_get_stats(r)->deleted, 1);
        assert_int_equal(logged(LOG_MSGID_DELETE_FAILED), 1);
        assert_non_null(log_with("message msg-0002 was handled but its delete failed"));
        sqs_batch_clear(&b);

        /* It comes back: deleted, not published again, and not logged as published. */
        forget_calls();
        F.n_fail_delete = 0;
        add_event(&b, "msg-0002", 2);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        ASSERT_CALLS(CALL_DELETE_BATCH);
        assert_int_equal(F.n_published, 2);
        assert_int_equal(DELETED("msg-0002"), 1);
        assert_int_equal(relay_get_stats(r)->duplicates, 1);
        assert_int_equal(relay_get_stats(r)->published, 2);
        assert_int_equal(logged(LOG_MSGID_DUPLICATE), 1);
        assert_int_equal(logged(LOG_MSGID_PUBLISHED), 0);
        assert_non_null(log_with("event evt-msg-0002 was already published by this process; deleted"));
        sqs_batch_clear(&b);
        relay_free(r);
}

static void test_failed_delete_call_then_redelivery_is_a_duplicate(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        add_event(&b, "msg-0001", 1);
        add_event(&b, "msg-0002", 1);
        F.delete_rc = -EIO;
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        assert_int_equal(F.n_published, 2);
        assert_int_equal(F.n_deleted, 0);
        assert_int_equal(logged(LOG_MSGID_DELETE_FAILED), 2);
        assert_non_null(strstr(relay_get_stats(r)->last_error, "delete: HTTP 503 Service Unavailable: ServiceUnavailable"));
        sqs_batch_clear(&b);

        forget_calls();
        F.delete_rc = 0;
        add_event(&b, "msg-0001", 2);
        add_event(&b, "msg-0002", 2);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        ASSERT_CALLS(CALL_DELETE_BATCH);
        assert_int_equal(F.n_published, 2);
        assert_int_equal(F.n_deleted, 2);
        assert_int_equal(relay_get_stats(r)->duplicates, 2);
        assert_int_equal(logged(LOG_MSGID_DUPLICATE), 2);
        sqs_batch_clear(&b);
        relay_free(r);
}

static void test_batch_refused_as_a_whole_goes_out_one_by_one(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        add_event(&b, "msg-0001", 1);
        add_event(&b, "msg-0002", 1);
        add_message(&b, "msg-0003", NULL, "not JSON {", 1);
        F.batch_rc = -EIO;
        F.batch_err = aws_err(AWS_ERR_FATAL, "BatchRequestTooLong");
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        ASSERT_CALLS(CALL_PUBLISH_BATCH, CALL_PUBLISH, CALL_PUBLISH, CALL_PUBLISH, CALL_DELETE_BATCH);
        assert_int_equal(F.n_published, 3);
        assert_int_equal(F.n_deleted, 3);
        assert_non_null(log_with("BatchRequestTooLong"));
        assert_int_equal(logged(LOG_MSGID_PUBLISH_FAILED), 0);
        sqs_batch_clear(&b);
        relay_free(r);
}

static void test_one_by_one_stops_when_sns_fails_retryably(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        add_event(&b, "msg-0001", 1);
        add_event(&b, "msg-0002", 1);
        add_event(&b, "msg-0003", 1);
        F.batch_rc = -EIO;
        F.batch_err = aws_err(AWS_ERR_RETRYABLE, "InternalError");
        F.fail_every_publish = true;
        F.publish_err = aws_err(AWS_ERR_RETRYABLE, "InternalError");
        assert_int_equal(handle(r, &b, 0), RELAY_PUBLISH_FAILED);
        /* SNS itself is failing: one try, then each message is handed back. */
        ASSERT_CALLS(CALL_PUBLISH_BATCH, CALL_PUBLISH, CALL_VISIBILITY, CALL_VISIBILITY, CALL_VISIBILITY);
        assert_int_equal(calls_of(CALL_PUBLISH), 1);
        assert_int_equal(F.n_deleted, 0);
        assert_int_equal(relay_get_stats(r)->failed, 3);
        assert_int_equal(logged(LOG_MSGID_PUBLISH_FAILED), 3);
        sqs_batch_clear(&b);
        relay_free(r);
}

/* A StartSession whose every text field is RENDER_FIELD_CAP control
 * characters and more: each escapes to several bytes, so its notification is
 * about 70 KB (SNS's limit is 256 KiB). */
static void add_bulky_event(struct sqs_batch *b, const char *sqs_id) {
        static const char fmt[] =
                "{\"eventVersion\":\"1.08\",\"eventSource\":\"ssm.amazonaws.com\",\"eventName\":\"StartSession\","
                "\"eventID\":\"%s\",\"eventTime\":\"2024-08-01T12:00:00Z\",\"awsRegion\":\"us-east-1%s\","
                "\"sourceIPAddress\":\"%s\",\"userAgent\":\"%s\",\"recipientAccountId\":\"123456789012\","
                "\"userIdentity\":{\"type\":\"IAMUser\",\"userName\":\"%s\",\"accountId\":\"123456789012\","
                "\"arn\":\"%s\",\"principalId\":\"%s\"},\"requestParameters\":{\"target\":\"%s\",\"reason\":\"%s\","
                "\"documentName\":\"%s\"},\"responseElements\":{\"sessionId\":\"%s\",\"streamUrl\":\"%s\"},"
                "\"errorCode\":\"%s\",\"errorMessage\":\"%s\"}";
        static const char ctl[] = "\\u0001";
        const size_t n_ctl = 1100, fields = 13;
        char event_id[48], *v = malloc(n_ctl * strlen(ctl) + 1), *body;
        assert_non_null(v);
        for (size_t i = 0; i < n_ctl; i++)
                memcpy(v + i * strlen(ctl), ctl, strlen(ctl));
        v[n_ctl * strlen(ctl)] = '\0';
        snprintf(event_id, sizeof(event_id), "evt-%s", sqs_id);
        size_t n = sizeof(fmt) + sizeof(event_id) + fields * strlen(v);
        body = malloc(n);
        assert_non_null(body);
        snprintf(body, n, fmt, event_id, v, v, v, v, v, v, v, v, v, v, v, v, v);
        add_message(b, sqs_id, event_id, body, 1);
        free(body);
        free(v);
}

static void test_batch_above_256_kib_goes_out_per_message(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        /* Each notification fits; the four together do not. */
        add_bulky_event(&b, "msg-0001");
        add_bulky_event(&b, "msg-0002");
        add_bulky_event(&b, "msg-0003");
        add_bulky_event(&b, "msg-0004");
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        assert_int_equal(F.n_too_large, 1);
        ASSERT_CALLS(CALL_PUBLISH_BATCH, CALL_PUBLISH, CALL_PUBLISH, CALL_PUBLISH, CALL_PUBLISH, CALL_DELETE_BATCH);
        assert_int_equal(F.n_published, 4);
        assert_int_equal(F.n_deleted, 4);
        assert_int_equal(logged(LOG_MSGID_PUBLISH_FAILED), 0);
        sqs_batch_clear(&b);
        relay_free(r);
}

/* --- stopping, receiving ------------------------------------------------ */

static void test_stop_with_messages_in_hand_finishes_the_batch(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        /* A stop during the long poll (the progress hook abandons it, cmd_run.c):
         * nothing was in hand, nothing else happens, nothing is counted. */
        F.receive_rc[F.n_receive_rc++] = -ECANCELED;
        assert_int_equal(receive(r, 0, &b), -ECANCELED);
        ASSERT_CALLS(CALL_RECEIVE);
        assert_int_equal(b.n, 0);
        assert_int_equal(relay_get_stats(r)->received, 0);
        assert_int_equal(F.n_logs, 0);

        /* A stop once messages are in hand: the hook abandons only a long
         * poll, so every message of the batch is published and deleted. */
        struct sqs_batch from = { 0 };
        add_event(&from, "msg-0001", 1);
        add_event(&from, "msg-0002", 1);
        add_message(&from, "msg-0003", NULL, "not JSON {", 1);
        F.receive_from = &from;
        F.receive_answer_len = 2048;
        F.stop_at_publish = true;
        assert_int_equal(receive(r, 0, &b), 0);
        assert_int_equal(b.n, 3);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        assert_true(F.stopped);
        assert_int_equal(F.n_published, 3);
        assert_int_equal(F.n_deleted, 3);
        assert_int_equal(F.asked[1], SQS_BATCH_MAX); /* the cancelled poll changed nothing */
        sqs_batch_clear(&b);
        sqs_batch_clear(&from);
        relay_free(r);
}

static void test_answer_too_large_asks_for_fewer_messages(void **state) {
        (void)state;
        struct sqs_batch b = { 0 }, from = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        add_event(&from, "msg-0001", 1);
        F.receive_from = &from;
        F.receive_answer_len = 1024;
        F.receive_rc[F.n_receive_rc++] = -E2BIG;
        F.receive_rc[F.n_receive_rc++] = -E2BIG;
        assert_int_equal(receive(r, 0, &b), -EIO);
        assert_int_equal(receive(r, 0, &b), -EIO);
        assert_int_equal(receive(r, 0, &b), 0);
        sqs_batch_clear(&b);
        assert_int_equal(receive(r, 0, &b), 0);
        sqs_batch_clear(&b);
        assert_int_equal(F.asked[0], SQS_BATCH_MAX);
        assert_int_equal(F.asked[1], SQS_BATCH_MAX / 2);
        assert_int_equal(F.asked[2], SQS_BATCH_MAX / 4);
        /* a small answer: back up again */
        assert_true(F.asked[3] > F.asked[2]);
        assert_int_equal(logged(LOG_MSGID_RECEIVE_FAILED), 2);
        assert_non_null(log_with("asking for 5 at a time"));
        assert_non_null(strstr(relay_get_stats(r)->last_error, "receive: answer above"));
        assert_int_equal(relay_get_stats(r)->received, 2);
        sqs_batch_clear(&from);
        relay_free(r);
}

static void test_receive_failure_has_its_own_message_id(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        F.receive_rc[F.n_receive_rc++] = -EIO;
        assert_int_equal(receive(r, 0, &b), -EIO);
        assert_int_equal(logged(LOG_MSGID_RECEIVE_FAILED), 1);
        assert_int_equal(logged(LOG_MSGID_PUBLISH_FAILED), 0);
        assert_non_null(strstr(relay_get_stats(r)->last_error, "receive: HTTP 500 Internal Server Error: InternalError"));
        relay_free(r);
}

/* --- failures before the publish ------------------------------------------ */

static void test_out_of_memory_while_parsing_is_logged_counted_and_kept(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        add_event(&b, "msg-0001", 1);
        F.parse_nomem = true;
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        assert_int_equal(F.n_calls, 0); /* neither published nor deleted: it comes back */
        assert_int_equal(relay_get_stats(r)->out_of_memory, 1);
        assert_int_equal(relay_get_stats(r)->unrecognized, 0);
        assert_int_equal(level_of("message msg-0001: out of memory while parsing it"), LOG_ERR);
        sqs_batch_clear(&b);
        relay_free(r);
}

static void test_render_failure_is_not_a_publish_failure(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        add_event(&b, "msg-0001", 1);
        add_message(&b, "msg-0002", NULL, "not JSON {", 1);
        F.render_fail = true;
        F.fallback_fail = true;
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        assert_int_equal(F.n_calls, 0);
        assert_int_equal(logged(LOG_MSGID_RENDER_FAILED), 2);
        assert_int_equal(logged(LOG_MSGID_PUBLISH_FAILED), 0);
        assert_int_equal(logged(LOG_MSGID_UNRECOGNIZED), 0);
        assert_int_equal(relay_get_stats(r)->failed, 0);
        sqs_batch_clear(&b);
        relay_free(r);
}

/* --- rules -------------------------------------------------------------- */

/* The "rule" or "severity" attribute of the last notification of sqs_id. */
static const char *attribute_of(const char *sqs_id, const char *name) {
        const struct known *k = known_by_sqs_id(sqs_id);
        if (!k)
                return "(no such message)";
        return strcmp(name, "rule") == 0 ? k->rule_attr : k->severity_attr;
}

static struct config_rule make_rule(const char *name, const char *match, enum config_rule_action action) {
        char why[RULE_MATCH_WHY_MAX];
        struct config_rule rule = { .name = (char *)name, .match_text = (char *)match, .action = action };
        assert_int_equal(rule_match_parse(match, &rule.match, why), 0);
        return rule;
}

static void test_rules_ignore_and_notify_first_match_decides(void **state) {
        (void)state;
        struct config_rule rules[] = {
                make_rule("ignore-bot", "actor=bot-*", CONFIG_RULE_IGNORE),
                make_rule("alice", "actor=alice|bot-7", CONFIG_RULE_NOTIFY),
                make_rule("never", "actor=carol, outcome=failure", CONFIG_RULE_IGNORE),
        };
        struct sqs_batch b = { 0 };
        struct relay_settings s = settings();
        s.rules = rules;
        s.n_rules = ELEMENTSOF(rules);
        struct relay *r = relay_with(&s);
        add_event_by(&b, "msg-0001", "ssm.amazonaws.com", "StartSession", "bot-7", 1);
        add_event_by(&b, "msg-0002", "ssm.amazonaws.com", "StartSession", "alice", 1);
        add_event_by(&b, "msg-0003", "ssm.amazonaws.com", "StartSession", "carol", 1);
        /* a rule applies to notifiable events only: the filter still drops this one */
        add_event_by(&b, "msg-0004", "ec2.amazonaws.com", "StartSession", "bot-1", 1);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);

        /* the ignored one: deleted, never published, logged at info under its own id with RULE= */
        assert_int_equal(PUBLISHED("msg-0001"), 0);
        assert_int_equal(DELETED("msg-0001"), 1);
        assert_int_equal(logged(LOG_MSGID_IGNORED), 1);
        assert_int_equal(level_of("is ignored by rule ignore-bot"), LOG_INFO);
        assert_string_equal(rule_field_of("is ignored by rule ignore-bot"), "ignore-bot");
        /* notified by a rule: published with the rule as an attribute and in the log */
        assert_int_equal(PUBLISHED("msg-0002"), 1);
        assert_int_equal(DELETED("msg-0002"), 1);
        assert_string_equal(attribute_of("msg-0002", "rule"), "alice");
        assert_string_equal(attribute_of("msg-0002", "severity"), "info");
        assert_string_equal(rule_field_of("published StartSession by alice"), "alice");
        /* no rule matched: notified as before, without a rule attribute */
        assert_int_equal(PUBLISHED("msg-0003"), 1);
        assert_string_equal(attribute_of("msg-0003", "rule"), "");
        assert_string_equal(attribute_of("msg-0003", "severity"), "info");
        assert_int_equal(PUBLISHED("msg-0004"), 0);
        assert_int_equal(DELETED("msg-0004"), 1);
        assert_int_equal(logged(LOG_MSGID_FILTERED), 1);

        const struct relay_stats *st = relay_get_stats(r);
        assert_int_equal(st->ignored, 1);
        assert_int_equal(st->published, 2);
        assert_int_equal(st->filtered, 1);
        assert_int_equal(st->rule_hits[0], 1);
        assert_int_equal(st->rule_hits[1], 1);
        assert_int_equal(st->rule_hits[2], 0);

        /* a reload may change the rules: the counts start again */
        assert_int_equal(relay_reconfigure(r, &s), 0);
        assert_int_equal(relay_get_stats(r)->rule_hits[0], 0);
        sqs_batch_clear(&b);
        relay_free(r);
        for (size_t i = 0; i < ELEMENTSOF(rules); i++)
                rule_match_free(rules[i].match);
}

/* A rule-notified message whose publish fails is kept and counted only once
 * SNS accepts it. */
static void test_rule_count_follows_what_sns_accepted(void **state) {
        (void)state;
        struct config_rule rules[] = { make_rule("alice", "actor=alice", CONFIG_RULE_NOTIFY) };
        struct sqs_batch b = { 0 };
        struct relay_settings s = settings();
        s.rules = rules;
        s.n_rules = 1;
        struct relay *r = relay_with(&s);
        F.fail_every_publish = true;
        F.publish_err = aws_err(AWS_ERR_FATAL, "AuthorizationError");
        add_event(&b, "msg-0001", 1);
        handle(r, &b, 0);
        assert_int_equal(DELETED("msg-0001"), 0);
        assert_int_equal(relay_get_stats(r)->rule_hits[0], 0);
        F.fail_every_publish = false;
        add_event(&b, "msg-0001", 2); /* it comes back: relay_handle took the first batch */
        handle(r, &b, 0);
        assert_int_equal(DELETED("msg-0001"), 1);
        assert_int_equal(relay_get_stats(r)->rule_hits[0], 1);
        sqs_batch_clear(&b);
        relay_free(r);
        rule_match_free(rules[0].match);
}

/* A rule's topics replace [sns] topic_arn: every topic gets the event (a
 * FIFO one with group and dedup ids, a standard one without), the message is
 * deleted once all accepted it; an event no rule routes goes to topic_arn. */
static void test_rule_topics_each_get_the_event(void **state) {
        (void)state;
        struct config_rule rules[] = { make_rule("denied", "actor=alice", CONFIG_RULE_NOTIFY) };
        char *topics[] = { TOPIC_SEC, TOPIC_OPS };
        rules[0].topics = topics;
        rules[0].n_topics = ELEMENTSOF(topics);
        struct sqs_batch b = { 0 };
        struct relay_settings s = settings();
        s.rules = rules;
        s.n_rules = 1;
        struct relay *r = relay_with(&s);
        add_event(&b, "msg-0001", 1);
        add_event(&b, "msg-0002", 1);
        add_event_by(&b, "msg-0003", "ssm.amazonaws.com", "StartSession", "bob", 1);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);

        for (size_t i = 0; i < 2; i++) {
                const char *id = i ? "msg-0002" : "msg-0001";
                assert_int_equal(published_to(id, TOPIC_SEC), 1);
                assert_int_equal(published_to(id, TOPIC_OPS), 1);
                assert_int_equal(published_to(id, TOPIC), 0);
                assert_int_equal(DELETED(id), 1);
        }
        assert_int_equal(published_to("msg-0003", TOPIC), 1);
        assert_int_equal(PUBLISHED("msg-0003"), 1);
        assert_int_equal(DELETED("msg-0003"), 1);
        /* one PublishBatch per topic of two or more messages */
        assert_int_equal(calls_of(CALL_PUBLISH_BATCH), 2);
        assert_non_null(log_with("as SNS message sns-1 to " TOPIC_SEC));
        assert_int_equal(relay_get_stats(r)->published, 5);
        assert_int_equal(relay_get_stats(r)->rule_hits[0], 2);
        sqs_batch_clear(&b);
        relay_free(r);
        rule_match_free(rules[0].match);
}

/* One topic of a route failing keeps the message; when it comes back only
 * that topic is tried again, and the message goes once it accepted. */
static void test_one_topic_failing_keeps_it_and_the_other_is_not_published_again(void **state) {
        (void)state;
        struct config_rule rules[] = { make_rule("denied", "actor=alice", CONFIG_RULE_NOTIFY) };
        char *topics[] = { TOPIC_SEC, TOPIC_OPS };
        rules[0].topics = topics;
        rules[0].n_topics = ELEMENTSOF(topics);
        struct sqs_batch b = { 0 };
        struct relay_settings s = settings();
        s.rules = rules;
        s.n_rules = 1;
        struct relay *r = relay_with(&s);
        F.fail_topic = TOPIC_SEC;
        F.publish_err = aws_err(AWS_ERR_RETRYABLE, "InternalError");
        add_event(&b, "msg-0001", 1);
        assert_int_equal(handle(r, &b, 0), RELAY_PUBLISH_FAILED);
        assert_int_equal(published_to("msg-0001", TOPIC_OPS), 1);
        assert_int_equal(published_to("msg-0001", TOPIC_SEC), 0);
        assert_int_equal(DELETED("msg-0001"), 0);
        assert_int_equal(MADE_VISIBLE("msg-0001"), 1);
        assert_int_equal(relay_get_stats(r)->rule_hits[0], 0);
        /* the log and STATUS= name the topic that failed */
        assert_int_equal(level_of("publish of message msg-0001 failed"), LOG_WARNING);
        assert_non_null(log_with("(to " TOPIC_SEC ")"));
        assert_non_null(strstr(relay_get_stats(r)->last_error, "(to " TOPIC_SEC ")"));

        /* still failing: only the failing topic is tried */
        forget_calls();
        add_event(&b, "msg-0001", 2); /* it comes back: relay_handle took the first batch */
        assert_int_equal(handle(r, &b, 0), RELAY_PUBLISH_FAILED);
        ASSERT_CALLS(CALL_PUBLISH, CALL_VISIBILITY);
        assert_int_equal(published_to("msg-0001", TOPIC_OPS), 1);
        assert_non_null(log_with("was already accepted by " TOPIC_OPS));

        /* the fault clears: the other topic gets it once, then the delete */
        forget_calls();
        F.fail_topic = NULL;
        add_event(&b, "msg-0001", 3);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        ASSERT_CALLS(CALL_PUBLISH, CALL_DELETE_BATCH);
        assert_int_equal(published_to("msg-0001", TOPIC_SEC), 1);
        assert_int_equal(published_to("msg-0001", TOPIC_OPS), 1);
        assert_int_equal(DELETED("msg-0001"), 1);
        assert_int_equal(relay_get_stats(r)->rule_hits[0], 1);

        /* all topics done: a redelivery is a duplicate */
        forget_calls();
        add_event(&b, "msg-0001", 4);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        ASSERT_CALLS(CALL_DELETE_BATCH);
        assert_int_equal(logged(LOG_MSGID_DUPLICATE), 1);
        sqs_batch_clear(&b);
        relay_free(r);
        rule_match_free(rules[0].match);
}

/* --- bursts --------------------------------------------------------------- */

static struct relay_settings burst_settings(void) {
        struct relay_settings s = settings();
        s.burst_limit = 2;
        s.burst_window = 60;
        return s;
}

/* "alice" (add_event) at receive count rc, eventIDs evt-msg-0001.. */
static void add_burst(struct sqs_batch *b, size_t n, int rc) {
        char id[32];
        for (size_t i = 0; i < n; i++) {
                snprintf(id, sizeof(id), "msg-%04zu", b->n + 1);
                add_event(b, id, rc);
        }
}

/* N + k notifications of one actor: N go out, k are held (not deleted,
 * their visibility extended past the window's end), then one digest lists
 * the k, and they are deleted. */
static void test_burst_past_the_limit_becomes_one_digest(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        struct relay_settings s = burst_settings();
        struct relay *r = relay_with(&s);
        add_burst(&b, 5, 1);
        add_event_by(&b, "msg-0006", "ssm.amazonaws.com", "StartSession", "bob", 1);
        assert_int_equal(handle(r, &b, 1000), RELAY_OK);

        assert_int_equal(PUBLISHED("msg-0001") + PUBLISHED("msg-0002") + PUBLISHED("msg-0006"), 3);
        assert_int_equal(F.n_published, 3);
        assert_int_equal(F.n_deleted, 3);
        for (size_t i = 3; i <= 5; i++) {
                char id[16];
                snprintf(id, sizeof(id), "msg-%04zu", i);
                assert_int_equal(DELETED(id), 0);
                assert_int_equal(MADE_VISIBLE(id), 1);
        }
        /* the window's 60 s from 1000, plus the margin (VISIBILITY 30 > 10) */
        assert_int_equal(F.visibility_timeout[0], 60 + VISIBILITY);
        assert_int_equal(logged(LOG_MSGID_HELD), 3);
        assert_int_equal(relay_get_stats(r)->held, 3);
        assert_int_equal(relay_next_deadline(r), 1060);

        /* the batch is gone before the window ends: the copies are what remain */
        sqs_batch_clear(&b);
        forget_calls();
        assert_int_equal(relay_tick(r, 1059), RELAY_OK);
        assert_int_equal(F.n_calls, 0);
        assert_int_equal(relay_tick(r, 1060), RELAY_OK);
        ASSERT_CALLS(CALL_PUBLISH, CALL_DELETE_BATCH);
        assert_int_equal(F.n_digests, 1);
        assert_int_equal(F.digest_members[0], 3);
        assert_string_equal(F.digest_topic[0], TOPIC);
        assert_string_equal(F.digest_severity[0], "info");
        assert_int_equal(F.n_deleted, 6);
        assert_int_equal(logged(LOG_MSGID_DIGEST), 1);
        assert_int_equal(relay_get_stats(r)->held, 0);
        assert_int_equal(relay_get_stats(r)->digests, 1);
        assert_int_equal(relay_next_deadline(r), INT64_MAX);
        relay_free(r);
}

/* A digest SNS refuses: nothing deleted, the members come back soon; when
 * they do they are new notifications, never a duplicate of what went out. */
static void test_failed_digest_leaves_members_to_come_back(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        struct relay_settings s = burst_settings();
        struct relay *r = relay_with(&s);
        add_burst(&b, 4, 1);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        assert_int_equal(F.n_published, 2);
        F.fail_digest = true;
        F.publish_err = aws_err(AWS_ERR_RETRYABLE, "InternalError");
        forget_calls();
        assert_int_equal(relay_tick(r, 60), RELAY_PUBLISH_FAILED);
        ASSERT_CALLS(CALL_PUBLISH, CALL_VISIBILITY, CALL_VISIBILITY);
        assert_int_equal(F.n_deleted, 2);
        assert_int_equal(level_of("publish of the digest of 2 events by alice failed"), LOG_WARNING);
        assert_non_null(strstr(relay_get_stats(r)->last_error, "(to " TOPIC ")"));
        assert_int_equal(relay_get_stats(r)->held, 0);

        /* they come back (the first two were deleted): a new window, within the limit */
        F.fail_digest = false;
        forget_calls();
        struct sqs_batch again = { 0 };
        add_event(&again, "msg-0003", 2);
        add_event(&again, "msg-0004", 2);
        assert_int_equal(handle(r, &again, 100), RELAY_OK);
        for (size_t i = 1; i <= 4; i++) {
                char id[16];
                snprintf(id, sizeof(id), "msg-%04zu", i);
                assert_int_equal(PUBLISHED(id), 1);
                assert_int_equal(DELETED(id), 1);
        }
        assert_int_equal(F.n_digests, 0);
        sqs_batch_clear(&b);
        sqs_batch_clear(&again);
        relay_free(r);
}

/* A held message that comes back before its digest (its visibility could
 * not be kept) is neither sent nor held twice; the newest receipt handle is
 * the one deleted. SIGTERM (relay_flush) sends the digest at once. */
static void test_held_message_seen_again_and_flush(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        struct relay_settings s = burst_settings();
        struct relay *r = relay_with(&s);
        add_burst(&b, 3, 1);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        assert_int_equal(relay_get_stats(r)->held, 1);
        struct sqs_batch again = { 0 };
        add_event(&again, "msg-0003", 2);
        forget_calls();
        assert_int_equal(handle(r, &again, 10), RELAY_OK);
        ASSERT_CALLS(CALL_VISIBILITY); /* extended again under the new handle */
        assert_int_equal(F.visibility_timeout[F.n_made_visible - 1], 50 + VISIBILITY);
        assert_int_equal(relay_get_stats(r)->held, 1);

        forget_calls();
        assert_int_equal(relay_flush(r), RELAY_OK);
        ASSERT_CALLS(CALL_PUBLISH, CALL_DELETE_BATCH);
        assert_int_equal(F.n_digests, 1);
        assert_int_equal(F.digest_members[0], 1);
        assert_int_equal(DELETED("msg-0003"), 1);
        assert_int_equal(PUBLISHED("msg-0003"), 0);
        sqs_batch_clear(&b);
        sqs_batch_clear(&again);
        relay_free(r);
}

/* A reload (SIGHUP) sends the held messages' digests first, under the
 * settings they were held with; the new windows start empty. */
static void test_reload_sends_held_digests_first(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        struct relay_settings s = burst_settings();
        struct relay *r = relay_with(&s);
        add_burst(&b, 3, 1);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        assert_int_equal(relay_get_stats(r)->held, 1);
        forget_calls();
        s.burst_limit = 1;
        assert_int_equal(relay_reconfigure(r, &s), 0);
        ASSERT_CALLS(CALL_PUBLISH, CALL_DELETE_BATCH);
        assert_int_equal(F.n_digests, 1);
        assert_int_equal(DELETED("msg-0003"), 1);
        assert_int_equal(relay_get_stats(r)->held, 0);
        /* the new limit, in a new window */
        struct sqs_batch more = { 0 };
        add_event(&more, "msg-0004", 1);
        add_event(&more, "msg-0005", 1);
        assert_int_equal(handle(r, &more, 1), RELAY_OK);
        assert_int_equal(PUBLISHED("msg-0004"), 1);
        assert_int_equal(PUBLISHED("msg-0005"), 0);
        assert_int_equal(relay_get_stats(r)->held, 1);
        /* freed with a message held: it is not deleted, it comes back */
        relay_free(r);
        assert_int_equal(DELETED("msg-0005"), 0);
        sqs_batch_clear(&b);
        sqs_batch_clear(&more);
}

/* Members routed to different topics: a digest per topic; a member is
 * deleted once every topic of its route accepted it. */
static void test_digest_per_topic_route(void **state) {
        (void)state;
        struct config_rule rules[] = { make_rule("split", "target=i-0123456789abcdef0, actor=alice",
                                                 CONFIG_RULE_NOTIFY) };
        char *topics[] = { TOPIC_SEC, TOPIC_OPS };
        rules[0].topics = topics;
        rules[0].n_topics = ELEMENTSOF(topics);
        struct sqs_batch b = { 0 };
        struct relay_settings s = burst_settings();
        s.rules = rules;
        s.n_rules = 1;
        struct relay *r = relay_with(&s);
        add_burst(&b, 4, 1);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        assert_int_equal(relay_get_stats(r)->held, 2);
        F.fail_topic = TOPIC_SEC;
        F.publish_err = aws_err(AWS_ERR_RETRYABLE, "InternalError");
        forget_calls();
        assert_int_equal(relay_tick(r, 60), RELAY_PUBLISH_FAILED);
        /* security refused: kept; ops.fifo has them now */
        assert_int_equal(F.n_digests, 1);
        assert_string_equal(F.digest_topic[0], TOPIC_OPS);
        assert_int_equal(F.digest_members[0], 2);
        assert_int_equal(DELETED("msg-0003") + DELETED("msg-0004"), 0);

        /* back again: only security is still owed, as single notifications */
        F.fail_topic = NULL;
        forget_calls();
        struct sqs_batch again = { 0 };
        add_event(&again, "msg-0003", 2);
        add_event(&again, "msg-0004", 2);
        assert_int_equal(handle(r, &again, 100), RELAY_OK);
        assert_int_equal(published_to("msg-0003", TOPIC_SEC), 1);
        assert_int_equal(published_to("msg-0003", TOPIC_OPS), 0);
        assert_int_equal(DELETED("msg-0003"), 1);
        assert_int_equal(DELETED("msg-0004"), 1);
        sqs_batch_clear(&b);
        sqs_batch_clear(&again);
        relay_free(r);
        rule_match_free(rules[0].match);
}

/* The pipeline: a batch's delete starts once its publishes were accepted
 * and stays in flight while the next batch is published; it finishes (its
 * results counted and logged) before the next delete starts, or at
 * relay_settle. */
static void test_delete_overlaps_the_next_publish(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);

        add_event(&b, "msg-0001", 1);
        add_event(&b, "msg-0002", 1);
        assert_int_equal(relay_handle(r, &b, 0), RELAY_OK);
        assert_int_equal(b.n, 0); /* taken with its delete */
        ASSERT_CALLS(CALL_PUBLISH_BATCH, CALL_DELETE_BATCH);
        assert_int_equal(F.n_delete_finished, 0);
        assert_int_equal(relay_get_stats(r)->deleted, 0);

        F.fail_delete[F.n_fail_delete++] = "msg-0003";
        add_event(&b, "msg-0003", 1);
        assert_int_equal(relay_handle(r, &b, 0), RELAY_OK);
        ASSERT_CALLS(CALL_PUBLISH_BATCH, CALL_DELETE_BATCH, CALL_PUBLISH, CALL_DELETE_BATCH);
        assert_int_equal(F.n_publish_during_delete, 1);
        assert_int_equal(F.n_delete_finished, 1);
        assert_int_equal(relay_get_stats(r)->deleted, 2);
        assert_int_equal(logged(LOG_MSGID_DELETE_FAILED), 0);

        relay_settle(r);
        relay_settle(r);
        assert_int_equal(F.n_delete_finished, 2);
        assert_int_equal(relay_get_stats(r)->deleted, 2);
        assert_int_equal(logged(LOG_MSGID_DELETE_FAILED), 1);
        assert_non_null(log_with("message msg-0003 was handled but its delete failed"));

        /* a failed publish starts no delete: nothing in flight to settle */
        F.fail_every_publish = true;
        F.publish_err = aws_err(AWS_ERR_THROTTLED, "Throttling");
        add_event(&b, "msg-0004", 1);
        assert_int_equal(relay_handle(r, &b, 0), RELAY_PUBLISH_FAILED);
        relay_settle(r);
        assert_int_equal(calls_of(CALL_DELETE_BATCH), 2);
        assert_int_equal(F.n_delete_finished, 2);
        relay_free(r);
}

/* One round of look-ups per batch, for its notifiable events only, before
 * the rules: a rule on target_name and tag:KEY sees what they found. */
static void test_lookups_name_targets_before_the_rules(void **state) {
        (void)state;
        struct config_rule rules[] = {
                make_rule("quiet-prod", "actor=bot-*, target_name=web-*, tag:Environment=production",
                          CONFIG_RULE_IGNORE),
        };
        struct sqs_batch b = { 0 };
        struct relay_settings s = settings();
        s.rules = rules;
        s.n_rules = 1;
        struct relay *r = relay_with(&s);
        add_event_by(&b, "msg-0001", "ssm.amazonaws.com", "StartSession", "bot-7", 1);
        add_event_by(&b, "msg-0002", "ssm.amazonaws.com", "StartSession", "alice", 1);
        add_event_by(&b, "msg-0003", "ec2.amazonaws.com", "StartSession", "bot-1", 1);
        add_message(&b, "msg-0004", NULL, "not json", 1);

        /* unnamed: the rule cannot match */
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        assert_int_equal(F.n_enrich, 1);
        assert_int_equal(F.enrich_events, 2);
        assert_int_equal(PUBLISHED("msg-0001"), 1);
        assert_int_equal(relay_get_stats(r)->ignored, 0);
        sqs_batch_clear(&b);
        relay_free(r);

        F = (struct fake){ .target_name = "web-prod-1" };
        r = relay_with(&s);
        add_event_by(&b, "msg-0001", "ssm.amazonaws.com", "StartSession", "bot-7", 1);
        add_event_by(&b, "msg-0002", "ssm.amazonaws.com", "StartSession", "alice", 1);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        assert_int_equal(F.n_enrich, 1);
        assert_int_equal(PUBLISHED("msg-0001"), 0);
        assert_int_equal(DELETED("msg-0001"), 1);
        assert_string_equal(rule_field_of("is ignored by rule quiet-prod"), "quiet-prod");
        assert_int_equal(PUBLISHED("msg-0002"), 1);
        /* redelivered: the published event is a duplicate, not looked up again */
        add_event_by(&b, "msg-0001", "ssm.amazonaws.com", "StartSession", "bot-7", 2);
        add_event_by(&b, "msg-0002", "ssm.amazonaws.com", "StartSession", "alice", 2);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        assert_int_equal(F.n_enrich, 2);
        assert_int_equal(F.enrich_events, 1);
        sqs_batch_clear(&b);
        relay_free(r);
        rule_match_free(rules[0].match);
}

/* --- the session tracker's way in (relay_set_hooks, relay_publish_event) -- */

static void test_hooks_hear_of_an_event_only_once_sns_accepted_it(void **state) {
        (void)state;
        struct sqs_batch b = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        relay_set_hooks(r, &HOOKS, &F);
        add_event(&b, "msg-0001", 1);
        add_event(&b, "msg-0002", 1);
        add_event_by(&b, "msg-0003", "ec2.amazonaws.com", "StartSession", "alice", 1); /* filtered */
        F.fail_publish[F.n_fail_publish++] = "msg-0002";
        F.publish_err = aws_err(AWS_ERR_FATAL, "InvalidParameter");
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        /* both notifiable events were completed before rendering, the filtered one not */
        assert_int_equal(F.n_completed, 2);
        assert_string_equal(F.completed[0], "evt-msg-0001");
        assert_string_equal(F.completed[1], "evt-msg-0002");
        /* only the one SNS accepted is reported, after SNS accepted it */
        assert_int_equal(F.n_accepted, 1);
        assert_string_equal(F.accepted[0], "evt-msg-0001");
        assert_int_equal(F.published_when_accepted[0], 1);
        assert_non_null(log_with("published StartSession by alice on i-completedbyhook"));
        sqs_batch_clear(&b);

        /* hooks removed: nothing more is heard */
        forget_calls();
        relay_set_hooks(r, NULL, NULL);
        add_event(&b, "msg-0004", 1);
        assert_int_equal(handle(r, &b, 0), RELAY_OK);
        assert_int_equal(F.n_completed, 2);
        assert_int_equal(F.n_accepted, 1);
        sqs_batch_clear(&b);
        relay_free(r);
}

/* A TerminateSession no notification goes out for still ended its session:
 * the tracker hears of every event deleted unpublished, of none kept. */
static void test_hooks_hear_of_an_event_deleted_without_a_notification(void **state) {
        (void)state;
        struct config_rule rules[] = { make_rule("quiet-bot", "actor=bot-*", CONFIG_RULE_IGNORE) };
        struct sqs_batch b = { 0 };
        struct relay_settings s = settings();
        s.rules = rules;
        s.n_rules = ELEMENTSOF(rules);
        struct relay *r = relay_with(&s);
        relay_set_hooks(r, &HOOKS, &F);
        add_event_by(&b, "msg-0001", "ssm.amazonaws.com", "TerminateSession", "bot-7", 1); /* ignored */
        add_event_by(&b, "msg-0002", "ec2.amazonaws.com", "TerminateSession", "alice", 1); /* filtered */
        add_event_by(&b, "msg-0003", "ssm.amazonaws.com", "TerminateSession", "alice", 1); /* published */
        add_event_by(&b, "msg-0004", "ssm.amazonaws.com", "TerminateSession", "bob", MAX_RECEIVE + 1); /* kept */
        assert_int_equal(relay_handle(r, &b, 0), RELAY_OK);
        assert_int_equal(DELETED("msg-0001"), 1);
        assert_int_equal(DELETED("msg-0002"), 1);
        assert_int_equal(DELETED("msg-0004"), 0);
        assert_int_equal(F.n_dropped, 2);
        assert_string_equal(F.dropped[0], "evt-msg-0001");
        assert_string_equal(F.dropped[1], "evt-msg-0002");
        assert_int_equal(F.n_accepted, 1);
        assert_string_equal(F.accepted[0], "evt-msg-0003");
        sqs_batch_clear(&b);

        /* the published one comes back: a duplicate, deleted, heard of again */
        add_event_by(&b, "msg-0003", "ssm.amazonaws.com", "TerminateSession", "alice", 2);
        assert_int_equal(relay_handle(r, &b, 0), RELAY_OK);
        assert_int_equal(relay_get_stats(r)->duplicates, 1);
        assert_int_equal(F.n_dropped, 3);
        assert_string_equal(F.dropped[2], "evt-msg-0003");
        assert_int_equal(F.n_accepted, 1);
        sqs_batch_clear(&b);
        relay_free(r);
        rule_match_free(rules[0].match);
}

static void test_wait_limit_applies_to_the_next_receive_only(void **state) {
        (void)state;
        struct sqs_batch b = { 0 }, from = { 0 };
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        F.receive_from = &from;
        relay_limit_wait(r, 3);
        assert_int_equal(receive(r, 0, &b), 0);
        relay_limit_wait(r, 60); /* above wait_time_seconds: no change */
        assert_int_equal(receive(r, 0, &b), 0);
        assert_int_equal(receive(r, 0, &b), 0);
        relay_limit_wait(r, 0); /* at least a second: never a busy loop */
        assert_int_equal(receive(r, 0, &b), 0);
        assert_int_equal(F.waited[0], 3);
        assert_int_equal(F.waited[1], 20);
        assert_int_equal(F.waited[2], 20);
        assert_int_equal(F.waited[3], 1);
        relay_free(r);
}

static struct ssm_event *own_event(const char *event_id) {
        struct ssm_event *ev = calloc(1, sizeof(*ev));
        assert_non_null(ev);
        ev->event_id = strdup(event_id);
        ev->event_name = strdup("SessionEnded");
        ev->event_source = strdup("ssm-notifyd");
        ev->event_time = strdup("2024-08-01T12:10:00Z");
        ev->has_time = true;
        ev->event_epoch = 1722514200;
        ev->actor = strdup("alice");
        ev->target = strdup("i-0123456789abcdef0");
        ev->session_id = strdup("alice-1");
        return ev;
}

static void test_own_event_is_published_to_the_topic(void **state) {
        (void)state;
        const struct relay_settings s = settings();
        struct relay *r = relay_with(&s);
        struct ssm_event *ev = own_event("alice-1:ended");
        struct known *k = &F.known[F.n_known++];
        snprintf(k->sqs_id, sizeof(k->sqs_id), "(none)");
        snprintf(k->event_id, sizeof(k->event_id), "alice-1:ended");
        relay_set_hooks(r, &HOOKS, &F);

        assert_int_equal(relay_publish_event(r, ev), 0);
        ASSERT_CALLS(CALL_PUBLISH);
        assert_int_equal(relay_get_stats(r)->published, 1);
        assert_string_equal(k->severity_attr, "info");
        assert_int_equal(logged(LOG_MSGID_PUBLISHED), 1);
        assert_non_null(log_with("published SessionEnded of session alice-1 by alice on i-0123456789abcdef0 as SNS "
                                 "message sns-1"));
        /* the relay's own hooks are for the queue's events, not for these */
        assert_int_equal(F.n_completed, 0);
        assert_int_equal(F.n_accepted, 0);

        /* SNS refuses: -EIO, counted and logged as a failed publish; nothing deleted or retried here */
        forget_calls();
        F.fail_every_publish = true;
        F.publish_err = aws_err(AWS_ERR_RETRYABLE, "InternalError");
        assert_int_equal(relay_publish_event(r, ev), -EIO);
        ASSERT_CALLS(CALL_PUBLISH);
        assert_int_equal(relay_get_stats(r)->failed, 1);
        assert_int_equal(logged(LOG_MSGID_PUBLISH_FAILED), 1);
        assert_non_null(strstr(relay_get_stats(r)->last_error, "InternalError"));

        /* a render failure is not a publish */
        forget_calls();
        F.render_fail = true;
        assert_int_equal(relay_publish_event(r, ev), -ENOMEM);
        assert_int_equal(F.n_calls, 0);
        assert_int_equal(logged(LOG_MSGID_RENDER_FAILED), 1);
        event_free(ev);
        relay_free(r);
}

static void test_each_message_id_is_distinct(void **state) {
        (void)state;
        const char *ids[] = { LOG_MSGID_STARTED,       LOG_MSGID_PUBLISHED,     LOG_MSGID_PUBLISH_FAILED,
                              LOG_MSGID_POISON,        LOG_MSGID_CONFIG_ERROR,  LOG_MSGID_FILTERED,
                              LOG_MSGID_UNRECOGNIZED,  LOG_MSGID_STOPPED,       LOG_MSGID_DUPLICATE,
                              LOG_MSGID_RENDER_FAILED, LOG_MSGID_RECEIVE_FAILED, LOG_MSGID_DELETE_FAILED,
                              LOG_MSGID_IGNORED,       LOG_MSGID_HELD,          LOG_MSGID_DIGEST,
                              LOG_MSGID_STATE_SET_ASIDE, LOG_MSGID_SESSION_CHECK_FAILED };
        for (size_t i = 0; i < ELEMENTSOF(ids); i++) {
                assert_int_equal(strlen(ids[i]), 32);
                for (size_t j = i + 1; j < ELEMENTSOF(ids); j++)
                        assert_string_not_equal(ids[i], ids[j]);
        }
}

/* --- lanes: several batches in flight ------------------------------------ */

static struct relay *relay_of_lanes(void) {
        struct relay_settings s = settings();
        s.lanes = RELAY_LANES;
        return relay_with(&s);
}

/* Ten events named msg-PP01..msg-PP10 in b (PP: prefix). */
static void add_ten(struct sqs_batch *b, const char *prefix) {
        char id[32];
        for (int i = 1; i <= SQS_BATCH_MAX; i++) {
                snprintf(id, sizeof(id), "msg-%s%02d", prefix, i);
                add_event(b, id, 1);
        }
}

/* Two batches are published together; a delete starts only once its
 * batch's publish ended, and each message is published and deleted once. */
static void test_lanes_publish_two_batches_together(void **state) {
        (void)state;
        struct sqs_batch a = { 0 }, b = { 0 }, c = { 0 };
        struct relay *r = relay_of_lanes();
        add_ten(&a, "a");
        add_ten(&b, "b");
        add_ten(&c, "c");
        assert_int_equal(relay_handle(r, &a, 0), RELAY_OK);
        assert_int_equal(F.n_deleted, 0); /* a's publish is still in flight */
        assert_int_equal(relay_get_stats(r)->published, 0);
        assert_int_equal(relay_handle(r, &b, 0), RELAY_OK);
        assert_int_equal(F.max_publishes_in_flight, 2);
        assert_int_equal(F.n_deleted, 0);
        /* a third batch needs a lane: a's publish ends, its delete starts */
        assert_int_equal(relay_handle(r, &c, 0), RELAY_OK);
        assert_int_equal(DELETED("msg-a01"), 1);
        assert_int_equal(DELETED("msg-b01"), 0);
        assert_int_equal(relay_settle(r), RELAY_OK);
        assert_int_equal(F.max_publishes_in_flight, 2);
        assert_int_equal(F.n_published, 3 * SQS_BATCH_MAX);
        assert_int_equal(F.n_deleted, 3 * SQS_BATCH_MAX);
        for (size_t i = 0; i < F.n_known; i++) {
                assert_int_equal(PUBLISHED(F.known[i].sqs_id), 1);
                assert_int_equal(DELETED(F.known[i].sqs_id), 1);
        }
        assert_int_equal(F.n_publish_during_delete > 0, true); /* the deletes overlapped publishes */
        relay_free(r);
}

/* A message received again while its first copy's publish is in flight is
 * handled after that publish ended: a duplicate, deleted, not published
 * twice. So is the same event in another message. */
static void test_lanes_redelivery_waits_for_the_batch_before(void **state) {
        (void)state;
        struct sqs_batch a = { 0 }, b = { 0 };
        struct relay *r = relay_of_lanes();
        add_event(&a, "msg-0001", 1);
        add_event(&a, "msg-0002", 1);
        assert_int_equal(relay_handle(r, &a, 0), RELAY_OK);
        add_event(&b, "msg-0001", 2);
        add_event(&b, "msg-0003", 1);
        assert_int_equal(relay_handle(r, &b, 0), RELAY_OK);
        assert_int_equal(DELETED("msg-0002"), 1); /* a's publish ended before b was decided */
        assert_int_equal(relay_settle(r), RELAY_OK);
        assert_int_equal(PUBLISHED("msg-0001"), 1);
        assert_int_equal(DELETED("msg-0001"), 2);
        assert_int_equal(relay_get_stats(r)->duplicates, 1);
        assert_int_equal(PUBLISHED("msg-0003"), 1);
        relay_free(r);
}

/* A session's start and end in two batches in flight: the end is decided
 * after the start was accepted, so the tracker knows the session. */
static void test_lanes_session_end_waits_for_its_start(void **state) {
        (void)state;
        struct sqs_batch a = { 0 }, b = { 0 };
        struct relay *r = relay_of_lanes();
        relay_set_hooks(r, &HOOKS, &F);
        add_bulky_event(&a, "msg-0001"); /* a session whose ID is the same in both */
        assert_int_equal(relay_handle(r, &a, 0), RELAY_OK);
        assert_int_equal(F.n_accepted, 0);
        add_bulky_event(&b, "msg-0002");
        assert_int_equal(relay_handle(r, &b, 0), RELAY_OK);
        /* the first was accepted before the second was completed */
        assert_int_equal(F.n_accepted, 1);
        assert_int_equal(F.n_completed, 2);
        assert_int_equal(relay_settle(r), RELAY_OK);
        assert_int_equal(F.n_accepted, 2);
        relay_free(r);
}

/* A publish that fails while in flight is told when it ends: by
 * relay_settle here; its message is not deleted, the others are. */
static void test_lanes_failure_is_told_when_the_publish_ends(void **state) {
        (void)state;
        struct sqs_batch a = { 0 }, b = { 0 };
        struct relay *r = relay_of_lanes();
        add_event(&a, "msg-0001", 1);
        add_event(&a, "msg-0002", 1);
        add_event(&b, "msg-0003", 1);
        add_event(&b, "msg-0004", 1);
        F.fail_publish[F.n_fail_publish++] = "msg-0002";
        F.publish_err = (struct aws_error){ .cls = AWS_ERR_RETRYABLE, .http_status = 500, .code = "InternalError" };
        assert_int_equal(relay_handle(r, &a, 0), RELAY_OK);
        assert_int_equal(relay_handle(r, &b, 0), RELAY_OK);
        assert_int_equal(relay_settle(r), RELAY_PUBLISH_FAILED);
        assert_int_equal(DELETED("msg-0001"), 1);
        assert_int_equal(DELETED("msg-0002"), 0);
        assert_int_equal(DELETED("msg-0003"), 1);
        assert_int_equal(DELETED("msg-0004"), 1);
        assert_int_equal(MADE_VISIBLE("msg-0002"), 1);
        relay_free(r);
}

/* Before a long poll waits, the publishes in flight end: nothing waits in
 * hand for it; a receive whose answer is in lets them fly on. */
static void test_lanes_catch_up_before_a_long_poll(void **state) {
        (void)state;
        struct sqs_batch a = { 0 };
        struct relay *r = relay_of_lanes();
        add_event(&a, "msg-0001", 1);
        add_event(&a, "msg-0002", 1);
        relay_receive_start(r, 0, true);
        assert_int_equal(relay_handle(r, &a, 0), RELAY_OK);
        assert_int_equal(relay_catch_up(r), RELAY_OK); /* the answer is in */
        assert_int_equal(F.n_deleted, 0);
        F.receive_waiting = true;
        assert_int_equal(relay_catch_up(r), RELAY_OK);
        assert_int_equal(F.n_deleted, 2);
        relay_free(r);
}

/* Two receives in flight only while the queue has a backlog and the caller
 * lets batches wait in hand; an idle queue costs one long poll. */
static void test_lanes_second_receive_only_with_a_backlog(void **state) {
        (void)state;
        struct sqs_batch b = { 0 }, full = { 0 }, few = { 0 };
        struct relay *r = relay_of_lanes();
        add_ten(&full, "f");
        add_event(&few, "msg-0001", 1);
        F.receive_from = &full;
        relay_receive_start(r, 0, true);
        assert_int_equal(F.max_receives_in_flight, 1);
        assert_int_equal(relay_receive_finish(r, &b), 0);
        relay_receive_start(r, 0, true);
        assert_int_equal(F.max_receives_in_flight, 2);
        sqs_batch_clear(&b);
        F.receive_from = &few;
        assert_int_equal(relay_receive_finish(r, &b), 0);
        sqs_batch_clear(&b);
        assert_int_equal(relay_receive_finish(r, &b), 0);
        sqs_batch_clear(&b);
        relay_receive_start(r, 0, true); /* the last answer was not full */
        assert_int_equal(relay_receive_finish(r, &b), 0);
        assert_false(relay_receiving(r));
        sqs_batch_clear(&b);
        /* full again, but the caller does not let batches wait */
        F.receive_from = &full;
        relay_receive_start(r, 0, true);
        assert_int_equal(relay_receive_finish(r, &b), 0);
        sqs_batch_clear(&b);
        relay_receive_start(r, 0, false);
        assert_int_equal(relay_receive_finish(r, &b), 0);
        assert_false(relay_receiving(r));
        sqs_batch_clear(&b);
        sqs_batch_clear(&full);
        sqs_batch_clear(&few);
        relay_free(r);
}

/* With bursts on, one batch at a time whatever lanes says. */
static void test_lanes_one_with_bursts(void **state) {
        (void)state;
        struct sqs_batch a = { 0 };
        struct relay_settings s = settings();
        s.lanes = RELAY_LANES;
        s.burst_limit = 5;
        s.burst_window = 60;
        struct relay *r = relay_with(&s);
        add_event(&a, "msg-0001", 1);
        add_event(&a, "msg-0002", 1);
        assert_int_equal(relay_handle(r, &a, 0), RELAY_OK);
        assert_int_equal(F.n_deleted, 2); /* published before relay_handle returned */
        relay_settle(r);
        relay_free(r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup(test_notifiable_event_is_published_then_deleted, setup),
                cmocka_unit_test_setup(test_event_the_filter_drops_is_deleted_unpublished, setup),
                cmocka_unit_test_setup(test_unrecognized_body_gets_a_fallback_then_is_deleted, setup),
                cmocka_unit_test_setup(test_unrecognized_keep_leaves_it_for_the_dlq, setup),
                cmocka_unit_test_setup(test_retryable_publish_failure_keeps_it_and_backs_off, setup),
                cmocka_unit_test_setup(test_fatal_publish_failure_keeps_it_without_backoff, setup),
                cmocka_unit_test_setup(test_poison_threshold, setup),
                cmocka_unit_test_setup(test_partial_publish_batch_deletes_only_what_sns_accepted, setup),
                cmocka_unit_test_setup(test_partial_delete_then_redelivery_is_a_duplicate, setup),
                cmocka_unit_test_setup(test_failed_delete_call_then_redelivery_is_a_duplicate, setup),
                cmocka_unit_test_setup(test_batch_refused_as_a_whole_goes_out_one_by_one, setup),
                cmocka_unit_test_setup(test_one_by_one_stops_when_sns_fails_retryably, setup),
                cmocka_unit_test_setup(test_batch_above_256_kib_goes_out_per_message, setup),
                cmocka_unit_test_setup(test_stop_with_messages_in_hand_finishes_the_batch, setup),
                cmocka_unit_test_setup(test_answer_too_large_asks_for_fewer_messages, setup),
                cmocka_unit_test_setup(test_receive_failure_has_its_own_message_id, setup),
                cmocka_unit_test_setup(test_out_of_memory_while_parsing_is_logged_counted_and_kept, setup),
                cmocka_unit_test_setup(test_render_failure_is_not_a_publish_failure, setup),
                cmocka_unit_test_setup(test_rules_ignore_and_notify_first_match_decides, setup),
                cmocka_unit_test_setup(test_rule_count_follows_what_sns_accepted, setup),
                cmocka_unit_test_setup(test_rule_topics_each_get_the_event, setup),
                cmocka_unit_test_setup(test_one_topic_failing_keeps_it_and_the_other_is_not_published_again, setup),
                cmocka_unit_test_setup(test_burst_past_the_limit_becomes_one_digest, setup),
                cmocka_unit_test_setup(test_failed_digest_leaves_members_to_come_back, setup),
                cmocka_unit_test_setup(test_held_message_seen_again_and_flush, setup),
                cmocka_unit_test_setup(test_reload_sends_held_digests_first, setup),
                cmocka_unit_test_setup(test_digest_per_topic_route, setup),
                cmocka_unit_test_setup(test_delete_overlaps_the_next_publish, setup),
                cmocka_unit_test_setup(test_lookups_name_targets_before_the_rules, setup),
                cmocka_unit_test_setup(test_hooks_hear_of_an_event_only_once_sns_accepted_it, setup),
                cmocka_unit_test_setup(test_hooks_hear_of_an_event_deleted_without_a_notification, setup),
                cmocka_unit_test_setup(test_wait_limit_applies_to_the_next_receive_only, setup),
                cmocka_unit_test_setup(test_lanes_publish_two_batches_together, setup),
                cmocka_unit_test_setup(test_lanes_redelivery_waits_for_the_batch_before, setup),
                cmocka_unit_test_setup(test_lanes_session_end_waits_for_its_start, setup),
                cmocka_unit_test_setup(test_lanes_failure_is_told_when_the_publish_ends, setup),
                cmocka_unit_test_setup(test_lanes_catch_up_before_a_long_poll, setup),
                cmocka_unit_test_setup(test_lanes_second_receive_only_with_a_backlog, setup),
                cmocka_unit_test_setup(test_lanes_one_with_bursts, setup),
                cmocka_unit_test_setup(test_own_event_is_published_to_the_topic, setup),
                cmocka_unit_test(test_each_message_id_is_distinct),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
