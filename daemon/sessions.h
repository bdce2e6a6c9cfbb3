/* sessions: the session tracker, the edge around session_lifecycle.h.
 *
 * It keeps the open sessions in the state file (session_file.h), completes
 * ResumeSession and TerminateSession notifications from it (a
 * TerminateSession it has no start for from DescribeSessions, bounded by
 * SESSIONS_LOOKUP_TIMEOUT_MS; on failure the notification goes out without)
 * and changes the state only after SNS accepted an event's notification,
 * through the relay's hooks (relay.h), and saves it once per batch, at
 * most once a second while the queue has a backlog (sessions_flush,
 * sessions_flush_paced); a TerminateSession deleted without
 * a notification (ignored, filtered, a duplicate) ends its session too. Every check_interval it asks
 * DescribeSessions which open sessions are still active, and publishes
 * SessionEnded / SessionStillOpen through relay_publish_event(); a session
 * is removed or marked only after SNS accepted that, so a failure is tried
 * again at the next check. Each session is asked of SSM in its own account
 * and region, through the enricher's clients (enrich.h: AssumeRole of
 * [enrich] role_arn in another account; with role_arn empty, sessions of
 * other accounts are not checked, and that is logged once). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "aws_client.h"
#include "enrich.h"
#include "relay.h"

/* DESIGN.md: a look-up never holds a notification back for long. */
#define SESSIONS_LOOKUP_TIMEOUT_MS 2000

struct sessions_settings {
        bool track;              /* off: no state, no hooks, no checks */
        int check_interval;      /* seconds; 0: never call DescribeSessions */
        long long_session_alert; /* seconds; 0: off */
        const char *region;      /* the daemon's ([aws] region); borrowed */
};

struct sessions;

/* Loads DIR's state file (session_file.h). 0, or -ENOMEM. */
int sessions_new(const char *dir, time_t now, struct sessions **ret);
void sessions_free(struct sessions *t);
/* Applies settings (at start and on SIGHUP); ssm (the daemon's region, for
 * sessions of no known account) and enricher are borrowed until the next
 * call. The first check is due at once. */
void sessions_configure(struct sessions *t, const struct sessions_settings *s, struct aws_client *ssm,
                        struct enricher *enricher, time_t now);

/* Saves the state file when the open sessions changed since the last save.
 * The hooks and sessions_check() only mark a change: the daemon calls this
 * once per cycle, before it waits for the next receive (and before a backoff
 * and at exit), so a kill -9 loses at most the changes of the batches in
 * hand. A failed save is logged once and tried
 * again after the next change. t may be NULL. */
void sessions_flush(struct sessions *t);
/* The daemon's call before it waits: sessions_flush(), except that while
 * the queue has a backlog (busy) it saves at most once per
 * SESSIONS_SAVE_BUSY_USEC, so a kill -9 in a busy spell loses at most that
 * long's changes: there a save per batch, an fsync and a rename each, cost
 * more than the rest of the tracking. now_usec: a monotonic clock. */
#define SESSIONS_SAVE_BUSY_USEC 1000000u
void sessions_flush_paced(struct sessions *t, bool busy, uint64_t now_usec);

/* ctx: a struct sessions *. */
extern const struct relay_hooks sessions_relay_hooks;

/* Seconds until the next check (0: due), or -1 when none is scheduled. */
long sessions_due_in(const struct sessions *t, time_t now);
/* Checks the open sessions and publishes what is due through r. A call
 * the SSM client's progress hook cancels (-ECANCELED) ends the check; the
 * next one is due at once after a reload, else at the next interval. */
void sessions_check(struct sessions *t, struct relay *r, time_t now);
