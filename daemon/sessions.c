#include "sessions.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsid.h"
#include "enrich.h"
#include "log.h"
#include "macro.h"
#include "session_file.h"
#include "session_lifecycle.h"
#include "session_store.h"
#include "ssm_sessions.h"

/* A page of active sessions may take a while in a busy account; the check
 * holds no message, so it can wait longer than a look-up for one. */
#define SESSIONS_CHECK_TIMEOUT_MS 10000
/* SESSION_STORE_MAX active sessions fit in this many pages; a NextToken
 * chain longer than that is not an answer to follow. */
#define SESSIONS_ACTIVE_PAGES_MAX (SESSION_STORE_MAX / SSM_SESSIONS_PAGE_MAX + 1)
/* History look-ups per check: an account where many sessions ended at once
 * is caught up over a few checks, not in one long pause of the relay. */
#define SESSIONS_LOOKUPS_PER_CHECK 20
/* After a failed look-up for a TerminateSession, the next ones wait this
 * long: a failing SSM must not add 2 s to every message of a burst. */
#define SESSIONS_LOOKUP_PAUSE 60
/* Starts seen in the batches in hand, and ends accepted without a tracked
 * start: a receive holds at most ten events, so a few batches' worth. */
#define SESSIONS_RECENT_MAX 64
/* Accounts and regions checked per check: an organisation's sessions in
 * more places than this are checked in turn, at the next checks. */
#define SESSIONS_PLACES_MAX 64

struct sessions {
        struct sessions_settings s;
        struct aws_client *ssm;
        struct enricher *enricher;
        struct session_store *store;
        /* In memory only. A start and its end may come in one receive, in
         * either order: the end is completed from a start about to be
         * published (seen), and a start whose end SNS already accepted is
         * not opened again (closed), else a SessionEnded would follow. */
        struct session_store *seen, *closed;
        char dir[PATH_MAX];
        time_t next_check;
        time_t lookups_paused_until;
        int save_error; /* of the last save, so that a failing disk is logged once */
        /* A change not saved yet: saves are per batch (sessions_flush), since
         * one per change cost an fsync and a rename per message. */
        bool dirty;
        uint64_t saved_usec; /* of the last save sessions_flush_paced() made */
        bool other_accounts_logged;
        size_t first_place; /* where the last check stopped for SESSIONS_PLACES_MAX */
};

int sessions_new(const char *dir, time_t now, struct sessions **ret) {
        struct sessions *t = calloc(1, sizeof(*t));
        int r;
        if (!t)
                return -ENOMEM;
        snprintf(t->dir, sizeof(t->dir), "%s", dir);
        r = session_store_new(SESSIONS_RECENT_MAX, &t->seen);
        if (r == 0)
                r = session_store_new(SESSIONS_RECENT_MAX, &t->closed);
        if (r == 0)
                r = session_file_load(t->dir, SESSION_STORE_MAX, now, &t->store);
        if (r < 0) {
                sessions_free(t);
                return r;
        }
        *ret = t;
        return 0;
}

void sessions_free(struct sessions *t) {
        if (!t)
                return;
        session_store_free(t->store);
        session_store_free(t->seen);
        session_store_free(t->closed);
        free(t);
}

void sessions_configure(struct sessions *t, const struct sessions_settings *s, struct aws_client *ssm,
                        struct enricher *enricher, time_t now) {
        t->s = *s;
        t->ssm = ssm;
        t->enricher = enricher;
        t->next_check = now;
}

long sessions_due_in(const struct sessions *t, time_t now) {
        if (!t->s.track || t->s.check_interval == 0)
                return -1;
        return t->next_check > now ? (long)(t->next_check - now) : 0;
}

void sessions_flush(struct sessions *t) {
        if (!t || !t->dirty)
                return;
        /* Failed or not, the next save is at the next change: a disk that
         * refuses every save is not asked again at every batch. */
        t->dirty = false;
        int r = session_file_save(t->dir, t->store);
        if (r < 0 && r != t->save_error)
                log_warning("could not save the open sessions in %s/%s (%s); they are kept in memory and saved "
                            "again at the next change",
                            t->dir, SESSION_FILE_NAME, strerror(-r));
        else if (r == 0 && t->save_error)
                log_notice("open sessions saved in %s/%s again", t->dir, SESSION_FILE_NAME);
        t->save_error = r;
}

void sessions_flush_paced(struct sessions *t, bool busy, uint64_t now_usec) {
        if (!t || !t->dirty || (busy && now_usec - t->saved_usec < SESSIONS_SAVE_BUSY_USEC))
                return;
        sessions_flush(t);
        t->saved_usec = now_usec;
}

static void lookup_failed(struct sessions *t, const char *what, int r, const struct aws_error *err, time_t now,
                          const char *consequence) {
        char detail[AWS_ERROR_DESCRIBE_MAX];
        const struct log_field f[] = { { "AWS_REQUEST_ID", err->request_id[0] ? err->request_id : NULL } };
        if (r == -ECANCELED) {
                log_debug("DescribeSessions for %s stopped for a stop or reload", what);
                return;
        }
        if (r == -EIO)
                aws_error_describe(err, detail, sizeof(detail));
        else
                snprintf(detail, sizeof(detail), "%s", strerror(-r));
        log_fields(LOG_WARNING, LOG_MSGID_SESSION_CHECK_FAILED, f, ELEMENTSOF(f), "DescribeSessions for %s failed: %s; %s",
                   what, detail, consequence);
        t->lookups_paused_until = now + SESSIONS_LOOKUP_PAUSE;
}

/* The SSM client of a session's account and region: enrich's, which
 * assumes [enrich] role_arn in another account; the daemon's own for a
 * session whose account or region is unknown (of its region only). NULL
 * when the session cannot be checked from here. */
static struct aws_client *client_of(struct sessions *t, const char *account, const char *region, time_t now) {
        struct aws_client *c = NULL;
        int r;

        if (!account || !*account || !region || !*region || !t->enricher)
                return !region || !*region || !t->s.region || strcmp(region, t->s.region) == 0 ? t->ssm : NULL;
        r = enricher_client(t->enricher, &aws_service_ssm, account, region, now, &c);
        if (r == -EPERM && !t->other_accounts_logged) {
                log_notice("a session of account %s is open and [enrich] role_arn is empty: sessions of accounts "
                           "other than the queue's are not checked with DescribeSessions", account);
                t->other_accounts_logged = true;
        } else if (r < 0 && r != -EIO && r != -EPERM) {
                /* -EIO: AssumeRole failed, logged by the enricher */
                log_debug("no SSM client for account %s, region %s (%s)", account, region, strerror(-r));
        }
        return r == 0 ? c : NULL;
}

/* The one session of that ID in state's list, or -ENOENT. */
static int find_session(struct aws_client *c, enum ssm_session_state state, const char *id, long timeout_ms,
                        struct ssm_session_list *ret, const struct ssm_session **ret_s, struct aws_error *err) {
        int r = ssm_describe_sessions(c, state, id, NULL, timeout_ms, ret, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ret->n; i++)
                if (strcmp(ret->s[i].session_id, id) == 0) {
                        *ret_s = &ret->s[i];
                        return 0;
                }
        ssm_session_list_clear(ret);
        return -ENOENT;
}

/* A TerminateSession whose start this daemon did not see: from the history,
 * else (still terminating) from the active sessions. */
static void complete_from_ssm(struct sessions *t, struct ssm_event *ev, time_t now) {
        static const enum ssm_session_state order[] = { SSM_SESSIONS_HISTORY, SSM_SESSIONS_ACTIVE };
        struct ssm_session_list l = { 0 };
        const struct ssm_session *s = NULL;
        struct aws_error err = { 0 };
        struct aws_client *c;
        int r = -ENOENT;

        if (t->s.check_interval == 0 || now < t->lookups_paused_until)
                return;
        c = client_of(t, ev->account_id, ev->region, now);
        if (!c)
                return;
        for (size_t i = 0; i < ELEMENTSOF(order) && r == -ENOENT; i++)
                r = find_session(c, order[i], ev->session_id, SESSIONS_LOOKUP_TIMEOUT_MS, &l, &s, &err);
        if (r == -ENOENT) {
                log_debug("session %s is not in DescribeSessions; its end goes out without its start",
                          ev->session_id);
                return;
        }
        if (r < 0) {
                lookup_failed(t, ev->session_id, r, &err, now, "its end goes out without its start");
                return;
        }
        if (session_complete_from_history(s, ev) < 0)
                log_warning("session %s: out of memory completing its end; it goes out without", ev->session_id);
        ssm_session_list_clear(&l);
}

static void on_complete(void *ctx, struct ssm_event *ev) {
        struct sessions *t = ctx;
        enum session_change c = session_change_of(ev);
        const struct session_entry *e;
        struct session_entry opened;

        /* Best effort: a start not remembered here is asked of SSM instead. */
        if (c == SESSION_OPENED && session_entry_of(ev, &opened) == 0)
                (void)session_store_add(t->seen, &opened, NULL);
        if (c != SESSION_RESUMED && c != SESSION_CLOSED)
                return;
        e = session_store_find(t->store, ev->session_id);
        if (!e)
                e = session_store_find(t->seen, ev->session_id);
        if (e) {
                if (session_complete_from_entry(e, ev) < 0)
                        log_warning("session %s: out of memory completing its event", ev->session_id);
        } else if (c == SESSION_CLOSED) {
                complete_from_ssm(t, ev, time(NULL));
        }
}

/* ev, a TerminateSession, ended its session: a start not tracked yet (in
 * this receive, after it) is not opened again. */
static void forget(struct sessions *t, const struct ssm_event *ev) {
        struct session_entry e;
        int r = session_store_remove(t->store, ev->session_id);
        if (r == 0)
                t->dirty = true;
        else if (session_entry_of(ev, &e) == 0)
                (void)session_store_add(t->closed, &e, NULL);
}

static void on_accepted(void *ctx, const struct ssm_event *ev) {
        struct sessions *t = ctx;
        struct session_entry e;
        char *evicted = NULL;
        int r = 0;

        switch (session_change_of(ev)) {
        case SESSION_OPENED:
                if (session_entry_of(ev, &e) < 0)
                        return;
                (void)session_store_remove(t->seen, ev->session_id);
                if (session_store_remove(t->closed, ev->session_id) == 0) {
                        log_debug("session %s: its end was published before its start; not tracked", ev->session_id);
                        return;
                }
                r = session_store_add(t->store, &e, &evicted);
                if (r < 0) {
                        log_warning("session %s is not tracked (%s): its end will not be reported", ev->session_id,
                                    strerror(-r));
                        return;
                }
                if (evicted)
                        log_notice("%d sessions are open: session %s, the oldest, is no longer tracked",
                                   SESSION_STORE_MAX, evicted);
                free(evicted);
                break;
        case SESSION_RESUMED:
                r = session_store_resumed(t->store, ev->session_id);
                break;
        case SESSION_CLOSED:
                if (ev->has_session_start && ev->has_session_end)
                        log_info("session %s on %s ended after %lld s", ev->session_id,
                                 ev->target ? ev->target : "an unknown target",
                                 (long long)(ev->session_end - ev->session_start));
                forget(t, ev);
                return;
        case SESSION_NONE:
                return;
        }
        if (r == 0)
                t->dirty = true;
}

/* A TerminateSession a rule ignores (or the filter drops) still ended the
 * session: kept, it would be reported again as a SessionEnded. */
static void on_dropped(void *ctx, const struct ssm_event *ev) {
        struct sessions *t = ctx;
        if (session_change_of(ev) == SESSION_CLOSED) {
                log_debug("session %s ended without a notification; no longer tracked", ev->session_id);
                forget(t, ev);
        }
}

const struct relay_hooks sessions_relay_hooks = {
        .complete = on_complete,
        .accepted = on_accepted,
        .dropped = on_dropped,
};

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The IDs of every active session (sorted, pointing into pages), or a
 * negative errno with *err. */
static int list_active(struct aws_client *c, struct ssm_session_list pages[SESSIONS_ACTIVE_PAGES_MAX],
                       const char ***ret, size_t *ret_n, struct aws_error *err) {
        const char **ids = NULL;
        size_t n = 0;

        for (size_t p = 0; p < SESSIONS_ACTIVE_PAGES_MAX; p++) {
                const char *token = p ? pages[p - 1].next_token : NULL;
                if (p && !token)
                        break;
                int r = ssm_describe_sessions(c, SSM_SESSIONS_ACTIVE, NULL, token, SESSIONS_CHECK_TIMEOUT_MS,
                                              &pages[p], err);
                if (r == 0 && pages[p].n) {
                        const char **more = realloc(ids, (n + pages[p].n) * sizeof(*ids));
                        if (more)
                                ids = more;
                        else
                                r = -ENOMEM;
                }
                if (r < 0) {
                        free(ids);
                        return r;
                }
                for (size_t i = 0; i < pages[p].n; i++)
                        ids[n++] = pages[p].s[i].session_id;
        }
        if (n)
                qsort(ids, n, sizeof(*ids), cmp_str);
        *ret = ids;
        *ret_n = n;
        return 0;
}

/* Publishes one notice; true when SNS accepted it. */
static bool notify(struct relay *r, enum session_notice kind, const struct session_entry *e,
                   const struct ssm_session *hist, time_t now) {
        struct ssm_event *ev = NULL;
        int rc = session_notice_new(kind, e, hist, now, &ev);
        if (rc < 0) {
                log_warning("session %s: its notification could not be built (%s); tried again at the next check",
                            e->session_id, strerror(-rc));
                return false;
        }
        rc = relay_publish_event(r, ev);
        event_free(ev);
        return rc == 0;
}

/* LOOK_UP: ended in the history, so SessionEnded; true when the state changed. */
static bool look_up_end(struct sessions *t, struct aws_client *c, struct relay *r, size_t i, time_t now,
                        bool *stop) {
        const struct session_entry *e = session_store_at(t->store, i);
        struct ssm_session_list l = { 0 };
        const struct ssm_session *s = NULL;
        struct aws_error err = { 0 };
        bool changed = false;
        int rc = find_session(c, SSM_SESSIONS_HISTORY, e->session_id, SESSIONS_CHECK_TIMEOUT_MS, &l, &s, &err);

        if (rc == -ENOENT) {
                /* Not active and not in the history: another account's, or
                 * between the two lists; asked again later, less and less often. */
                log_debug("session %s is neither active nor in the history; kept", e->session_id);
                session_store_missed(t->store, e->session_id, now, t->s.check_interval);
                return false;
        }
        if (rc < 0) {
                lookup_failed(t, e->session_id, rc, &err, now, "the check goes on at the next interval");
                *stop = true;
                return false;
        }
        if (notify(r, SESSION_NOTICE_ENDED, e, s, now)) {
                log_info("session %s on %s ended without a TerminateSession after %lld s (%s)%s%s", e->session_id,
                         e->target ? e->target : "an unknown target",
                         s->has_end ? (long long)(s->end - e->start) : -1LL, s->status ? s->status : "no status",
                         s->output_url ? "; transcript " : "", s->output_url ? s->output_url : "");
                session_store_remove(t->store, e->session_id);
                changed = true;
        } else {
                *stop = true; /* SNS is failing: the rest wait for the next check */
        }
        ssm_session_list_clear(&l);
        return changed;
}

/* An account and a region; "" where the entry has none. */
struct place {
        char account[13];
        char region[AWS_REGION_MAX + 1];
};

static void place_of(const struct session_entry *e, struct place *ret) {
        snprintf(ret->account, sizeof(ret->account), "%s", e->account_id ? e->account_id : "");
        snprintf(ret->region, sizeof(ret->region), "%s", e->region ? e->region : "");
}

static bool same_place(const struct place *a, const struct place *b) {
        return strcmp(a->account, b->account) == 0 && strcmp(a->region, b->region) == 0;
}

/* The places of the open sessions, each once, at most SESSIONS_PLACES_MAX
 * of them from the one after where the last check stopped. */
static size_t places_of(struct sessions *t, struct place *ret) {
        size_t n = 0, count = session_store_count(t->store);

        if (t->first_place >= count)
                t->first_place = 0;
        for (size_t k = 0; k < count; k++) {
                size_t i = (t->first_place + k) % count;
                struct place p = { 0 };
                bool known = false;

                place_of(session_store_at(t->store, i), &p);
                for (size_t j = 0; j < n && !known; j++)
                        known = same_place(&ret[j], &p);
                if (known)
                        continue;
                if (n == SESSIONS_PLACES_MAX) {
                        t->first_place = i;
                        return n;
                }
                ret[n++] = p;
        }
        t->first_place = 0;
        return n;
}

/* Checks the open sessions of one place with c; true when the state changed. */
static bool check_place(struct sessions *t, struct aws_client *c, const struct place *place, struct relay *r,
                        time_t now, size_t *lookups) {
        struct ssm_session_list pages[SESSIONS_ACTIVE_PAGES_MAX] = { 0 };
        struct aws_error err = { 0 };
        const char **active = NULL;
        size_t n_active = 0;
        bool changed = false, stop = false;
        int rc = list_active(c, pages, &active, &n_active, &err);

        if (rc < 0) {
                lookup_failed(t, "the active sessions", rc, &err, now, "checked again at the next interval");
                goto out;
        }
        /* Downwards: a removal moves the last entry, already seen, into i. */
        for (size_t i = session_store_count(t->store); i-- > 0 && !stop;) {
                const struct session_entry *e = session_store_at(t->store, i);
                bool is_active = n_active && bsearch(&e->session_id, active, n_active, sizeof(*active), cmp_str) != NULL;
                struct place p = { 0 };

                place_of(e, &p);
                if (!same_place(&p, place))
                        continue;
                switch (session_check(e, is_active, now, t->s.long_session_alert)) {
                case SESSION_LOOK_UP:
                        if ((*lookups)++ < SESSIONS_LOOKUPS_PER_CHECK && look_up_end(t, c, r, i, now, &stop))
                                changed = true;
                        break;
                case SESSION_ALERT_OPEN:
                        if (notify(r, SESSION_NOTICE_STILL_OPEN, e, NULL, now)) {
                                session_store_mark_still_open(t->store, e->session_id);
                                changed = true;
                        } else {
                                stop = true;
                        }
                        break;
                case SESSION_KEEP:
                        break;
                }
        }
out:
        free(active);
        for (size_t i = 0; i < ELEMENTSOF(pages); i++)
                ssm_session_list_clear(&pages[i]);
        return changed;
}

void sessions_check(struct sessions *t, struct relay *r, time_t now) {
        struct place places[SESSIONS_PLACES_MAX];
        size_t n, lookups = 0;
        bool changed = false;

        if (sessions_due_in(t, now) != 0)
                return;
        t->next_check = now + t->s.check_interval;
        n = places_of(t, places);
        for (size_t i = 0; i < n; i++) {
                struct aws_client *c = client_of(t, places[i].account, places[i].region, now);
                if (c && check_place(t, c, &places[i], r, now, &lookups))
                        changed = true;
        }
        if (changed)
                t->dirty = true;
}
