#include "relay_internal.h"

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
/* (topic, eventID) pairs SNS accepted: an event of several topics is one
 * pair per topic, so room for the same events' worth of the busiest case. */
#define RELAY_DELIVERED_CAPACITY (RELAY_DEDUPE_CAPACITY * 2)
static void pending_clear(struct pending *p) {
        rendered_free(&p->out);
        event_free(p->ev);
        *p = (struct pending){ 0 };
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
                e = relay_burst_of(s, &r->burst);
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
        for (size_t l = 0; l < RELAY_LANES; l++) {
                for (size_t i = 0; i < r->publish[l].n_pending; i++)
                        pending_clear(&r->publish[l].pending[i]);
                sqs_batch_clear(&r->publish[l].batch);
                sqs_batch_clear(&r->del[l].batch);
        }
        dedupe_free(r->published);
        dedupe_free(r->delivered);
        burst_free(r->burst);
        for (size_t i = 0; i < r->n_held; i++)
                relay_held_clear(&r->held[i]);
        free(r->held);
        free(r);
}

int relay_reconfigure(struct relay *r, const struct relay_settings *s) {
        struct burst *b;
        int e = relay_burst_of(s, &b);
        if (e < 0)
                return e;
        relay_settle(r);
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

void relay_set_hooks(struct relay *r, const struct relay_hooks *hooks, void *ctx) {
        r->hooks = hooks;
        r->hooks_ctx = ctx;
}

void relay_limit_wait(struct relay *r, int seconds) {
        r->wait_limit = seconds < 1 ? 1 : seconds;
}

bool relay_is_fifo(const char *topic_arn) {
        size_t n = strlen(topic_arn);
        return n > 5 && strcmp(topic_arn + n - 5, ".fifo") == 0;
}

enum verdict { KEEP, DELETE, PUBLISH };

static void sns_message_of(const struct relay *r, struct pending *p, const char *topic, struct sns_message *ret) {
        const struct ssm_event *ev = p->ev;
        bool fifo = relay_is_fifo(topic);
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

void relay_remember_delivery(struct relay *r, const char *topic, const char *event_id, size_t n_topics) {
        char key[DELIVERY_KEY_MAX + 1];

        if (!event_id || n_topics < 2)
                return; /* a route of one topic is all done or not: the eventID memory covers it */
        if (delivery_key(topic, event_id, key) < 0 || dedupe_add(r->delivered, key) < 0)
                log_warning("event %s accepted by %s but not remembered; a retry may publish it there again",
                            event_id, topic);
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

void relay_retry_soon(struct relay *r, const char *message_id, const char *receipt_handle, int receive_count) {
        struct aws_error verr = { 0 };
        unsigned delay = backoff_redelivery_seconds(receive_count, (unsigned)r->s.visibility_timeout);
        const struct log_field vf[] = { { "SQS_MESSAGE_ID", message_id } };

        if (r->ops->change_visibility(r->ops_ctx, r->s.queue_url, receipt_handle, (int)delay, &verr) < 0)
                log_fields(LOG_DEBUG, NULL, vf, ELEMENTSOF(vf), "message %s keeps its visibility timeout: %s",
                           message_id, verr.code);
}

/* Topic t of p accepted it as SNS message sns_id. */
static void published(struct relay *r, struct pending *p, size_t t, const char *sns_id) {
        const struct sqs_message *m = p->msg;
        const struct ssm_event *ev = p->ev;
        const char *topic = p->topics[t];

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
        relay_remember_delivery(r, topic, ev->event_id, p->n_topics);
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

void relay_completed(struct relay *r, int rule, const struct ssm_event *ev) {
        if (!ev)
                return;
        if (rule >= 0)
                r->stats.rule_hits[rule]++;
        if (r->hooks && r->hooks->accepted)
                r->hooks->accepted(r->hooks_ctx, ev);
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
        if (ret == DELETE && r->hooks && r->hooks->dropped)
                r->hooks->dropped(r->hooks_ctx, ev);
        event_free(ev);
        return ret;
}

/* A message's body parsed: the event (taken by prepare), or why not. */
struct parsed {
        struct ssm_event *ev;
        int error;
};

static unsigned lanes_at(const struct lanes *q, unsigned i) {
        return (q->head + i) % RELAY_LANES;
}

static unsigned lanes_push(struct lanes *q) {
        unsigned l = lanes_at(q, q->count);
        q->count++;
        return l;
}

static unsigned lanes_pop(struct lanes *q) {
        unsigned l = q->head;
        q->head = lanes_at(q, 1);
        q->count--;
        return l;
}

/* Batches in flight together: one while bursts are on (relay_pipelined). */
static unsigned lanes_of(const struct relay *r) {
        if (r->burst || r->s.lanes < 2)
                return 1;
        return r->s.lanes < RELAY_LANES ? r->s.lanes : RELAY_LANES;
}

static bool same(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}

/* m, or its event's eventID or session, is in a batch whose publish is in
 * flight before the newest one: SQS handed the message out again (its
 * visibility timeout ran out, or an emulator raced two receives), EventBridge
 * sent the event twice, or the session's start and end came close together. */
static bool shares_with_before(const struct relay *r, const struct sqs_message *m, const struct ssm_event *ev) {
        for (unsigned i = 0; i + 1 < r->publishing.count; i++) {
                const struct lane_publish *lp = &r->publish[lanes_at(&r->publishing, i)];
                for (size_t j = 0; j < lp->batch.n; j++)
                        if (same(lp->batch.msg[j].message_id, m->message_id))
                                return true;
                for (size_t j = 0; j < lp->n_pending && ev; j++) {
                        const struct ssm_event *o = lp->pending[j].ev;
                        if (o && (same(o->event_id, ev->event_id) || same(o->session_id, ev->session_id)))
                                return true;
                }
        }
        return false;
}

static enum relay_outcome publish_end(struct relay *r);

/* Parses the whole batch first, so that one round of look-ups
 * (relay_ops.enrich) names the targets of all its notifiable events before
 * the rules and the renderer see them. The batch is the newest in flight:
 * a message or event it shares with an older one waits for that one's
 * publish to end, so that it is handled as a redelivery is (the eventID
 * memory knows what the older batch published, and the delete uses the
 * newest receipt handle) and the session tracker knows the session. */
static enum relay_outcome parse_batch(struct relay *r, const struct sqs_batch *b, struct parsed *ret) {
        struct ssm_event *notifiable[SQS_BATCH_MAX];
        enum relay_outcome outcome = RELAY_OK;
        size_t n = 0;

        for (size_t i = 0; i < b->n; i++) {
                ret[i] = (struct parsed){ 0 };
                ret[i].error = event_parse(b->msg[i].body, b->msg[i].body_len, &ret[i].ev);
                while (r->publishing.count > 1 && shares_with_before(r, &b->msg[i], ret[i].ev))
                        if (publish_end(r) != RELAY_OK)
                                outcome = RELAY_PUBLISH_FAILED;
        }
        for (size_t i = 0; i < b->n; i++) {
                const struct ssm_event *ev = ret[i].ev;
                if (ev && event_is_notifiable(ev, r->s.events, r->s.n_events) &&
                    !(ev->event_id && dedupe_contains(r->published, ev->event_id)))
                        notifiable[n++] = ret[i].ev;
        }
        /* The tracker first: the target it knows (a TerminateSession names
         * none) is then looked up with the others. */
        for (size_t i = 0; i < n && r->hooks && r->hooks->complete; i++)
                r->hooks->complete(r->hooks_ctx, notifiable[i]);
        if (n && r->ops->enrich)
                r->ops->enrich(r->ops_ctx, notifiable, n);
        return outcome;
}

/* Gathers the facts about one message, asks the policy and carries out its
 * verdict; ev is taken; PUBLISH fills p. */
static enum verdict prepare(struct relay *r, const struct sqs_message *m, struct parsed parsed, struct pending *p,
                            int64_t now) {
        const struct policy_settings ps = policy_settings_of(r);
        const struct log_field f[] = { { "SQS_MESSAGE_ID", m->message_id } };
        struct policy_facts facts = { .receive_count = m->receive_count };
        struct ssm_event *ev = parsed.ev;
        int rule = -1;

        facts.parse_error = parsed.error;
        if (facts.parse_error == 0 && relay_still_held(r, m, ev, now)) {
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

static void messages_of(const struct relay *r, struct pending *pending, const struct group *g,
                        struct sns_message *ret) {
        for (size_t i = 0; i < g->n; i++)
                sns_message_of(r, &pending[g->idx[i]], g->topic, &ret[i]);
}

/* Starts a group's PublishBatch on lane: 0, or how it failed before it was
 * sent (told to group_finish). A group of one is published by group_finish. */
static int group_start(struct relay *r, unsigned lane, struct pending *pending, const struct group *g,
                       struct aws_error *err) {
        struct sns_message msgs[SNS_BATCH_MAX] = { 0 };

        if (g->n < 2)
                return 0;
        messages_of(r, pending, g, msgs);
        return r->ops->publish_batch_start(r->ops_ctx, lane, msgs, g->n, err);
}

/* Ends what group_start began (start_rc, err: its result). Returns true when
 * SNS failed retryably. */
static bool group_finish(struct relay *r, unsigned lane, struct pending *pending, const struct group *g,
                         int start_rc, struct aws_error err) {
        struct sns_message msgs[SNS_BATCH_MAX] = { 0 };
        struct sns_entry_result res[SNS_BATCH_MAX] = { 0 };
        char detail[AWS_ERROR_DESCRIBE_MAX];
        bool pause = false;
        int e = start_rc;

        if (g->n < 2) {
                messages_of(r, pending, g, msgs);
                return publish_each(r, pending, g, msgs);
        }
        if (e == 0)
                e = r->ops->publish_batch_finish(r->ops_ctx, lane, g->topic, g->n, res, &err);
        if (e < 0) {
                /* One message must not fail the others: a batch SNS refused as a
                 * whole (BatchRequestTooLong, or any other answer) or that could
                 * not be built (-E2BIG: above the SNS size limit together) goes
                 * out again one message at a time, so each outcome is its own. */
                aws_error_describe(&err, detail, sizeof(detail));
                log_fields(e == -E2BIG ? LOG_DEBUG : LOG_NOTICE, NULL, NULL, 0,
                           "PublishBatch of %zu messages to %s failed as a whole (%s); publishing them one at a "
                           "time", g->n, g->topic, detail);
                messages_of(r, pending, g, msgs);
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

/* The next topic of pending[0..n) in order of first appearance that is not
 * in done[0..*n_done) and that some message still waits for, with those
 * messages; the topic is added to done. False when no topic is left. */
static bool next_group(const struct pending *pending, size_t n, const char **done, size_t *n_done,
                       struct group *ret) {
        for (size_t i = 0; i < n; i++)
                for (size_t t = 0; t < pending[i].n_topics; t++) {
                        const char *topic = pending[i].topics[t];
                        bool seen = false;
                        for (size_t d = 0; d < *n_done && !seen; d++)
                                seen = strcmp(done[d], topic) == 0;
                        if (seen || (pending[i].accepted & (1u << t)))
                                continue;
                        *ret = (struct group){ .topic = topic };
                        for (size_t j = i; j < n; j++)
                                for (size_t u = 0; u < pending[j].n_topics; u++)
                                        if (!(pending[j].accepted & (1u << u)) &&
                                            strcmp(pending[j].topics[u], topic) == 0) {
                                                ret->idx[ret->n] = j;
                                                ret->slot[ret->n++] = u;
                                        }
                        done[(*n_done)++] = topic;
                        return true;
                }
        return false;
}

/* Counts and logs what became of a delete of b's messages in which. */
static void delete_report(struct relay *r, const struct sqs_batch *b, unsigned which, int e, unsigned deleted,
                          const struct aws_error *err) {
        char detail[AWS_ERROR_DESCRIBE_MAX];

        if (e == -EIO) {
                aws_error_describe(err, detail, sizeof(detail));
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

/* Waits for the oldest delete in flight and reports it. */
static void delete_end(struct relay *r) {
        unsigned lane = lanes_pop(&r->deleting);
        struct lane_delete *d = &r->del[lane];
        struct aws_error err = d->start_err;
        unsigned deleted = 0;
        int e = d->start_rc;

        if (e == 0)
                e = r->ops->delete_finish(r->ops_ctx, lane, &deleted, &err);
        delete_report(r, &d->batch, d->which, e, deleted, &err);
        sqs_batch_clear(&d->batch);
}

static void deletes_settle(struct relay *r) {
        while (r->deleting.count)
                delete_end(r);
}

void relay_delete_done(struct relay *r, const struct sqs_batch *b, unsigned which) {
        struct aws_error err = { 0 };
        unsigned deleted = 0;

        deletes_settle(r);
        if (!which)
                return;
        const unsigned lane = r->deleting.head; /* free, as every lane is now */
        int e = r->ops->delete_start(r->ops_ctx, lane, r->s.queue_url, b, which, &err);
        if (e == 0)
                e = r->ops->delete_finish(r->ops_ctx, lane, &deleted, &err);
        delete_report(r, b, which, e, deleted, &err);
}

/* Starts deleting b's messages in which, once a lane is free (the oldest
 * delete is waited for when none is); b is taken (left empty). */
static void delete_start(struct relay *r, struct sqs_batch *b, unsigned which) {
        if (!which) {
                sqs_batch_clear(b);
                return;
        }
        while (r->deleting.count >= lanes_of(r))
                delete_end(r);
        unsigned lane = lanes_push(&r->deleting);
        struct lane_delete *d = &r->del[lane];
        d->batch = *b;
        *b = (struct sqs_batch){ 0 };
        d->which = which;
        d->start_err = (struct aws_error){ 0 };
        d->start_rc = r->ops->delete_start(r->ops_ctx, lane, r->s.queue_url, &d->batch, which, &d->start_err);
}

/* Ends the oldest batch in flight: its first topic's PublishBatch is
 * waited for, its other topics are published, and the delete of what every
 * topic accepted is started. */
static enum relay_outcome publish_end(struct relay *r) {
        unsigned lane = lanes_pop(&r->publishing);
        struct lane_publish *lp = &r->publish[lane];
        const char *done_topics[SQS_BATCH_MAX * CONFIG_RULE_TOPICS_MAX];
        size_t n_done = 0;
        struct group g;
        bool pause = false;

        if (lp->first.n) {
                pause |= group_finish(r, lane, lp->pending, &lp->first, lp->start_rc, lp->start_err);
                done_topics[n_done++] = lp->first.topic;
        }
        while (next_group(lp->pending, lp->n_pending, done_topics, &n_done, &g)) {
                struct aws_error err = { 0 };
                int e = group_start(r, lane, lp->pending, &g, &err);
                pause |= group_finish(r, lane, lp->pending, &g, e, err);
        }
        for (size_t i = 0; i < lp->n_pending; i++) {
                struct pending *p = &lp->pending[i];
                if (p->retryable)
                        relay_retry_soon(r, p->msg->message_id, p->msg->receipt_handle, p->msg->receive_count);
                if (all_accepted(p)) {
                        relay_completed(r, p->rule, p->ev);
                        lp->done |= 1u << (size_t)(p->msg - lp->batch.msg);
                }
                pending_clear(p);
        }
        lp->n_pending = 0;
        lp->first = (struct group){ 0 };
        delete_start(r, &lp->batch, lp->done);
        return pause ? RELAY_PUBLISH_FAILED : RELAY_OK;
}

/* Ends the oldest batches in flight until at most keep are. */
static enum relay_outcome publishes_end(struct relay *r, unsigned keep) {
        enum relay_outcome outcome = RELAY_OK;

        while (r->publishing.count > keep)
                if (publish_end(r) != RELAY_OK)
                        outcome = RELAY_PUBLISH_FAILED;
        return outcome;
}

enum relay_outcome relay_settle(struct relay *r) {
        enum relay_outcome outcome = publishes_end(r, 0);
        deletes_settle(r);
        return outcome;
}

enum relay_outcome relay_catch_up(struct relay *r) {
        if (!r->receiving.count || r->ops->receive_ready(r->ops_ctx, r->receiving.head))
                return RELAY_OK;
        return publishes_end(r, 0);
}

void relay_receive_start(struct relay *r, int64_t now, bool ahead) {
        const int64_t due = relay_next_deadline(r);
        /* back by the next digest's time, or the caller's (relay_limit_wait) */
        int wait = r->wait_limit && r->wait_limit < r->s.wait_time_seconds ? r->wait_limit : r->s.wait_time_seconds;
        const struct sqs_receive_params p = {
                .queue_url = r->s.queue_url,
                .max_messages = r->receive_max,
                .wait_time_seconds = due - now < wait ? (due > now ? (int)(due - now) : 0) : wait,
                .visibility_timeout = r->s.visibility_timeout,
        };
        /* More receives than one only while the queue has a backlog: an idle
         * queue costs one long poll. */
        const unsigned want = ahead && r->backlog ? lanes_of(r) : 1;

        if (r->receiving.count >= want)
                return;
        r->wait_limit = 0;
        while (r->receiving.count < want) {
                unsigned lane = lanes_push(&r->receiving);
                r->receive[lane].start_err = (struct aws_error){ 0 };
                r->receive[lane].start_rc = r->ops->receive_start(r->ops_ctx, lane, &p, &r->receive[lane].start_err);
        }
}

bool relay_receiving(const struct relay *r) {
        return r->receiving.count > 0;
}

bool relay_backlog(const struct relay *r) {
        return r->backlog;
}

bool relay_pipelined(const struct relay *r) {
        return !r->burst;
}

int relay_receive_finish(struct relay *r, struct sqs_batch *ret) {
        char detail[AWS_ERROR_DESCRIBE_MAX];

        if (!r->receiving.count)
                return -EINVAL;
        const unsigned lane = lanes_pop(&r->receiving);
        struct aws_error err = r->receive[lane].start_err;
        int e = r->receive[lane].start_rc;
        if (e == 0)
                e = r->ops->receive_finish(r->ops_ctx, lane, ret, &err);
        if (e == -ECANCELED)
                return e;
        r->backlog = e == 0 && ret->n >= (size_t)r->receive_max;
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

enum relay_outcome relay_handle(struct relay *r, struct sqs_batch *batch, int64_t now) {
        struct parsed parsed[SQS_BATCH_MAX];
        enum relay_outcome outcome = publishes_end(r, lanes_of(r) - 1);
        const char *done_topics[1];
        size_t n_done = 0;
        const unsigned lane = lanes_push(&r->publishing);
        struct lane_publish *lp = &r->publish[lane];
        lp->batch = *batch;
        *batch = (struct sqs_batch){ 0 };
        lp->done = 0;
        if (parse_batch(r, &lp->batch, parsed) != RELAY_OK)
                outcome = RELAY_PUBLISH_FAILED;
        for (size_t i = 0; i < lp->batch.n; i++) {
                struct pending *p = &lp->pending[lp->n_pending];
                enum verdict v = prepare(r, &lp->batch.msg[i], parsed[i], p, now);
                if (v == DELETE) {
                        lp->done |= 1u << i;
                } else if (v == PUBLISH) {
                        route(r, p);
                        if (relay_hold(r, p, now))
                                pending_clear(p);
                        else
                                lp->n_pending++;
                }
        }
        if (next_group(lp->pending, lp->n_pending, done_topics, &n_done, &lp->first)) {
                lp->start_err = (struct aws_error){ 0 };
                lp->start_rc = group_start(r, lane, lp->pending, &lp->first, &lp->start_err);
        }
        /* One lane: the batch is published before returning, as a serial
         * loop would have it. */
        if (lanes_of(r) == 1 && publish_end(r) != RELAY_OK)
                outcome = RELAY_PUBLISH_FAILED;
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
                { "TARGET", ev->target },     { "SNS_TOPIC_ARN", r->s.topic_arn }, { "SNS_MESSAGE_ID", NULL },
        };
        int e = render_for(r, ev, -1, &p.out);

        if (e < 0) {
                log_fields(LOG_ERR, LOG_MSGID_RENDER_FAILED, f, ELEMENTSOF(f), "%s could not be rendered (%s)",
                           ev->event_id, strerror(-e));
                return e;
        }
        sns_message_of(r, &p, r->s.topic_arn, &m);
        e = r->ops->publish(r->ops_ctx, &m, res.message_id, sizeof(res.message_id), &res.error);
        rendered_free(&p.out);
        if (e < 0) {
                aws_error_describe(&res.error, detail, sizeof(detail));
                snprintf(r->stats.last_error, sizeof(r->stats.last_error), "publish: %s", detail);
                r->stats.failed++;
                log_fields(LOG_WARNING, LOG_MSGID_PUBLISH_FAILED, f, ELEMENTSOF(f),
                           "publish of %s failed, tried again at the next check: %s (to %s)", ev->event_id, detail,
                           r->s.topic_arn);
                return e;
        }
        r->stats.published++;
        f[ELEMENTSOF(f) - 1].value = res.message_id;
        log_fields(LOG_INFO, LOG_MSGID_PUBLISHED, f, ELEMENTSOF(f),
                   "published %s of session %s by %s%s%s as SNS message %s to %s", ev->event_name, ev->session_id,
                   ev->actor ? ev->actor : "an unknown actor", ev->target ? " on " : "", ev->target ? ev->target : "",
                   res.message_id, r->s.topic_arn);
        return 0;
}
