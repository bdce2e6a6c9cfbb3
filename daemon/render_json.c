/* The json format: the DESIGN.md fields of an event, null when unknown. */
#include <errno.h>

#include "macro.h"
#include "render_internal.h"

int render_put_json(json_object *o, bool pretty, struct buf *out) {
        int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
                    (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);
        size_t len = 0;
        const char *s = json_object_to_json_string_length(o, flags, &len);

        if (!s)
                return -ENOMEM;
        return buf_append(out, s, len);
}

/* Adds key: value made valid UTF-8 and cut at cap, or null. */
static int add_string(json_object *obj, const char *key, const char *value, size_t cap) {
        json_object *v = NULL;

        if (value) {
                struct buf b;
                int r;
                buf_init(&b, RENDER_MESSAGE_MAX);
                r = textsafe_utf8(&b, value, cap);
                if (r >= 0)
                        v = json_object_new_string_len(buf_str(&b), (int)b.len);
                buf_free(&b);
                if (r < 0)
                        return r;
                if (!v)
                        return -ENOMEM;
        }
        return json_object_object_add(obj, key, v) < 0 ? (json_object_put(v), -ENOMEM) : 0;
}

static int add_bool(json_object *obj, const char *key, bool value) {
        json_object *v = json_object_new_boolean(value);
        if (!v || json_object_object_add(obj, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int render_fields_json(const struct render_ctx *c, json_object **ret) {
        const struct ssm_event *ev = c->ev;
        char utc[RENDER_TIME_LEN], local[RENDER_TIME_LEN];
        json_object *o = json_object_new_object();
        int r = 0;

        if (!o)
                return -ENOMEM;
        if (ev->has_time)
                render_time_iso_utc(ev->event_epoch, utc);
        if (c->lt)
                render_time_iso_local(c->lt, local);

        /* DESIGN.md order, each extension beside its kin; flag >= 0 marks a boolean */
        const struct {
                const char *key;
                const char *value;
                int flag;
        } fields[] = {
                { "event_name", ev->event_name, -1 },
                { "event_source", ev->event_source, -1 },
                { "event_id", ev->event_id, -1 },
                { "event_time", ev->event_time, -1 },
                { "utc_time", ev->has_time ? utc : NULL, -1 },
                { "local_time", c->lt ? local : NULL, -1 },
                { "timezone", c->o->timezone, -1 },
                { "region", ev->region, -1 },
                { "account_id", ev->account_id, -1 },
                { "account_name", c->account_name, -1 },
                { "actor_type", ev->actor_type, -1 },
                { "actor", ev->actor, -1 },
                { "actor_arn", ev->actor_arn, -1 },
                { "role", ev->role, -1 },
                { "actor_sso", NULL, ev->actor_sso },
                { "actor_generated", NULL, ev->actor_generated },
                { "session_owner", ev->session_owner, -1 },
                { "source_ip", ev->source_ip, -1 },
                { "user_agent", ev->user_agent, -1 },
                { "target", ev->target, -1 },
                { "session_id", ev->session_id, -1 },
                { "document_name", ev->document_name, -1 },
                { "reason", ev->reason, -1 },
                { "port_number", ev->port_number, -1 },
                { "local_port_number", ev->local_port_number, -1 },
                { "remote_host", ev->remote_host, -1 },
                { "outcome", ev->failure ? "failure" : "success", -1 },
                { "error_code", ev->error_code, -1 },
                { "error_message", ev->error_message, -1 },
                { "severity", event_severity(ev), -1 },
                { "rule", c->o->rule, -1 },
        };
        for (size_t i = 0; i < ELEMENTSOF(fields) && r >= 0; i++)
                r = fields[i].flag >= 0 ? add_bool(o, fields[i].key, fields[i].flag)
                                        : add_string(o, fields[i].key, fields[i].value, c->cap);
        if (r < 0) {
                json_object_put(o);
                return r;
        }
        *ret = o;
        return 0;
}
