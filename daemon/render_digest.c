/* The digest of a burst: one notification for the events an actor caused
 * after burst_limit within burst_window. Each member is one line (or one
 * object) of facts a reader checks first: when, what, on which target, did it
 * work, from where. The list is cut to fit SNS's size limit: render with all
 * members, and on -E2BIG with half as many, until it fits; the count and the
 * "and N more" line still cover every member. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "macro.h"
#include "render_internal.h"

/* A member's values are cut shorter than an event's fields: the digest is a
 * list, and a longer cut only means fewer members fit. */
#define DIGEST_FIELD_CAP 256
/* More members than this are never listed one by one: no reader goes
 * through more, and a smaller first try spares the halving. */
#define DIGEST_LISTED_MAX 1000

struct digest_ctx {
        const struct render_digest *d;
        const struct render_options *o;
        size_t listed; /* members shown; the rest are counted */
};

static const char *const DIGEST_TITLE[] = {
        [RENDER_JA] = "操作の集中 (まとめ通知)",
        [RENDER_EN] = "Burst of session events (digest)",
};

/* Literal formats per language, so the compiler checks their arguments. */
static int put_headline(enum render_language l, const char *actor, unsigned window, size_t n, struct buf *out) {
        if (l == RENDER_JA)
                return buf_printf(out, "%s による操作が %u 秒間の上限を超えました。残りの %zu 件をまとめて通知します。",
                                  actor, window, n);
        return buf_printf(out, "%s went past the burst limit within %u seconds; the other %zu events follow in "
                          "this one digest.", actor, window, n);
}

static int put_more(enum render_language l, size_t n, struct buf *out) {
        return l == RENDER_JA ? buf_printf(out, "ほか %zu 件\n", n) : buf_printf(out, "and %zu more\n", n);
}

static void member_time(const struct render_digest_member *m, char out[RENDER_TIME_LEN]) {
        if (m->lt.valid && m->ev->has_time)
                render_time_iso_local(&m->lt, out);
        else if (m->ev->has_time)
                render_time_iso_utc(m->ev->event_epoch, out);
        else
                snprintf(out, RENDER_TIME_LEN, "-");
}

static const char *outcome_of(const struct ssm_event *ev) {
        return ev->failure ? "failure" : "success";
}

static const char *or_dash(const char *s) {
        return s && *s ? s : "-";
}

/* "TIME  EVENT  TARGET  OUTCOME  SOURCE_IP", untrusted values escaped for mode
 * (in MARKDOWN mode each in a code span). */
static int member_line(const struct render_digest_member *m, enum textsafe_mode mode, struct buf *out) {
        const struct ssm_event *ev = m->ev;
        const char *values[] = { ev->event_name, ev->target, outcome_of(ev), ev->source_ip };
        const char *quote = mode == TEXTSAFE_MARKDOWN ? "`" : "";
        char t[RENDER_TIME_LEN];
        int r;

        member_time(m, t);
        r = buf_printf(out, "%s%s", mode == TEXTSAFE_MARKDOWN ? "• " : "", t);
        for (size_t i = 0; i < ELEMENTSOF(values) && r >= 0; i++) {
                r = buf_printf(out, "  %s", quote);
                if (r >= 0)
                        r = textsafe_escape(out, or_dash(values[i]), DIGEST_FIELD_CAP, mode);
                if (r >= 0)
                        r = buf_puts(out, quote);
        }
        return r < 0 ? r : buf_putc(out, '\n');
}

static int headline(const struct digest_ctx *c, enum textsafe_mode mode, struct buf *out) {
        struct buf actor;
        int r;

        buf_init(&actor, RENDER_MESSAGE_MAX);
        r = textsafe_escape(&actor, or_dash(c->d->actor), DIGEST_FIELD_CAP, mode);
        if (r >= 0)
                r = put_headline(c->o->language, buf_str(&actor), c->d->window_seconds, c->d->n, out);
        buf_free(&actor);
        return r;
}

/* The member lines and the "and N more" line. */
static int member_list(const struct digest_ctx *c, enum textsafe_mode mode, struct buf *out) {
        int r = 0;

        for (size_t i = 0; i < c->listed && r >= 0; i++)
                r = member_line(&c->d->members[i], mode, out);
        if (r >= 0 && c->listed < c->d->n)
                r = put_more(c->o->language, c->d->n - c->listed, out);
        return r;
}

static int digest_text(const struct digest_ctx *c, struct buf *out) {
        int r = headline(c, TEXTSAFE_TEXT, out);
        if (r >= 0)
                r = buf_puts(out, "\n\n");
        return r < 0 ? r : member_list(c, TEXTSAFE_TEXT, out);
}

static int member_json(const struct render_digest_member *m, json_object **ret) {
        const struct ssm_event *ev = m->ev;
        json_object *o = json_object_new_object();
        char t[RENDER_TIME_LEN];
        int r = o ? 0 : -ENOMEM;

        member_time(m, t);
        if (r >= 0)
                r = render_json_add_text(o, "local_time", ev->has_time ? t : NULL, DIGEST_FIELD_CAP);
        if (r >= 0)
                r = render_json_add_text(o, "event_name", ev->event_name, DIGEST_FIELD_CAP);
        if (r >= 0)
                r = render_json_add_text(o, "target", ev->target, DIGEST_FIELD_CAP);
        if (r >= 0)
                r = render_json_add_text(o, "outcome", outcome_of(ev), DIGEST_FIELD_CAP);
        if (r >= 0)
                r = render_json_add_text(o, "source_ip", ev->source_ip, DIGEST_FIELD_CAP);
        if (r >= 0)
                r = render_json_add_text(o, "event_id", ev->event_id, DIGEST_FIELD_CAP);
        if (r < 0) {
                json_object_put(o);
                return r;
        }
        *ret = o;
        return 0;
}

static int digest_json(const struct digest_ctx *c, struct buf *out) {
        json_object *o = json_object_new_object(), *events = json_object_new_array(), *m;
        int r = o && events ? 0 : -ENOMEM;

        if (r >= 0)
                r = render_json_add(o, "kind", json_object_new_string("digest"));
        if (r >= 0)
                r = render_json_add_text(o, "actor", c->d->actor, DIGEST_FIELD_CAP);
        if (r >= 0)
                r = render_json_add_text(o, "rule", c->o->rule, DIGEST_FIELD_CAP);
        if (r >= 0)
                r = render_json_add(o, "window_seconds", json_object_new_int64(c->d->window_seconds));
        if (r >= 0)
                r = render_json_add(o, "count", json_object_new_int64((int64_t)c->d->n));
        for (size_t i = 0; i < c->listed && r >= 0; i++) {
                r = member_json(&c->d->members[i], &m);
                if (r >= 0 && json_object_array_add(events, m) < 0) {
                        json_object_put(m);
                        r = -ENOMEM;
                }
        }
        if (r >= 0) {
                r = render_json_add(o, "events", events);
                events = NULL;
        }
        if (r >= 0)
                r = render_json_add(o, "omitted", json_object_new_int64((int64_t)(c->d->n - c->listed)));
        if (r >= 0)
                r = render_put_json(o, false, out);
        json_object_put(events);
        json_object_put(o);
        return r;
}

static int digest_chatbot(const struct digest_ctx *c, const char *subject, struct buf *out) {
        struct buf title, desc;
        int r = 0;

        buf_init(&title, RENDER_MESSAGE_MAX);
        buf_init(&desc, RENDER_MESSAGE_MAX);
        if (r >= 0) /* U+1F4E6 package: several events in one */
                r = buf_printf(&title, "\xf0\x9f\x93\xa6 %s", DIGEST_TITLE[c->o->language]);
        if (r >= 0)
                r = headline(c, TEXTSAFE_MARKDOWN, &desc);
        if (r >= 0)
                r = buf_puts(&desc, "\n");
        if (r >= 0)
                r = member_list(c, TEXTSAFE_MARKDOWN, &desc);
        if (r >= 0)
                r = render_chatbot_plain(&title, &desc, subject, "Digest", out);
        buf_free(&title);
        buf_free(&desc);
        return r;
}

static int digest_form(const void *source, enum render_format f, const char *subject, struct buf *out) {
        const struct digest_ctx *c = source;

        switch (f) {
        case RENDER_TEXT:
                return digest_text(c, out);
        case RENDER_CHATBOT:
                return digest_chatbot(c, subject, out);
        case RENDER_JSON:
        case RENDER_MULTI:
                break;
        }
        return digest_json(c, out);
}

static int digest_subject(const struct render_digest *d, struct buf *out) {
        struct buf raw;
        int r;

        buf_init(&raw, RENDER_MESSAGE_MAX);
        r = buf_printf(&raw, "[SSM] Digest: %zu more events by ", d->n);
        if (r >= 0)
                r = textsafe_utf8(&raw, or_dash(d->actor), DIGEST_FIELD_CAP);
        if (r >= 0)
                r = textsafe_ascii(out, buf_str(&raw), RENDER_SUBJECT_MAX);
        buf_free(&raw);
        return r;
}

int render_digest(const struct render_digest *d, const struct render_options *o, struct rendered *ret) {
        struct digest_ctx c = { .d = d, .o = o, .listed = d->n < DIGEST_LISTED_MAX ? d->n : DIGEST_LISTED_MAX };
        struct rendered r0 = {};
        struct buf subject;
        int r;

        if (d->n == 0)
                return -EINVAL;
        buf_init(&subject, RENDER_MESSAGE_MAX);
        r = digest_subject(d, &subject);
        if (r >= 0 && !(r0.subject = buf_steal(&subject)))
                r = -ENOMEM;
        for (r = r < 0 ? r : -E2BIG; r == -E2BIG; c.listed /= 2) {
                r = render_message(digest_form, &c, o->format, r0.subject, &r0);
                if (r != -E2BIG || c.listed == 0)
                        break;
        }
        buf_free(&subject);
        if (r < 0) {
                rendered_free(&r0);
                return r;
        }
        *ret = r0;
        return 0;
}
