/* Dispatch over the formats, the multi (per-protocol) form and the SNS size
 * bound. */
#include "render.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "macro.h"
#include "render_internal.h"

/* Each untrusted value is cut at 1 KiB. If even then the message would pass
 * RENDER_MESSAGE_MAX (a hostile record with every field long and full of
 * escapes, multiplied by the five copies of the multi form), it is rendered
 * again with shorter values; at 64 bytes no record can reach the bound. */
static const size_t FIELD_CAPS[] = { RENDER_FIELD_CAP, 256, 64 };

const char *render_verdict_word(enum render_verdict v) {
        static const char *const words[] = { "success", "DENIED", "FAILED" };
        return words[v];
}

char *render_put2(char *p, int v) {
        p[0] = (char)('0' + v / 10);
        p[1] = (char)('0' + v % 10);
        return p + 2;
}

/* "YYYY-MM-DD?hh:mm:ss" (? = sep) at out, with no printf: three times are
 * written per notification. NULL (nothing written) for a year beyond four
 * digits, which the callers leave to snprintf; the other fields are in
 * range, as gmtime_r and localtime_r give them. */
static char *put_date_time(const struct tm *tm, char sep, char *out) {
        int year = tm->tm_year + 1900;
        if (year < 0 || year > 9999)
                return NULL;
        char *p = render_put2(render_put2(out, year / 100), year % 100);
        *p++ = '-';
        p = render_put2(p, tm->tm_mon + 1);
        *p++ = '-';
        p = render_put2(p, tm->tm_mday);
        *p++ = sep;
        p = render_put2(p, tm->tm_hour);
        *p++ = ':';
        p = render_put2(p, tm->tm_min);
        *p++ = ':';
        return render_put2(p, tm->tm_sec);
}

static void time_local(const struct tm *tm, const char *zone_abbr, size_t abbr_size, char *out) {
        char abbr[16];
        size_t n = 0;

        /* the abbreviation comes from the tz database: keep it to [A-Za-z0-9+-] */
        for (size_t i = 0; i < abbr_size && zone_abbr[i] && n < sizeof(abbr) - 1; i++)
                if (strchr("+-", zone_abbr[i]) || (zone_abbr[i] >= '0' && zone_abbr[i] <= '9') ||
                    ((zone_abbr[i] | 0x20) >= 'a' && (zone_abbr[i] | 0x20) <= 'z'))
                        abbr[n++] = zone_abbr[i];
        abbr[n] = '\0';
        char *p = put_date_time(tm, ' ', out);
        if (!p) {
                snprintf(out, RENDER_TIME_LEN, "%04d-%02d-%02d %02d:%02d:%02d%s%s", tm->tm_year + 1900,
                         tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec, n ? " " : "", abbr);
                return;
        }
        if (n) {
                *p++ = ' ';
                memcpy(p, abbr, n);
                p += n;
        }
        *p = '\0';
}

void render_time_local(const struct render_local_time *lt, char *out) {
        time_local(&lt->tm, lt->abbr, sizeof(lt->abbr), out);
}

void render_instant_local(const struct render_instant *in, char *out) {
        time_local(&in->tm, in->abbr, sizeof(in->abbr), out);
}

void render_time_iso_local(const struct render_local_time *lt, char *out) {
        long off = lt->gmtoff, a = off < 0 ? -off : off;

        /* ISO 8601 offsets have no seconds: the rare LMT offset is rounded down */
        snprintf(out, RENDER_TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", lt->tm.tm_year + 1900,
                 lt->tm.tm_mon + 1, lt->tm.tm_mday, lt->tm.tm_hour, lt->tm.tm_min, lt->tm.tm_sec,
                 off < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
}

void render_time_iso_utc(time_t t, char *out) {
        struct tm tm;

        /* gmtime_r reads no time zone state: still pure */
        if (!gmtime_r(&t, &tm)) {
                snprintf(out, RENDER_TIME_LEN, "%lld", (long long)t);
                return;
        }
        char *p = put_date_time(&tm, 'T', out);
        if (!p) {
                snprintf(out, RENDER_TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
                return;
        }
        memcpy(p, "Z", 2);
}

static bool contains_nocase(const char *s, const char *word) {
        size_t n = strlen(word);
        for (; s && *s; s++)
                if (strncasecmp(s, word, n) == 0)
                        return true;
        return false;
}

/* "DENIED" only when the error says access was refused (AccessDenied,
 * Client.UnauthorizedOperation, VpceAccessDenied, "not authorized");
 * TargetNotConnected or a failed login is a failure of another kind. */
static enum render_verdict verdict_of(const struct ssm_event *ev) {
        const char *why = ev->error_code ? ev->error_code : ev->error_message;

        if (!ev->failure)
                return VERDICT_SUCCESS;
        if (contains_nocase(why, "denied") || contains_nocase(why, "unauthorized") ||
            contains_nocase(why, "not authorized") || contains_nocase(why, "forbidden"))
                return VERDICT_DENIED;
        return VERDICT_FAILED;
}

const char *render_account_name(const struct render_options *o, const char *account_id) {
        for (size_t i = 0; account_id && i < o->n_accounts; i++)
                if (o->accounts[i].id && o->accounts[i].name && strcmp(o->accounts[i].id, account_id) == 0)
                        return o->accounts[i].name;
        return NULL;
}

int render_json_add(json_object *obj, const char *key, json_object *v) {
        if (!v || json_object_object_add(obj, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

json_object *render_json_string(const char *s, size_t cap) {
        struct buf b;
        json_object *v = NULL;

        buf_init(&b, RENDER_MESSAGE_MAX);
        if (textsafe_utf8(&b, s, cap) >= 0)
                v = json_object_new_string_len(buf_str(&b), (int)b.len);
        buf_free(&b);
        return v;
}

int render_json_add_text(json_object *obj, const char *key, const char *s, size_t cap) {
        if (!s)
                return json_object_object_add(obj, key, NULL) < 0 ? -ENOMEM : 0;
        return render_json_add(obj, key, render_json_string(s, cap));
}

static int event_form(const void *source, enum render_format f, const char *subject, struct buf *out) {
        const struct render_ctx *c = source;
        json_object *o = NULL;
        int r;

        switch (f) {
        case RENDER_TEXT:
                return render_text(c, out);
        case RENDER_CHATBOT:
                return render_chatbot(c, subject, out);
        case RENDER_JSON:
        case RENDER_MULTI:
                break;
        }
        r = render_fields_json(c, &o);
        if (r >= 0)
                r = render_put_json(o, false, out);
        json_object_put(o);
        return r;
}

static int add_form(json_object *multi, const char *key, const struct buf *form) {
        return render_json_add(multi, key, json_object_new_string_len(buf_str(form), (int)form->len));
}

/* SNS MessageStructure=json: "default" is required; the others are the
 * protocols a subscription can have. Chat (Amazon Q Developer subscribes
 * over https) gets the chatbot form, people the text, programs the json. */
static int multi_form(render_form_fn fn, const void *source, const char *subject, struct buf *out) {
        struct buf text, json, chatbot, sms;
        json_object *multi = json_object_new_object();
        int r = multi ? 0 : -ENOMEM;

        buf_init(&text, RENDER_MESSAGE_MAX);
        buf_init(&json, RENDER_MESSAGE_MAX);
        buf_init(&chatbot, RENDER_MESSAGE_MAX);
        buf_init(&sms, RENDER_MESSAGE_MAX);
        if (r >= 0)
                r = fn(source, RENDER_TEXT, subject, &text);
        if (r >= 0)
                r = fn(source, RENDER_JSON, subject, &json);
        if (r >= 0)
                r = fn(source, RENDER_CHATBOT, subject, &chatbot);
        if (r >= 0)
                r = buf_puts(&sms, subject);
        const struct {
                const char *key;
                const struct buf *form;
        } forms[] = {
                { "default", &chatbot }, { "https", &chatbot }, { "email", &text }, { "email-json", &json },
                { "sqs", &json },        { "lambda", &json },   { "sms", &sms },
        };
        for (size_t i = 0; i < ELEMENTSOF(forms) && r >= 0; i++)
                r = add_form(multi, forms[i].key, forms[i].form);
        if (r >= 0)
                r = render_put_json(multi, false, out);
        json_object_put(multi);
        buf_free(&text);
        buf_free(&json);
        buf_free(&chatbot);
        buf_free(&sms);
        return r;
}

/* A text notification of one event is about 1 KiB (970-1,200 bytes for the
 * session records in tests/data/events): room for it from the start, not a
 * doubling from 64 bytes with a copy at each step. */
#define RENDER_MESSAGE_RESERVE 2048

int render_message(render_form_fn fn, const void *source, enum render_format f, const char *subject,
                   struct rendered *ret) {
        struct buf message;
        int r;

        buf_init(&message, RENDER_MESSAGE_MAX);
        r = buf_reserve(&message, RENDER_MESSAGE_RESERVE);
        if (r < 0)
                goto out;
        r = f == RENDER_MULTI ? multi_form(fn, source, subject, &message) : fn(source, f, subject, &message);
        if (r < 0)
                goto out;
        ret->message = buf_steal(&message);
        ret->message_structure_json = f == RENDER_MULTI;
        r = ret->message ? 0 : -ENOMEM;
out:
        buf_free(&message);
        return r;
}

static struct render_ctx make_ctx(const struct ssm_event *ev, const struct render_local_time *lt,
                                  const struct render_options *o, size_t cap) {
        return (struct render_ctx){
                .ev = ev,
                .lt = lt && lt->valid && ev->has_time ? lt : NULL,
                .o = o,
                .account_name = render_account_name(o, ev->account_id),
                .verdict = verdict_of(ev),
                .cap = cap,
        };
}

static int render_with_cap(const struct render_ctx *c, struct rendered *ret) {
        struct rendered r0 = {};
        struct buf subject;
        int r;

        buf_init(&subject, RENDER_MESSAGE_MAX);
        r = render_subject(c, &subject);
        if (r >= 0 && !(r0.subject = buf_steal(&subject)))
                r = -ENOMEM;
        if (r >= 0)
                r = render_message(event_form, c, c->o->format, r0.subject, &r0);
        if (r < 0)
                goto out;
        *ret = r0;
        r0 = (struct rendered){};
        r = 0;
out:
        buf_free(&subject);
        rendered_free(&r0);
        return r;
}

int render_event(const struct ssm_event *ev, const struct render_local_time *lt,
                 const struct render_options *o, struct rendered *ret) {
        int r = -E2BIG;

        for (size_t i = 0; i < ELEMENTSOF(FIELD_CAPS) && r == -E2BIG; i++) {
                struct render_ctx c = make_ctx(ev, lt, o, FIELD_CAPS[i]);
                r = render_with_cap(&c, ret);
        }
        return r;
}

static int add_string(json_object *obj, const char *key, const char *s) {
        json_object *v = json_object_new_string(s);
        if (!v || json_object_object_add(obj, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int render_json_object(const struct ssm_event *ev, const struct render_local_time *lt,
                       const struct render_options *o, bool pretty, char **ret) {
        struct rendered rd = {};
        json_object *obj = NULL, *fields = NULL;
        struct buf out;
        int r = -E2BIG;
        size_t i;

        for (i = 0; i < ELEMENTSOF(FIELD_CAPS) && r == -E2BIG; i++) {
                struct render_ctx c = make_ctx(ev, lt, o, FIELD_CAPS[i]);
                r = render_with_cap(&c, &rd);
                if (r >= 0)
                        r = render_fields_json(&c, &fields);
        }
        /* Not published, so not held to the SNS bound: one message and
         * capped fields, JSON-escaped (at most 6 bytes per byte, "\u00XX"). */
        buf_init(&out, RENDER_JSON_MAX);
        if (r >= 0 && !(obj = json_object_new_object()))
                r = -ENOMEM;
        if (r >= 0)
                r = add_string(obj, "subject", rd.subject);
        if (r >= 0)
                r = add_string(obj, "message", rd.message);
        if (r >= 0) {
                json_object_object_foreach(fields, key, value) {
                        if (json_object_object_add(obj, key, json_object_get(value)) < 0) {
                                r = -ENOMEM;
                                break;
                        }
                }
        }
        if (r >= 0)
                r = render_put_json(obj, pretty, &out);
        if (r >= 0 && !(*ret = buf_steal(&out)))
                r = -ENOMEM;
        buf_free(&out);
        json_object_put(obj);
        json_object_put(fields);
        rendered_free(&rd);
        return r;
}

void rendered_free(struct rendered *r) {
        if (!r)
                return;
        free(r->subject);
        free(r->message);
        r->subject = r->message = NULL;
}
