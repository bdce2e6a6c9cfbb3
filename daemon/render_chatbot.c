/* The chatbot format: an Amazon Q Developer in chat applications (formerly
 * AWS Chatbot) custom notification. Schema, from "Custom notifications using
 * Amazon Q Developer in chat applications",
 * https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html :
 *   { "version": "1.0" (required), "source": "custom" (required), "id",
 *     "content": { "textType": "client-markdown" (the only one supported),
 *                  "title", "description", "nextSteps": [], "keywords": [] },
 *     "metadata": { "threadId", "summary", "eventType", "relatedResources": [],
 *                   "additionalContext": {} } }
 * The text is rendered as the chat platform's markdown, so every untrusted
 * value goes inside a `code span` (where markdown, mentions and links are
 * inert) and cannot contain a backtick or a line break. */
#include <errno.h>

#include "render_internal.h"

/* Keywords are short tags; a longer value is not a tag anyone reads. */
#define KEYWORD_MAX 64

static const char *const TITLE_MARK[] = {
        [VERDICT_SUCCESS] = "",
        [VERDICT_DENIED] = "\xe2\x9b\x94 ",             /* U+26D4 NO ENTRY */
        [VERDICT_FAILED] = "\xe2\x9a\xa0\xef\xb8\x8f ", /* U+26A0 WARNING SIGN + VS16 */
};

static int add_string(json_object *obj, const char *key, const char *s, size_t cap) {
        return s ? render_json_add(obj, key, render_json_string(s, cap)) : 0;
}

static int append_string(json_object *arr, const char *s, size_t cap) {
        json_object *v;
        if (!s)
                return 0;
        v = render_json_string(s, cap);
        if (!v || json_object_array_add(arr, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

/* A chat message is read at a glance: the title says what happened, the
 * chat shows when it was posted, so UTC time, event name and source, ARN,
 * user agent and event id (also in "id") stay in the e-mail and JSON forms.
 * The console link stays outside a code span (it is made of checked IDs
 * only), so the chat platform makes it one to follow. */
static const bool IN_CHAT[L_COUNT] = {
        [L_OUTCOME] = true, [L_ERROR_CODE] = true, [L_TIME] = true, [L_USER] = true, [L_USER_TYPE] = true,
        [L_SESSION_OWNER] = true, [L_ROLE] = true, [L_MFA] = true, [L_VIA] = true, [L_TARGET] = true,
        [L_TAGS] = true, [L_SESSION_ID] = true, [L_SESSION_START] = true, [L_SESSION_END] = true,
        [L_DURATION] = true, [L_RESUMES] = true, [L_SESSION_STATUS] = true, [L_DOCUMENT] = true,
        [L_COMMAND] = true, [L_PORT_FORWARD] = true, [L_PARAMETERS] = true, [L_REASON] = true,
        [L_SOURCE_IP] = true, [L_CONSOLE] = true, [L_TRANSCRIPT] = true, [L_ACCOUNT] = true, [L_REGION] = true,
        [L_ERROR_MESSAGE] = true,
};

/* What every chat document has: root's version and source, content's text
 * type, title and description. */
static int chat_skeleton(json_object *root, json_object *content, const struct buf *title,
                         const struct buf *description) {
        int r = render_json_add(root, "version", json_object_new_string("1.0"));
        if (r >= 0)
                r = render_json_add(root, "source", json_object_new_string("custom"));
        if (r >= 0)
                r = render_json_add(content, "textType", json_object_new_string("client-markdown"));
        if (r >= 0)
                r = render_json_add(content, "title", json_object_new_string_len(buf_str(title), (int)title->len));
        if (r >= 0)
                r = render_json_add(content, "description",
                                    json_object_new_string_len(buf_str(description), (int)description->len));
        return r;
}

int render_chatbot_plain(const struct buf *title, const struct buf *description, const char *summary,
                         const char *event_type, struct buf *out) {
        json_object *root = json_object_new_object(), *content = json_object_new_object(),
                    *metadata = json_object_new_object();
        int r = root && content && metadata ? 0 : -ENOMEM;

        if (r >= 0)
                r = chat_skeleton(root, content, title, description);
        if (r >= 0)
                r = render_json_add(metadata, "summary", json_object_new_string(summary));
        if (r >= 0)
                r = render_json_add(metadata, "eventType", json_object_new_string(event_type));
        if (r >= 0) {
                r = render_json_add(root, "content", content);
                content = NULL;
        }
        if (r >= 0) {
                r = render_json_add(root, "metadata", metadata);
                metadata = NULL;
        }
        if (r >= 0)
                r = render_put_json(root, false, out);
        json_object_put(content);
        json_object_put(metadata);
        json_object_put(root);
        return r;
}

static int description(const struct render_ctx *c, struct buf *out) {
        struct render_line lines[L_COUNT];
        struct buf values;
        size_t n = 0;
        int r = render_lines(c, TEXTSAFE_MARKDOWN, lines, &values, &n);

        for (size_t i = 0; i < n && r >= 0; i++) {
                if (!IN_CHAT[lines[i].label])
                        continue;
                r = buf_printf(out, "%s*%s*: %s", out->len ? "\n" : "",
                               render_label_text(c->o->language, lines[i].label), lines[i].value);
        }
        buf_free(&values);
        return r;
}

int render_chatbot(const struct render_ctx *c, const char *subject, struct buf *out) {
        const struct ssm_event *ev = c->ev;
        json_object *root = json_object_new_object(), *content = json_object_new_object(),
                    *keywords = json_object_new_array(), *metadata = json_object_new_object(),
                    *related = json_object_new_array();
        struct buf title, desc;
        int r = root && content && keywords && metadata && related ? 0 : -ENOMEM;

        buf_init(&title, RENDER_MESSAGE_MAX);
        buf_init(&desc, RENDER_MESSAGE_MAX);
        if (r >= 0)
                r = buf_puts(&title, TITLE_MARK[c->verdict]);
        if (r >= 0)
                r = render_headline(c, TEXTSAFE_MARKDOWN, &title);
        if (r >= 0)
                r = description(c, &desc);

        if (r >= 0)
                r = chat_skeleton(root, content, &title, &desc);
        if (r >= 0)
                r = add_string(root, "id", ev->event_id, c->cap);
        if (r >= 0)
                r = append_string(keywords, ev->event_name, KEYWORD_MAX);
        if (r >= 0)
                r = append_string(keywords, render_verdict_word(c->verdict), KEYWORD_MAX);
        if (r >= 0)
                r = append_string(keywords, c->account_name ? c->account_name : ev->account_id, KEYWORD_MAX);
        if (r >= 0)
                r = append_string(keywords, ev->region, KEYWORD_MAX);
        if (r >= 0) {
                r = render_json_add(content, "keywords", keywords);
                keywords = NULL;
        }
        if (r >= 0) {
                r = render_json_add(root, "content", content);
                content = NULL;
        }

        if (r >= 0)
                r = add_string(metadata, "summary", subject, c->cap);
        if (r >= 0)
                r = add_string(metadata, "eventType", ev->event_name, c->cap);
        /* Start, Resume and Terminate of one session, and the tracker's
         * SessionEnded and SessionStillOpen, share its id: one thread. */
        if (r >= 0)
                r = add_string(metadata, "threadId", ev->session_id, c->cap);
        if (r >= 0)
                r = append_string(related, ev->target, c->cap);
        if (r >= 0 && json_object_array_length(related) > 0) {
                r = render_json_add(metadata, "relatedResources", related);
                related = NULL;
        }
        if (r >= 0) {
                r = render_json_add(root, "metadata", metadata);
                metadata = NULL;
        }
        if (r >= 0)
                r = render_put_json(root, false, out);

        buf_free(&title);
        buf_free(&desc);
        json_object_put(related);
        json_object_put(metadata);
        json_object_put(keywords);
        json_object_put(content);
        json_object_put(root);
        return r;
}
