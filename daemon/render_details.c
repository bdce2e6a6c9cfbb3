/* What every form derives alike from an event: the kind of event, the
 * console link, the session's duration, the port forward, the parameters'
 * shared budget and the target's name. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "render_internal.h"

/* Console hosts by partition. China and GovCloud have one console host each
 * (the region goes in the query); the isolated partitions (us-iso…, eu-isoe…)
 * and the European Sovereign Cloud have consoles unreachable from outside or
 * of another form, so they get no link. */
static const char CONSOLE_CN[] = "https://console.amazonaws.cn";
static const char CONSOLE_GOV[] = "https://console.amazonaws-us-gov.com";

enum render_kind render_kind_of(const struct ssm_event *ev) {
        static const struct {
                const char *source, *name;
                enum render_kind kind;
        } kinds[] = {
                { "ssm.amazonaws.com", "StartSession", K_START },
                { "ssm.amazonaws.com", "ResumeSession", K_RESUME },
                { "ssm.amazonaws.com", "TerminateSession", K_TERMINATE },
                { "ssm-notifyd", "SessionEnded", K_ENDED },
                { "ssm-notifyd", "SessionStillOpen", K_STILL_OPEN },
        };
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                if (strcmp(ev->event_name, kinds[i].name) == 0 &&
                    (kinds[i].kind < K_ENDED || (ev->event_source && strcmp(ev->event_source, kinds[i].source) == 0)))
                        return kinds[i].kind;
        return K_OTHER;
}

bool render_zone_is_utc(const char *zone) {
        static const char *const names[] = {
                "UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu",
                "GMT", "Etc/GMT", "GMT0", "Etc/GMT0", "GMT+0", "Etc/GMT+0", "GMT-0", "Etc/GMT-0",
                "Greenwich", "Etc/Greenwich",
        };
        for (size_t i = 0; zone && i < ELEMENTSOF(names); i++)
                if (strcmp(zone, names[i]) == 0)
                        return true;
        return false;
}

static bool all_of(const char *s, size_t n, const char *set) {
        return n > 0 && strspn(s, set) == n;
}

/* "i-" and 8 or 17 hex digits (EC2 IDs are lower case). */
static bool is_instance_id(const char *s) {
        size_t n = strlen(s);
        return strncmp(s, "i-", 2) == 0 && (n == 10 || n == 19) && all_of(s + 2, n - 2, "0123456789abcdef");
}

/* Managed nodes outside EC2: "mi-" and 17 hex digits. */
static bool is_managed_node_id(const char *s) {
        size_t n = strlen(s);
        return strncmp(s, "mi-", 3) == 0 && n == 20 && all_of(s + 3, n - 3, "0123456789abcdef");
}

/* Session IDs are the role session or user name (letters, digits and
 * "+=,.@_-") and a generated suffix; nothing else may enter a URL. */
static bool is_session_id(const char *s) {
        size_t n = strlen(s);
        return n <= 128 &&
               all_of(s, n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-");
}

/* "us-east-1", "ap-northeast-3", "us-gov-west-1", "cn-north-1"; the console
 * host for it, or NULL. *regional: the host takes the region as a prefix. */
static const char *console_host(const char *region, bool *regional) {
        size_t n = strlen(region);
        const char *last = strrchr(region, '-');
        int parts = 1;

        /* two letters, a direction, a number: "us-gov-" adds one part */
        if (n > 32 || !all_of(region, n, "abcdefghijklmnopqrstuvwxyz0123456789-") || region[2] != '-' || !last ||
            !all_of(last + 1, strlen(last + 1), "0123456789"))
                return NULL;
        for (const char *d = strchr(region, '-'); d; d = strchr(d + 1, '-'))
                parts++;
        *regional = false;
        if (strncmp(region, "us-gov-", 7) == 0 && parts == 4)
                return CONSOLE_GOV;
        if (parts != 3)
                return NULL;
        if (strncmp(region, "cn-", 3) == 0)
                return CONSOLE_CN;
        *regional = true;
        return "console.aws.amazon.com";
}

bool render_console_url(const struct ssm_event *ev, char out[RENDER_URL_LEN]) {
        const char *host, *t = ev->target;
        bool regional;
        char base[128];
        int n;

        if (!ev->region || !(host = console_host(ev->region, &regional)))
                return false;
        if (regional)
                snprintf(base, sizeof(base), "https://%s.%s", ev->region, host);
        else
                snprintf(base, sizeof(base), "%s", host);

        if (t && is_instance_id(t))
                n = snprintf(out, RENDER_URL_LEN, "%s/ec2/home?region=%s#InstanceDetails:instanceId=%s", base,
                             ev->region, t);
        else if (t && is_managed_node_id(t))
                n = snprintf(out, RENDER_URL_LEN,
                             "%s/systems-manager/fleet-manager/managed-nodes/%s/general?region=%s", base, t,
                             ev->region);
        else if (ev->session_id && is_session_id(ev->session_id))
                /* the Session Manager page: its session history lists every session */
                n = snprintf(out, RENDER_URL_LEN, "%s/systems-manager/session-manager/sessions?region=%s", base,
                             ev->region);
        else
                return false;
        return n > 0 && n < RENDER_URL_LEN;
}

bool render_session_duration(const struct ssm_event *ev, long long *ret) {
        time_t end;

        if (!ev->has_session_start)
                return false;
        if (ev->has_session_end)
                end = ev->session_end;
        else if (ev->has_time)
                end = ev->event_epoch;
        else
                return false;
        if (end < ev->session_start)
                return false;
        /* a look-up's dates are AWS's: still, no overflow on absurd ones */
        unsigned long long d = (unsigned long long)end - (unsigned long long)ev->session_start;
        if (d > LLONG_MAX)
                return false;
        *ret = (long long)d;
        return true;
}

int render_duration(long long s, enum render_language lang, struct buf *out) {
        static const char *const units[][3] = {
                [RENDER_JA] = { "秒", "分", "時間" },
                [RENDER_EN] = { "s", "min", "h" },
        };
        const char *const *u = units[lang];

        if (s < 60)
                return buf_printf(out, "%lld %s", s, u[0]);
        if (s < 3600)
                return buf_printf(out, "%lld %s", s / 60, u[1]);
        return buf_printf(out, "%lld %s %02lld %s", s / 3600, u[2], s % 3600 / 60, u[1]);
}

bool render_is_port_forward(const struct ssm_event *ev) {
        return ev->document_name && ev->port_number &&
               (strcmp(ev->document_name, "AWS-StartPortForwardingSession") == 0 ||
                strcmp(ev->document_name, "AWS-StartPortForwardingSessionToRemoteHost") == 0);
}

bool render_param_shown_apart(const struct ssm_event *ev, const char *name) {
        if (ev->command && (strcmp(name, "command") == 0 || strcmp(name, "commands") == 0))
                return true;
        return render_is_port_forward(ev) &&
               (strcmp(name, "portNumber") == 0 || strcmp(name, "localPortNumber") == 0 ||
                (strcmp(name, "host") == 0 && ev->remote_host));
}

struct render_budget render_params_budget(const struct render_ctx *c) {
        return (struct render_budget){ .left = 4 * c->cap };
}

size_t render_budget_take(struct render_budget *b, size_t cap, const char *value) {
        size_t n = strlen(value), take;

        if (b->left == 0)
                return 0;
        take = cap < b->left ? cap : b->left;
        b->left -= n < take ? n : take;
        return take;
}

int render_target(const struct render_ctx *c, enum textsafe_mode mode, struct buf *out) {
        const struct ssm_event *ev = c->ev;
        int r;

        if (!ev->target_name || !ev->target)
                return render_put(c, ev->target ? ev->target : ev->target_name, mode, out);
        r = render_put(c, ev->target_name, mode, out);
        if (r >= 0)
                r = buf_puts(out, " (");
        if (r >= 0)
                r = render_put(c, ev->target, mode, out);
        return r < 0 ? r : buf_putc(out, ')');
}
