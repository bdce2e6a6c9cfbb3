/* The text format (e-mail): a sentence saying what happened, then one
 * labelled field a line with the labels aligned. Also the labels, field
 * values and headline that the chatbot format reuses. */
#include <string.h>

#include "render_internal.h"

static const char *const LABELS[][L_COUNT] = {
        [RENDER_JA] = {
                [L_OUTCOME] = "結果",
                [L_TIME] = "日時",
                [L_TIME_UTC] = "日時 (UTC)",
                [L_EVENT] = "イベント",
                [L_EVENT_SOURCE] = "イベントソース",
                [L_REGION] = "リージョン",
                [L_ACCOUNT] = "アカウント",
                [L_USER] = "ユーザー",
                [L_USER_TYPE] = "ユーザー種別",
                [L_SESSION_OWNER] = "セッション所有者",
                [L_ROLE] = "ロール",
                [L_ARN] = "ARN",
                [L_SOURCE_IP] = "送信元 IP",
                [L_USER_AGENT] = "ユーザーエージェント",
                [L_TARGET] = "ターゲット",
                [L_SESSION_ID] = "セッション ID",
                [L_DOCUMENT] = "ドキュメント",
                [L_PORT] = "ポート",
                [L_LOCAL_PORT] = "ローカルポート",
                [L_REMOTE_HOST] = "接続先ホスト",
                [L_REASON] = "理由",
                [L_ERROR_CODE] = "エラーコード",
                [L_ERROR_MESSAGE] = "エラーメッセージ",
                [L_EVENT_ID] = "イベント ID",
        },
        [RENDER_EN] = {
                [L_OUTCOME] = "Outcome",
                [L_TIME] = "Time",
                [L_TIME_UTC] = "Time (UTC)",
                [L_EVENT] = "Event",
                [L_EVENT_SOURCE] = "Event source",
                [L_REGION] = "Region",
                [L_ACCOUNT] = "Account",
                [L_USER] = "User",
                [L_USER_TYPE] = "User type",
                [L_SESSION_OWNER] = "Session owner",
                [L_ROLE] = "Role",
                [L_ARN] = "ARN",
                [L_SOURCE_IP] = "Source IP",
                [L_USER_AGENT] = "User agent",
                [L_TARGET] = "Target",
                [L_SESSION_ID] = "Session ID",
                [L_DOCUMENT] = "Document",
                [L_PORT] = "Port",
                [L_LOCAL_PORT] = "Local port",
                [L_REMOTE_HOST] = "Remote host",
                [L_REASON] = "Reason",
                [L_ERROR_CODE] = "Error code",
                [L_ERROR_MESSAGE] = "Error message",
                [L_EVENT_ID] = "Event ID",
        },
};

/* Words the values use, by language. */
struct phrases {
        const char *outcome[3]; /* by enum render_verdict */
        const char *unknown_actor;
        const char *generated;  /* after a generated session name */
        const char *sso;        /* after the user type of an IAM Identity Center user */
        const char *owner_note; /* after the session owner */
        const char *bad_time;   /* after an eventTime that could not be read */
        const char *failed_prefix[3];
        const char *failed_verb[3];
};

static const struct phrases PHRASES[] = {
        [RENDER_JA] = {
                .outcome = { "成功", "拒否 (DENIED)", "失敗 (FAILED)" },
                .unknown_actor = "(不明)",
                .generated = " (自動生成されたセッション名)",
                .sso = " (IAM Identity Center)",
                .owner_note = " (セッション ID より)",
                .bad_time = " (解釈できない形式)",
                .failed_prefix = { "", "【拒否】", "【失敗】" },
                .failed_verb = { "", "拒否されました", "失敗しました" },
        },
        [RENDER_EN] = {
                .outcome = { "success", "DENIED", "FAILED" },
                .unknown_actor = "(unknown)",
                .generated = " (generated session name)",
                .sso = " (IAM Identity Center)",
                .owner_note = " (from the session ID)",
                .bad_time = " (unrecognized format)",
                .failed_prefix = { "", "DENIED: ", "FAILED: " },
                .failed_verb = { "", "", "" },
        },
};

enum headline_kind { K_START, K_RESUME, K_TERMINATE, K_OTHER };

/* %A actor, %O object (target, session id, or event name), %V failure verb.
 * Indexed [language][kind][failed][object unknown]. */
static const char *const HEADLINES[2][4][2][2] = {
        [RENDER_JA] = {
                [K_START] = { { "%A が %O へのセッションを開始しました。", "%A がセッションを開始しました。" },
                              { "%A による %O へのセッション開始が%V。", "%A によるセッション開始が%V。" } },
                [K_RESUME] = { { "%A がセッション %O を再開しました。", "%A がセッションを再開しました。" },
                               { "%A によるセッション %O の再開が%V。", "%A によるセッション再開が%V。" } },
                [K_TERMINATE] = { { "%A がセッション %O を終了しました。", "%A がセッションを終了しました。" },
                                  { "%A によるセッション %O の終了が%V。", "%A によるセッション終了が%V。" } },
                [K_OTHER] = { { "%A が %O を実行しました。", "%A が %O を実行しました。" },
                              { "%A による %O の実行が%V。", "%A による %O の実行が%V。" } },
        },
        [RENDER_EN] = {
                [K_START] = { { "%A started a session on %O.", "%A started a session." },
                              { "%A tried to start a session on %O.", "%A tried to start a session." } },
                [K_RESUME] = { { "%A resumed session %O.", "%A resumed a session." },
                               { "%A tried to resume session %O.", "%A tried to resume a session." } },
                [K_TERMINATE] = { { "%A terminated session %O.", "%A terminated a session." },
                                  { "%A tried to terminate session %O.", "%A tried to terminate a session." } },
                [K_OTHER] = { { "%A called %O.", "%A called %O." },
                              { "%A tried to call %O.", "%A tried to call %O." } },
        },
};

const char *render_label_text(enum render_language lang, enum render_label label) {
        return LABELS[lang][label];
}

int render_put(const struct render_ctx *c, const char *s, enum textsafe_mode mode, struct buf *out) {
        int r;
        if (mode == TEXTSAFE_TEXT)
                return textsafe_escape(out, s, c->cap, mode);
        r = buf_putc(out, '`');
        if (r >= 0)
                r = textsafe_escape(out, s, c->cap, mode);
        if (r >= 0)
                r = buf_putc(out, '`');
        return r;
}

static int put_time(const struct render_ctx *c, enum textsafe_mode mode, struct buf *out) {
        char local[RENDER_TIME_LEN];
        long off = c->lt->gmtoff, a = off < 0 ? -off : off;
        int r;

        render_time_local(c->lt, local);
        r = buf_printf(out, "%s (UTC%c%02ld:%02ld", local, off < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
        if (r >= 0 && a % 60)
                r = buf_printf(out, ":%02ld", a % 60); /* pre-1900 local mean times */
        if (r >= 0 && c->o->timezone) {
                r = buf_puts(out, ", ");
                if (r >= 0)
                        r = textsafe_escape(out, c->o->timezone, c->cap, mode);
        }
        if (r >= 0)
                r = buf_putc(out, ')');
        return r;
}

/* Appends the value of one field; *known is false when there is none. */
static int line_value(const struct render_ctx *c, enum render_label l, enum textsafe_mode mode, struct buf *out,
                      bool *known) {
        const struct ssm_event *ev = c->ev;
        const struct phrases *ph = &PHRASES[c->o->language];
        const char *plain = NULL;
        int r = 0;

        *known = true;
        switch (l) {
        case L_OUTCOME:
                return buf_puts(out, ph->outcome[c->verdict]);
        case L_TIME:
                if (c->lt)
                        return put_time(c, mode, out);
                if (ev->has_time || !ev->event_time)
                        break;
                r = render_put(c, ev->event_time, mode, out);
                return r < 0 ? r : buf_puts(out, ph->bad_time);
        case L_TIME_UTC:
                if (!ev->has_time)
                        break;
                char utc[RENDER_TIME_LEN];
                render_time_iso_utc(ev->event_epoch, utc);
                /* "2024-08-01T12:19:16Z" → "2024-08-01 12:19:16 UTC" */
                utc[10] = ' ';
                utc[strlen(utc) - 1] = '\0';
                return buf_printf(out, "%s UTC", utc);
        case L_ACCOUNT:
                if (!ev->account_id)
                        break;
                r = render_put(c, ev->account_id, mode, out);
                if (r >= 0 && c->account_name) {
                        r = buf_puts(out, " (");
                        if (r >= 0)
                                r = render_put(c, c->account_name, mode, out);
                        if (r >= 0)
                                r = buf_putc(out, ')');
                }
                return r;
        case L_USER:
                if (!ev->actor)
                        return buf_puts(out, ph->unknown_actor);
                r = render_put(c, ev->actor, mode, out);
                return r >= 0 && ev->actor_generated ? buf_puts(out, ph->generated) : r;
        case L_USER_TYPE:
                if (!ev->actor_type)
                        break;
                r = render_put(c, ev->actor_type, mode, out);
                return r >= 0 && ev->actor_sso ? buf_puts(out, ph->sso) : r;
        case L_SESSION_OWNER:
                /* the second witness matters only when it says something new */
                if (!ev->session_owner ||
                    (ev->actor && !ev->actor_generated && strcmp(ev->session_owner, ev->actor) == 0))
                        break;
                r = render_put(c, ev->session_owner, mode, out);
                return r < 0 ? r : buf_puts(out, ph->owner_note);
        case L_EVENT: plain = ev->event_name; break;
        case L_EVENT_SOURCE: plain = ev->event_source; break;
        case L_REGION: plain = ev->region; break;
        case L_ROLE: plain = ev->role; break;
        case L_ARN: plain = ev->actor_arn; break;
        case L_SOURCE_IP: plain = ev->source_ip; break;
        case L_USER_AGENT: plain = ev->user_agent; break;
        case L_TARGET: plain = ev->target; break;
        case L_SESSION_ID: plain = ev->session_id; break;
        case L_DOCUMENT: plain = ev->document_name; break;
        case L_PORT: plain = ev->port_number; break;
        case L_LOCAL_PORT: plain = ev->local_port_number; break;
        case L_REMOTE_HOST: plain = ev->remote_host; break;
        case L_REASON: plain = ev->reason; break;
        case L_ERROR_CODE: plain = ev->error_code; break;
        case L_ERROR_MESSAGE: plain = ev->error_message; break;
        case L_EVENT_ID: plain = ev->event_id; break;
        case L_COUNT: break;
        }
        if (plain)
                return render_put(c, plain, mode, out);
        *known = false;
        return 0;
}

int render_lines(const struct render_ctx *c, enum textsafe_mode mode, struct render_line lines[L_COUNT],
                 size_t *ret_n) {
        size_t n = 0;

        for (int l = 0; l < L_COUNT; l++) {
                bool known;
                lines[n].label = (enum render_label)l;
                buf_init(&lines[n].value, RENDER_MESSAGE_MAX);
                int r = line_value(c, (enum render_label)l, mode, &lines[n].value, &known);
                if (r < 0) {
                        *ret_n = n + 1;
                        return r;
                }
                if (known)
                        n++;
                else
                        buf_free(&lines[n].value);
        }
        *ret_n = n;
        return 0;
}

int render_headline(const struct render_ctx *c, enum textsafe_mode mode, struct buf *out) {
        const struct ssm_event *ev = c->ev;
        const struct phrases *ph = &PHRASES[c->o->language];
        bool failed = c->verdict != VERDICT_SUCCESS;
        enum headline_kind kind = K_OTHER;
        const char *object = ev->event_name, *p;
        int r;

        if (strcmp(ev->event_name, "StartSession") == 0)
                kind = K_START, object = ev->target;
        else if (strcmp(ev->event_name, "ResumeSession") == 0)
                kind = K_RESUME, object = ev->session_id;
        else if (strcmp(ev->event_name, "TerminateSession") == 0)
                kind = K_TERMINATE, object = ev->session_id;

        r = buf_puts(out, ph->failed_prefix[c->verdict]);
        for (p = HEADLINES[c->o->language][kind][failed][!object]; *p && r >= 0; p++) {
                if (p[0] != '%' || !p[1]) {
                        r = buf_putc(out, *p);
                        continue;
                }
                p++;
                if (*p == 'A')
                        r = ev->actor ? render_put(c, ev->actor, mode, out) : buf_puts(out, ph->unknown_actor);
                else if (*p == 'O')
                        r = render_put(c, object, mode, out);
                else if (*p == 'V')
                        r = buf_puts(out, ph->failed_verb[c->verdict]);
        }
        return r;
}

int render_aligned(const char *const *labels, const char *const *values, size_t n, struct buf *out) {
        size_t width = 0;
        int r = 0;

        for (size_t i = 0; i < n; i++) {
                size_t w = textsafe_width(labels[i]);
                width = w > width ? w : width;
        }
        for (size_t i = 0; i < n && r >= 0; i++)
                r = buf_printf(out, "%s%*s : %s\n", labels[i], (int)(width - textsafe_width(labels[i])), "",
                               values[i]);
        return r;
}

int render_text(const struct render_ctx *c, struct buf *out) {
        struct render_line lines[L_COUNT];
        const char *labels[L_COUNT], *values[L_COUNT];
        size_t n = 0;
        int r;

        r = render_headline(c, TEXTSAFE_TEXT, out);
        if (r >= 0)
                r = buf_puts(out, "\n\n");
        if (r >= 0)
                r = render_lines(c, TEXTSAFE_TEXT, lines, &n);
        if (r >= 0) {
                for (size_t i = 0; i < n; i++) {
                        labels[i] = render_label_text(c->o->language, lines[i].label);
                        values[i] = buf_str(&lines[i].value);
                }
                r = render_aligned(labels, values, n, out);
        }
        for (size_t i = 0; i < n; i++)
                buf_free(&lines[i].value);
        return r;
}
