/* The SNS Subject: the configured template or an informative default, made
 * printable ASCII without line breaks and cut below SNS's 100 characters. */
#include <errno.h>
#include <string.h>

#include "render_internal.h"
#include "template.h"

/* One long value (a 64-character role session name, a list of instances)
 * must not push the rest of the subject out: each is cut at 40 characters. */
#define SUBJECT_VALUE_MAX 40
/* A Name tag is cut shorter, so that the instance ID after it still fits
 * below the 99 characters in the common case (a short user name). */
#define SUBJECT_NAME_MAX 24

struct lookup_state {
        const struct render_ctx *c;
        struct buf scratch;
        char time[RENDER_TIME_LEN];
        int error;
};

static const char *raw_value(struct lookup_state *st, const char *name, size_t len) {
        const struct render_ctx *c = st->c;
        const struct ssm_event *ev = c->ev;
#define IS(n) (len == sizeof(n) - 1 && memcmp(name, n, len) == 0)
        if (IS("event_name")) return ev->event_name;
        if (IS("event_source")) return ev->event_source;
        if (IS("actor")) return ev->actor ? ev->actor : "unknown";
        if (IS("actor_type")) return ev->actor_type;
        if (IS("role")) return ev->role;
        if (IS("target")) return ev->target;
        if (IS("target_name")) return ev->target_name;
        if (IS("outcome")) return render_verdict_word(c->verdict);
        if (IS("account_id")) return ev->account_id;
        if (IS("account_name")) return c->account_name ? c->account_name : ev->account_id;
        if (IS("region")) return ev->region;
        if (IS("source_ip")) return ev->source_ip;
        if (IS("session_id")) return ev->session_id;
        if (IS("event_time")) return ev->event_time;
        if (IS("local_time")) {
                if (c->lt) {
                        render_time_local(c->lt, st->time);
                        return st->time;
                }
                if (!ev->has_time)
                        return NULL;
                render_time_iso_utc(ev->event_epoch, st->time);
                return st->time;
        }
#undef IS
        return NULL;
}

static const char *lookup(const char *name, size_t len, void *userdata) {
        struct lookup_state *st = userdata;
        const char *v = raw_value(st, name, len);
        int r;

        if (!v)
                return NULL;
        buf_truncate(&st->scratch, 0);
        r = textsafe_ascii(&st->scratch, v, SUBJECT_VALUE_MAX);
        if (r < 0) {
                st->error = r;
                return NULL;
        }
        return buf_str(&st->scratch);
}

/* Expands tmpl (already valid) with every value made ASCII and shortened. */
static int expand(const struct render_ctx *c, const char *tmpl, struct buf *out) {
        struct lookup_state st = { .c = c };
        int r;

        buf_init(&st.scratch, RENDER_MESSAGE_MAX);
        r = template_expand(tmpl, lookup, &st, out);
        if (r >= 0 && st.error < 0)
                r = st.error;
        buf_free(&st.scratch);
        return r;
}

/* A Name tag is shown only when it survives as ASCII (accents are
 * transliterated): a name of CJK characters would be a row of '?', which
 * says nothing and costs the room the instance ID needs. */
static bool name_fits_ascii(const char *name) {
        struct buf b;
        size_t in = 0, out = 0;
        bool ok;

        buf_init(&b, RENDER_MESSAGE_MAX);
        /* uncut, so a '?' of the name past the cut still counts */
        ok = textsafe_ascii(&b, name, strlen(name) + 4) >= 0 && b.len > 0;
        for (const char *p = name; *p; p++)
                in += *p == '?';
        for (size_t i = 0; ok && i < b.len; i++)
                out += buf_str(&b)[i] == '?';
        buf_free(&b);
        return ok && out == in;
}

/* " -> web-prod-1 (i-0123)", " -> i-0123" (not named), " -> web-prod-1". */
static int subject_target(const struct render_ctx *c, bool named, struct buf *out) {
        const struct ssm_event *ev = c->ev;
        int r = buf_puts(out, " -> ");

        if (r >= 0 && named) {
                r = textsafe_ascii(out, ev->target_name, SUBJECT_NAME_MAX);
                if (r >= 0 && ev->target)
                        r = expand(c, " ({target})", out);
                return r;
        }
        return r >= 0 ? expand(c, "{target}", out) : r;
}

/* The default: "[SSM] StartSession alice -> web-1 (i-0123) (success)",
 * "[SSM] DENIED StartSession alice -> i-0123 (AccessDenied)", "[SSM]
 * SessionEnded alice -> i-0123 after 1 h 02 min". */
static int default_subject(const struct render_ctx *c, struct buf *out) {
        const struct ssm_event *ev = c->ev;
        enum render_kind kind = render_kind_of(ev);
        bool named = ev->target_name && name_fits_ascii(ev->target_name);
        long long seconds;
        int r = buf_puts(out, "[SSM] ");

        if (r >= 0 && c->verdict != VERDICT_SUCCESS)
                r = buf_printf(out, "%s ", render_verdict_word(c->verdict));
        if (r >= 0)
                r = expand(c, "{event_name} {actor}", out);
        if (r >= 0 && (ev->target || named))
                r = subject_target(c, named, out);
        else if (r >= 0 && ev->session_id)
                r = expand(c, " session {session_id}", out);
        /* the tracker's notices say how long, not whether a call succeeded */
        if (r >= 0 && (kind == K_ENDED || kind == K_STILL_OPEN)) {
                if (render_session_duration(ev, &seconds)) {
                        r = buf_puts(out, kind == K_ENDED ? " after " : " for ");
                        if (r >= 0)
                                r = render_duration(seconds, RENDER_EN, out);
                }
                return r;
        }
        if (r >= 0 && c->verdict == VERDICT_SUCCESS)
                r = buf_puts(out, " (success)");
        if (r >= 0 && c->verdict != VERDICT_SUCCESS && ev->error_code) {
                r = buf_puts(out, " (");
                if (r >= 0)
                        r = textsafe_ascii(out, ev->error_code, SUBJECT_VALUE_MAX);
                if (r >= 0)
                        r = buf_putc(out, ')');
        }
        return r;
}

int render_subject(const struct render_ctx *c, struct buf *out) {
        const char *tmpl = c->o->subject_template;
        struct buf raw;
        size_t start = out->len;
        int r;

        if (tmpl && *tmpl && template_validate(tmpl, SUBJECT_PLACEHOLDERS, NULL, 0) < 0)
                return -EINVAL;
        buf_init(&raw, RENDER_MESSAGE_MAX);
        r = tmpl && *tmpl ? expand(c, tmpl, &raw) : default_subject(c, &raw);
        /* the template's own text may hold anything the config file held */
        if (r >= 0)
                r = textsafe_ascii(out, buf_str(&raw), RENDER_SUBJECT_MAX);
        /* SNS refuses an empty Subject: a template that expands to nothing
         * gives way to the default */
        if (r >= 0 && out->len == start && tmpl && *tmpl) {
                buf_truncate(&raw, 0);
                r = default_subject(c, &raw);
                if (r >= 0)
                        r = textsafe_ascii(out, buf_str(&raw), RENDER_SUBJECT_MAX);
        }
        buf_free(&raw);
        return r;
}
