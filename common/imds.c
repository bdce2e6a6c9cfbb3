#include "imds.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "buf.h"
#include "datetime.h"
#include "http.h"
#include "json_parse.h"

#define STR(x) STR_(x)
#define STR_(x) #x

#define IMDS_TOKEN_PATH "/latest/api/token"
#define IMDS_ROLE_PATH "/latest/meta-data/iam/security-credentials/"
/* On a host outside EC2 nothing answers at 169.254.169.254; say so within
 * seconds instead of hanging the daemon's start. */
#define IMDS_CONNECT_TIMEOUT_MS 1000
#define IMDS_TIMEOUT_MS 2000
/* A base URL is a scheme, a host and a port; anything longer is a mistake. */
#define IMDS_ENDPOINT_MAX 256
/* IMDS tokens are about 60 characters; they go into a header. */
#define IMDS_API_TOKEN_MAX 1024
/* The credentials document is one flat object. */
#define IMDS_JSON_DEPTH 4

struct imds {
        struct http_client *http;
        char *endpoint;   /* without trailing '/' */
        struct buf token; /* empty until taken; wiped when dropped */
        time_t token_time;
};

int imds_parse_time(const char *s, time_t *ret) {
        return datetime_parse(s, DATETIME_UTC, ret) < 0 ? -EBADMSG : 0;
}

static bool role_char(char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               (ch && strchr("+=,.@_-", ch));
}

int imds_parse_role(const char *body, size_t len, char *ret_role) {
        const char *nl = memchr(body, '\n', len);
        size_t n = nl ? (size_t)(nl - body) : len;

        if (n && body[n - 1] == '\r')
                n--;
        if (n == 0)
                return -ENOENT;
        if (n > IMDS_ROLE_MAX)
                return -EBADMSG;
        for (size_t i = 0; i < n; i++)
                if (!role_char(body[i]))
                        return -EBADMSG;
        memcpy(ret_role, body, n);
        ret_role[n] = '\0';
        return 0;
}

/* json-c keeps its own copy of every string; the secret ones are wiped in
 * place before the tree is freed. The buffer is json-c's and writable: only
 * the getter's type is const. */
static void wipe_json_string(struct json_object *v) {
        if (json_object_is_type(v, json_type_string))
                OPENSSL_cleanse((char *)(uintptr_t)json_object_get_string(v), (size_t)json_object_get_string_len(v));
}

/* Every failure here leaves the daemon without credentials for now: worth
 * another try later, as IMDS may be starting or the role being attached. */
#define imds_error(err, r, ...) aws_error_local(err, AWS_ERR_RETRYABLE, r, __VA_ARGS__)

/* Code is not a secret, but it comes from the network: keep the log line
 * printable and short (IMDS codes are single words). */
static void describe_code(const char *code, struct aws_error *err) {
        char clean[64];
        size_t n = 0;
        for (const char *p = code; *p && n < sizeof(clean) - 1; p++)
                clean[n++] = *p >= 0x20 && *p < 0x7f && *p != '"' ? *p : '?';
        clean[n] = '\0';
        imds_error(err, -EACCES, "reported Code \"%s\" instead of \"Success\"", clean);
}

int imds_parse_credentials(const char *body, size_t len, struct aws_credentials *ret, struct aws_error *err) {
        enum { CODE, ACCESS_KEY_ID, SECRET_ACCESS_KEY, TOKEN, EXPIRATION, N_FIELDS };
        static const char *const names[N_FIELDS] = { "Code", "AccessKeyId", "SecretAccessKey", "Token",
                                                     "Expiration" };
        struct json_object *root = NULL, *v[N_FIELDS] = { NULL };
        struct aws_credentials creds = { 0 };
        time_t expiration;
        int r;

        if (len > IMDS_BODY_MAX) {
                imds_error(err, -E2BIG, "sent a credentials document larger than %d bytes", IMDS_BODY_MAX);
                return -E2BIG;
        }
        r = json_parse_whole(body, len, IMDS_JSON_DEPTH, &root);
        if (r == -ENOMEM) {
                imds_error(err, r, NULL);
                return r;
        }
        if (r < 0 || !json_object_is_type(root, json_type_object)) {
                r = -EBADMSG;
                imds_error(err, r, "sent a credentials document that is not a JSON object");
                goto out;
        }
        for (int i = 0; i < N_FIELDS; i++)
                json_object_object_get_ex(root, names[i], &v[i]);
        for (int i = 0; i < N_FIELDS; i++)
                if (!json_object_is_type(v[i], json_type_string)) {
                        r = -EBADMSG;
                        imds_error(err, r, "sent a credentials document without a string %s", names[i]);
                        goto out;
                }
        if (strcmp(json_object_get_string(v[CODE]), "Success") != 0) {
                describe_code(json_object_get_string(v[CODE]), err);
                r = -EACCES;
                goto out;
        }
        if (imds_parse_time(json_object_get_string(v[EXPIRATION]), &expiration) < 0) {
                r = -EBADMSG;
                imds_error(err, r, "sent an Expiration that is not a UTC time like 2017-05-17T15:09:54Z");
                goto out;
        }
        r = aws_credentials_set(&creds, json_object_get_string(v[ACCESS_KEY_ID]),
                                json_object_get_string(v[SECRET_ACCESS_KEY]), json_object_get_string(v[TOKEN]),
                                expiration);
        if (r == -EINVAL) {
                r = -EBADMSG;
                imds_error(err, r, "sent an AccessKeyId, SecretAccessKey or Token that is empty, too long or not "
                                   "printable ASCII");
        } else if (r < 0) {
                imds_error(err, r, NULL);
        }
        if (r == 0)
                *ret = creds;
out:
        if (root) {
                wipe_json_string(v[SECRET_ACCESS_KEY]);
                wipe_json_string(v[TOKEN]);
        }
        json_object_put(root);
        return r;
}

bool imds_token_needs_renewal(time_t obtained, time_t now) {
        return now < obtained || now - obtained >= IMDS_TOKEN_TTL - IMDS_TOKEN_RENEW_AHEAD;
}

int imds_new(const char *endpoint, struct imds **ret) {
        struct http_options o = { .connect_timeout_ms = IMDS_CONNECT_TIMEOUT_MS, .max_body = IMDS_BODY_MAX,
                                  .no_proxy = true };
        size_t n = strnlen(endpoint, IMDS_ENDPOINT_MAX + 1);
        struct imds *m;
        int r;

        if (n > IMDS_ENDPOINT_MAX || (strncmp(endpoint, "http://", 7) != 0 && strncmp(endpoint, "https://", 8) != 0))
                return -EINVAL;
        while (n && endpoint[n - 1] == '/')
                n--;
        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        buf_init(&m->token, IMDS_API_TOKEN_MAX);
        m->endpoint = strndup(endpoint, n);
        r = m->endpoint ? http_client_new(&o, &m->http) : -ENOMEM;
        if (r < 0)
                goto out;
        *ret = m;
        m = NULL;
out:
        imds_free(m);
        return r;
}

void imds_free(struct imds *m) {
        if (!m)
                return;
        http_client_free(m->http);
        buf_free_secure(&m->token);
        free(m->endpoint);
        free(m);
}

const char *imds_endpoint(const struct imds *m) {
        return m->endpoint;
}

static void response_wipe(struct http_response *resp) {
        if (resp->body)
                OPENSSL_cleanse(resp->body, resp->body_len);
        http_response_clear(resp);
}

/* words: the HTTP layer's account of the failure ("" when it has none). */
static void describe_failure(int r, const char *words, struct aws_error *err) {
        switch (r) {
        case -ETIMEDOUT:
                imds_error(err, r, "did not answer (timeout)");
                break;
        case -ECONNREFUSED:
                imds_error(err, r, "refused the connection");
                break;
        case -EHOSTUNREACH:
                imds_error(err, r, "could not be reached (%s)", *words ? words : "no route, or the name did not resolve");
                break;
        case -ECONNRESET:
                imds_error(err, r, "closed the connection before a complete answer");
                break;
        case -EPROTO:
                imds_error(err, r, "failed the TLS handshake");
                break;
        case -E2BIG:
                imds_error(err, r, "sent an answer larger than %d bytes", IMDS_BODY_MAX);
                break;
        default:
                imds_error(err, r, "could not be asked (%s)", strerror(-r));
                break;
        }
}

static int describe_status(const char *method, const char *path, long status, const char *why,
                           struct aws_error *err) {
        int r = status == 401 || status == 403 ? -EACCES : status == 404 ? -ENOENT : -EIO;
        imds_error(err, r, "answered HTTP %ld to %s %s%s", status, method, path, why);
        return r;
}

static int request(struct imds *m, const char *method, const char *path, const struct http_header *header,
                   struct http_response *ret, struct aws_error *err) {
        /* endpoint and path are both bounded: the longest path is the role's */
        char url[IMDS_ENDPOINT_MAX + sizeof(IMDS_ROLE_PATH) + IMDS_ROLE_MAX];
        snprintf(url, sizeof(url), "%s%s", m->endpoint, path);
        struct http_request req = { .method = method, .url = url, .headers = header, .n_headers = 1,
                                    .timeout_ms = IMDS_TIMEOUT_MS };
        int r = http_perform(m->http, &req, ret);
        if (r < 0)
                describe_failure(r, http_client_error(m->http), err);
        return r;
}

static bool token_ok(const char *s, size_t n) {
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < 0x21 || s[i] > 0x7e)
                        return false;
        return true;
}

static int take_token(struct imds *m, time_t now, struct aws_error *err) {
        static const struct http_header ttl = { "X-aws-ec2-metadata-token-ttl-seconds", STR(IMDS_TOKEN_TTL) };
        struct http_response resp = { 0 };
        int r;

        buf_free_secure(&m->token);
        r = request(m, "PUT", IMDS_TOKEN_PATH, &ttl, &resp, err);
        if (r < 0)
                return r;
        if (resp.status != 200)
                r = describe_status("PUT", IMDS_TOKEN_PATH, resp.status, "", err);
        else if (resp.body_len > IMDS_API_TOKEN_MAX || !token_ok(resp.body, resp.body_len)) {
                r = -EBADMSG;
                imds_error(err, r, "sent a session token that is empty, too long or not printable ASCII");
        } else {
                r = buf_append(&m->token, resp.body, resp.body_len);
                if (r < 0)
                        imds_error(err, r, NULL);
                m->token_time = now;
        }
        response_wipe(&resp);
        return r;
}

/* GET with the session token, taken or renewed as needed. A 401 means IMDS
 * no longer knows the token: renew it, but only once per fetch (`renewed`),
 * so a service that refuses every token cannot keep us looping. */
static int get(struct imds *m, time_t now, const char *path, bool *renewed, struct http_response *ret,
               struct aws_error *err) {
        struct http_response resp = { 0 };
        int r;

        for (;;) {
                if (m->token.len == 0 || imds_token_needs_renewal(m->token_time, now)) {
                        r = take_token(m, now, err);
                        if (r < 0)
                                return r;
                }
                const struct http_header h = { "X-aws-ec2-metadata-token", buf_str(&m->token) };
                r = request(m, "GET", path, &h, &resp, err);
                if (r < 0)
                        return r;
                if (resp.status == 200) {
                        *ret = resp;
                        return 0;
                }
                if (resp.status == 401 && !*renewed) {
                        *renewed = true;
                        buf_free_secure(&m->token);
                        response_wipe(&resp);
                        continue;
                }
                r = describe_status("GET", path, resp.status,
                                    resp.status == 401 ? " (even with a new token)" : "", err);
                response_wipe(&resp);
                return r;
        }
}

int imds_fetch_credentials(struct imds *m, time_t now, struct aws_credentials *ret_creds, char *ret_role,
                           struct aws_error *err) {
        struct http_response resp = { 0 };
        struct aws_credentials creds = { 0 };
        char role[IMDS_ROLE_MAX + 1];
        char path[sizeof(IMDS_ROLE_PATH) + IMDS_ROLE_MAX];
        bool renewed = false;
        int r;

        r = get(m, now, IMDS_ROLE_PATH, &renewed, &resp, err);
        if (r == -ENOENT)
                imds_error(err, r, "has no IAM role (HTTP 404 for GET " IMDS_ROLE_PATH "): is an instance profile attached?");
        if (r < 0)
                return r;
        r = imds_parse_role(resp.body, resp.body_len, role);
        http_response_clear(&resp);
        if (r < 0) {
                imds_error(err, r, "%s", r == -ENOENT ? "lists no IAM role at " IMDS_ROLE_PATH
                                                      : "lists something that is not an IAM role name at " IMDS_ROLE_PATH);
                return r;
        }
        snprintf(path, sizeof(path), IMDS_ROLE_PATH "%s", role);
        r = get(m, now, path, &renewed, &resp, err);
        if (r < 0)
                return r;
        r = imds_parse_credentials(resp.body, resp.body_len, &creds, err);
        response_wipe(&resp);
        if (r < 0)
                return r;
        *ret_creds = creds;
        memcpy(ret_role, role, sizeof(role));
        return 0;
}
