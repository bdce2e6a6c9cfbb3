#include "relay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "burst.h"
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
/* (topic, eventID) pairs SNS accepted: an event of several topics is one
 * pair per topic, so room for the same events' worth of the busiest case. */
#define RELAY_DELIVERED_CAPACITY (RELAY_DEDUPE_CAPACITY * 2)
/* "TOPIC_ARN EVENT_ID": the per-topic memory's key (dedupe.h's limit). */
#define DELIVERY_KEY_MAX 600
/* Messages held for digests at once; past it a notification goes out on
 * its own (each holds its parsed event, a few KiB). */
#define HELD_MAX 10000
/* A held message stays invisible to the window's end plus this (or the
 * visibility timeout, when longer): time to send its digest and delete it. */
#define HOLD_MARGIN_MIN 10

/* A message held for its actor's digest: its event, route and receipt
 * handle, copied, since the batch is freed after relay_handle(). */
struct held {
        char *message_id, *receipt_handle;
        int receive_count;
        struct ssm_event *ev;
        int rule;
        const char *topics[CONFIG_RULE_TOPICS_MAX]; /* into the settings' rules */
        size_t n_topics;
        unsigned accepted; /* bit per topic, as struct pending's */
        const char *key;   /* the burst key, into ev */
        int64_t window_end;
};

struct relay {
        struct relay_settings s;
        const struct relay_ops *ops;
        void *ops_ctx;
        struct dedupe *published; /* eventIDs every topic of their route accepted */
        struct dedupe *delivered; /* "TOPIC_ARN EVENT_ID": a topic that accepted the event */
        struct relay_stats stats;
        struct burst *burst;      /* NULL: bursts off */
        struct held *held;        /* in arrival order */
        size_t n_held;
        int receive_max; /* MaxNumberOfMessages now: below max_messages after too large an answer */
};

static void held_clear(struct held *h) {
        free(h->message_id);
        free(h->receipt_handle);
        event_free(h->ev);
        *h = (struct held){ 0 };
}

static int burst_of(const struct relay_settings *s, struct burst **ret) {
        *ret = NULL;
        return s->burst_window ? burst_new(s->burst_limit, s->burst_window, ret) : 0;
}

int relay_new(const struct relay_settings *s, const struct relay_ops *ops, void *ops_ctx, struct relay **ret) {
        struct relay *r = calloc(1, sizeof(*r));
        int e;
        if (!r)
                return -ENOMEM;
        e = dedupe_new(RELAY_DEDUPE_CAPACITY, &r->published);
        if (e == 0)
                e = dedupe_new(RELAY_DELIVERED_CAPACITY, &r->delivered);
        if (e == 0)
                e = burst_of(s, &r->burst);
        if (e < 0) {
                relay_free(r);
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
        dedupe_free(r->delivered);
        burst_free(r->burst);
        for (size_t i = 0; i < r->n_held; i++)
                held_clear(&r->held[i]);
        free(r->held);
        free(r);
}

int relay_reconfigure(struct relay *r, const struct relay_settings *s) {
        struct burst *b;
        int e = burst_of(s, &b);
        if (e < 0)
                return e;
        relay_flush(r);
        burst_free(r->burst);
        r->burst = b;
        r->s = *s;
        memset(r->stats.rule_hits, 0, sizeof(r->stats.rule_hits));
        r->receive_max = s->max_messages;
        return 0;
}

const struct relay_stats *relay_get_stats(const struct relay *r) {
        return &r->stats;
}

static bool is_fifo(const char *topic_arn) {
        size_t n = strlen(topic_arn);
        return n > 5 && strcmp(topic_arn + n - 5, ".fifo") == 0;
}

enum verdict { KEEP, DELETE, PUBLISH };

/* A message waiting for its notification to be accepted by every topic of
 * its route. */
struct pending {
        const struct sqs_message *msg;
        struct ssm_event *ev;      /* NULL for a fallback notification */
        const char *why;           /* fallback: why the body was not an event */
        int rule;                  /* index of the rule that matched ev, or -1 */
        struct rendered out;
        struct sns_attribute attrs[7];
        const char *topics[CONFIG_RULE_TOPICS_MAX]; /* the rule's topics, else [sns] topic_arn */
        size_t n_topics;
        unsigned accepted;         /* bit per topic: accepted, now or on an earlier receive */
        bool failed, retryable;    /* some topic failed; one of those failures may pass on a retry */
};

static void pending_clear(struct pending *p) {
        rendered_free(&p->out);
        event_free(p->ev);
        *p = (struct pending){ 0 };
}

static void sns_message_of(const struct relay *r, struct pending *p, const char *topic, struct sns_message *ret) {
        const struct ssm_event *ev = p->ev;
        bool fifo = is_fifo(topic);
        p->attrs[0] = (struct sns_attribute){ "event_name", ev ? ev->event_name : "unrecognized" };
        p->attrs[1] = (struct sns_attribute){ "actor", ev ? ev->actor : NULL };
        p->attrs[2] = (struct sns_attribute){ "outcome", ev ? (ev->failure ? "failure" : "success") : NULL };
        p->attrs[3] = (struct sns_attribute){ "account_id", ev ? ev->account_id : NULL };
        p->attrs[4] = (struct sns_attribute){ "severity", ev ? event_severity(ev) : NULL };
        p->attrs[5] = (struct sns_attribute){ "document_name", ev ? ev->document_name : NULL };
        p->attrs[6] = (struct sns_attribute){ "rule", p->rule >= 0 ? r->s.rules[p->rule].name : NULL };
        *ret = (struct sns_message){
                .topic_arn = topic,
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

static int delivery_key(const char *topic, const char *event_id, char key[static DELIVERY_KEY_MAX + 1]) {
        int n = snprintf(key, DELIVERY_KEY_MAX + 1, "%s %s", topic, event_id);
        return n < 0 || n > DELIVERY_KEY_MAX ? -E2BIG : 0;
}

/* Where p goes: its rule's topics, else [sns] topic_arn. A topic that
 * accepted p's event on an earlier receive is marked accepted, so the retry
 * after another topic failed does not publish there again. */
static void route(struct relay *r, struct pending *p) {
        const struct config_rule *rule = p->rule >= 0 ? &r->s.rules[p->rule] : NULL;
        const struct ssm_event *ev = p->ev;
        char key[DELIVERY_KEY_MAX + 1];

        if (rule && rule->n_topics) {
                for (size_t t = 0; t < rule->n_topics; t++)
                        p->topics[t] = rule->topics[t];
                p->n_topics = rule->n_topics;
        } else {
                p->topics[0] = r->s.topic_arn;
                p->n_topics = 1;
        }
        if (!ev || !ev->event_id)
                return;
        for (size_t t = 0; t < p->n_topics; t++) {
                if (delivery_key(p->topics[t], ev->event_id, key) < 0 || !dedupe_contains(r->delivered, key))
                        continue;
                p->accepted |= 1u << t;
                const struct log_field f[] = { { "SQS_MESSAGE_ID", p->msg->message_id },
                                               { "EVENT_ID", ev->event_id },
                                               { "SNS_TOPIC_ARN", p->topics[t] } };
                log_fields(LOG_INFO, NULL, f, ELEMENTSOF(f),
                           "message %s: event %s was already accepted by %s; not published there again",
                           p->msg->message_id, ev->event_id, p->topics[t]);
        }
}

static bool all_accepted(const struct pending *p) {
        return p->accepted == (1u << p->n_topics) - 1;
}

/* One topic refused p. Returns true when SNS failed retryably (the rest of
 * that topic's messages wait). */
static bool delivery_failed(struct relay *r, struct pending *p, const char *topic, const struct aws_error *err) {
        const struct sqs_message *m = p->msg;
        const struct ssm_event *ev = p->ev;
        const struct policy_settings ps = policy_settings_of(r);
        const bool retryable = aws_error_is_retryable(err);
        char detail[AWS_ERROR_DESCRIBE_MAX];

        aws_error_describe(err, detail, sizeof(detail));
        snprintf(r->stats.last_error, sizeof(r->stats.last_error), "publish: %s (to %s)", detail, topic);
        r->stats.failed++;
        const struct log_field f[] = {
                { "SQS_MESSAGE_ID", m->message_id },
                { "EVENT_ID", ev ? ev->event_id : NULL },
                { "EVENT_NAME", ev ? ev->event_name : NULL },
                { "SNS_TOPIC_ARN", topic },
                { "AWS_REQUEST_ID", err->request_id[0] ? err->request_id : NULL },
        };
        if (policy_after_publish_failure(m->receive_count, &ps).action == POLICY_POISON) {
                if (!p->failed)
                        r->stats.poison++;
                log_fields(LOG_ERR, LOG_MSGID_POISON, f, ELEMENTSOF(f),
                           "message %s failed to publish on receive %d of %d, giving up on it (the queue's "
                           "redrive policy moves it to the dead-letter queue): %s (to %s)",
                           m->message_id, m->receive_count, r->s.max_receive_count, detail, topic);
        } else {
                log_fields(LOG_WARNING, LOG_MSGID_PUBLISH_FAILED, f, ELEMENTSOF(f),
                           "publish of message %s failed, left in the queue for a retry: %s (to %s)",
                           m->message_id, detail, topic);
        }
        p->failed = true;
        p->retryable |= retryable;
        return retryable;
}

/* A message some topic refused retryably comes back when a retry may work,
 * not a whole visibility timeout later. */
static void retry_soon(struct relay *r, const struct pending *p) {
        const struct sqs_message *m = p->msg;
        struct aws_error verr = { 0 };
        unsigned delay = backoff_redelivery_seconds(m->receive_count, (unsigned)r->s.visibility_timeout);
        const struct log_field vf[] = { { "SQS_MESSAGE_ID", m->message_id } };

        if (r->ops->change_visibility(r->ops_ctx, r->s.queue_url, m->receipt_handle, (int)delay, &verr) < 0)
                log_fields(LOG_DEBUG, NULL, vf, ELEMENTSOF(vf), "message %s keeps its visibility timeout: %s",
                           m->message_id, verr.code);
}

/* Topic t of p accepted it as SNS message sns_id. */
static void published(struct relay *r, struct pending *p, size_t t, const char *sns_id) {
        const struct sqs_message *m = p->msg;
        const struct ssm_event *ev = p->ev;
        const char *topic = p->topics[t];
        char key[DELIVERY_KEY_MAX + 1];

        r->stats.published++;
        p->accepted |= 1u << t;
        if (!ev) {
                const struct log_field f[] = { { "SQS_MESSAGE_ID", m->message_id },
                                               { "SNS_TOPIC_ARN", topic },
                                               { "SNS_MESSAGE_ID", sns_id } };
                log_fields(LOG_NOTICE, LOG_MSGID_UNRECOGNIZED, f, ELEMENTSOF(f),
                           "message %s is %s; published a fallback notification as SNS message %s to %s",
                           m->message_id, p->why, sns_id, topic);
                return;
        }
        if (ev->event_id && (delivery_key(topic, ev->event_id, key) < 0 || dedupe_add(r->delivered, key) < 0) &&
            p->n_topics > 1)
                log_warning("event %s accepted by %s but not remembered; a retry may publish it there again",
                            ev->event_id, topic);
        const struct log_field f[] = {
                { "SQS_MESSAGE_ID", m->message_id },
                { "EVENT_ID", ev->event_id },
                { "EVENT_NAME", ev->event_name },
                { "ACTOR", ev->actor },
                { "TARGET", ev->target },
                { "RULE", p->rule >= 0 ? r->s.rules[p->rule].name : NULL },
                { "SNS_TOPIC_ARN", topic },
                { "SNS_MESSAGE_ID", sns_id },
        };
        log_fields(LOG_INFO, LOG_MSGID_PUBLISHED, f, ELEMENTSOF(f),
                   "published %s by %s%s%s (%s) as SNS message %s to %s",
                   ev->event_name ? ev->event_name : "event", ev->actor ? ev->actor : "an unknown actor",
                   ev->target ? " on " : "", ev->target ? ev->target : "", ev->failure ? "failure" : "success",
                   sns_id, topic);
}

/* Every topic of p's route accepted it: its event counts for its rule and
 * is not published again by this process. */
static void completed(struct relay *r, const struct pending *p) {
        const struct ssm_event *ev = p->ev;

        if (!ev)
                return;
        if (p->rule >= 0)
                r->stats.rule_hits[p->rule]++;
        if (ev->event_id && dedupe_add(r->published, ev->event_id) < 0)
                log_warning("event %s published but not remembered; a redelivery may publish it again",
                            ev->event_id);
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

static bool still_held(struct relay *r, const struct sqs_message *m, const struct ssm_event *ev, int64_t now);

/* Gathers the facts about one message, asks the policy and carries out its
 * verdict; PUBLISH fills p. */
static enum verdict prepare(struct relay *r, const struct sqs_message *m, struct pending *p, int64_t now) {
        const struct policy_settings ps = policy_settings_of(r);
        const struct log_field f[] = { { "SQS_MESSAGE_ID", m->message_id } };
        struct policy_facts facts = { .receive_count = m->receive_count };
        struct ssm_event *ev = NULL;
        int rule = -1;

        facts.parse_error = event_parse(m->body, m->body_len, &ev);
        if (facts.parse_error == 0 && still_held(r, m, ev, now)) {
                event_free(ev);
                return KEEP;
        }
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

/* The messages of one topic: pending[idx[i]], its topic slot slot[i]. */
struct group {
        const char *topic;
        size_t idx[SQS_BATCH_MAX], slot[SQS_BATCH_MAX];
        size_t n;
};

/* One Publish per message. After a retryable failure this topic's SNS is
 * failing, not the message: the rest are not tried and fail with that error.
 * Returns true when SNS failed retryably (the caller backs off). */
static bool publish_each(struct relay *r, struct pending *pending, const struct group *g,
                         const struct sns_message *msgs) {
        struct aws_error err = { 0 }, stop = { 0 };
        char id[sizeof(((struct sns_entry_result *)0)->message_id)];
        bool pause = false;

        for (size_t i = 0; i < g->n; i++) {
                struct pending *p = &pending[g->idx[i]];
                if (pause) {
                        delivery_failed(r, p, g->topic, &stop);
                        continue;
                }
                if (r->ops->publish(r->ops_ctx, &msgs[i], id, sizeof(id), &err) == 0) {
                        published(r, p, g->slot[i], id);
                        continue;
                }
                pause = delivery_failed(r, p, g->topic, &err); /* err is written on every failure (aws_error.h) */
                stop = err;
        }
        return pause;
}

/* Publishes a group to its topic. Returns true when SNS failed retryably. */
static bool publish_group(struct relay *r, struct pending *pending, const struct group *g) {
        struct sns_message msgs[SNS_BATCH_MAX] = { 0 };
        struct sns_entry_result res[SNS_BATCH_MAX] = { 0 };
        struct aws_error err = { 0 };
        char detail[AWS_ERROR_DESCRIBE_MAX];
        bool pause = false;
        int e;

        for (size_t i = 0; i < g->n; i++)
                sns_message_of(r, &pending[g->idx[i]], g->topic, &msgs[i]);
        if (g->n == 1)
                return publish_each(r, pending, g, msgs);
        if ((e = r->ops->publish_batch(r->ops_ctx, msgs, g->n, res, &err)) < 0) {
                /* One message must not fail the others: a batch SNS refused as a
                 * whole (BatchRequestTooLong, or any other answer) or that could
                 * not be built (-E2BIG: above the SNS size limit together) goes
                 * out again one message at a time, so each outcome is its own. */
                aws_error_describe(&err, detail, sizeof(detail));
                log_fields(e == -E2BIG ? LOG_DEBUG : LOG_NOTICE, NULL, NULL, 0,
                           "PublishBatch of %zu messages to %s failed as a whole (%s); publishing them one at a "
                           "time", g->n, g->topic, detail);
                return publish_each(r, pending, g, msgs);
        }
        for (size_t i = 0; i < g->n; i++) {
                if (res[i].ok)
                        published(r, &pending[g->idx[i]], g->slot[i], res[i].message_id);
                else if (delivery_failed(r, &pending[g->idx[i]], g->topic, &res[i].error))
                        pause = true;
        }
        return pause;
}

/* Publishes pending[0..n) to every topic of their routes that has not
 * accepted them yet, one group (PublishBatch) per topic, topics in order of
 * first appearance. Returns true when SNS failed retryably (back off). */
static bool publish_pending(struct relay *r, struct pending *pending, size_t n) {
        const char *done_topics[SQS_BATCH_MAX * CONFIG_RULE_TOPICS_MAX];
        size_t n_done = 0;
        bool pause = false;

        for (size_t i = 0; i < n; i++)
                for (size_t t = 0; t < pending[i].n_topics; t++) {
                        const char *topic = pending[i].topics[t];
                        bool seen = false;
                        for (size_t d = 0; d < n_done && !seen; d++)
                                seen = strcmp(done_topics[d], topic) == 0;
                        if (seen || (pending[i].accepted & (1u << t)))
                                continue;
                        struct group g = { .topic = topic };
                        for (size_t j = i; j < n; j++)
                                for (size_t u = 0; u < pending[j].n_topics; u++)
                                        if (!(pending[j].accepted & (1u << u)) &&
                                            strcmp(pending[j].topics[u], topic) == 0) {
                                                g.idx[g.n] = j;
                                                g.slot[g.n++] = u;
                                        }
                        done_topics[n_done++] = topic;
                        pause |= publish_group(r, pending, &g);
                }
        for (size_t i = 0; i < n; i++)
                if (pending[i].retryable)
                        retry_soon(r, &pending[i]);
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

/* --- bursts -------------------------------------------------------------- */

/* Whose burst an event belongs to: the principal's ARN (an assumed role's
 * includes the session, so one person), else the readable actor. */
static const char *burst_key(const struct ssm_event *ev) {
        return ev->actor_arn ? ev->actor_arn : ev->actor;
}

static int hold_seconds(const struct relay *r, int64_t window_end, int64_t now) {
        int margin = r->s.visibility_timeout > HOLD_MARGIN_MIN ? r->s.visibility_timeout : HOLD_MARGIN_MIN;
        int64_t left = window_end > now ? window_end - now : 0;
        return (int)left + margin;
}

static void extend_visibility(struct relay *r, const struct held *h, int seconds) {
        struct aws_error err = { 0 };
        const struct log_field f[] = { { "SQS_MESSAGE_ID", h->message_id }, { "EVENT_ID", h->ev->event_id } };

        if (r->ops->change_visibility(r->ops_ctx, r->s.queue_url, h->receipt_handle, seconds, &err) < 0)
                log_fields(LOG_WARNING, NULL, f, ELEMENTSOF(f),
                           "message %s is held for a digest but its visibility could not be extended (%s); it "
                           "may come back before the digest, which this process does not send twice",
                           h->message_id, err.code[0] ? err.code : "no answer");
}

/* An event already held came back (its visibility ran out): the new
 * receipt handle replaces the old one, and the message waits on. */
static bool still_held(struct relay *r, const struct sqs_message *m, const struct ssm_event *ev, int64_t now) {
        char *handle;

        if (!ev->event_id)
                return false;
        for (size_t i = 0; i < r->n_held; i++) {
                struct held *h = &r->held[i];
                if (!h->ev->event_id || strcmp(h->ev->event_id, ev->event_id) != 0)
                        continue;
                if ((handle = strdup(m->receipt_handle))) {
                        free(h->receipt_handle);
                        h->receipt_handle = handle;
                }
                h->receive_count = m->receive_count;
                extend_visibility(r, h, hold_seconds(r, h->window_end, now));
                return true;
        }
        return false;
}

/* Holds p for its actor's digest when the actor is past burst_limit in its
 * window: p's event and route move to r->held. False: publish p now. */
static bool hold(struct relay *r, struct pending *p, int64_t now) {
        struct ssm_event *ev = p->ev;
        struct held h = { 0 }, *grown;
        int64_t end;

        if (!r->burst || !ev || r->n_held == HELD_MAX ||
            burst_note(r->burst, burst_key(ev), now, &end) != BURST_HOLD)
                return false;
        grown = realloc(r->held, (r->n_held + 1) * sizeof(*grown));
        if (grown)
                r->held = grown;
        h.message_id = strdup(p->msg->message_id);
        h.receipt_handle = strdup(p->msg->receipt_handle);
        if (!grown || !h.message_id || !h.receipt_handle) {
                held_clear(&h);
                return false; /* out of memory: a single notification, not a lost one */
        }
        h.receive_count = p->msg->receive_count;
        h.ev = ev;
        p->ev = NULL;
        h.rule = p->rule;
        memcpy(h.topics, p->topics, sizeof(h.topics));
        h.n_topics = p->n_topics;
        h.accepted = p->accepted;
        h.key = burst_key(ev);
        h.window_end = end;
        r->held[r->n_held++] = h;
        r->stats.held = r->n_held;
        extend_visibility(r, &h, hold_seconds(r, end, now));
        const struct log_field f[] = {
                { "SQS_MESSAGE_ID", h.message_id }, { "EVENT_ID", ev->event_id }, { "EVENT_NAME", ev->event_name },
                { "ACTOR", ev->actor },              { "TARGET", ev->target },
        };
        log_fields(LOG_INFO, LOG_MSGID_HELD, f, ELEMENTSOF(f),
                   "message %s: %s by %s is past the burst limit (%u in %u s); held for the digest in %lld s",
                   h.message_id, ev->event_name ? ev->event_name : "event", ev->actor ? ev->actor : "an unknown actor",
                   r->s.burst_limit, r->s.burst_window, (long long)(end > now ? end - now : 0));
        return true;
}

static const char *severity_max(const char *a, const char *b) {
        static const char *const order[] = { "info", "warning", "critical" };
        size_t ia = 0, ib = 0;
        for (size_t i = 0; i < ELEMENTSOF(order); i++) {
                if (a && strcmp(a, order[i]) == 0)
                        ia = i;
                if (b && strcmp(b, order[i]) == 0)
                        ib = i;
        }
        return order[ia > ib ? ia : ib];
}

/* The value every member shares, else NULL. */
static const char *common_value(const char *acc, const char *v, bool first) {
        if (first)
                return v;
        return acc && v && strcmp(acc, v) == 0 ? acc : NULL;
}

/* Sends one digest: the members idx[0..n) of r->held to topic. */
static bool send_digest(struct relay *r, const size_t *idx, size_t n, const char *topic,
                        struct render_digest_member *members) {
        const struct held *first = &r->held[idx[0]];
        const char *rule = NULL, *account = NULL, *severity = "info", *outcome = "success";
        struct render_options o = r->s.render;
        struct rendered out = { 0 };
        struct aws_error err = { 0 };
        char sns_id[sizeof(((struct sns_entry_result *)0)->message_id)], detail[AWS_ERROR_DESCRIBE_MAX];
        int e;

        for (size_t i = 0; i < n; i++) {
                const struct held *h = &r->held[idx[i]];
                rule = common_value(rule, h->rule >= 0 ? r->s.rules[h->rule].name : NULL, i == 0);
                account = common_value(account, h->ev->account_id, i == 0);
                severity = severity_max(severity, event_severity(h->ev));
                if (h->ev->failure)
                        outcome = "failure";
                members[i].ev = h->ev;
                event_local_time(h->ev, r->s.timezone, &members[i].lt);
        }
        o.rule = rule;
        const struct render_digest d = { .actor = first->ev->actor ? first->ev->actor : first->key,
                                         .window_seconds = r->s.burst_window,
                                         .members = members,
                                         .n = n };
        const struct log_field f[] = { { "ACTOR", d.actor }, { "RULE", rule }, { "SNS_TOPIC_ARN", topic },
                                       { "EVENT_ID", first->ev->event_id } };
        e = render_digest(&d, &o, &out);
        if (e < 0) {
                log_fields(LOG_ERR, LOG_MSGID_RENDER_FAILED, f, ELEMENTSOF(f),
                           "the digest of %zu events by %s could not be built (%s); its messages are left in the "
                           "queue", n, d.actor, strerror(-e));
                return false;
        }
        const struct sns_attribute attrs[] = {
                { "event_name", "Digest" }, { "actor", d.actor }, { "outcome", outcome },
                { "account_id", account },  { "severity", severity }, { "rule", rule },
        };
        const bool fifo = is_fifo(topic);
        const struct sns_message m = {
                .topic_arn = topic,
                .subject = out.subject,
                .message = out.message,
                .message_structure_json = out.message_structure_json,
                .attributes = attrs,
                .n_attributes = ELEMENTSOF(attrs),
                /* the first member's eventID is this digest's alone: it was never sent by itself */
                .group_id = fifo ? "ssm-notifyd-digest" : NULL,
                .dedup_id = fifo ? (first->ev->event_id ? first->ev->event_id : first->message_id) : NULL,
        };
        e = r->ops->publish(r->ops_ctx, &m, sns_id, sizeof(sns_id), &err);
        rendered_free(&out);
        if (e < 0) {
                aws_error_describe(&err, detail, sizeof(detail));
                snprintf(r->stats.last_error, sizeof(r->stats.last_error), "publish: %s (to %s)", detail, topic);
                r->stats.failed++;
                log_fields(LOG_WARNING, LOG_MSGID_PUBLISH_FAILED, f, ELEMENTSOF(f),
                           "publish of the digest of %zu events by %s failed, its messages are left in the queue "
                           "and come back: %s (to %s)", n, d.actor, detail, topic);
                return aws_error_is_retryable(&err);
        }
        r->stats.published++;
        r->stats.digests++;
        for (size_t i = 0; i < n; i++) {
                struct held *h = &r->held[idx[i]];
                char key[DELIVERY_KEY_MAX + 1];
                for (size_t t = 0; t < h->n_topics; t++)
                        if (strcmp(h->topics[t], topic) == 0)
                                h->accepted |= 1u << t;
                if (h->ev->event_id && h->n_topics > 1 &&
                    (delivery_key(topic, h->ev->event_id, key) < 0 || dedupe_add(r->delivered, key) < 0))
                        log_warning("event %s accepted by %s but not remembered; a retry may publish it there "
                                    "again", h->ev->event_id, topic);
        }
        const struct log_field pf[] = { { "ACTOR", d.actor },
                                        { "RULE", rule },
                                        { "SNS_TOPIC_ARN", topic },
                                        { "SNS_MESSAGE_ID", sns_id } };
        log_fields(LOG_INFO, LOG_MSGID_DIGEST, pf, ELEMENTSOF(pf),
                   "published the digest of %zu events by %s as SNS message %s to %s", n, d.actor, sns_id, topic);
        return false;
}

/* The members of one actor's window (idx[0..n) of r->held): a digest per
 * topic their routes still need, then the deletes; the group leaves r->held
 * either way. Returns true when SNS failed retryably. */
static bool flush_group(struct relay *r, size_t *idx, size_t n, size_t *sub,
                        struct render_digest_member *members) {
        struct sqs_batch del = { 0 };
        bool pause = false;

        for (size_t i = 0; i < n; i++)
                for (size_t t = 0; t < r->held[idx[i]].n_topics; t++) {
                        const char *topic = r->held[idx[i]].topics[t];
                        bool earlier = false;
                        size_t k = 0;
                        if (r->held[idx[i]].accepted & (1u << t))
                                continue;
                        for (size_t j = 0; j < i && !earlier; j++)
                                for (size_t u = 0; u < r->held[idx[j]].n_topics && !earlier; u++)
                                        earlier = strcmp(r->held[idx[j]].topics[u], topic) == 0;
                        if (earlier)
                                continue; /* that topic's digest went out with member j */
                        for (size_t j = i; j < n; j++)
                                for (size_t u = 0; u < r->held[idx[j]].n_topics; u++)
                                        if (!(r->held[idx[j]].accepted & (1u << u)) &&
                                            strcmp(r->held[idx[j]].topics[u], topic) == 0)
                                                sub[k++] = idx[j];
                        pause |= send_digest(r, sub, k, topic, members);
                }
        for (size_t i = 0; i < n; i++) {
                struct held *h = &r->held[idx[i]];
                if (h->accepted != (1u << h->n_topics) - 1) {
                        /* back soon, not after the hold's margin: a retry may work */
                        struct aws_error verr = { 0 };
                        unsigned delay = backoff_redelivery_seconds(h->receive_count,
                                                                    (unsigned)r->s.visibility_timeout);
                        (void)r->ops->change_visibility(r->ops_ctx, r->s.queue_url, h->receipt_handle, (int)delay,
                                                        &verr);
                        continue;
                }
                if (h->rule >= 0)
                        r->stats.rule_hits[h->rule]++;
                if (h->ev->event_id && dedupe_add(r->published, h->ev->event_id) < 0)
                        log_warning("event %s published but not remembered; a redelivery may publish it again",
                                    h->ev->event_id);
                del.msg[del.n++] = (struct sqs_message){ .message_id = h->message_id,
                                                         .receipt_handle = h->receipt_handle };
                if (del.n == SQS_BATCH_MAX) {
                        delete_done(r, &del, (1u << del.n) - 1);
                        del.n = 0;
                }
        }
        if (del.n)
                delete_done(r, &del, (1u << del.n) - 1);
        return pause;
}

static enum relay_outcome tick(struct relay *r, int64_t now, bool all) {
        size_t *idx, *sub;
        struct render_digest_member *members;
        bool pause = false;

        if (!r->n_held)
                return RELAY_OK;
        idx = calloc(r->n_held, sizeof(*idx));
        sub = calloc(r->n_held, sizeof(*sub));
        members = calloc(r->n_held, sizeof(*members));
        if (!idx || !sub || !members) {
                free(idx);
                free(sub);
                free(members);
                log_err("out of memory sending digests; they are tried again later");
                return RELAY_OK;
        }
        for (size_t first = 0; first < r->n_held;) {
                const struct held *f = &r->held[first];
                size_t n = 0;
                if (!all && f->window_end > now) {
                        first++;
                        continue;
                }
                for (size_t j = first; j < r->n_held; j++)
                        if (r->held[j].window_end == f->window_end && strcmp(r->held[j].key, f->key) == 0)
                                idx[n++] = j;
                pause |= flush_group(r, idx, n, sub, members);
                /* the group leaves r->held; the others keep their order */
                size_t kept = 0;
                for (size_t j = 0, k = 0; j < r->n_held; j++) {
                        if (k < n && idx[k] == j) {
                                held_clear(&r->held[j]);
                                k++;
                                continue;
                        }
                        r->held[kept++] = r->held[j];
                }
                r->n_held = kept;
        }
        r->stats.held = r->n_held;
        free(idx);
        free(sub);
        free(members);
        return pause ? RELAY_PUBLISH_FAILED : RELAY_OK;
}

enum relay_outcome relay_tick(struct relay *r, int64_t now) {
        return tick(r, now, false);
}

enum relay_outcome relay_flush(struct relay *r) {
        return tick(r, 0, true);
}

int64_t relay_next_deadline(const struct relay *r) {
        int64_t next = INT64_MAX;
        for (size_t i = 0; i < r->n_held; i++)
                if (r->held[i].window_end < next)
                        next = r->held[i].window_end;
        return next;
}

int relay_receive(struct relay *r, int64_t now, struct sqs_batch *ret) {
        const int64_t due = relay_next_deadline(r);
        const struct sqs_receive_params p = {
                .queue_url = r->s.queue_url,
                .max_messages = r->receive_max,
                /* back by the next digest's time */
                .wait_time_seconds = due - now < r->s.wait_time_seconds ? (due > now ? (int)(due - now) : 0)
                                                                          : r->s.wait_time_seconds,
                .visibility_timeout = r->s.visibility_timeout,
        };
        struct aws_error err = { 0 };
        char detail[AWS_ERROR_DESCRIBE_MAX];
        int e;

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

enum relay_outcome relay_handle(struct relay *r, const struct sqs_batch *batch, int64_t now) {
        struct pending pending[SQS_BATCH_MAX] = { 0 };
        enum relay_outcome outcome = RELAY_OK;
        size_t n_pending = 0;
        unsigned done = 0;

        for (size_t i = 0; i < batch->n; i++) {
                enum verdict v = prepare(r, &batch->msg[i], &pending[n_pending], now);
                if (v == DELETE) {
                        done |= 1u << i;
                } else if (v == PUBLISH) {
                        route(r, &pending[n_pending]);
                        if (hold(r, &pending[n_pending], now))
                                pending_clear(&pending[n_pending]);
                        else
                                n_pending++;
                }
        }
        if (n_pending && publish_pending(r, pending, n_pending))
                outcome = RELAY_PUBLISH_FAILED;
        for (size_t i = 0; i < n_pending; i++) {
                if (all_accepted(&pending[i])) {
                        completed(r, &pending[i]);
                        done |= 1u << (size_t)(pending[i].msg - batch->msg);
                }
                pending_clear(&pending[i]);
        }
        delete_done(r, batch, done);
        return outcome;
}
