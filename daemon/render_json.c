/* The json format: the DESIGN.md fields of an event, null when unknown. */
#include <errno.h>
#include <string.h>

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

/* {"Environment": "prod", …}, or null when no tag is known. */
static int add_tags(json_object *obj, const struct render_ctx *c) {
        const struct ssm_event *ev = c->ev;
        json_object *tags;
        int r = 0;

        if (ev->n_target_tags == 0)
                return json_object_object_add(obj, "target_tags", NULL) < 0 ? -ENOMEM : 0;
        tags = json_object_new_object();
        if (!tags)
                return -ENOMEM;
        for (size_t i = 0; i < ev->n_target_tags && r >= 0; i++)
                if (ev->target_tags[i].key)
                        r = render_json_add(tags, ev->target_tags[i].key,
                                render_json_string(ev->target_tags[i].value ? ev->target_tags[i].value : "", c->cap));
        if (r < 0) {
                json_object_put(tags);
                return r;
        }
        return render_json_add(obj, "target_tags", tags);
}

/* {"command": ["sudo su -"], …} as recorded, within the parameters' budget;
 * null when the record has none (or AWS withheld them). */
static int add_parameters(json_object *obj, const struct render_ctx *c) {
        const struct ssm_event *ev = c->ev;
        struct render_budget budget = render_params_budget(c);
        json_object *params;
        int r = 0;

        if (ev->n_parameters == 0)
                return json_object_object_add(obj, "parameters", NULL) < 0 ? -ENOMEM : 0;
        params = json_object_new_object();
        if (!params)
                return -ENOMEM;
        for (size_t i = 0; i < ev->n_parameters && r >= 0; i++) {
                const struct event_param *p = &ev->parameters[i];
                json_object *values;
                size_t cap = render_budget_take(&budget, c->cap, p->name);

                if (cap == 0)
                        break;
                values = json_object_new_array();
                if (!values) {
                        r = -ENOMEM;
                        break;
                }
                for (size_t j = 0; j < p->n_values && r >= 0; j++) {
                        size_t vcap = render_budget_take(&budget, c->cap, p->values[j]);
                        json_object *v = vcap ? render_json_string(p->values[j], vcap) : NULL;
                        if (!vcap)
                                break;
                        if (!v || json_object_array_add(values, v) < 0) {
                                json_object_put(v);
                                r = -ENOMEM;
                        }
                }
                /* the key as a string of its own: a name cut at cap keeps valid UTF-8 */
                json_object *key = r >= 0 ? render_json_string(p->name, cap) : NULL;
                if (r >= 0 && !key)
                        r = -ENOMEM;
                if (r >= 0)
                        r = render_json_add(params, json_object_get_string(key), values);
                else
                        json_object_put(values);
                json_object_put(key);
        }
        if (r < 0) {
                json_object_put(params);
                return r;
        }
        return render_json_add(obj, "parameters", params);
}

enum field_type { T_STRING, T_BOOL, T_NUMBER, T_OBJECT };

int render_fields_json(const struct render_ctx *c, json_object **ret) {
        const struct ssm_event *ev = c->ev;
        char utc[RENDER_TIME_LEN], local[RENDER_TIME_LEN], start[RENDER_TIME_LEN], url[RENDER_URL_LEN];
        json_object *o = json_object_new_object();
        long long duration = 0;
        bool has_duration = render_session_duration(ev, &duration);
        int r = 0;

        if (!o)
                return -ENOMEM;
        if (ev->has_time)
                render_time_iso_utc(ev->event_epoch, utc);
        if (c->lt)
                render_time_iso_local(c->lt, local);
        if (ev->has_session_start)
                render_time_iso_utc(ev->session_start, start);

        /* DESIGN.md order, each extension beside its kin; a boolean or a
         * number that is not known is null. */
#define S(k, v) { .key = k, .type = T_STRING, .value = v }
#define BOOL(k, f) { .key = k, .type = T_BOOL, .known = true, .flag = f }
#define TRI(k, kn, f) { .key = k, .type = T_BOOL, .known = kn, .flag = f }
#define NUM(k, kn, n) { .key = k, .type = T_NUMBER, .known = kn, .number = n }
#define OBJ(k) { .key = k, .type = T_OBJECT }
        const struct {
                const char *key;
                enum field_type type;
                const char *value;
                bool known, flag;
                long long number;
        } fields[] = {
                S("event_name", ev->event_name),
                S("event_source", ev->event_source),
                S("event_id", ev->event_id),
                S("event_time", ev->event_time),
                S("utc_time", ev->has_time ? utc : NULL),
                S("local_time", c->lt ? local : NULL),
                S("timezone", c->o->timezone),
                S("region", ev->region),
                S("account_id", ev->account_id),
                S("account_name", c->account_name),
                S("actor_type", ev->actor_type),
                S("actor", ev->actor),
                S("actor_arn", ev->actor_arn),
                S("role", ev->role),
                S("permission_set", ev->permission_set),
                BOOL("actor_sso", ev->actor_sso),
                BOOL("actor_generated", ev->actor_generated),
                S("session_owner", ev->session_owner),
                TRI("mfa", ev->has_mfa, ev->mfa),
                TRI("via_console", ev->has_via_console, ev->via_console),
                S("source_ip", ev->source_ip),
                S("user_agent", ev->user_agent),
                S("target", ev->target),
                S("target_name", ev->target_name),
                OBJ("target_tags"),
                S("session_id", ev->session_id),
                S("session_start_time", ev->has_session_start ? start : NULL),
                NUM("session_duration_seconds", has_duration, duration),
                NUM("session_resumes", ev->has_session_start, ev->session_resumes),
                S("session_status", ev->session_status),
                S("transcript_url", ev->transcript_url),
                S("console_url", render_console_url(ev, url) ? url : NULL),
                S("document_name", ev->document_name),
                S("command", ev->command),
                OBJ("parameters"),
                S("reason", ev->reason),
                S("port_number", ev->port_number),
                S("local_port_number", ev->local_port_number),
                S("remote_host", ev->remote_host),
                S("outcome", ev->failure ? "failure" : "success"),
                S("error_code", ev->error_code),
                S("error_message", ev->error_message),
                S("severity", event_severity(ev)),
                S("rule", c->o->rule),
        };
#undef S
#undef BOOL
#undef TRI
#undef NUM
#undef OBJ
        for (size_t i = 0; i < ELEMENTSOF(fields) && r >= 0; i++) {
                const char *key = fields[i].key;
                if (fields[i].type == T_OBJECT)
                        r = strcmp(key, "target_tags") == 0 ? add_tags(o, c) : add_parameters(o, c);
                else if (fields[i].type == T_STRING)
                        r = render_json_add_text(o, key, fields[i].value, c->cap);
                else if (!fields[i].known)
                        r = json_object_object_add(o, key, NULL) < 0 ? -ENOMEM : 0;
                else if (fields[i].type == T_NUMBER)
                        r = render_json_add(o, key, json_object_new_int64(fields[i].number));
                else
                        r = render_json_add(o, key, json_object_new_boolean(fields[i].flag));
        }
        if (r < 0) {
                json_object_put(o);
                return r;
        }
        *ret = o;
        return 0;
}
