/* relay_burst: the messages held for a burst's digest ([notify]
 * burst_limit, burst_window; relay.h). A held message keeps its event, route
 * and a copy of its receipt handle; when its actor's window ends, one digest
 * per topic of the members' routes lists them (render_digest), and each
 * member is deleted once every topic of its route accepted it. A member a
 * topic refused is let go to come back soon: it was never published, so it
 * cannot be sent twice. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "localtime.h"
#include "log.h"
#include "macro.h"
#include "relay_internal.h"

/* Messages held for digests at once; past it a notification goes out on
 * its own (each holds its parsed event, a few KiB). */
#define HELD_MAX 10000
/* A held message stays invisible to the window's end plus this (or the
 * visibility timeout, when longer): time to send its digest and delete it. */
#define HOLD_MARGIN_MIN 10

void relay_held_clear(struct held *h) {
        free(h->message_id);
        free(h->receipt_handle);
        event_free(h->ev);
        *h = (struct held){ 0 };
}

int relay_burst_of(const struct relay_settings *s, struct burst **ret) {
        *ret = NULL;
        return s->burst_window ? burst_new(s->burst_limit, s->burst_window, ret) : 0;
}

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

bool relay_still_held(struct relay *r, const struct sqs_message *m, const struct ssm_event *ev, int64_t now) {
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

bool relay_hold(struct relay *r, struct pending *p, int64_t now) {
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
                relay_held_clear(&h);
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
        const bool fifo = relay_is_fifo(topic);
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
                for (size_t t = 0; t < h->n_topics; t++)
                        if (strcmp(h->topics[t], topic) == 0)
                                h->accepted |= 1u << t;
                relay_remember_delivery(r, topic, h->ev->event_id, h->n_topics);
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
                        /* back soon, not after the hold's margin */
                        relay_retry_soon(r, h->message_id, h->receipt_handle, h->receive_count);
                        continue;
                }
                relay_completed(r, h->rule, h->ev);
                del.msg[del.n++] = (struct sqs_message){ .message_id = h->message_id,
                                                         .receipt_handle = h->receipt_handle };
                if (del.n == SQS_BATCH_MAX) {
                        relay_delete_done(r, &del, (1u << del.n) - 1);
                        del.n = 0;
                }
        }
        if (del.n)
                relay_delete_done(r, &del, (1u << del.n) - 1);
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
                                relay_held_clear(&r->held[j]);
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
