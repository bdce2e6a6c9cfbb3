/* render: struct ssm_event → the SNS Subject and Message people read.
 *
 * Pure: the caller converts the event time (and a session's start and end)
 * to local time (event_local_time()) and passes it in. Formats: text (e-mail; ja or en labels aligned by display
 * width), json (the fields object of DESIGN.md, without subject/message),
 * chatbot (Amazon Q Developer in chat applications custom notification) and
 * multi (SNS MessageStructure=json: one form per protocol). Every value is
 * escaped for its format and cut at 1 KiB, the Subject is printable ASCII
 * under 100 characters, and the Message stays under SNS's 256 KiB. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "event.h"
#include "formats.h"

/* [accounts] in the config: an account id and the name shown beside it. */
struct render_account {
        const char *id;
        const char *name;
};

/* One moment in the configured zone. */
struct render_instant {
        bool valid;
        struct tm tm;   /* broken-down local time */
        long gmtoff;    /* seconds east of UTC */
        char abbr[16];  /* "JST", "EDT", "+04" */
};

struct render_local_time {
        bool valid;
        struct tm tm;   /* broken-down local time of ev->event_epoch */
        long gmtoff;    /* seconds east of UTC */
        char abbr[16];  /* "JST", "EDT", "+04" */
        /* ev->session_start and ev->session_end in the same zone, valid when
         * the event has them (a session may span a change of offset) */
        struct render_instant session_start, session_end;
};

struct render_options {
        enum render_format format;
        enum render_language language;
        const char *subject_template;           /* NULL: the default subject */
        const struct render_account *accounts;  /* id → name */
        size_t n_accounts;
        const char *timezone;                   /* zone name shown in text; NULL: not shown */
        const char *rule;                       /* the [rule NAME] this event matched; NULL: none */
};

struct rendered {
        char *subject;
        char *message;
        bool message_structure_json; /* publish with MessageStructure=json (multi) */
};

/* SNS: "Messages can be up to 256 KB (262,144 bytes)", counting message
 * attributes; 6 KiB of that is left to the attributes the publisher adds. */
#define RENDER_MESSAGE_MAX (250 * 1024)
/* render_json_object(): one message JSON-escaped (at most 6 bytes per
 * byte) and its fields, each capped at RENDER_FIELD_CAP: far below this. */
#define RENDER_JSON_MAX (8 * RENDER_MESSAGE_MAX)

/* SNS: the Subject must be "less than 100 characters long". */
#define RENDER_SUBJECT_MAX 99

/* lt may be NULL or invalid: the time is then shown in UTC only. -EINVAL for
 * a subject template that fails template_validate(); -ENOMEM. */
int render_event(const struct ssm_event *ev, const struct render_local_time *lt,
                 const struct render_options *o, struct rendered *ret);

/* For a body that is not an event (DESIGN.md, "Message policy"): the SQS
 * MessageId, the body size and its first 2 KiB, escaped, in o->format. */
int render_fallback(const char *sqs_message_id, const char *body, size_t len,
                    const struct render_options *o, struct rendered *ret);

/* The `--render --format json` object (DESIGN.md): subject, message (in
 * o->format) and every field of the event, null when unknown. */
int render_json_object(const struct ssm_event *ev, const struct render_local_time *lt,
                       const struct render_options *o, bool pretty, char **ret);

/* One event of a digest, with its local time (as for render_event). */
struct render_digest_member {
        const struct ssm_event *ev;
        struct render_local_time lt;
};

/* The held rest of one actor's burst (DESIGN.md, "Rules and routing"). */
struct render_digest {
        const char *actor;                           /* NULL: unknown */
        unsigned window_seconds;                     /* burst_window */
        const struct render_digest_member *members;  /* in arrival order */
        size_t n;                                    /* 1.. */
};

/* One notification listing each member (local time, event name, target,
 * outcome, source IP) in o->format: text (ja/en), json ({"kind": "digest",
 * ..., "events": [...]}), chatbot, multi. As many members as fit under
 * RENDER_MESSAGE_MAX are listed, then "and N more"; the count covers all.
 * The subject is ASCII under 100 characters. -EINVAL for n == 0, -ENOMEM. */
int render_digest(const struct render_digest *d, const struct render_options *o, struct rendered *ret);

void rendered_free(struct rendered *r);

/* The [accounts] name of account_id, or NULL. */
const char *render_account_name(const struct render_options *o, const char *account_id);
