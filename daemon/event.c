#include "event.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "datetime.h"
#include "event_internal.h"
#include "json_tree.h"
#include "macro.h"
#include "textsafe.h"

const char *const EVENT_DEFAULT_NAMES[] = {
        "StartSession", "ResumeSession", "TerminateSession", NULL,
};

/* CloudTrail records nest about a dozen levels (RunInstances responses are
 * the deepest seen); 64 leaves room and still bounds the tokener's stack. */
#define EVENT_JSON_DEPTH 64

static const char CLOUDTRAIL_DETAIL_SUFFIX[] = " via CloudTrail";

/* Record fields: the first path that yields a value wins. */
struct field_rule {
        size_t offset;
        const char *paths[3];
};

#define F(member) offsetof(struct ssm_event, member)
static const struct field_rule RECORD_FIELDS[] = {
        { F(event_id), { "eventID" } },
        { F(event_name), { "eventName" } },
        { F(event_source), { "eventSource" } },
        { F(event_time), { "eventTime" } },
        { F(region), { "awsRegion" } },
        { F(account_id), { "recipientAccountId", "userIdentity.accountId" } },
        { F(source_ip), { "sourceIPAddress" } },
        { F(user_agent), { "userAgent" } },
        /* StartSession names its target; SendCommand and Fleet Manager
         * (StartConnection) name instances instead. */
        { F(target), { "requestParameters.target", "requestParameters.instanceIds",
                       "requestParameters.InstanceId" } },
        { F(session_id), { "responseElements.sessionId", "requestParameters.sessionId" } },
        { F(document_name), { "requestParameters.documentName" } },
        { F(reason), { "requestParameters.reason" } },
        /* AWS-StartPortForwardingSession[ToRemoteHost] parameters are arrays. */
        { F(port_number), { "requestParameters.parameters.portNumber" } },
        { F(local_port_number), { "requestParameters.parameters.localPortNumber" } },
        { F(remote_host), { "requestParameters.parameters.host" } },
        { F(error_code), { "errorCode" } },
        { F(error_message), { "errorMessage" } },
};
#undef F

static char **field_at(struct ssm_event *ev, size_t offset) {
        return (char **)(void *)((char *)ev + offset);
}

const struct json_node *event_json_path(const struct json_node *root, const char *path) {
        const struct json_node *cur = root;
        const char *p = path;

        while (cur && *p) {
                size_t n = strcspn(p, ".");

                cur = json_node_member_len(cur, p, n);
                p += n + (p[n] == '.');
        }
        return json_node_kind(cur) == JSON_NULL ? NULL : cur;
}

static bool is_scalar(const struct json_node *v) {
        size_t len;

        switch (json_node_kind(v)) {
        case JSON_STRING:
                return json_node_string(v, &len) && len > 0;
        case JSON_NUMBER:
        case JSON_TRUE:
        case JSON_FALSE:
                return true;
        default:
                return false;
        }
}

static int append_scalar(struct buf *b, const struct json_node *v) {
        size_t n;
        const char *s = json_node_string(v, &n);

        if (json_node_kind(v) != JSON_STRING)
                return buf_append(b, s, n);
        while (n) {
                /* U+FFFD for an embedded NUL; the text between NULs at once */
                const char *nul = memchr(s, '\0', n);
                size_t run = nul ? (size_t)(nul - s) : n;
                int r = buf_append(b, s, run);
                if (r == 0 && nul)
                        r = buf_puts(b, "\xef\xbf\xbd");
                if (r < 0)
                        return r;
                run += nul ? 1 : 0;
                s += run;
                n -= run;
        }
        return 0;
}

int event_json_dup(const struct json_node *v, char **ret) {
        struct buf b;
        int r = 0;

        /* A value can never be longer than the body it came from. */
        buf_init(&b, EVENT_BODY_MAX);
        if (json_node_kind(v) == JSON_ARRAY) {
                for (const struct json_node *e = json_node_first(v); e && r >= 0; e = json_node_next(e)) {
                        if (!is_scalar(e))
                                continue;
                        if (b.len > 0)
                                r = buf_puts(&b, ", ");
                        if (r >= 0)
                                r = append_scalar(&b, e);
                }
        } else if (is_scalar(v)) {
                size_t n;
                /* one allocation, not a doubling from 64 bytes for an ARN
                 * or a user agent (NULs made U+FFFD may still grow it) */
                json_node_string(v, &n);
                r = buf_reserve(&b, n);
                if (r >= 0)
                        r = append_scalar(&b, v);
        }
        if (r < 0)
                goto out;
        if (b.len == 0) {
                *ret = NULL;
                r = 0;
                goto out;
        }
        *ret = buf_steal(&b);
        r = *ret ? 0 : -ENOMEM;
out:
        buf_free(&b);
        return r;
}

/* 0 and the tree; -EBADMSG when s is not one JSON text; -ENOMSG for the
 * JSON text "null" (valid, and no event). */
static int parse_json(const char *s, size_t len, struct json_tree **ret) {
        struct json_tree *t;
        int r;

        /* JSON text is UTF-8 (RFC 8259), and json_tree leaves the check to
         * its caller: overlong forms, surrogates and code points past
         * U+10FFFF would reach SNS attributes and logs. */
        if (!textsafe_utf8_valid(s, len))
                return -EBADMSG;
        r = json_tree_parse(s, len, EVENT_JSON_DEPTH, &t);
        if (r < 0)
                return r;
        if (json_node_kind(json_tree_root(t)) == JSON_NULL) {
                json_tree_free(t);
                return -ENOMSG;
        }
        *ret = t;
        return 0;
}

static const char *member_string(const struct json_node *o, const char *key) {
        const struct json_node *v = event_json_path(o, key);
        return json_node_kind(v) == JSON_STRING ? json_node_string(v, NULL) : NULL;
}

static bool ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* EventBridge: only CloudTrail-delivered detail types carry a record; the
 * native SSM events (Automation, Run Command, Parameter Store) do not. */
static int unwrap_eventbridge(const struct json_node *o, const struct json_node **ret_record,
                              const struct json_node **ret_envelope) {
        const struct json_node *detail = event_json_path(o, "detail");
        const char *type;

        if (!event_json_path(o, "detail-type")) {
                *ret_record = o;
                *ret_envelope = NULL;
                return 0;
        }
        type = member_string(o, "detail-type");
        if (!type || !ends_with(type, CLOUDTRAIL_DETAIL_SUFFIX) || json_node_kind(detail) != JSON_OBJECT)
                return -ENOMSG;
        *ret_record = detail;
        *ret_envelope = o;
        return 0;
}

static bool is_cloudtrail_record(const struct json_node *o) {
        const char *name = member_string(o, "eventName");
        const char *type = member_string(o, "eventType");

        /* Insights events describe a rate of calls, not a call. */
        return name && *name && !(type && strcmp(type, "AwsCloudTrailInsight") == 0);
}

static int param_add_value(struct event_param *p, const struct json_node *v) {
        char *value = NULL;
        int r = event_json_dup(v, &value);

        if (r < 0 || !value)
                return r;
        p->values[p->n_values++] = value;
        return 0;
}

/* One parameter: an array of values (as CloudTrail records them) or a lone
 * scalar. */
static int param_load(struct ssm_event *ev, const char *name, const struct json_node *v) {
        struct event_param *p = &ev->parameters[ev->n_parameters];
        bool array = json_node_kind(v) == JSON_ARRAY;
        size_t n = array ? json_node_count(v) : 1, i = 0;
        int r;

        if (n > EVENT_PARAM_VALUES_MAX) {
                n = EVENT_PARAM_VALUES_MAX;
                ev->parameters_truncated = true;
        }
        *p = (struct event_param){ .name = strdup(name), .values = calloc(n ? n : 1, sizeof(char *)) };
        ev->n_parameters++; /* from here event_free() owns it */
        if (!p->name || !p->values)
                return -ENOMEM;
        if (!array)
                return param_add_value(p, v);
        for (const struct json_node *e = json_node_first(v); e && i < n; e = json_node_next(e), i++)
                if ((r = param_add_value(p, e)) < 0)
                        return r;
        return 0;
}

static const struct event_param *param_find(const struct ssm_event *ev, const char *name) {
        for (size_t i = 0; i < ev->n_parameters; i++)
                if (strcmp(ev->parameters[i].name, name) == 0)
                        return &ev->parameters[i];
        return NULL;
}

/* requestParameters.parameters: an object of arrays of strings, or a string
 * where AWS withheld the values. */
static int fill_parameters(struct ssm_event *ev, const struct json_node *params) {
        const struct event_param *cmd;
        size_t len;
        struct buf b;
        int r = 0;

        if (json_node_kind(params) == JSON_STRING) {
                ev->parameters_hidden = json_node_string(params, &len) && len > 0;
                return 0;
        }
        if (json_node_kind(params) != JSON_OBJECT || json_node_count(params) == 0)
                return 0;
        ev->parameters = calloc(EVENT_PARAMS_MAX, sizeof(*ev->parameters));
        if (!ev->parameters)
                return -ENOMEM;
        for (const struct json_node *m = json_node_first(params); m; m = json_node_next(m)) {
                const char *name = json_node_key(m);
                if (!*name)
                        continue;
                if (ev->n_parameters == EVENT_PARAMS_MAX) {
                        ev->parameters_truncated = true;
                        break;
                }
                if ((r = param_load(ev, name, m)) < 0)
                        return r;
        }

        /* AWS-StartInteractiveCommand has command, AWS-RunShellScript commands */
        cmd = param_find(ev, "command");
        if (!cmd || cmd->n_values == 0)
                cmd = param_find(ev, "commands");
        if (!cmd || cmd->n_values == 0)
                return 0;
        buf_init(&b, EVENT_BODY_MAX);
        for (size_t i = 0; i < cmd->n_values && r >= 0; i++)
                r = buf_printf(&b, "%s%s", i ? "\n" : "", cmd->values[i]);
        if (r >= 0 && !(ev->command = buf_steal(&b)))
                r = -ENOMEM;
        buf_free(&b);
        return r;
}

/* A string "true"/"false" (as CloudTrail writes these attributes) or a JSON
 * boolean; anything else is unknown. */
static bool json_flag(const struct json_node *v, bool *ret) {
        const char *s;

        if (json_node_kind(v) == JSON_TRUE || json_node_kind(v) == JSON_FALSE) {
                *ret = json_node_kind(v) == JSON_TRUE;
                return true;
        }
        s = json_node_kind(v) == JSON_STRING ? json_node_string(v, NULL) : NULL;
        if (!s || (strcmp(s, "true") != 0 && strcmp(s, "false") != 0))
                return false;
        *ret = strcmp(s, "true") == 0;
        return true;
}

/* The CloudTrail user guide ("userAgent"): console.amazonaws.com and
 * aws-internal/… are the console (or a service acting for it); any other
 * agent is a program the caller ran (CLI, SDK, a tool). */
static void fill_via(struct ssm_event *ev, const struct json_node *record) {
        bool from_console = false;
        const char *ua = ev->user_agent;

        if (json_flag(event_json_path(record, "sessionCredentialFromConsole"), &from_console) && from_console) {
                ev->has_via_console = ev->via_console = true;
                return;
        }
        if (!ua)
                return;
        ev->has_via_console = true;
        ev->via_console = strcmp(ua, "console.amazonaws.com") == 0 || strncmp(ua, "aws-internal", 12) == 0;
}

/* sourceIPAddress holds a service name ("ssm.amazonaws.com") when a service
 * called on the user's behalf, and "AWS Internal" for the console's own calls. */
static bool is_aws_source(const char *s) {
        return s && (strcmp(s, "AWS Internal") == 0 || ends_with(s, ".amazonaws.com"));
}

static int fill(struct ssm_event *ev, const struct json_node *record, const struct json_node *envelope) {
        int r;

        for (size_t i = 0; i < ELEMENTSOF(RECORD_FIELDS); i++) {
                char **field = field_at(ev, RECORD_FIELDS[i].offset);
                for (size_t j = 0; j < 3 && RECORD_FIELDS[i].paths[j] && !*field; j++) {
                        r = event_json_dup(event_json_path(record, RECORD_FIELDS[i].paths[j]), field);
                        if (r < 0)
                                return r;
                }
        }
        /* The envelope's region and account (an integer in some samples). */
        if (envelope && !ev->region && (r = event_json_dup(event_json_path(envelope, "region"), &ev->region)) < 0)
                return r;
        if (envelope && !ev->account_id &&
            (r = event_json_dup(event_json_path(envelope, "account"), &ev->account_id)) < 0)
                return r;

        r = event_identity_resolve(event_json_path(record, "userIdentity"), ev);
        if (r < 0)
                return r;
        r = event_session_owner(ev->session_id, &ev->session_owner);
        if (r < 0)
                return r;
        r = fill_parameters(ev, event_json_path(record, "requestParameters.parameters"));
        if (r < 0)
                return r;
        ev->has_mfa = json_flag(event_json_path(record, "userIdentity.sessionContext.attributes.mfaAuthenticated"),
                                &ev->mfa);
        fill_via(ev, record);
        ev->source_aws = is_aws_source(ev->source_ip);
        ev->has_time = ev->event_time && datetime_parse(ev->event_time, DATETIME_RFC3339, &ev->event_epoch) == 0;
        ev->failure = ev->error_code || ev->error_message;
        return 0;
}

int event_parse(const char *body, size_t len, struct ssm_event **ret) {
        struct json_tree *root = NULL, *inner = NULL;
        const struct json_node *record, *envelope = NULL;
        struct ssm_event *ev = NULL;
        const char *message, *type;
        int r;

        if (len > EVENT_BODY_MAX)
                return -E2BIG;
        r = parse_json(body, len, &root);
        if (r < 0)
                return r;
        record = json_tree_root(root);

        /* SNS delivery without raw message delivery: the event is a JSON string. */
        message = member_string(record, "Message");
        type = member_string(record, "Type");
        if (message && type && strcmp(type, "Notification") == 0) {
                r = parse_json(message, strlen(message), &inner);
                if (r < 0) {
                        r = r == -ENOMEM ? r : -ENOMSG;
                        goto out;
                }
                record = json_tree_root(inner);
        }
        r = unwrap_eventbridge(record, &record, &envelope);
        if (r < 0)
                goto out;
        if (!is_cloudtrail_record(record)) {
                r = -ENOMSG;
                goto out;
        }
        ev = calloc(1, sizeof(*ev));
        if (!ev) {
                r = -ENOMEM;
                goto out;
        }
        r = fill(ev, record, envelope);
        if (r < 0)
                goto out;
        *ret = ev;
        ev = NULL;
out:
        event_free(ev);
        json_tree_free(inner);
        json_tree_free(root);
        return r;
}

void event_free(struct ssm_event *ev) {
        if (!ev)
                return;
        char **strings[] = {
                &ev->event_id, &ev->event_name, &ev->event_source, &ev->event_time, &ev->region,
                &ev->account_id, &ev->actor_type, &ev->actor, &ev->actor_arn, &ev->role,
                &ev->session_owner, &ev->source_ip, &ev->user_agent, &ev->target, &ev->session_id,
                &ev->document_name, &ev->reason, &ev->port_number, &ev->local_port_number,
                &ev->remote_host, &ev->error_code, &ev->error_message, &ev->command, &ev->permission_set,
                &ev->target_name, &ev->session_status, &ev->transcript_url,
        };
        for (size_t i = 0; i < ELEMENTSOF(strings); i++)
                free(*strings[i]);
        for (size_t i = 0; i < ev->n_parameters; i++) {
                for (size_t j = 0; j < ev->parameters[i].n_values; j++)
                        free(ev->parameters[i].values[j]);
                free(ev->parameters[i].values);
                free(ev->parameters[i].name);
        }
        free(ev->parameters);
        for (size_t i = 0; i < ev->n_target_tags; i++) {
                free(ev->target_tags[i].key);
                free(ev->target_tags[i].value);
        }
        free(ev->target_tags);
        free(ev);
}

bool event_is_notifiable(const struct ssm_event *ev, char *const *names, size_t n_names) {
        if (!ev->event_source || strcmp(ev->event_source, "ssm.amazonaws.com") != 0)
                return false;
        if (n_names == 0) {
                for (const char *const *n = EVENT_DEFAULT_NAMES; *n; n++)
                        if (strcmp(ev->event_name, *n) == 0)
                                return true;
                return false;
        }
        for (size_t i = 0; i < n_names; i++)
                if (strcmp(ev->event_name, names[i]) == 0)
                        return true;
        return false;
}

const char *event_severity(const struct ssm_event *ev) {
        if (ev->actor_type && strcmp(ev->actor_type, "Root") == 0)
                return "critical";
        return ev->failure ? "warning" : "info";
}
