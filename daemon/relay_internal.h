/* relay_internal: what relay.c (the poll cycle) and relay_burst.c (held
 * messages and their digests) share; not for other modules. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "burst.h"
#include "dedupe.h"
#include "event.h"
#include "relay.h"
#include "render.h"
#include "sns.h"

/* "TOPIC_ARN EVENT_ID": the per-topic memory's key (dedupe.h's limit). */
#define DELIVERY_KEY_MAX 600
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

/* The messages of one topic: pending[idx[i]], its topic slot slot[i]. */
struct group {
        const char *topic;
        size_t idx[SQS_BATCH_MAX], slot[SQS_BATCH_MAX];
        size_t n;
};

/* A ring of RELAY_LANES slots, each the lane of its calls (relay_ops.h):
 * slot `head` is the oldest in flight, `count` are. */
struct lanes {
        unsigned head, count;
};

struct lane_receive {
        int start_rc;
        struct aws_error start_err;
};

/* A batch taken by relay_handle(), its first topic's PublishBatch in flight
 * (first.n == 0: none; the other topics are published when it ends). */
struct lane_publish {
        struct sqs_batch batch;
        struct pending pending[SQS_BATCH_MAX];
        size_t n_pending;
        unsigned done; /* bit per message of batch: deleted when the publish ends */
        struct group first;
        int start_rc;
        struct aws_error start_err;
};

/* A delete in flight, of the batch it took. */
struct lane_delete {
        struct sqs_batch batch;
        unsigned which;
        int start_rc;
        struct aws_error start_err;
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
        bool backlog;    /* the last receive answered receive_max messages: more are waiting */
        /* The calls in flight, oldest first (struct lanes): receives started,
         * batches whose publish was started, deletes started. How a call's
         * start failed, when it did, is told when it is finished. */
        struct lanes receiving, publishing, deleting;
        struct lane_receive receive[RELAY_LANES];
        struct lane_publish publish[RELAY_LANES];
        struct lane_delete del[RELAY_LANES];
        int wait_limit;  /* relay_limit_wait() for the next receive; 0: none */
        const struct relay_hooks *hooks; /* relay_set_hooks() */
        void *hooks_ctx;
};

/* relay.c */
bool relay_is_fifo(const char *topic_arn);
/* Topic accepted event_id, one of n_topics of its route: remembered so that
 * a retry after another topic failed skips it. */
void relay_remember_delivery(struct relay *r, const char *topic, const char *event_id, size_t n_topics);
/* Back when a retry may work, not a whole visibility timeout later. */
void relay_retry_soon(struct relay *r, const char *message_id, const char *receipt_handle, int receive_count);
/* Every topic of the route accepted ev (NULL: a fallback): it counts for
 * its rule and is not published again by this process. */
void relay_completed(struct relay *r, int rule, const struct ssm_event *ev);
/* Deletes the messages of b in which now, after the delete in flight
 * (relay_settle); logs each that could not be. */
void relay_delete_done(struct relay *r, const struct sqs_batch *b, unsigned which);

/* relay_burst.c */
/* The burst windows s asks for; NULL when bursts are off. */
int relay_burst_of(const struct relay_settings *s, struct burst **ret);
void relay_held_clear(struct held *h);
/* m's event is held already (it came back before its digest): the newest
 * receipt handle is kept, the visibility extended again. True: keep m. */
bool relay_still_held(struct relay *r, const struct sqs_message *m, const struct ssm_event *ev, int64_t now);
/* Holds p for its actor's digest when the actor is past burst_limit in its
 * window: p's event and route move to r->held. False: publish p now. */
bool relay_hold(struct relay *r, struct pending *p, int64_t now);
