/* The fallback notification (DESIGN.md, "Message policy"): a body that is
 * not an event is shown to a person as it arrived, escaped and cut. */
#include <errno.h>
#include <stdint.h>

#include "macro.h"
#include "render_internal.h"

/* DESIGN.md: "MessageId, first 2 KiB of the body, escaped". */
#define FALLBACK_EXCERPT 2048

struct fallback {
        const struct render_options *o;
        const char *message_id;
        const char *body; /* may hold NUL bytes */
        size_t len;
};

struct fallback_words {
        const char *headline, *title, *id_label, *size_label, *body_label, *bytes;
};

static const struct fallback_words FALLBACK_TEXT[] = {
        [RENDER_JA] = {
                "SSM のイベントとして読めないメッセージを受信しました。",
                "SSM のイベントとして読めないメッセージ",
                "SQS メッセージ ID", "サイズ", "本文 (先頭 2 KiB)", "バイト",
        },
        [RENDER_EN] = {
                "ssm-notifyd received a message it cannot read as an SSM event.",
                "Unreadable message on the SSM event queue",
                "SQS message ID", "Size", "Body (first 2 KiB)", "bytes",
        },
};

static int fallback_text(const struct fallback *fb, struct buf *out) {
        const struct fallback_words *t = &FALLBACK_TEXT[fb->o->language];
        struct buf id, size, body;
        int r;

        buf_init(&id, RENDER_MESSAGE_MAX);
        buf_init(&size, RENDER_MESSAGE_MAX);
        buf_init(&body, RENDER_MESSAGE_MAX);
        r = textsafe_escape(&id, fb->message_id ? fb->message_id : "-", RENDER_FIELD_CAP, TEXTSAFE_TEXT);
        if (r >= 0)
                r = buf_printf(&size, "%zu %s", fb->len, t->bytes);
        if (r >= 0)
                r = textsafe_escape_len(&body, fb->body, fb->len, FALLBACK_EXCERPT, TEXTSAFE_TEXT);
        if (r >= 0)
                r = buf_printf(out, "%s\n\n", t->headline);
        if (r >= 0) {
                const char *labels[] = { t->id_label, t->size_label, t->body_label };
                const char *values[] = { buf_str(&id), buf_str(&size), buf_str(&body) };
                r = render_aligned(labels, NULL, values, 3, out);
        }
        buf_free(&id);
        buf_free(&size);
        buf_free(&body);
        return r;
}

static int fallback_json(const struct fallback *fb, struct buf *out) {
        json_object *o = json_object_new_object();
        struct buf body;
        int r = o ? 0 : -ENOMEM;

        buf_init(&body, RENDER_MESSAGE_MAX);
        if (r >= 0)
                r = textsafe_utf8_len(&body, fb->body, fb->len, FALLBACK_EXCERPT);
        if (r >= 0) {
                json_object *fields[] = {
                        json_object_new_string("unrecognized"),
                        fb->message_id ? json_object_new_string(fb->message_id) : NULL,
                        json_object_new_int64((int64_t)fb->len),
                        json_object_new_string_len(buf_str(&body), (int)body.len),
                        json_object_new_boolean(fb->len > FALLBACK_EXCERPT),
                };
                const char *keys[] = { "kind", "sqs_message_id", "body_size", "body_excerpt", "body_truncated" };
                for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                        if (r < 0 || json_object_object_add(o, keys[i], fields[i]) < 0) {
                                json_object_put(fields[i]);
                                r = -ENOMEM;
                        }
        }
        if (r >= 0)
                r = render_put_json(o, false, out);
        json_object_put(o);
        buf_free(&body);
        return r;
}

static int fallback_chatbot(const struct fallback *fb, const char *subject, struct buf *out) {
        const struct fallback_words *t = &FALLBACK_TEXT[fb->o->language];
        struct buf title, desc;
        int r;

        buf_init(&title, RENDER_MESSAGE_MAX);
        buf_init(&desc, RENDER_MESSAGE_MAX);
        r = buf_printf(&title, "\xe2\x9a\xa0\xef\xb8\x8f %s", t->title); /* U+26A0 warning sign */
        if (r >= 0)
                r = buf_printf(&desc, "*%s*: `", t->id_label);
        if (r >= 0)
                r = textsafe_escape(&desc, fb->message_id ? fb->message_id : "-", RENDER_FIELD_CAP, TEXTSAFE_MARKDOWN);
        if (r >= 0)
                r = buf_printf(&desc, "`\n*%s*: %zu %s\n*%s*:\n```\n", t->size_label, fb->len, t->bytes,
                               t->body_label);
        /* in MARKDOWN mode no backtick survives, so the block cannot be closed early */
        if (r >= 0)
                r = textsafe_escape_len(&desc, fb->body, fb->len, FALLBACK_EXCERPT, TEXTSAFE_MARKDOWN);
        if (r >= 0)
                r = buf_puts(&desc, "\n```");

        if (r >= 0)
                r = render_chatbot_plain(&title, &desc, subject, "Unrecognized", out);
        buf_free(&title);
        buf_free(&desc);
        return r;
}

static int fallback_form(const void *source, enum render_format f, const char *subject, struct buf *out) {
        const struct fallback *fb = source;

        switch (f) {
        case RENDER_TEXT:
                return fallback_text(fb, out);
        case RENDER_CHATBOT:
                return fallback_chatbot(fb, subject, out);
        case RENDER_JSON:
        case RENDER_MULTI:
                break;
        }
        return fallback_json(fb, out);
}

int render_fallback(const char *sqs_message_id, const char *body, size_t len, const struct render_options *o,
                    struct rendered *ret) {
        struct fallback fb = {
                .o = o,
                .message_id = sqs_message_id,
                .body = body ? body : "",
                .len = body ? len : 0,
        };
        struct rendered r0 = {};
        struct buf subject, raw;
        int r;

        buf_init(&subject, RENDER_MESSAGE_MAX);
        buf_init(&raw, RENDER_MESSAGE_MAX);
        r = buf_printf(&raw, "[SSM] Unrecognized message %s", sqs_message_id ? sqs_message_id : "");
        if (r >= 0)
                r = textsafe_ascii(&subject, buf_str(&raw), RENDER_SUBJECT_MAX);
        if (r >= 0 && !(r0.subject = buf_steal(&subject)))
                r = -ENOMEM;
        if (r >= 0)
                r = render_message(fallback_form, &fb, o->format, r0.subject, &r0);
        buf_free(&subject);
        buf_free(&raw);
        if (r < 0) {
                rendered_free(&r0);
                return r;
        }
        *ret = r0;
        return 0;
}
