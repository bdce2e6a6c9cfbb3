#include "aws_client.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "sigv4.h"

/* "https://" + a DNS name (253) + ":65535"; anything longer is not an endpoint. */
#define ENDPOINT_MAX 300

struct aws_client {
        struct aws_client_options opt;
        char *endpoint;
        char *url;  /* endpoint + "/" */
        char host[ENDPOINT_MAX];
        struct http_client *http;
        long clock_offset;
};

static int authority_of(const char *url, char *host, size_t size) {
        const char *p = strstr(url, "://");
        if (!p)
                return -EINVAL;
        p += 3;
        size_t n = strcspn(p, "/?#");
        if (n == 0 || n >= size || memchr(p, '@', n))
                return -EINVAL;
        memcpy(host, p, n);
        host[n] = '\0';
        return 0;
}

int aws_client_new(const struct aws_client_options *opt, struct aws_client **ret) {
        struct aws_client *c;
        int r;

        if (strlen(opt->endpoint) >= ENDPOINT_MAX)
                return -EINVAL;
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->opt = *opt;
        r = authority_of(opt->endpoint, c->host, sizeof(c->host));
        if (r < 0)
                goto fail;
        r = -ENOMEM;
        c->endpoint = strdup(opt->endpoint);
        if (!c->endpoint || asprintf(&c->url, "%s/", opt->endpoint) < 0) {
                c->url = NULL;
                goto fail;
        }
        c->opt.endpoint = c->endpoint;
        struct http_options ho = {
                .connect_timeout_ms = opt->connect_timeout_ms,
                .max_body = opt->max_body,
                .progress = opt->progress,
                .progress_userdata = opt->progress_userdata,
        };
        r = http_client_new(&ho, &c->http);
        if (r < 0)
                goto fail;
        *ret = c;
        return 0;
fail:
        aws_client_free(c);
        return r;
}

void aws_client_free(struct aws_client *c) {
        if (!c)
                return;
        http_client_free(c->http);
        free(c->endpoint);
        free(c->url);
        free(c);
}

void aws_result_clear(struct aws_result *r) {
        if (!r)
                return;
        free(r->body);
        *r = (struct aws_result){ 0 };
}

long aws_client_clock_offset(const struct aws_client *c) {
        return c->clock_offset;
}

static void no_credentials(const char *detail, struct aws_result *ret) {
        *ret = (struct aws_result){ 0 };
        ret->error.cls = AWS_ERR_RETRYABLE;
        snprintf(ret->error.code, sizeof(ret->error.code), "NoCredentials");
        snprintf(ret->error.message, sizeof(ret->error.message), "%s", detail);
}

/* One signed exchange. Returns 0 with ret filled, or a local negative errno. */
static int call_once(struct aws_client *c, const char *action, const char *body, size_t body_len,
                     long timeout_ms, struct aws_result *ret) {
        const struct aws_credentials *cred;
        char detail[512], target[128];
        struct http_header headers[8];
        size_t n = 0;
        time_t now = time(NULL);
        int r;

        r = credentials_get(c->opt.credentials, now, &cred, detail, sizeof(detail));
        if (r < 0) {
                no_credentials(detail, ret);
                return 0;
        }

        headers[n++] = (struct http_header){ "Host", c->host };
        if (c->opt.protocol == AWS_PROTOCOL_JSON10) {
                if (snprintf(target, sizeof(target), "%s%s", c->opt.target_prefix, action) >=
                    (int)sizeof(target))
                        return -EINVAL;
                headers[n++] = (struct http_header){ "Content-Type", "application/x-amz-json-1.0" };
                headers[n++] = (struct http_header){ "X-Amz-Target", target };
        } else {
                headers[n++] = (struct http_header){ "Content-Type",
                                                     "application/x-www-form-urlencoded; charset=utf-8" };
        }

        struct sigv4_header signed_headers[8];
        for (size_t i = 0; i < n; i++)
                signed_headers[i] = (struct sigv4_header){ headers[i].name, headers[i].value };
        const struct sigv4_request sreq = {
                .method = "POST",
                .path = "/",
                .headers = signed_headers,
                .n_headers = n,
                .body = body,
                .body_len = body_len,
        };
        const struct sigv4_credentials screds = {
                .access_key_id = cred->access_key_id,
                .secret_access_key = cred->secret_access_key,
                .session_token = cred->session_token,
        };
        const struct sigv4_params params = {
                .region = c->opt.region,
                .service = c->opt.service,
                .time = now + c->clock_offset,
                .normalize_path = true,
        };
        struct sigv4_signature sig;
        r = sigv4_sign_request(&sreq, &screds, &params, &sig);
        if (r < 0)
                return r;
        for (size_t i = 0; i < sig.n_add; i++)
                headers[n++] = (struct http_header){ sig.add[i].name, sig.add[i].value };

        struct http_request hreq = {
                .method = "POST",
                .url = c->url,
                .headers = headers,
                .n_headers = n,
                .body = body,
                .body_len = body_len,
                .timeout_ms = timeout_ms,
        };
        struct http_response resp;
        r = http_perform(c->http, &hreq, &resp);
        sigv4_signature_free(&sig);
        *ret = (struct aws_result){ 0 };
        /* Our own progress hook asked to stop (shutdown), or the answer is
         * above our max_body: local conditions the caller handles, not AWS
         * failures. */
        if (r == -ENOMEM || r == -ECANCELED || r == -E2BIG)
                return r;
        if (r < 0) {
                aws_error_from_transport(r, &ret->error);
                /* the errno's text ("No route to host") would not say which host or why */
                if (*http_client_error(c->http))
                        snprintf(ret->error.message, sizeof(ret->error.message), "%s", http_client_error(c->http));
                return 0;
        }

        time_t server_date = 0;
        if (resp.date[0] && http_date_parse(resp.date, &server_date) < 0)
                server_date = 0;
        /* JSON-protocol services still answer some front-end errors (signature,
         * authorization) with a Query-style XML document. */
        const char *first = resp.body;
        while (first < resp.body + resp.body_len && strchr(" \t\r\n", *first))
                first++;
        bool xml = first < resp.body + resp.body_len && *first == '<';
        if (c->opt.protocol == AWS_PROTOCOL_JSON10 && !xml)
                r = aws_error_from_json(resp.status, resp.body, resp.body_len,
                                        resp.query_error[0] ? resp.query_error : NULL, server_date, now,
                                        &ret->error);
        else
                r = aws_error_from_xml(resp.status, resp.body, resp.body_len, server_date, now, &ret->error);
        if (r < 0) {
                http_response_clear(&resp);
                return r;
        }
        if (!ret->error.request_id[0])
                snprintf(ret->error.request_id, sizeof(ret->error.request_id), "%s", resp.request_id);
        snprintf(ret->request_id, sizeof(ret->request_id), "%s", ret->error.request_id);
        if (ret->error.cls == AWS_ERR_CLOCK_SKEW && server_date)
                c->clock_offset = (long)(server_date - now);
        if (ret->error.cls == AWS_ERR_NONE) {
                ret->body = resp.body;
                ret->body_len = resp.body_len;
                resp.body = NULL;
        }
        http_response_clear(&resp);
        return 0;
}

int aws_client_call(struct aws_client *c, const char *action, const char *body, size_t body_len,
                    long timeout_ms, struct aws_result *ret) {
        struct aws_result res;
        bool skew_retried = false, creds_retried = false;
        int r;

        for (;;) {
                r = call_once(c, action, body, body_len, timeout_ms, &res);
                if (r < 0)
                        return r;
                if (res.error.cls == AWS_ERR_CLOCK_SKEW && !skew_retried) {
                        skew_retried = true;
                        aws_result_clear(&res);
                        continue;
                }
                if (res.error.cls == AWS_ERR_CREDENTIALS_EXPIRED && !creds_retried) {
                        creds_retried = true;
                        credentials_invalidate(c->opt.credentials);
                        aws_result_clear(&res);
                        continue;
                }
                *ret = res;
                return 0;
        }
}
