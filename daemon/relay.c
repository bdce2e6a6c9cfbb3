#include "relay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "dedupe.h"
#include "event.h"
#include "localtime.h"
#include "log.h"
#include "macro.h"
#include "policy.h"
#include "rules.h"
#include "sns.h"
#include "sqs.h"

/* How many published eventIDs are remembered: many batches' worth, a few
 * hundred KiB at most. */
#define RELAY_DEDUPE_CAPACITY 4096

struct relay {
        struct relay_settings s;
        const struct relay_ops *ops;
        void *ops_ctx;
        struct dedupe *published;
        struct relay_stats stats;
        int receive_max; /* MaxNumberOfMessages now: below max_messages after too large an answer */
        int wait_limit;  /* relay_limit_wait() for the next receive; 0: none */
        const struct relay_hooks *hooks;
        void *hooks_ctx;
};

int relay_new(const struct relay_settings *s, const struct relay_ops *ops, void *ops_ctx, struct relay **ret) {
        struct relay *r = calloc(1, sizeof(*r));
        int e;
        if (!r)
                return -ENOMEM;
        e = dedupe_new(RELAY_DEDUPE_CAPACITY, &r->published);
        if (e < 0) {
                free(r);
                return e;
        }
        r->s = *s;
        r->ops = ops;
        r->ops_ctx = ops_ctx;
        r->receive_max = s->max_messages;
        *ret = r;
        return 0;
}

void relay_free(struct relay *r) {
        if (!r)
                return;
        dedupe_free(r->published);
        free(r);
}

void relay_reconfigure(struct relay *r, const struct relay_settings *s) {
        r->s = *s;
        memset(r->stats.rule_hits, 0, sizeof(r->stats.rule_hits));
        r->receive_max = s->max_messages;
}

const struct relay_stats *relay_get_stats(const struct relay *r) {
        return &r->stats;
}

void relay_set_hooks(struct relay *r, const struct relay_hooks *hooks, void *ctx) {
        r->hooks = hooks;
        r->hooks_ctx = ctx;
}

void relay_limit_wait(struct relay *r, int seconds) {
        r->wait_limit = seconds < 1 ? 1 : seconds;
}

static bool is_fifo(const char *topic_arn) {
        size_t n = strlen(topic_arn);
        return n > 5 && strcmp(topic_arn + n - 5, ".fifo") == 0;
}

enum verdict { KEEP, DELETE, PUBLISH };

/* A message waiting for its notification to be accepted by SNS. */
struct pending {
        const struct sqs_message *msg;
        struct ssm_event *ev;      /* NULL for a fallback notification */
        const char *why;           /* fallback: why the body was not an event */
        int rule;                  /* index of the rule that matched ev, or -1 */
        struct rendered out;
        struct sns_attribute attrs[7];
};

static void pending_clear(struct pending *p) {
        rendered_free(&p->out);
        event_free(p->ev);
        *p = (struct pending){ 0 };
}

static void sns_message_of(const struct relay *r, struct pending *p, struct sns_message *ret) {
        const struct ssm_event *ev = p->ev;
        bool fifo = is_fifo(r->s.topic_arn);
        p->attrs[0] = (struct sns_attribute){ "event_name", ev ? ev->event_name : "unrecognized" };
        p->attrs[1] = (struct sns_attribute){ "actor", ev ? ev->actor : NULL };
        p->attrs[2] = (struct sns_attribute){ "outcome", ev ? (ev->failure ? "failure" : "success") : NULL };
        p->attrs[3] = (struct sns_attribute){ "account_id", ev ? ev->account_id : NULL };
        p->attrs[4] = (struct sns_attribute){ "severity", ev ? event_severity(ev) : NULL };
        p->attrs[5] = (struct sns_attribute){ "document_name", ev ? ev->document_name : NULL };
        p->attrs[6] = (struct sns_attribute){ "rule", p->rule >= 0 ? r->s.rules[p->rule].name : NULL };
        *ret = (struct sns_message){
                .topic_arn = r->s.topic_arn,
                .subject = p->out.subject,
                .message = p->out.message,
                .message_structure_json = p->out.message_structure_json,
                .attributes = p->attrs,
                .n_attributes = ELEMENTSOF(p->attrs),
                /* One group per target keeps each instance's sessions in order
                 * while other instances' events flow in parallel. */
                .group_id = fifo ? (ev && ev->target ? ev->target : "ssm-notifyd") : NULL,
                .dedup_id = fifo ? (ev && ev->event_id ? ev->event_id : p->msg->message_id) : NULL,
        };
}

static int render_for(const struct relay *r, const struct ssm_event *ev, int rule, struct rendered *out) {
        struct render_options o = r->s.render;
        struct render_local_time lt;
        o.rule = rule >= 0 ? r->s.rules[rule].name : NULL;
        event_local_time(ev, r->s.timezone, &lt);
        return render_event(ev, &lt, &o, out);
}

static struct policy_settings policy_settings_of(const struct relay *r) {
        return (struct policy_settings){ .max_receive_count = r->s.max_receive_count,
                                         .unrecognized_keep = r->s.unrecognized_keep };
}

/* Returns true when the rest of the batch should wait (SNS failing retryably). */
static bool publish_failed(struct relay *r, const struct pending *p, const struct aws_error *err) {
        const struct sqs_message *m = p->msg;
        const struct ssm_event *ev = p->ev;
        const struct policy_settings ps = policy_settings_of(r);
        char detail[AWS_ERROR_DESCRIBE_MAX];

        aws_error_describe(err, detail, sizeof(detail));
        snprintf(r->stats.last_error, sizeof(r->stats.last_error), "publish: %s", detail);
        r->stats.failed++;
        const struct log_field f[] = {
                { "SQS_MESSAGE_ID", m->message_id },
                { "EVENT_ID", ev ? ev->event_id : NULL },
                { "EVENT_NAME", ev ? ev->event_name : NULL },
                { "AWS_REQUEST_ID", err->request_id[0] ? err->request_id : NULL },
        };
        if (policy_after_publish_failure(m->receive_count, &ps).action == POLICY_POISON) {
                r->stats.poison++;
                log_fields(LOG_ERR, LOG_MSGID_POISON, f, ELEMENTSOF(f),
                           "message %s failed to publish on receive %d of %d, giving up on it (the queue's "
                           "redrive policy moves it to the dead-letter queue): %s",
                           m->message_id, m->receive_count, r->s.max_receive_count, detail);
        } else {
                log_fields(LOG_WARNING, LOG_MSGID_PUBLISH_FAILED, f, ELEMENTSOF(f),
                           "publish of message %s failed, left in the queue for a retry: %s", m->message_id,
                           detail);
        }
        if (aws_error_is_retryable(err)) {
                /* Bring it back when a retry may work, not a whole visibility timeout later. */
                struct aws_error verr = { 0 };
                unsigned delay = backoff_redelivery_seconds(m->receive_count, (unsigned)r->s.visibility_timeout);
                const struct log_field vf[] = { { "SQS_MESSAGE_ID", m->message_id } };
                if (r->ops->change_visibility(r->ops_ctx, r->s.queue_url, m->receipt_handle, (int)delay, &verr) < 0)
                        log_fields(LOG_DEBUG, NULL, vf, ELEMENTSOF(vf), "message %s keeps its visibility timeout: %s",
                                   m->message_id, verr.code);
                return true;
        }
        return false;
}

static void published(struct relay *r, const struct pending *p, const char *sns_id) {
        const struct sqs_message *m = p->msg;
        const struct ssm_event *ev = p->ev;

        r->stats.published++;
        if (!ev) {
                const struct log_field f[] = { { "SQS_MESSAGE_ID", m->message_id }, { "SNS_MESSAGE_ID", sns_id } };
                log_fields(LOG_NOTICE, LOG_MSGID_UNRECOGNIZED, f, ELEMENTSOF(f),
                           "message %s is %s; published a fallback notification as SNS message %s", m->message_id,
                           p->why, sns_id);
                return;
        }
        if (p->rule >= 0)
                r->stats.rule_hits[p->rule]++;
        if (r->hooks && r->hooks->accepted)
                r->hooks->accepted(r->hooks_ctx, ev);
        if (ev->event_id && dedupe_add(r->published, ev->event_id) < 0)
                log_warning("event %s published but not remembered; a redelivery may publish it again",
                            ev->event_id);
        const struct log_field f[] = {
                { "SQS_MESSAGE_ID", m->message_id },
                { "EVENT_ID", ev->event_id },
                { "EVENT_NAME", ev->event_name },
                { "ACTOR", ev->actor },
                { "TARGET", ev->target },
                { "RULE", p->rule >= 0 ? r->s.rules[p->rule].name : NULL },
                { "SNS_MESSAGE_ID", sns_id },
        };
        log_fields(LOG_INFO, LOG_MSGID_PUBLISHED, f, ELEMENTSOF(f), "published %s by %s%s%s (%s) as SNS message %s",
                   ev->event_name ? ev->event_name : "event", ev->actor ? ev->actor : "an unknown actor",
                   ev->target ? " on " : "", ev->target ? ev->target : "", ev->failure ? "failure" : "success",
                   sns_id);
}

/* An unrecognized body (v is FALLBACK or KEEP): PUBLISH fills p. */
static enum verdict prepare_unrecognized(struct relay *r, const struct sqs_message *m, struct policy_verdict v,
                                         struct pending *p) {
        const struct log_field f[] = { { "SQS_MESSAGE_ID", m->message_id } };
        r->stats.unrecognized++;
        if (v.action == POLICY_KEEP) {
                log_fields(LOG_WARNING, LOG_MSGID_UNRECOGNIZED, f, ELEMENTSOF(f),
                           "message %s is %s; kept in the queue for the dead-letter queue (unrecognized = keep)",
                           m->message_id, v.reason);
                return KEEP;
        }
        int e = render_fallback(m->message_id, m->body, m->body_len, &r->s.render, &p->out);
        if (e < 0) {
                log_fields(LOG_ERR, LOG_MSGID_RENDER_FAILED, f, ELEMENTSOF(f),
                           "message %s is %s and its fallback notification could not be built (%s); kept in the "
                           "queue", m->message_id, v.reason, strerror(-e));
                return KEEP;
        }
        p->msg = m;
        p->why = v.reason;
        p->rule = -1;
        return PUBLISH;
}

/* An event: ev is taken; rule is the index of the rule that matched it,
 * or -1; PUBLISH fills p. */
static enum verdict prepare_event(struct relay *r, const struct sqs_message *m, struct policy_verdict v,
                                  struct ssm_event *ev, int rule, struct pending *p) {
        const char *rule_name = rule >= 0 ? r->s.rules[rule].name : NULL;
        const struct log_field f[] = {
                { "SQS_MESSAGE_ID", m->message_id }, { "EVENT_ID", ev->event_id }, { "EVENT_NAME", ev->event_name },
                { "ACTOR", ev->actor },              { "TARGET", ev->target },     { "RULE", rule_name },
        };
        enum verdict ret = DELETE;
        int e;

        switch (v.action) {
        case POLICY_FILTER:
                r->stats.filtered++;
                log_fields(LOG_INFO, LOG_MSGID_FILTERED, f, ELEMENTSOF(f), "message %s: %s from %s is %s; deleted",
                           m->message_id, ev->event_name ? ev->event_name : "(no eventName)",
                           ev->event_source ? ev->event_source : "(no eventSource)", v.reason);
                break;
        case POLICY_IGNORE:
                r->stats.ignored++;
                r->stats.rule_hits[rule]++;
                log_fields(LOG_INFO, LOG_MSGID_IGNORED, f, ELEMENTSOF(f),
                           "message %s: %s by %s%s%s is ignored by rule %s; deleted", m->message_id,
                           ev->event_name ? ev->event_name : "(no eventName)",
                           ev->actor ? ev->actor : "an unknown actor", ev->target ? " on " : "",
                           ev->target ? ev->target : "", rule_name);
                break;
        case POLICY_DUPLICATE:
                r->stats.duplicates++;
                log_fields(LOG_INFO, LOG_MSGID_DUPLICATE, f, ELEMENTSOF(f), "message %s: event %s was %s; deleted",
                           m->message_id, ev->event_id, v.reason);
                break;
        default:
                if (r->hooks && r->hooks->complete)
                        r->hooks->complete(r->hooks_ctx, ev);
                e = render_for(r, ev, rule, &p->out);
                if (e < 0) {
                        log_fields(LOG_ERR, LOG_MSGID_RENDER_FAILED, f, ELEMENTSOF(f),
                                   "message %s could not be rendered (%s); kept", m->message_id, strerror(-e));
                        ret = KEEP;
                        break;
                }
                p->msg = m;
                p->ev = ev;
                p->rule = rule;
                return PUBLISH;
        }
        event_free(ev);
        return ret;
}

/* Gathers the facts about one message, asks the policy and carries out its
 * verdict; PUBLISH fills p. */
static enum verdict prepare(struct relay *r, const struct sqs_message *m, struct pending *p) {
        const struct policy_settings ps = policy_settings_of(r);
        const struct log_field f[] = { { "SQS_MESSAGE_ID", m->message_id } };
        struct policy_facts facts = { .receive_count = m->receive_count };
        struct ssm_event *ev = NULL;
        int rule = -1;

        facts.parse_error = event_parse(m->body, m->body_len, &ev);
        if (facts.parse_error == 0) {
                facts.notifiable = event_is_notifiable(ev, r->s.events, r->s.n_events);
                facts.duplicate = ev->event_id && dedupe_contains(r->published, ev->event_id);
                if (facts.notifiable)
                        rule = rules_first_match(r->s.rules, r->s.n_rules, ev, &r->s.render);
                facts.ignored = rule >= 0 && r->s.rules[rule].action == CONFIG_RULE_IGNORE;
        }
        const struct policy_verdict v = policy_decide(&facts, &ps);
        switch (v.action) {
        case POLICY_POISON:
                r->stats.poison++;
                log_fields(LOG_ERR, LOG_MSGID_POISON, f, ELEMENTSOF(f),
                           "message %s was received %d times (max_receive_count %d); not retried, left for the "
                           "dead-letter queue; last error: %s",
                           m->message_id, m->receive_count, r->s.max_receive_count,
                           r->stats.last_error[0] ? r->stats.last_error : "none seen by this process");
                event_free(ev);
                return KEEP;
        case POLICY_KEEP:
                if (facts.parse_error != -ENOMEM)
                        return prepare_unrecognized(r, m, v, p);
                r->stats.out_of_memory++;
                log_fields(LOG_ERR, NULL, f, ELEMENTSOF(f), "message %s: %s; kept in the queue", m->message_id,
                           v.reason);
                return KEEP;
        case POLICY_FALLBACK:
                return prepare_unrecognized(r, m, v, p);
        default:
                return prepare_event(r, m, v, ev, rule, p);
        }
}

/* One Publish per message. After a retryable failure SNS itself is failing,
 * not the message: the rest are not tried and fail with that error. Returns
 * true when SNS failed retryably (the caller backs off). */
static bool publish_each(struct relay *r, struct pending *pending, const struct sns_message *msgs, size_t n,
                         struct sns_entry_result *res) {
        struct aws_error err = { 0 }, stop = { 0 };
        bool pause = false;

        for (size_t i = 0; i < n; i++) {
                res[i] = (struct sns_entry_result){ 0 };
                if (pause) {
                        res[i].error = stop;
                        publish_failed(r, &pending[i], &res[i].error);
                        continue;
                }
                int e = r->ops->publish(r->ops_ctx, &msgs[i], res[i].message_id, sizeof(res[i].message_id), &err);
                if (e == 0) {
                        res[i].ok = true;
                        published(r, &pending[i], res[i].message_id);
                        continue;
                }
                res[i].error = err; /* written on every failure (aws_error.h) */
                pause = publish_failed(r, &pending[i], &res[i].error);
                stop = res[i].error;
        }
        return pause;
}

/* Publishes pending[0..n) and sets done bits for those SNS accepted.
 * Returns true when SNS failed retryably (the caller backs off). */
static bool publish_pending(struct relay *r, const struct sqs_batch *b, struct pending *pending, size_t n,
                            unsigned *done) {
        struct sns_message msgs[SNS_BATCH_MAX] = { 0 };
        struct sns_entry_result res[SNS_BATCH_MAX] = { 0 };
        struct aws_error err = { 0 };
        char detail[AWS_ERROR_DESCRIBE_MAX];
        bool pause = false;
        int e;

        for (size_t i = 0; i < n; i++)
                sns_message_of(r, &pending[i], &msgs[i]);
        if (n == 1) {
                pause = publish_each(r, pending, msgs, n, res);
        } else if ((e = r->ops->publish_batch(r->ops_ctx, msgs, n, res, &err)) < 0) {
                /* One message must not fail the others: a batch SNS refused as a
                 * whole (BatchRequestTooLong, or any other answer) or that could
                 * not be built (-E2BIG: above the SNS size limit together) goes
                 * out again one message at a time, so each outcome is its own. */
                aws_error_describe(&err, detail, sizeof(detail));
                log_fields(e == -E2BIG ? LOG_DEBUG : LOG_NOTICE, NULL, NULL, 0,
                           "PublishBatch of %zu messages failed as a whole (%s); publishing them one at a time", n,
                           detail);
                pause = publish_each(r, pending, msgs, n, res);
        } else {
                for (size_t i = 0; i < n; i++) {
                        if (res[i].ok)
                                published(r, &pending[i], res[i].message_id);
                        else if (publish_failed(r, &pending[i], &res[i].error))
                                pause = true;
                }
        }
        for (size_t i = 0; i < n; i++)
                if (res[i].ok)
                        *done |= 1u << (size_t)(pending[i].msg - b->msg);
        return pause;
}

static void delete_done(struct relay *r, const struct sqs_batch *b, unsigned which) {
        struct aws_error err = { 0 };
        unsigned deleted = 0;
        char detail[AWS_ERROR_DESCRIBE_MAX];

        if (!which)
                return;
        int e = r->ops->delete_batch(r->ops_ctx, r->s.queue_url, b, which, &deleted, &err);
        if (e == -EIO) {
                aws_error_describe(&err, detail, sizeof(detail));
                snprintf(r->stats.last_error, sizeof(r->stats.last_error), "delete: %s", detail);
        } else if (e < 0) {
                snprintf(detail, sizeof(detail), "%s", strerror(-e));
        }
        for (size_t i = 0; i < b->n; i++) {
                if (!(which & (1u << i)))
                        continue;
                if (deleted & (1u << i)) {
                        r->stats.deleted++;
                        continue;
                }
                const struct log_field f[] = { { "SQS_MESSAGE_ID", b->msg[i].message_id } };
                log_fields(LOG_WARNING, LOG_MSGID_DELETE_FAILED, f, ELEMENTSOF(f),
                           "message %s was handled but its delete failed%s%s; it will come back and its event "
                           "will not be published again by this process",
                           b->msg[i].message_id, e < 0 ? ": " : "", e < 0 ? detail : "");
        }
}

int relay_receive(struct relay *r, struct sqs_batch *ret) {
        const struct sqs_receive_params p = {
                .queue_url = r->s.queue_url,
                .max_messages = r->receive_max,
                .wait_time_seconds = r->wait_limit && r->wait_limit < r->s.wait_time_seconds ? r->wait_limit
                                                                                              : r->s.wait_time_seconds,
                .visibility_timeout = r->s.visibility_timeout,
        };
        struct aws_error err = { 0 };
        char detail[AWS_ERROR_DESCRIBE_MAX];
        int e;

        r->wait_limit = 0;
        e = r->ops->receive(r->ops_ctx, &p, ret, &err);
        if (e == -ECANCELED)
                return e;
        int next = sqs_next_max_messages(r->receive_max, r->s.max_messages, e == -E2BIG,
                                         e == 0 ? ret->answer_len : 0, e == 0 ? ret->n : 0);
        if (e == 0 && next != r->receive_max)
                log_fields(LOG_INFO, NULL, NULL, 0, "receive from %s: asking for %d messages at a time again",
                           r->s.queue_url, next);
        r->receive_max = next;
        if (e == 0) {
                r->stats.received += ret->n;
                return 0;
        }
        if (e == -E2BIG) {
                snprintf(r->stats.last_error, sizeof(r->stats.last_error), "receive: answer above %u MiB",
                         SQS_ANSWER_MAX / (1024 * 1024));
                log_fields(LOG_WARNING, LOG_MSGID_RECEIVE_FAILED, NULL, 0,
                           "receive from %s: the answer was above %u MiB (messages above 256 KiB?) and its "
                           "messages return after their visibility timeout; asking for %d at a time",
                           r->s.queue_url, SQS_ANSWER_MAX / (1024 * 1024), next);
                return -EIO;
        }
        if (e == -EIO)
                aws_error_describe(&err, detail, sizeof(detail));
        else
                snprintf(detail, sizeof(detail), "%s", strerror(-e));
        snprintf(r->stats.last_error, sizeof(r->stats.last_error), "receive: %s", detail);
        log_fields(LOG_WARNING, LOG_MSGID_RECEIVE_FAILED, NULL, 0, "receive from %s failed: %s", r->s.queue_url, detail);
        return -EIO;
}

enum relay_outcome relay_handle(struct relay *r, const struct sqs_batch *batch) {
        struct pending pending[SQS_BATCH_MAX] = { 0 };
        enum relay_outcome outcome = RELAY_OK;
        size_t n_pending = 0;
        unsigned done = 0;

        for (size_t i = 0; i < batch->n; i++) {
                enum verdict v = prepare(r, &batch->msg[i], &pending[n_pending]);
                if (v == DELETE)
                        done |= 1u << i;
                else if (v == PUBLISH)
                        n_pending++;
        }
        if (n_pending && publish_pending(r, batch, pending, n_pending, &done))
                outcome = RELAY_PUBLISH_FAILED;
        for (size_t i = 0; i < n_pending; i++)
                pending_clear(&pending[i]);
        delete_done(r, batch, done);
        return outcome;
}

int relay_publish_event(struct relay *r, struct ssm_event *ev) {
        struct pending p = { .ev = ev, .rule = -1 };
        struct sns_message m;
        struct sns_entry_result res = { 0 };
        char detail[AWS_ERROR_DESCRIBE_MAX];
        /* The last field is the SNS message ID, once there is one. */
        struct log_field f[] = {
                { "EVENT_ID", ev->event_id }, { "EVENT_NAME", ev->event_name }, { "ACTOR", ev->actor },
                { "TARGET", ev->target },     { "SNS_MESSAGE_ID", NULL },
        };
        int e = render_for(r, ev, -1, &p.out);

        if (e < 0) {
                log_fields(LOG_ERR, LOG_MSGID_RENDER_FAILED, f, ELEMENTSOF(f), "%s could not be rendered (%s)",
                           ev->event_id, strerror(-e));
                return e;
        }
        sns_message_of(r, &p, &m);
        e = r->ops->publish(r->ops_ctx, &m, res.message_id, sizeof(res.message_id), &res.error);
        rendered_free(&p.out);
        if (e < 0) {
                aws_error_describe(&res.error, detail, sizeof(detail));
                snprintf(r->stats.last_error, sizeof(r->stats.last_error), "publish: %s", detail);
                r->stats.failed++;
                log_fields(LOG_WARNING, LOG_MSGID_PUBLISH_FAILED, f, ELEMENTSOF(f),
                           "publish of %s failed, tried again at the next check: %s", ev->event_id, detail);
                return e;
        }
        r->stats.published++;
        f[ELEMENTSOF(f) - 1].value = res.message_id;
        log_fields(LOG_INFO, LOG_MSGID_PUBLISHED, f, ELEMENTSOF(f), "published %s of session %s by %s%s%s as SNS message %s",
                   ev->event_name, ev->session_id, ev->actor ? ev->actor : "an unknown actor", ev->target ? " on " : "",
                   ev->target ? ev->target : "", res.message_id);
        return 0;
}
