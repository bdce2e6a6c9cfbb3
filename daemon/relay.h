/* relay: one poll cycle, receive → decode → filter → render → publish →
 * delete, following DESIGN.md's message policy exactly:
 *  - a notifiable event is published, then deleted; only a message SNS
 *    accepted is deleted;
 *  - a valid event the filter drops is deleted (logged at info);
 *  - a notifiable event the first matching [rule NAME] with action = ignore
 *    decides is deleted unpublished (logged at info with RULE=); a notify
 *    rule's name goes out in the "rule" attribute (rules.h);
 *  - an unrecognized body gets the fallback notification, then is deleted
 *    (or, with unrecognized = keep, is left for the dead-letter queue);
 *  - one message's failure is its own: a batch that fails as a whole, or
 *    cannot be built, is published again one message at a time;
 *  - a failed publish leaves the message; it returns after the visibility
 *    timeout; past max_receive_count it is logged as poison and left for the
 *    queue's redrive policy;
 *  - an eventID this process already published is deleted, not republished.
 * What becomes of each message is policy.h's pure verdict; the queue and the
 * topic are reached only through a relay_ops table (relay_ops.h). The relay
 * logs each decision once, with the message's identifiers, under the
 * MESSAGE_ID of that outcome (log.h). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "aws_error.h"
#include "config.h"
#include "relay_ops.h"
#include "render.h"
#include "sqs.h"

struct relay_settings {
        const char *queue_url;
        int wait_time_seconds;
        int max_messages;
        int visibility_timeout;
        int max_receive_count;
        const char *topic_arn;
        char *const *events;
        size_t n_events;
        const char *timezone;
        bool unrecognized_keep;
        const struct config_rule *rules; /* in file order; the first that matches decides */
        size_t n_rules;
        struct render_options render;
};

struct relay_stats {
        uint64_t received, published, filtered, duplicates, unrecognized, failed, poison, deleted;
        uint64_t out_of_memory; /* messages kept because parsing them ran out of memory */
        uint64_t ignored;       /* deleted unpublished by an action = ignore rule */
        /* per rule of the settings: events it decided (ignored, or published);
         * a reload starts them again, since the rules may have changed */
        uint64_t rule_hits[CONFIG_RULES_MAX];
        /* "publish: " + an AWS error's code, message and class (aws_error.h sizes) */
        char last_error[AWS_ERROR_DESCRIBE_MAX + 16];
};

enum relay_outcome {
        RELAY_OK,             /* the batch was handled; nothing needs a pause */
        RELAY_PUBLISH_FAILED, /* SNS failed retryably: back off */
};

struct relay;

/* ops and ops_ctx are borrowed; settings' strings must outlive the relay. */
int relay_new(const struct relay_settings *s, const struct relay_ops *ops, void *ops_ctx, struct relay **ret);
void relay_free(struct relay *r);
/* Replaces the settings (SIGHUP); the eventID memory and the ops are kept,
 * the per-rule counts start again. */
void relay_reconfigure(struct relay *r, const struct relay_settings *s);
/* A cycle is relay_receive() then relay_handle(), split so that the caller
 * may abandon the long poll (nothing in hand yet) but never the handling. */
/* 0 and a batch (possibly empty); -ECANCELED when the progress hook stopped
 * the long poll; -EIO when SQS could not be reached or answered more than
 * SQS_ANSWER_MAX (logged; back off; the next receives ask for fewer
 * messages, sqs_next_max_messages). */
int relay_receive(struct relay *r, struct sqs_batch *ret);
/* Publishes, deletes, logs: every message of the batch is dealt with. */
enum relay_outcome relay_handle(struct relay *r, const struct sqs_batch *batch);
const struct relay_stats *relay_get_stats(const struct relay *r);

/* A listener to the events the relay publishes: the session tracker
 * (sessions.h). Both calls are optional; ctx is borrowed. */
struct relay_hooks {
        /* Before an event to publish is rendered: add what the listener knows. */
        void (*complete)(void *ctx, struct ssm_event *ev);
        /* After SNS accepted the event's notification (never before). */
        void (*accepted)(void *ctx, const struct ssm_event *ev);
};
/* NULL hooks: none. Kept across relay_reconfigure(). */
void relay_set_hooks(struct relay *r, const struct relay_hooks *hooks, void *ctx);
/* The next receive waits at most seconds (1..wait_time_seconds), so that the
 * caller wakes for work of its own in time; only the next receive. */
void relay_limit_wait(struct relay *r, int seconds);
/* Renders ev, an event of the daemon's own (session_lifecycle.h), in the
 * configured format and publishes it to [sns] topic_arn; ev is borrowed.
 * 0 once SNS accepted it (logged like any publish); otherwise a negative
 * errno (-EIO: SNS refused it or could not be reached), logged, and the
 * caller tries again later. */
int relay_publish_event(struct relay *r, struct ssm_event *ev);
