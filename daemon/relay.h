/* relay: one poll cycle, receive → decode → filter → render → publish →
 * delete, following DESIGN.md's message policy exactly:
 *  - a notifiable event is published, then deleted; only a message SNS
 *    accepted is deleted;
 *  - a valid event the filter drops is deleted (logged at info);
 *  - a notifiable event the first matching [rule NAME] with action = ignore
 *    decides is deleted unpublished (logged at info with RULE=); a notify
 *    rule's name goes out in the "rule" attribute (rules.h), and its topics
 *    (else [sns] topic_arn) are the event's route: the message is deleted
 *    only when every topic accepted it, and a topic that accepted it is
 *    remembered ("TOPIC_ARN EVENT_ID") and not published to again when the
 *    message comes back because another topic failed; FIFO ids go only to
 *    .fifo topics;
 *  - an unrecognized body gets the fallback notification, then is deleted
 *    (or, with unrecognized = keep, is left for the dead-letter queue);
 *  - one message's failure is its own: a batch that fails as a whole, or
 *    cannot be built, is published again one message at a time;
 *  - a failed publish leaves the message; it returns after the visibility
 *    timeout; past max_receive_count it is logged as poison and left for the
 *    queue's redrive policy;
 *  - an eventID this process already published to every topic of its route
 *    is deleted, not republished;
 *  - bursts ([notify] burst_limit, burst_window, per actor_arn, else actor):
 *    past the limit an actor's notifications are held and go out as one
 *    digest per topic when its window ends (relay_tick);
 *  - the targets of a batch's notifiable events are named by one round of
 *    look-ups (relay_ops.enrich) before any rule or renderer sees them.
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
        unsigned burst_limit;  /* notifications per actor and window */
        unsigned burst_window; /* seconds; 0: no burst control */
        /* Batches in flight together, up to RELAY_LANES (relay_ops.h); 0 or
         * 1: each batch is published before relay_handle() returns. */
        unsigned lanes;
        struct render_options render;
};

struct relay_stats {
        /* published and failed count publishes (one per topic of a route),
         * the others messages */
        uint64_t received, published, filtered, duplicates, unrecognized, failed, poison, deleted;
        uint64_t out_of_memory; /* messages kept because parsing them ran out of memory */
        uint64_t ignored;       /* deleted unpublished by an action = ignore rule */
        uint64_t digests;       /* digests SNS accepted (each also counts in published) */
        uint64_t held;          /* messages held for a digest now */
        /* per rule of the settings: events it decided (ignored, or published);
         * a reload starts them again, since the rules may have changed */
        uint64_t rule_hits[CONFIG_RULES_MAX];
        /* "publish: " + an AWS error's code, message and class (aws_error.h
         * sizes) + " (to TOPIC_ARN)" (an ARN is at most 326 bytes, awsid.h) */
        char last_error[AWS_ERROR_DESCRIBE_MAX + 352];
};

enum relay_outcome {
        RELAY_OK,             /* the batch was handled; nothing needs a pause */
        RELAY_PUBLISH_FAILED, /* SNS failed retryably: back off */
};

struct relay;

/* ops and ops_ctx are borrowed; settings' strings must outlive the relay. */
int relay_new(const struct relay_settings *s, const struct relay_ops *ops, void *ops_ctx, struct relay **ret);
/* Held messages are not deleted: they come back (relay_flush first to send
 * their digests). Publishes and deletes still in flight are not waited for
 * (relay_settle first): their messages come back. */
void relay_free(struct relay *r);
/* Replaces the settings (SIGHUP): first the batches in flight end
 * (relay_settle) and the held messages' digests go out under the old ones
 * (relay_flush), as their routes name the old topics;
 * the eventID memory and the ops are kept, the per-rule counts and the
 * burst windows start again. -ENOMEM changes nothing. */
int relay_reconfigure(struct relay *r, const struct relay_settings *s);
/* A cycle is a receive, then relay_handle(), then relay_tick(). The calls
 * are started and finished later, so that the next batch's long poll is in
 * flight while this batch is published, and with lanes > 1 (and bursts off)
 * the calls of that many batches: two receives while the queue has a
 * backlog, two PublishBatch calls and two deletes. The caller may abandon a
 * long poll (nothing in hand yet) but never the handling. now: seconds of a
 * monotonic clock. */
/* Starts a receive unless one is in flight, and with `ahead` (the caller
 * lets batches wait in hand) while the last receive was full, one per lane.
 * The long poll ends by the next digest's time (relay_next_deadline). */
void relay_receive_start(struct relay *r, int64_t now, bool ahead);
/* True between a receive's start and its finish. */
bool relay_receiving(const struct relay *r);
/* True while the last receive was full: the queue has a backlog. */
bool relay_backlog(const struct relay *r);
/* True when the next receive may start before a batch is handled: not with
 * bursts on, since a message this batch holds brings the next digest's time
 * forward, and a long poll already in flight would not end by it. */
bool relay_pipelined(const struct relay *r);
/* Before waiting for a receive: when the oldest one's answer is not in yet,
 * ends every publish in flight (as relay_settle() does, deletes left in
 * flight), so that nothing waits in hand for a long poll. */
enum relay_outcome relay_catch_up(struct relay *r);
/* Waits for the oldest receive in flight: 0 and a batch (possibly empty);
 * -ECANCELED when the progress hook stopped the long poll; -EIO when SQS
 * could not be reached or answered more than SQS_ANSWER_MAX (logged; back
 * off; the next receives ask for fewer messages, sqs_next_max_messages);
 * -EINVAL when none was started. */
int relay_receive_finish(struct relay *r, struct sqs_batch *ret);
/* Publishes and logs: every message of the batch is dealt with. With
 * bursts on, an actor's notifications past burst_limit in its window are
 * held: not published, not deleted, their visibility extended to the
 * window's end plus a margin; their receipt handles are copied. The batch is
 * taken (*batch is left empty). With one lane it is published before this
 * returns; with more, its first topic's PublishBatch is left in flight and
 * ends (its other topics published, failures logged) when a lane is needed
 * again, at relay_catch_up() or relay_settle(). A message, eventID or
 * session this batch shares with an older batch in flight waits for that
 * one's publish to end first, and is then handled as a redelivery. The delete of what every topic accepted is started when the
 * publish ends and left in flight: it finishes (and its failures are
 * logged) when its lane is needed again or at relay_settle(), so that it
 * overlaps the next batches. A delete is only ever started after the
 * publishes of its messages were accepted. The outcome covers every
 * publish that ended during the call. */
enum relay_outcome relay_handle(struct relay *r, struct sqs_batch *batch, int64_t now);
/* Ends every publish in flight and waits for every delete: before a reload
 * replaces the clients, before backing off, and before exiting. Outcome:
 * of the publishes ended here. */
enum relay_outcome relay_settle(struct relay *r);
/* Sends the digests whose windows ended by now: one per actor, window and
 * topic of the members' routes (event_name "Digest"); deletes each member
 * once every topic of its route accepted it; a member a topic refused is left
 * in the queue to come back soon, and is not held any more. */
enum relay_outcome relay_tick(struct relay *r, int64_t now);
/* relay_tick for every held message, whatever its window: on SIGTERM, a
 * reload and at the end of --once. */
enum relay_outcome relay_flush(struct relay *r);
/* When the next digest is due; INT64_MAX when nothing is held. */
int64_t relay_next_deadline(const struct relay *r);
const struct relay_stats *relay_get_stats(const struct relay *r);

/* A listener to the events the relay publishes: the session tracker
 * (sessions.h). Both calls are optional; ctx is borrowed. */
struct relay_hooks {
        /* Before the look-ups (relay_ops.enrich), the rules and the renderer
         * see a notifiable event: add what the listener knows. */
        void (*complete)(void *ctx, struct ssm_event *ev);
        /* After SNS accepted the event's notification (never before). */
        void (*accepted)(void *ctx, const struct ssm_event *ev);
        /* A parsed event deleted without a notification (filtered, ignored
         * by a rule, a duplicate): it happened all the same. Not called for
         * a message kept for a retry. */
        void (*dropped)(void *ctx, const struct ssm_event *ev);
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
