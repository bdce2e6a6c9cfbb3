/* session_store: the SSM sessions this daemon saw start and not yet end, and
 * their text form (the state file's contents).
 *
 * Pure: no I/O, no clock (but for the index's random key). Finding a
 * session by ID costs O(1) expected. At most `max` sessions are kept:
 * adding one more evicts the one that started first, and the caller is told
 * which (it logs it). The text form is one JSON object {"version": 1,
 * "sessions": [...]}; session_store_parse() accepts only what
 * session_store_format() writes (bounded size, depth, lengths and count,
 * every string valid UTF-8 without control characters), so a foreign or
 * damaged file is refused as a whole, never half-read. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"

/* Each open session costs about 170 bytes (one allocation, its strings
 * inline), and the index by session ID (hashidx.h) about 6 bytes per session
 * of max (23 KiB for this); a host with more sessions open at once than
 * this is beyond what one daemon tracks. */
#define SESSION_STORE_MAX 4096
/* SESSION_STORE_MAX entries of SESSION_FIELD_MAX-long strings fit. */
#define SESSION_FILE_MAX (8u * 1024 * 1024)
/* SSM session IDs ("owner-" + 17 hex digits) and instance IDs are far
 * shorter; a role session name is at most 64 characters. */
#define SESSION_FIELD_MAX 256
#define SESSION_STORE_VERSION 1
/* An hour: a session of another account costs one look-up an hour. */
#define SESSION_RETRY_MAX 3600

struct session_entry {
        char *session_id;     /* never NULL */
        char *target;         /* NULL when unknown, as every other string */
        char *owner;          /* the actor who started it */
        char *account_id;
        char *region;
        time_t start;         /* StartSession's eventTime */
        unsigned resumes;     /* ResumeSession calls published */
        bool still_open_sent; /* SessionStillOpen was accepted by SNS */
        /* Not in the file: a session neither active nor in the history (of
         * another account, say) is looked up again only after retry_after. */
        unsigned misses;
        time_t retry_after;
};

struct session_store;

int session_store_new(size_t max, struct session_store **ret);
void session_store_free(struct session_store *s);

size_t session_store_count(const struct session_store *s);
/* The i-th entry (i < count); valid until the store changes. */
const struct session_entry *session_store_at(const struct session_store *s, size_t i);
const struct session_entry *session_store_find(const struct session_store *s, const char *session_id);

/* Adds a copy of e, replacing an entry of the same session ID. When the
 * store was full, *ret_evicted (if not NULL) gets the ID of the session
 * dropped for it (the caller frees it), else NULL. 0, -EINVAL (no session
 * ID, or a string above SESSION_FIELD_MAX), -ENOMEM. */
int session_store_add(struct session_store *s, const struct session_entry *e, char **ret_evicted);
/* 0, or -ENOENT when the session is not in the store. */
int session_store_remove(struct session_store *s, const char *session_id);
int session_store_resumed(struct session_store *s, const char *session_id);
int session_store_mark_still_open(struct session_store *s, const char *session_id);
/* DescribeSessions did not find the session at now: its next look-up waits
 * interval seconds, twice that after a second miss, and so on up to
 * SESSION_RETRY_MAX. */
int session_store_missed(struct session_store *s, const char *session_id, time_t now, long interval);

/* Appends the text form to out. 0, -E2BIG (out's maximum), -ENOMEM. */
int session_store_format(const struct session_store *s, struct buf *out);
/* Takes the text form piece by piece: 0, or a negative errno that stops it. */
typedef int (*session_store_sink_fn)(void *userdata, const char *data, size_t len);
/* The pieces session_store_write() formats before handing them on. */
#define SESSION_WRITE_CHUNK (16u * 1024)
/* Hands the text form to sink in pieces of about SESSION_WRITE_CHUNK bytes,
 * each formatted in out (scratch; left empty), so that saving 4,096
 * sessions (about 1 MiB) needs no buffer of that size. 0; -E2BIG past
 * SESSION_FILE_MAX in all (what parse would refuse); -ENOMEM; the sink's. */
int session_store_write(const struct session_store *s, struct buf *out, session_store_sink_fn sink,
                        void *userdata);
/* A new store (capacity max) from the text form. 0; -EBADMSG for anything
 * but that form (garbage, a wrong type, a string too long or not clean, a
 * duplicate session); -EPROTONOSUPPORT for another version; -E2BIG for
 * more than SESSION_FILE_MAX bytes or more than max sessions; -ENOMEM. */
int session_store_parse(const char *text, size_t len, size_t max, struct session_store **ret);
