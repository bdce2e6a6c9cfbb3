/* render_internal: what the render_*.c files share; not for other modules. */
#pragma once

#include <json-c/json.h>

#include "buf.h"
#include "render.h"
#include "textsafe.h"

enum render_verdict {
        VERDICT_SUCCESS,
        VERDICT_DENIED, /* the error says access was refused */
        VERDICT_FAILED, /* any other error */
};

struct render_ctx {
        const struct ssm_event *ev;
        const struct render_local_time *lt; /* NULL unless valid and ev->has_time */
        const struct render_options *o;
        const char *account_name;           /* from o->accounts, or NULL */
        enum render_verdict verdict;
        size_t cap;                         /* bytes kept of each untrusted value */
};

/* The labelled fields of text and chatbot messages, in display order: the
 * outcome, when, who, on what, the session, what ran, from where, links,
 * then the record's bookkeeping. */
enum render_label {
        L_OUTCOME,
        L_ERROR_CODE,
        L_TIME,
        L_TIME_UTC,
        L_USER,
        L_USER_TYPE,
        L_SESSION_OWNER,
        L_ROLE,
        L_MFA,
        L_VIA,
        L_TARGET,
        L_TAGS,
        L_SESSION_ID,
        L_SESSION_START,
        L_SESSION_END,
        L_DURATION,
        L_RESUMES,
        L_SESSION_STATUS,
        L_DOCUMENT,
        L_COMMAND,
        L_PORT_FORWARD,
        L_PARAMETERS,
        L_REASON,
        L_SOURCE_IP,
        L_USER_AGENT,
        L_CONSOLE,
        L_TRANSCRIPT,
        L_ACCOUNT,
        L_REGION,
        L_EVENT,
        L_EVENT_SOURCE,
        L_ARN,
        L_ERROR_MESSAGE,
        L_EVENT_ID,
        L_COUNT,
};

/* What the event is about, for the headline and the subject: the session
 * calls CloudTrail records, and the two the daemon's session tracker makes
 * (event_source "ssm-notifyd"). */
enum render_kind {
        K_START,
        K_RESUME,
        K_TERMINATE,
        K_ENDED,        /* SessionEnded: ended without a TerminateSession */
        K_STILL_OPEN,   /* SessionStillOpen: open longer than long_session_alert */
        K_OTHER,
        K_COUNT,
};

enum render_kind render_kind_of(const struct ssm_event *ev);

struct render_line {
        enum render_label label;
        const char *value; /* inside the values buf render_lines() filled */
};

const char *render_label_text(enum render_language lang, enum render_label label);

/* Fills lines[0..*ret_n) with the known fields, values escaped for mode
 * (TEXTSAFE_MARKDOWN: untrusted parts in `code spans`), each at most
 * RENDER_MESSAGE_MAX bytes (else -E2BIG). The values are written one after
 * the other, each ended by a NUL, into *values (initialised here), which
 * the caller frees, also on failure; lines[] points into it. */
int render_lines(const struct render_ctx *c, enum textsafe_mode mode, struct render_line lines[L_COUNT],
                 struct buf *values, size_t *ret_n);

/* One sentence saying what happened ("alice started a session on i-0123."). */
int render_headline(const struct render_ctx *c, enum textsafe_mode mode, struct buf *out);

/* An untrusted value, escaped for mode and cut at c->cap. */
int render_put(const struct render_ctx *c, const char *s, enum textsafe_mode mode, struct buf *out);

/* "2024-08-01 21:19:16 JST", "2024-08-01T21:19:16+09:00", "2024-08-01T12:19:16Z"
 * into a buffer of RENDER_TIME_LEN bytes. */
#define RENDER_TIME_LEN 64
void render_time_local(const struct render_local_time *lt, char *out);
void render_instant_local(const struct render_instant *in, char *out);
void render_time_iso_local(const struct render_local_time *lt, char *out);
void render_time_iso_utc(time_t t, char *out);

/* "success", "DENIED", "FAILED": the words the subject and keywords use. */
const char *render_verdict_word(enum render_verdict v);

/* "label<pad> : value" lines, labels padded to the widest (display width;
 * widths[i] is labels[i]'s when the caller knows it, or widths is NULL);
 * n at most L_COUNT, else -EINVAL. */
int render_aligned(const char *const *labels, const size_t *widths, const char *const *values, size_t n,
                   struct buf *out);
/* v (0..99) as two digits at p; the end. */
char *render_put2(char *p, int v);

int render_text(const struct render_ctx *c, struct buf *out);
int render_subject(const struct render_ctx *c, struct buf *out);
int render_chatbot(const struct render_ctx *c, const char *subject, struct buf *out);
/* The json format's object (DESIGN.md fields, null when unknown). */
int render_fields_json(const struct render_ctx *c, json_object **ret);

/* Untrusted values are cut at 1 KiB (with TEXTSAFE_MARK). */
#define RENDER_FIELD_CAP 1024

/* render_details.c: what the text, chatbot and json forms derive alike. */

/* The tz database's names of UTC itself (and of GMT, the same offset for
 * ever), where a second "(UTC)" time would say the same again. */
bool render_zone_is_utc(const char *zone);

/* The AWS console page of the target (EC2 instance, Fleet Manager node) or
 * else of the session (Session Manager), built only from a region and IDs
 * of AWS's own syntax so it is safe to show unquoted; false when there is
 * none (another partition, an ID or region of another form). */
#define RENDER_URL_LEN 256
bool render_console_url(const struct ssm_event *ev, char out[RENDER_URL_LEN]);

/* Seconds from the session's start to its end (else to the event); false
 * when the start is unknown or the end precedes it. */
bool render_session_duration(const struct ssm_event *ev, long long *ret);
/* "45 s", "12 min", "1 h 02 min"; ja "45 秒", "12 分", "1 時間 02 分". */
int render_duration(long long seconds, enum render_language lang, struct buf *out);

/* AWS-StartPortForwardingSession[ToRemoteHost] with its port recorded. */
bool render_is_port_forward(const struct ssm_event *ev);
/* Whether the parameter appears in a line of its own (command, the
 * forwarded ports), so the parameters line leaves it out. */
bool render_param_shown_apart(const struct ssm_event *ev, const char *name);

/* Parameters share one budget of bytes (4 × the field cap), so many long
 * values cannot push a message past its bound: the cap for the next value,
 * or 0 when the budget is spent. */
struct render_budget {
        size_t left;
};
struct render_budget render_params_budget(const struct render_ctx *c);
size_t render_budget_take(struct render_budget *b, size_t cap, const char *value);

/* The target as people name it: "web-prod-1 (i-0abc…)", or the ID alone. */
int render_target(const struct render_ctx *c, enum textsafe_mode mode, struct buf *out);

/* A producer of one single-protocol form (text, json or chatbot) of source. */
typedef int (*render_form_fn)(const void *source, enum render_format f, const char *subject, struct buf *out);

/* The message in format f (multi: every form, keyed by protocol) into ret. */
int render_message(render_form_fn fn, const void *source, enum render_format f, const char *subject,
                   struct rendered *ret);

/* json-c output as compact JSON appended to out; -E2BIG past out's cap. */
int render_put_json(json_object *o, bool pretty, struct buf *out);
/* obj[key] = v, v taken in every case; -ENOMEM for a NULL v or a failed add. */
int render_json_add(json_object *obj, const char *key, json_object *v);
/* s made valid UTF-8 and cut at cap, as a json-c string; NULL when out of memory. */
json_object *render_json_string(const char *s, size_t cap);
/* obj[key] = s made valid UTF-8 and cut at cap, or null when s is NULL (unknown). */
int render_json_add_text(json_object *obj, const char *key, const char *s, size_t cap);
/* An AWS Chatbot custom notification with a title, a markdown description
 * and no more metadata than summary and eventType: the form of the messages
 * that are not one event (the fallback, the digest). */
int render_chatbot_plain(const struct buf *title, const struct buf *description, const char *summary,
                         const char *event_type, struct buf *out);
