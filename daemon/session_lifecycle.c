#include "session_lifecycle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool named(const struct ssm_event *ev, const char *name) {
        return ev->event_name && strcmp(ev->event_name, name) == 0;
}

enum session_change session_change_of(const struct ssm_event *ev) {
        if (ev->failure || !ev->session_id || !ev->event_source || strcmp(ev->event_source, "ssm.amazonaws.com") != 0)
                return SESSION_NONE;
        if (named(ev, "StartSession"))
                return SESSION_OPENED;
        if (named(ev, "ResumeSession"))
                return SESSION_RESUMED;
        if (named(ev, "TerminateSession"))
                return SESSION_CLOSED;
        return SESSION_NONE;
}

int session_entry_of(const struct ssm_event *ev, struct session_entry *ret) {
        if (!ev->session_id || !ev->has_time)
                return -EINVAL;
        *ret = (struct session_entry){
                .session_id = ev->session_id,
                .target = ev->target,
                .owner = ev->actor,
                .account_id = ev->account_id,
                .region = ev->region,
                .start = ev->event_epoch,
        };
        return 0;
}

/* Sets *field to a copy of v when it is unknown and v is known. */
static int fill(char **field, const char *v) {
        if (*field || !v)
                return 0;
        *field = strdup(v);
        return *field ? 0 : -ENOMEM;
}

int session_complete_from_entry(const struct session_entry *e, struct ssm_event *ev) {
        int r = fill(&ev->target, e->target);
        if (r < 0)
                return r;
        ev->session_start = e->start;
        ev->has_session_start = true;
        /* A ResumeSession counts itself: the state counts it once SNS accepted it. */
        ev->session_resumes = e->resumes + (named(ev, "ResumeSession") ? 1 : 0);
        if (named(ev, "TerminateSession") && ev->has_time && !ev->has_session_end) {
                ev->session_end = ev->event_epoch;
                ev->has_session_end = true;
        }
        return 0;
}

int session_complete_from_history(const struct ssm_session *s, struct ssm_event *ev) {
        int r;
        if ((r = fill(&ev->target, s->target)) < 0 || (r = fill(&ev->session_status, s->status)) < 0 ||
            (r = fill(&ev->transcript_url, s->output_url)) < 0)
                return r;
        if (s->has_start && !ev->has_session_start) {
                ev->session_start = s->start;
                ev->has_session_start = true;
        }
        if (!ev->has_session_end) {
                if (s->has_end) {
                        ev->session_end = s->end;
                        ev->has_session_end = true;
                } else if (named(ev, "TerminateSession") && ev->has_time) {
                        ev->session_end = ev->event_epoch;
                        ev->has_session_end = true;
                }
        }
        return 0;
}

enum session_verdict session_check(const struct session_entry *e, bool active, time_t now, long long_alert) {
        if (!active)
                return now >= e->retry_after ? SESSION_LOOK_UP : SESSION_KEEP;
        if (long_alert > 0 && !e->still_open_sent && now - e->start >= (time_t)long_alert)
                return SESSION_ALERT_OPEN;
        return SESSION_KEEP;
}

static int dup(const char *v, char **ret) {
        if (!v)
                return 0;
        *ret = strdup(v);
        return *ret ? 0 : -ENOMEM;
}

int session_notice_new(enum session_notice kind, const struct session_entry *e, const struct ssm_session *hist,
                       time_t now, struct ssm_event **ret) {
        const bool ended = kind == SESSION_NOTICE_ENDED;
        char id[SESSION_FIELD_MAX + sizeof(":ended")], when[sizeof("YYYY-MM-DDTHH:MM:SSZ") + 16];
        struct ssm_event *ev;
        struct tm tm;
        int r;

        if (ended && !hist)
                return -EINVAL;
        ev = calloc(1, sizeof(*ev));
        if (!ev)
                return -ENOMEM;
        ev->event_epoch = hist && hist->has_end ? hist->end : now;
        ev->has_time = true;
        snprintf(id, sizeof(id), "%s:%s", e->session_id, ended ? "ended" : "open");
        if (!gmtime_r(&ev->event_epoch, &tm) || strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
                r = -EINVAL;
                goto fail;
        }
        if ((r = dup(id, &ev->event_id)) < 0 || (r = dup(ended ? SESSION_ENDED : SESSION_STILL_OPEN, &ev->event_name)) < 0 ||
            (r = dup(SESSION_EVENT_SOURCE, &ev->event_source)) < 0 || (r = dup(when, &ev->event_time)) < 0 ||
            (r = dup(e->session_id, &ev->session_id)) < 0 || (r = dup(e->target, &ev->target)) < 0 ||
            (r = dup(e->owner, &ev->actor)) < 0 || (r = dup(e->account_id, &ev->account_id)) < 0 ||
            (r = dup(e->region, &ev->region)) < 0)
                goto fail;
        ev->session_start = e->start;
        ev->has_session_start = true;
        ev->session_resumes = e->resumes;
        if (hist && (r = session_complete_from_history(hist, ev)) < 0)
                goto fail;
        *ret = ev;
        return 0;
fail:
        event_free(ev);
        return r;
}
