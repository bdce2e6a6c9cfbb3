/* session_lifecycle: what an event or a DescribeSessions answer means for
 * the open sessions, and the notifications of the daemon's own.
 *
 * Pure: no I/O, and the time is passed in. A successful StartSession opens
 * a session, ResumeSession counts a resume, TerminateSession closes it; the
 * tracker (sessions.h) applies that only after SNS accepted the event's
 * notification. Every check_interval an open session that DescribeSessions
 * no longer lists as active is looked up in the history: ended there, it
 * gets a SessionEnded notification; still active and open longer than
 * long_session_alert, it gets one SessionStillOpen (DESIGN.md, "Knowing the
 * target and the session"). */
#pragma once

#include <stdbool.h>
#include <time.h>

#include "event.h"
#include "session_store.h"
#include "ssm_sessions.h"

#define SESSION_EVENT_SOURCE "ssm-notifyd"
#define SESSION_ENDED "SessionEnded"
#define SESSION_STILL_OPEN "SessionStillOpen"

enum session_change { SESSION_NONE, SESSION_OPENED, SESSION_RESUMED, SESSION_CLOSED };

/* What an event published means for its session: a failed call (denied,
 * for one) and an event without a session ID change nothing. */
enum session_change session_change_of(const struct ssm_event *ev);

/* The entry an opening event makes (start: its eventTime); borrows ev's
 * strings. 0, or -EINVAL when ev has no session ID or time. */
int session_entry_of(const struct ssm_event *ev, struct session_entry *ret);

/* Fills what ev lacks from the tracked entry: target, start, resumes (a
 * ResumeSession's count includes itself); a TerminateSession ends at its
 * eventTime. 0 or -ENOMEM. */
int session_complete_from_entry(const struct session_entry *e, struct ssm_event *ev);
/* The same from DescribeSessions (another host saw the start): target,
 * start, end, status, transcript. 0 or -ENOMEM. */
int session_complete_from_history(const struct ssm_session *s, struct ssm_event *ev);

enum session_verdict {
        SESSION_KEEP,       /* nothing to say yet */
        SESSION_LOOK_UP,    /* not active any more: ask the history how it ended */
        SESSION_ALERT_OPEN, /* SessionStillOpen is due */
};

/* active: DescribeSessions State=Active listed the session. long_alert 0:
 * off. A session not active is looked up once its retry_after has come. */
enum session_verdict session_check(const struct session_entry *e, bool active, time_t now, long long_alert);

enum session_notice { SESSION_NOTICE_ENDED, SESSION_NOTICE_STILL_OPEN };

/* The daemon's own event: event_source "ssm-notifyd", event_name
 * SessionEnded or SessionStillOpen, event_id "SESSIONID:ended" or
 * "SESSIONID:open", actor the session's owner, and what the entry and the
 * history (NULL for SessionStillOpen) tell. Its time is the end, else now.
 * 0, -EINVAL (ENDED without history), -ENOMEM. */
int session_notice_new(enum session_notice kind, const struct session_entry *e, const struct ssm_session *hist,
                       time_t now, struct ssm_event **ret);
