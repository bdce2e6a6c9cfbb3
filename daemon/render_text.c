/* The text format (e-mail): a sentence saying what happened, then one
 * labelled field a line with the labels aligned. Also the labels, field
 * values and headline that the chatbot format reuses. */
#include <errno.h>
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
                [L_MFA] = "MFA",
                [L_VIA] = "経路",
                [L_ARN] = "ARN",
                [L_SOURCE_IP] = "送信元 IP",
                [L_USER_AGENT] = "ユーザーエージェント",
                [L_TARGET] = "ターゲット",
                [L_TAGS] = "タグ",
                [L_SESSION_ID] = "セッション ID",
                [L_SESSION_START] = "セッション開始",
                [L_SESSION_END] = "セッション終了",
                [L_DURATION] = "継続時間",
                [L_RESUMES] = "再開回数",
                [L_SESSION_STATUS] = "セッション状態",
                [L_DOCUMENT] = "ドキュメント",
                [L_COMMAND] = "コマンド",
                [L_PORT_FORWARD] = "ポート転送",
                [L_PARAMETERS] = "パラメータ",
                [L_REASON] = "理由",
                [L_CONSOLE] = "コンソール",
                [L_TRANSCRIPT] = "セッションログ",
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
                [L_MFA] = "MFA",
                [L_VIA] = "Via",
                [L_ARN] = "ARN",
                [L_SOURCE_IP] = "Source IP",
                [L_USER_AGENT] = "User agent",
                [L_TARGET] = "Target",
                [L_TAGS] = "Tags",
                [L_SESSION_ID] = "Session ID",
                [L_SESSION_START] = "Session start",
                [L_SESSION_END] = "Session end",
                [L_DURATION] = "Duration",
                [L_RESUMES] = "Resumes",
                [L_SESSION_STATUS] = "Session status",
                [L_DOCUMENT] = "Document",
                [L_COMMAND] = "Command",
                [L_PORT_FORWARD] = "Port forward",
                [L_PARAMETERS] = "Parameters",
                [L_REASON] = "Reason",
                [L_CONSOLE] = "Console",
                [L_TRANSCRIPT] = "Transcript",
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
        const char *permission_set; /* after an IAM Identity Center permission set */
        const char *yes_no[2];  /* MFA: [false], [true] */
        const char *via[2];     /* [false] a program, [true] the console */
        const char *aws_source; /* after a sourceIPAddress that names AWS itself */
        const char *hidden;     /* parameters AWS did not record */
        const char *forward_via[2]; /* around the target a remote host is reached through */
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
                .permission_set = " (IAM Identity Center の許可セット)",
                .yes_no = { "なし", "あり" },
                .via = { "API (CLI・SDK など)", "マネジメントコンソール" },
                .aws_source = " (AWS のサービス: クライアントのアドレスではありません)",
                .hidden = "(AWS により記録されていません)",
                .forward_via = { " (", " 経由)" },
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
                .permission_set = " (IAM Identity Center permission set)",
                .yes_no = { "no", "yes" },
                .via = { "API (CLI, SDK or another program)", "AWS Management Console" },
                .aws_source = " (an AWS service, not a client address)",
                .hidden = "(not recorded by AWS)",
                .forward_via = { " (via ", ")" },
                .failed_prefix = { "", "DENIED: ", "FAILED: " },
                .failed_verb = { "", "", "" },
        },
};

/* What the headline can name besides the actor: the target (%T) and the
 * session (%S); the other kinds name the call (%O). */
enum headline_variant { V_TARGET_SESSION, V_TARGET, V_SESSION, V_NONE, V_COUNT };

/* %A actor, %T target, %S session id, %O event name, %V failure verb.
 * Indexed [language][kind][failed][variant]. */
static const char *const HEADLINES[2][K_COUNT][2][V_COUNT] = {
        [RENDER_JA] = {
                [K_START] = { { "%A が %T へのセッションを開始しました。", "%A が %T へのセッションを開始しました。",
                                "%A がセッションを開始しました。", "%A がセッションを開始しました。" },
                              { "%A による %T へのセッション開始が%V。", "%A による %T へのセッション開始が%V。",
                                "%A によるセッション開始が%V。", "%A によるセッション開始が%V。" } },
                [K_RESUME] = { { "%A が %T へのセッション %S を再開しました。", "%A が %T へのセッションを再開しました。",
                                 "%A がセッション %S を再開しました。", "%A がセッションを再開しました。" },
                               { "%A による %T へのセッション %S の再開が%V。", "%A による %T へのセッション再開が%V。",
                                 "%A によるセッション %S の再開が%V。", "%A によるセッション再開が%V。" } },
                [K_TERMINATE] = { { "%A が %T へのセッション %S を終了しました。", "%A が %T へのセッションを終了しました。",
                                    "%A がセッション %S を終了しました。", "%A がセッションを終了しました。" },
                                  { "%A による %T へのセッション %S の終了が%V。", "%A による %T へのセッション終了が%V。",
                                    "%A によるセッション %S の終了が%V。", "%A によるセッション終了が%V。" } },
                [K_ENDED] = { { "%A の %T へのセッション %S が終了しました。", "%A の %T へのセッションが終了しました。",
                                "%A のセッション %S が終了しました。", "%A のセッションが終了しました。" } },
                [K_STILL_OPEN] = { { "%A の %T へのセッション %S が開いたままです。",
                                     "%A の %T へのセッションが開いたままです。",
                                     "%A のセッション %S が開いたままです。", "%A のセッションが開いたままです。" } },
                [K_OTHER] = { { "%A が %O を実行しました。", "%A が %O を実行しました。", "%A が %O を実行しました。",
                                "%A が %O を実行しました。" },
                              { "%A による %O の実行が%V。", "%A による %O の実行が%V。", "%A による %O の実行が%V。",
                                "%A による %O の実行が%V。" } },
        },
        [RENDER_EN] = {
                [K_START] = { { "%A started a session on %T.", "%A started a session on %T.", "%A started a session.",
                                "%A started a session." },
                              { "%A tried to start a session on %T.", "%A tried to start a session on %T.",
                                "%A tried to start a session.", "%A tried to start a session." } },
                [K_RESUME] = { { "%A resumed session %S on %T.", "%A resumed a session on %T.", "%A resumed session %S.",
                                 "%A resumed a session." },
                               { "%A tried to resume session %S on %T.", "%A tried to resume a session on %T.",
                                 "%A tried to resume session %S.", "%A tried to resume a session." } },
                [K_TERMINATE] = { { "%A terminated session %S on %T.", "%A terminated a session on %T.",
                                    "%A terminated session %S.", "%A terminated a session." },
                                  { "%A tried to terminate session %S on %T.", "%A tried to terminate a session on %T.",
                                    "%A tried to terminate session %S.", "%A tried to terminate a session." } },
                [K_ENDED] = { { "Session %S of %A on %T ended.", "A session of %A on %T ended.",
                                "Session %S of %A ended.", "A session of %A ended." } },
                [K_STILL_OPEN] = { { "Session %S of %A on %T is still open.", "A session of %A on %T is still open.",
                                     "Session %S of %A is still open.", "A session of %A is still open." } },
                [K_OTHER] = { { "%A called %O.", "%A called %O.", "%A called %O.", "%A called %O." },
                              { "%A tried to call %O.", "%A tried to call %O.", "%A tried to call %O.",
                                "%A tried to call %O." } },
        },
};

const char *render_label_text(enum render_language lang, enum render_label label) {
        return LABELS[lang][label];
}

/* Display widths of the labels, each worked out once: every notification
 * aligns its lines on them. 0: not yet (no label is empty). The process is
 * single-threaded. */
static size_t label_width(enum render_language lang, enum render_label label) {
        static size_t width[RENDER_EN + 1][L_COUNT];
        if (!width[lang][label])
                width[lang][label] = textsafe_width(LABELS[lang][label]);
        return width[lang][label];
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

        /* " (UTC+09:00", ":SS" only for pre-1900 local mean times; localtime_r
         * keeps offsets within a day */
        char offset[16] = " (UTC+", *p = render_put2(offset + 6, (int)(a / 3600));
        offset[5] = off < 0 ? '-' : '+';
        *p++ = ':';
        p = render_put2(p, (int)(a % 3600 / 60));
        if (a % 60) {
                *p++ = ':';
                p = render_put2(p, (int)(a % 60));
        }
        *p = '\0';
        render_time_local(c->lt, local);
        r = buf_cat(out, local, offset);
        if (r >= 0 && c->o->timezone) {
                r = buf_puts(out, ", ");
                if (r >= 0)
                        r = textsafe_escape(out, c->o->timezone, c->cap, mode);
        }
        if (r >= 0)
                r = buf_putc(out, ')');
        return r;
}

/* A session's start or end: in the configured zone when converted, else UTC. */
static int put_instant(const struct render_instant *in, time_t t, struct buf *out) {
        char when[RENDER_TIME_LEN];

        if (in && in->valid) {
                render_instant_local(in, when);
                return buf_puts(out, when);
        }
        render_time_iso_utc(t, when);
        /* "2024-08-01T12:19:16Z" → "2024-08-01 12:19:16 UTC" */
        when[10] = ' ';
        when[strlen(when) - 1] = '\0';
        return buf_cat(out, when, " UTC");
}

/* "localhost:15432 -> i-0abc:5432", or through the target to a remote host
 * "localhost:15432 -> db.internal:5432 (via i-0abc)". */
static int put_port_forward(const struct render_ctx *c, enum textsafe_mode mode, struct buf *out) {
        const struct ssm_event *ev = c->ev;
        const struct phrases *ph = &PHRASES[c->o->language];
        const char *to = ev->remote_host ? ev->remote_host : ev->target;
        int r = buf_puts(out, "localhost");

        if (r >= 0 && ev->local_port_number) {
                r = buf_putc(out, ':');
                if (r >= 0)
                        r = render_put(c, ev->local_port_number, mode, out);
        }
        if (r >= 0)
                r = buf_puts(out, " -> ");
        if (r >= 0 && to)
                r = render_put(c, to, mode, out);
        if (r >= 0)
                r = buf_putc(out, ':');
        if (r >= 0)
                r = render_put(c, ev->port_number, mode, out);
        if (r >= 0 && ev->remote_host && ev->target) {
                r = buf_puts(out, ph->forward_via[0]);
                if (r >= 0)
                        r = render_put(c, ev->target, mode, out);
                if (r >= 0)
                        r = buf_puts(out, ph->forward_via[1]);
        }
        return r;
}

/* An untrusted value cut at cap rather than c->cap. */
static int put_capped(const struct render_ctx *c, const char *s, size_t cap, enum textsafe_mode mode,
                      struct buf *out) {
        struct render_ctx capped = *c;
        capped.cap = cap;
        return render_put(&capped, s, mode, out);
}

/* "name=value, name=[a, b]" for the parameters no other line shows; *known
 * is false when none is left. */
static int put_parameters(const struct render_ctx *c, enum textsafe_mode mode, struct buf *out, bool *known) {
        const struct ssm_event *ev = c->ev;
        struct render_budget budget = render_params_budget(c);
        size_t shown = 0, start = out->len;
        bool cut = false;
        int r = 0;

        if (ev->parameters_hidden)
                return buf_puts(out, PHRASES[c->o->language].hidden);
        for (size_t i = 0; i < ev->n_parameters && r >= 0 && !cut; i++) {
                const struct event_param *p = &ev->parameters[i];
                size_t cap;

                if (render_param_shown_apart(ev, p->name))
                        continue;
                cap = render_budget_take(&budget, c->cap, p->name);
                if (cap == 0) {
                        cut = true;
                        break;
                }
                r = shown++ ? buf_puts(out, ", ") : 0;
                if (r >= 0)
                        r = put_capped(c, p->name, cap, mode, out);
                if (r >= 0)
                        r = buf_puts(out, p->n_values == 1 ? "=" : "=[");
                for (size_t j = 0; j < p->n_values && r >= 0; j++) {
                        size_t vcap = render_budget_take(&budget, c->cap, p->values[j]);
                        if (vcap == 0) {
                                cut = true;
                                break;
                        }
                        r = j ? buf_puts(out, ", ") : 0;
                        if (r >= 0)
                                r = put_capped(c, p->values[j], vcap, mode, out);
                }
                if (r >= 0 && p->n_values != 1)
                        r = buf_putc(out, ']');
        }
        /* what the budget or the parser's bounds left out */
        if (r >= 0 && (cut || ev->parameters_truncated) && shown)
                r = buf_puts(out, " " TEXTSAFE_MARK);
        *known = r < 0 || out->len > start;
        return r;
}

/* Appends the value of one field; *known is false when there is none. */
static int line_value(const struct render_ctx *c, enum render_label l, enum textsafe_mode mode, struct buf *out,
                      bool *known) {
        const struct ssm_event *ev = c->ev;
        const struct phrases *ph = &PHRASES[c->o->language];
        const char *plain = NULL;
        char url[RENDER_URL_LEN];
        long long seconds;
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
                /* the local time line already says it in UTC */
                if (!ev->has_time || (c->lt && render_zone_is_utc(c->o->timezone)))
                        break;
                return put_instant(NULL, ev->event_epoch, out);
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
                /* the second witness matters only when it names someone else */
                if (!ev->session_owner || (ev->actor && strcmp(ev->session_owner, ev->actor) == 0))
                        break;
                r = render_put(c, ev->session_owner, mode, out);
                return r < 0 ? r : buf_puts(out, ph->owner_note);
        case L_ROLE:
                /* AWSReservedSSO_<set>_<hash> says less than the set's name */
                if (!ev->permission_set) {
                        plain = ev->role;
                        break;
                }
                r = render_put(c, ev->permission_set, mode, out);
                return r < 0 ? r : buf_puts(out, ph->permission_set);
        case L_MFA:
                if (!ev->has_mfa)
                        break;
                return buf_puts(out, ph->yes_no[ev->mfa]);
        case L_VIA:
                if (!ev->has_via_console)
                        break;
                return buf_puts(out, ph->via[ev->via_console]);
        case L_TARGET:
                if (!ev->target && !ev->target_name)
                        break;
                return render_target(c, mode, out);
        case L_TAGS:
                for (size_t i = 0; i < ev->n_target_tags && r >= 0; i++) {
                        r = i ? buf_puts(out, ", ") : 0;
                        if (r >= 0)
                                r = render_put(c, ev->target_tags[i].key ? ev->target_tags[i].key : "", mode, out);
                        if (r >= 0)
                                r = buf_putc(out, '=');
                        if (r >= 0)
                                r = render_put(c, ev->target_tags[i].value ? ev->target_tags[i].value : "", mode, out);
                }
                *known = ev->n_target_tags > 0;
                return r;
        case L_SESSION_START:
                if (!ev->has_session_start)
                        break;
                return put_instant(c->lt ? &c->lt->session_start : NULL, ev->session_start, out);
        case L_SESSION_END:
                if (!ev->has_session_end)
                        break;
                return put_instant(c->lt ? &c->lt->session_end : NULL, ev->session_end, out);
        case L_DURATION:
                /* a session just started has lasted nothing yet */
                if (render_kind_of(ev) == K_START || !render_session_duration(ev, &seconds))
                        break;
                return render_duration(seconds, c->o->language, out);
        case L_RESUMES:
                if (ev->session_resumes == 0)
                        break;
                return buf_printf(out, "%u", ev->session_resumes);
        case L_SESSION_STATUS: plain = ev->session_status; break;
        case L_COMMAND: plain = ev->command; break;
        case L_PORT_FORWARD:
                if (!render_is_port_forward(ev))
                        break;
                return put_port_forward(c, mode, out);
        case L_PARAMETERS:
                return put_parameters(c, mode, out, known);
        case L_SOURCE_IP:
                if (!ev->source_ip)
                        break;
                r = render_put(c, ev->source_ip, mode, out);
                return r >= 0 && ev->source_aws ? buf_puts(out, ph->aws_source) : r;
        case L_CONSOLE:
                /* made of checked IDs only: a link the reader can follow */
                if (!render_console_url(ev, url))
                        break;
                return buf_puts(out, url);
        case L_TRANSCRIPT: plain = ev->transcript_url; break;
        case L_EVENT: plain = ev->event_name; break;
        case L_EVENT_SOURCE: plain = ev->event_source; break;
        case L_REGION: plain = ev->region; break;
        case L_ARN: plain = ev->actor_arn; break;
        case L_USER_AGENT: plain = ev->user_agent; break;
        case L_SESSION_ID: plain = ev->session_id; break;
        case L_DOCUMENT: plain = ev->document_name; break;
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
                 struct buf *values, size_t *ret_n) {
        size_t n = 0, start[L_COUNT];
        int r = 0;

        /* One buffer for all the values: a buffer each cost an allocation
         * and its growth per line, some 20 a message. Together they take
         * most of a text notification's 1 KiB. */
        buf_init(values, L_COUNT * (RENDER_MESSAGE_MAX + 1));
        r = buf_reserve(values, 1024);
        for (int l = 0; l < L_COUNT && r >= 0; l++) {
                bool known;
                start[n] = values->len;
                r = line_value(c, (enum render_label)l, mode, values, &known);
                if (r >= 0 && values->len - start[n] > RENDER_MESSAGE_MAX)
                        r = -E2BIG;
                if (r >= 0 && !known)
                        buf_truncate(values, start[n]);
                else if (r >= 0)
                        r = buf_putc(values, '\0');
                if (r >= 0 && known)
                        lines[n++].label = (enum render_label)l;
        }
        if (r < 0)
                return r;
        /* only now: the buffer moves while it grows */
        for (size_t i = 0; i < n; i++)
                lines[i].value = values->data + start[i];
        *ret_n = n;
        return 0;
}

static enum headline_variant variant_of(const struct ssm_event *ev) {
        bool t = ev->target || ev->target_name;
        return t ? (ev->session_id ? V_TARGET_SESSION : V_TARGET) : (ev->session_id ? V_SESSION : V_NONE);
}

int render_headline(const struct render_ctx *c, enum textsafe_mode mode, struct buf *out) {
        const struct ssm_event *ev = c->ev;
        const struct phrases *ph = &PHRASES[c->o->language];
        enum render_kind kind = render_kind_of(ev);
        enum headline_variant v = variant_of(ev);
        const char *tmpl = HEADLINES[c->o->language][kind][c->verdict != VERDICT_SUCCESS][v], *p;
        int r;

        /* the tracker's kinds are never failures; a record claiming one is told as one */
        if (!tmpl)
                tmpl = HEADLINES[c->o->language][kind][0][v];
        r = buf_puts(out, ph->failed_prefix[c->verdict]);
        for (p = tmpl; *p && r >= 0; p++) {
                if (p[0] != '%' || !p[1]) {
                        r = buf_putc(out, *p);
                        continue;
                }
                p++;
                if (*p == 'A')
                        r = ev->actor ? render_put(c, ev->actor, mode, out) : buf_puts(out, ph->unknown_actor);
                else if (*p == 'T')
                        r = render_target(c, mode, out);
                else if (*p == 'S')
                        r = render_put(c, ev->session_id, mode, out);
                else if (*p == 'O')
                        r = render_put(c, ev->event_name, mode, out);
                else if (*p == 'V')
                        r = buf_puts(out, ph->failed_verb[c->verdict]);
        }
        return r;
}

int render_aligned(const char *const *labels, const size_t *widths, const char *const *values, size_t n,
                   struct buf *out) {
        size_t width = 0, w[L_COUNT];
        int r = 0;

        if (n > L_COUNT)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                w[i] = widths ? widths[i] : textsafe_width(labels[i]);
                width = w[i] > width ? w[i] : width;
        }
        for (size_t i = 0; i < n && r >= 0; i++) {
                char *pad;
                r = buf_puts(out, labels[i]);
                if (r >= 0)
                        r = buf_extend(out, width - w[i], &pad);
                if (r >= 0) {
                        memset(pad, ' ', width - w[i]);
                        r = buf_puts(out, " : ");
                }
                if (r >= 0)
                        r = buf_puts(out, values[i]);
                if (r >= 0)
                        r = buf_putc(out, '\n');
        }
        return r;
}

int render_text(const struct render_ctx *c, struct buf *out) {
        struct render_line lines[L_COUNT];
        const char *labels[L_COUNT], *values[L_COUNT];
        size_t widths[L_COUNT], n = 0;
        struct buf line_values = { 0 }; /* render_lines() initialises it; freeable before that */
        int r;

        r = render_headline(c, TEXTSAFE_TEXT, out);
        if (r >= 0)
                r = buf_puts(out, "\n\n");
        if (r >= 0)
                r = render_lines(c, TEXTSAFE_TEXT, lines, &line_values, &n);
        if (r >= 0) {
                for (size_t i = 0; i < n; i++) {
                        labels[i] = render_label_text(c->o->language, lines[i].label);
                        widths[i] = label_width(c->o->language, lines[i].label);
                        values[i] = lines[i].value;
                }
                r = render_aligned(labels, widths, values, n, out);
        }
        buf_free(&line_values);
        return r;
}
