/* fuzz_event_render: SQS message bodies → event_parse → every rendering.
 *
 * Besides crashes, leaks and undefined behaviour, it checks the contracts of
 * event.h and render.h with its own oracle (not the project's helpers): event
 * strings are non-empty valid UTF-8; a parsed event always renders; the
 * Subject is printable ASCII under 100 characters; the Message is valid UTF-8
 * under RENDER_MESSAGE_MAX, one JSON text in the JSON-based formats, and free
 * of control characters but line breaks in text. The fallback notification
 * of the raw bytes is held to the same rules. Each event is rendered again
 * with the look-up facts set from its own values. */
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "render.h"
#include "template.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


/* A fixed zone (UTC+9, as the default Asia/Tokyo) applied with gmtime_r, so
 * the target reads no tz database. */
#define FUZZ_GMTOFF (9 * 3600)

static const struct render_account ACCOUNTS[] = {
        { "294599468799", "stratus 本番" },
        { "111122223333", "sso-sandbox" },
};

static bool valid_utf8(const char *s, size_t n) {
        const unsigned char *p = (const unsigned char *)s;
        size_t i = 0;

        while (i < n) {
                unsigned c = p[i];
                size_t k;
                unsigned cp;

                if (c < 0x80) {
                        i++;
                        continue;
                }
                if (c >= 0xc2 && c <= 0xdf) {
                        k = 1;
                        cp = c & 0x1f;
                } else if (c >= 0xe0 && c <= 0xef) {
                        k = 2;
                        cp = c & 0x0f;
                } else if (c >= 0xf0 && c <= 0xf4) {
                        k = 3;
                        cp = c & 0x07;
                } else {
                        return false;
                }
                if (n - i <= k)
                        return false;
                for (size_t j = 1; j <= k; j++) {
                        if ((p[i + j] & 0xc0) != 0x80)
                                return false;
                        cp = cp << 6 | (p[i + j] & 0x3f);
                }
                /* overlong forms, surrogates, beyond U+10FFFF */
                if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
                    (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                i += k + 1;
        }
        return true;
}

static void check_event(const struct ssm_event *ev) {
        const char *strings[] = {
                ev->event_id, ev->event_name, ev->event_source, ev->event_time, ev->region,
                ev->account_id, ev->actor_type, ev->actor, ev->actor_arn, ev->role,
                ev->session_owner, ev->source_ip, ev->user_agent, ev->target, ev->session_id,
                ev->document_name, ev->reason, ev->port_number, ev->local_port_number,
                ev->remote_host, ev->error_code, ev->error_message, ev->command, ev->permission_set,
        };
        for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
                CHECK(!strings[i] || (*strings[i] && valid_utf8(strings[i], strlen(strings[i]))));
        CHECK(ev->n_parameters <= EVENT_PARAMS_MAX);
        CHECK(!ev->parameters_hidden || ev->n_parameters == 0);
        for (size_t i = 0; i < ev->n_parameters; i++) {
                const struct event_param *p = &ev->parameters[i];
                CHECK(*p->name && valid_utf8(p->name, strlen(p->name)));
                CHECK(p->n_values <= EVENT_PARAM_VALUES_MAX);
                for (size_t j = 0; j < p->n_values; j++)
                        CHECK(*p->values[j] && valid_utf8(p->values[j], strlen(p->values[j])));
        }
        CHECK(ev->event_name);
        CHECK(ev->failure == (ev->error_code || ev->error_message));
}

static void check_json(const char *s) {
        json_object *o = json_tokener_parse(s);
        CHECK(o);
        json_object_put(o);
}

static void check_rendered(const struct rendered *r, enum render_format f) {
        size_t n = strlen(r->subject);

        CHECK(n > 0 && n <= RENDER_SUBJECT_MAX);
        for (size_t i = 0; i < n; i++)
                CHECK(r->subject[i] >= 0x20 && r->subject[i] < 0x7f);
        n = strlen(r->message);
        CHECK(n > 0 && n <= RENDER_MESSAGE_MAX);
        CHECK(valid_utf8(r->message, n));
        CHECK(r->message_structure_json == (f == RENDER_MULTI));
        if (f == RENDER_TEXT) {
                for (size_t i = 0; i < n; i++)
                        CHECK(r->message[i] == '\n' || ((unsigned char)r->message[i] >= 0x20 && r->message[i] != 0x7f));
        } else {
                check_json(r->message);
        }
}

/* "{event_name} {event_source} …": every placeholder the subject may use. */
static const char *all_placeholders(void) {
        static char tmpl[512];

        if (!tmpl[0])
                for (const char *const *p = SUBJECT_PLACEHOLDERS; *p; p++) {
                        size_t n = strlen(tmpl);
                        snprintf(tmpl + n, sizeof(tmpl) - n, "%s{%s}", n ? " " : "", *p);
                }
        return tmpl;
}

static void fixed_local_time(const struct ssm_event *ev, struct render_local_time *ret) {
        struct render_local_time lt = { 0 };
        time_t t = ev->event_epoch;

        if (ev->has_time && t < INT64_MAX - FUZZ_GMTOFF) {
                t += FUZZ_GMTOFF;
                lt.valid = gmtime_r(&t, &lt.tm) != NULL;
                lt.gmtoff = FUZZ_GMTOFF;
                memcpy(lt.abbr, "JST", 4);
        }
        *ret = lt;
}

static void render_all(const struct ssm_event *ev) {
        static const enum render_format formats[] = { RENDER_TEXT, RENDER_JSON, RENDER_CHATBOT, RENDER_MULTI };
        static const enum render_language languages[] = { RENDER_JA, RENDER_EN };
        struct render_local_time lt;

        fixed_local_time(ev, &lt);
        for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++)
                for (size_t l = 0; l < sizeof(languages) / sizeof(languages[0]); l++) {
                        struct render_options o = {
                                .format = formats[f],
                                .language = languages[l],
                                /* the default subject in Japanese, every placeholder in English */
                                .subject_template = languages[l] == RENDER_EN ? all_placeholders() : NULL,
                                .accounts = ACCOUNTS,
                                .n_accounts = sizeof(ACCOUNTS) / sizeof(ACCOUNTS[0]),
                                .timezone = "Asia/Tokyo",
                        };
                        struct rendered r = { 0 };
                        char *obj = NULL;

                        /* with and without a local time (no zone, or one that failed) */
                        CHECK(render_event(ev, l == 0 ? &lt : NULL, &o, &r) == 0);
                        check_rendered(&r, formats[f]);
                        rendered_free(&r);

                        /* the object's fields do not depend on the language */
                        if (l == 0) {
                                CHECK(render_json_object(ev, &lt, &o, f % 2, &obj) == 0);
                                check_json(obj);
                                free(obj);
                        }
                }
}

static void render_fallbacks(const char *body, size_t len) {
        static const enum render_format formats[] = { RENDER_TEXT, RENDER_JSON, RENDER_CHATBOT, RENDER_MULTI };

        for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
                struct render_options o = { .format = formats[f], .language = f % 2 ? RENDER_EN : RENDER_JA };
                struct rendered r = { 0 };

                CHECK(render_fallback(f == 3 ? NULL : "0f9c7a0e-5a1b-4a8e-9a55-2f6f3c1a0b11", body, len, &o, &r) == 0);
                check_rendered(&r, formats[f]);
                rendered_free(&r);
        }
}

static char *dup_or_null(const char *s) {
        char *p = s ? strdup(s) : NULL;
        CHECK(!s || p);
        return p;
}

/* What the daemon's look-ups would add, made of the record's own untrusted
 * values, so the renderers meet hostile names, tags, statuses and URLs too,
 * and the session tracker's two kinds. */
static void add_lookups(struct ssm_event *ev, const uint8_t *data, size_t size) {
        ev->target_name = dup_or_null(ev->user_agent);
        ev->session_status = dup_or_null(ev->reason);
        ev->transcript_url = dup_or_null(ev->error_message);
        if (ev->actor_arn && ev->region) {
                ev->target_tags = calloc(1, sizeof(*ev->target_tags));
                CHECK(ev->target_tags);
                ev->target_tags[0] = (struct event_tag){ dup_or_null(ev->actor_arn), dup_or_null(ev->region) };
                ev->n_target_tags = 1;
        }
        ev->has_session_start = size > 0;
        ev->session_start = ev->event_epoch - (time_t)(size ? data[0] : 0) * 977;
        ev->has_session_end = size > 1 && data[1] & 1;
        ev->session_end = ev->event_epoch - (time_t)(size > 1 ? data[1] : 0);
        ev->session_resumes = size > 2 ? data[2] : 0;
        if (size > 3 && data[3] & 1) {
                free(ev->event_source);
                ev->event_source = dup_or_null("ssm-notifyd");
                free(ev->event_name);
                ev->event_name = dup_or_null(data[3] & 2 ? "SessionEnded" : "SessionStillOpen");
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* libFuzzer hands over a heap copy of exactly size bytes, not
         * NUL-terminated, so reading past the end is caught */
        const char *body = (const char *)data;
        struct ssm_event *ev = NULL;

        if (event_parse(body, size, &ev) == 0) {
                check_event(ev);
                render_all(ev);
                add_lookups(ev, data, size);
                render_all(ev);
                event_free(ev);
        }
        render_fallbacks(body, size);
        return 0;
}
