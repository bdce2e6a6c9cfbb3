#include "ssm_sessions.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json_parse.h"

/* {"Sessions": [ {"OutputUrl": {…}} ]}: four levels, one spare. */
#define SSM_JSON_DEPTH 5
/* SSM's longest documented member is an OutputUrl (2083 characters); a
 * longer string is not an answer of the API. */
#define SSM_STRING_MAX 4096
/* 9999-12-31: a date past it is not a session's. */
#define SSM_TIME_MAX 253402300799.0

static int add(json_object *o, const char *key, json_object *v) {
        if (!v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int ssm_sessions_probe(struct buf *out) {
        return buf_puts(out, "{\"State\":\"Active\",\"MaxResults\":1}");
}

int ssm_sessions_request(enum ssm_session_state state, const char *session_id, const char *next_token,
                         struct buf *out) {
        json_object *req = json_object_new_object(), *filters = NULL, *filter = NULL;
        const char *text;
        size_t len;
        int r = -ENOMEM;

        if (!req || add(req, "State", json_object_new_string(state == SSM_SESSIONS_ACTIVE ? "Active" : "History")) < 0 ||
            add(req, "MaxResults", json_object_new_int(SSM_SESSIONS_PAGE_MAX)) < 0)
                goto out;
        if (session_id) {
                filters = json_object_new_array();
                filter = json_object_new_object();
                /* SessionFilter's members are lower case in the API: key, value. */
                if (!filters || !filter || add(filter, "key", json_object_new_string("SessionId")) < 0 ||
                    add(filter, "value", json_object_new_string(session_id)) < 0 ||
                    json_object_array_add(filters, filter) < 0)
                        goto out;
                filter = NULL;
                r = add(req, "Filters", filters);
                filters = NULL;
                if (r < 0)
                        goto out;
                r = -ENOMEM;
        }
        if (next_token && add(req, "NextToken", json_object_new_string(next_token)) < 0)
                goto out;
        text = json_object_to_json_string_length(req, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
        r = text ? buf_append(out, text, len) : -ENOMEM;
out:
        json_object_put(filter);
        json_object_put(filters);
        json_object_put(req);
        return r;
}

static void session_clear(struct ssm_session *s) {
        free(s->session_id);
        free(s->target);
        free(s->owner);
        free(s->status);
        free(s->output_url);
        *s = (struct ssm_session){ 0 };
}

void ssm_session_list_clear(struct ssm_session_list *l) {
        if (!l)
                return;
        for (size_t i = 0; i < l->n; i++)
                session_clear(&l->s[i]);
        free(l->s);
        free(l->next_token);
        *l = (struct ssm_session_list){ 0 };
}

/* An optional string member: absent, null or "" leaves *ret NULL. */
static int get_string(json_object *o, const char *key, size_t max, char **ret) {
        json_object *v;
        const char *s;
        size_t n;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return -EBADMSG;
        s = json_object_get_string(v);
        n = (size_t)json_object_get_string_len(v);
        if (n > max || strlen(s) != n)
                return -EBADMSG;
        if (n == 0)
                return 0;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

/* JSON 1.1 timestamps are epoch seconds, with a fraction or without. */
static int get_time(json_object *o, const char *key, time_t *ret, bool *ret_has) {
        json_object *v;
        double d;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return 0;
        if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
                return -EBADMSG;
        d = json_object_get_double(v);
        if (!isfinite(d) || d < 0 || d > SSM_TIME_MAX)
                return -EBADMSG;
        *ret = (time_t)d;
        *ret_has = true;
        return 0;
}

static int session_of(json_object *o, struct ssm_session *ret) {
        struct ssm_session s = { 0 };
        json_object *url;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        if ((r = get_string(o, "SessionId", SSM_STRING_MAX, &s.session_id)) < 0 ||
            (r = get_string(o, "Target", SSM_STRING_MAX, &s.target)) < 0 ||
            (r = get_string(o, "Owner", SSM_STRING_MAX, &s.owner)) < 0 ||
            (r = get_string(o, "Status", SSM_STRING_MAX, &s.status)) < 0 ||
            (r = get_time(o, "StartDate", &s.start, &s.has_start)) < 0 ||
            (r = get_time(o, "EndDate", &s.end, &s.has_end)) < 0)
                goto fail;
        if (!s.session_id) {
                r = -EBADMSG;
                goto fail;
        }
        if (json_object_object_get_ex(o, "OutputUrl", &url) && url) {
                if (!json_object_is_type(url, json_type_object)) {
                        r = -EBADMSG;
                        goto fail;
                }
                r = get_string(url, "S3OutputUrl", SSM_STRING_MAX, &s.output_url);
                if (r == 0 && !s.output_url)
                        r = get_string(url, "CloudWatchOutputUrl", SSM_STRING_MAX, &s.output_url);
                if (r < 0)
                        goto fail;
        }
        *ret = s;
        return 0;
fail:
        session_clear(&s);
        return r;
}

int ssm_sessions_parse(const char *body, size_t len, struct ssm_session_list *ret) {
        json_object *root = NULL, *list;
        struct ssm_session_list out = { 0 };
        size_t n;
        int r;

        if (len > SSM_SESSIONS_ANSWER_MAX)
                return -EBADMSG;
        r = json_parse_whole(body, len, SSM_JSON_DEPTH, &root);
        if (r < 0)
                return r == -ENOMEM ? r : -EBADMSG;
        r = -EBADMSG;
        if (!root || !json_object_is_type(root, json_type_object))
                goto out;
        /* An account without sessions may answer {} without the member. */
        if (json_object_object_get_ex(root, "Sessions", &list) && list) {
                if (!json_object_is_type(list, json_type_array) ||
                    (n = json_object_array_length(list)) > SSM_SESSIONS_PAGE_MAX)
                        goto out;
                if (n && !(out.s = calloc(n, sizeof(*out.s)))) {
                        r = -ENOMEM;
                        goto out;
                }
                for (size_t i = 0; i < n; i++) {
                        r = session_of(json_object_array_get_idx(list, i), &out.s[out.n]);
                        if (r < 0)
                                goto out;
                        out.n++;
                }
        }
        r = get_string(root, "NextToken", SSM_NEXT_TOKEN_MAX, &out.next_token);
        if (r < 0)
                goto out;
        *ret = out;
        out = (struct ssm_session_list){ 0 };
out:
        ssm_session_list_clear(&out);
        json_object_put(root);
        return r;
}

int ssm_describe_sessions(struct aws_client *c, enum ssm_session_state state, const char *session_id,
                          const char *next_token, long timeout_ms, struct ssm_session_list *ret,
                          struct aws_error *err) {
        struct aws_answer res = { 0 };
        struct buf body;
        int r;

        buf_init(&body, SSM_NEXT_TOKEN_MAX + 1024);
        r = ssm_sessions_request(state, session_id, next_token, &body);
        if (r == 0)
                r = aws_client_call(c, "DescribeSessions", body.data, body.len, timeout_ms, &res, err);
        if (r == 0)
                r = ssm_sessions_parse(res.body, res.body_len, ret);
        aws_answer_clear(&res);
        buf_free(&body);
        return r;
}
