#include "aws_client.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "http.h"

struct aws_client {
        struct aws_client_options opt;
        char *url; /* endpoint + "/" */
        char host[AWS_ENDPOINT_MAX];
        struct http_client *http;
        long own_clock_offset;
        long *clock_offset; /* opt.clock_offset, or &own_clock_offset */
        /* The call in flight, kept to sign it again after a clock-skew or
         * expired-credentials answer; the buffers are reused call after call
         * (body_done says which are not). */
        struct buf action, body;
        long timeout_ms;
        time_t signed_at;
        struct sigv4_key_cache key_cache;
        bool in_flight, skew_retried, creds_retried;
};

static int authority_of(const char *url, char *host, size_t size) {
        const char *p;
        size_t n;
        if (http_url_authority(url, &p, &n) < 0 || n == 0 || n >= size || memchr(p, '@', n))
                return -EINVAL;
        memcpy(host, p, n);
        host[n] = '\0';
        return 0;
}

int aws_client_new(const struct aws_client_options *opt, struct aws_client **ret) {
        char endpoint[AWS_ENDPOINT_MAX];
        struct aws_client *c;
        int r;

        if (opt->endpoint) {
                if (strlen(opt->endpoint) >= sizeof(endpoint))
                        return -EINVAL;
                snprintf(endpoint, sizeof(endpoint), "%s", opt->endpoint);
        } else {
                r = aws_service_endpoint(opt->service, opt->region, endpoint, sizeof(endpoint));
                if (r < 0)
                        return r;
        }
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->opt = *opt;
        c->opt.endpoint = NULL; /* not needed after this */
        c->clock_offset = opt->clock_offset ? opt->clock_offset : &c->own_clock_offset;
        buf_init(&c->action, AWS_TARGET_MAX);
        buf_init(&c->body, SIZE_MAX - 1);
        r = authority_of(endpoint, c->host, sizeof(c->host));
        if (r < 0)
                goto out;
        r = -ENOMEM;
        if (asprintf(&c->url, "%s/", endpoint) < 0) {
                c->url = NULL;
                goto out;
        }
        const struct http_options ho = {
                .connect_timeout_ms = opt->connect_timeout_ms,
                .max_body = opt->max_body,
                .progress = opt->progress,
                .progress_userdata = opt->progress_userdata,
                .multi = opt->multi,
        };
        r = http_client_new(&ho, &c->http);
        if (r < 0)
                goto out;
        *ret = c;
        c = NULL;
out:
        aws_client_free(c);
        return r;
}

void aws_client_free(struct aws_client *c) {
        if (!c)
                return;
        http_client_free(c->http);
        sigv4_key_cache_clear(&c->key_cache);
        buf_free(&c->action);
        buf_free(&c->body);
        free(c->url);
        free(c);
}

void aws_answer_clear(struct aws_answer *a) {
        if (!a)
                return;
        free(a->body);
        *a = (struct aws_answer){ 0 };
}

long aws_client_clock_offset(const struct aws_client *c) {
        return *c->clock_offset;
}

/* The answer classified: JSON-protocol services still answer some front-end
 * errors (signature, authorization) with a Query-style XML document, so the
 * body's first byte decides, not only the protocol. */
static int classify(const struct aws_client *c, const struct http_response *resp, time_t server_date, time_t now,
                    struct aws_error *ret) {
        const char *first = resp->body, *end = resp->body + resp->body_len;
        while (first < end && strchr(" \t\r\n", *first))
                first++;
        bool xml = first < end && *first == '<';
        if (c->opt.service->protocol != AWS_PROTOCOL_QUERY && !xml)
                return aws_error_from_json(resp->status, resp->body, resp->body_len,
                                           resp->query_error[0] ? resp->query_error : NULL, server_date, now, ret);
        return aws_error_from_xml(resp->status, resp->body, resp->body_len, server_date, now, ret);
}

/* Signs the call in flight with the current credentials and clock offset
 * and starts it. */
static int send_signed(struct aws_client *c, struct aws_error *err) {
        const struct aws_credentials *cred;
        struct aws_request req;
        time_t now = time(NULL);
        int r;

        r = credentials_get(c->opt.credentials, now, &cred, err);
        if (r < 0)
                return -EIO;
        r = aws_request_sign(c->opt.service, c->host, c->opt.region, buf_str(&c->action), buf_str(&c->body),
                             c->body.len, cred, now + *c->clock_offset, &c->key_cache, &req);
        if (r < 0) {
                aws_error_from_errno(r, err);
                return r;
        }
        const struct http_request hreq = {
                .method = "POST",
                .url = c->url,
                .headers = req.headers,
                .n_headers = req.n_headers,
                .body = buf_str(&c->body),
                .body_len = c->body.len,
                .timeout_ms = c->timeout_ms,
        };
        r = http_start(c->http, &hreq);
        aws_request_free(&req);
        if (r < 0) {
                aws_error_from_errno(r, err);
                return r;
        }
        c->signed_at = now;
        return 0;
}

/* The answer of one signed exchange: 0 with *ret, or a negative errno with
 * *err (see aws_client_call). */
static int receive_answer(struct aws_client *c, struct aws_answer *ret, struct aws_error *err) {
        struct http_response resp = { 0 };
        struct aws_error e;
        time_t now = c->signed_at, server_date = 0;
        int r;

        r = http_finish(c->http, &resp);
        /* Our own progress hook asked to stop (shutdown), or the answer is
         * above our max_body: local conditions the caller handles, not AWS
         * failures. */
        if (r == -ENOMEM || r == -ECANCELED || r == -E2BIG) {
                aws_error_from_errno(r, err);
                return r;
        }
        if (r < 0) {
                aws_error_from_transport(r, err);
                /* the errno's text ("No route to host") would not say which host or why */
                if (*http_client_error(c->http))
                        snprintf(err->message, sizeof(err->message), "%s", http_client_error(c->http));
                return -EIO;
        }
        if (resp.date[0] && http_date_parse(resp.date, &server_date) < 0)
                server_date = 0;
        r = classify(c, &resp, server_date, now, &e);
        if (r < 0) {
                aws_error_from_errno(r, err);
                goto out;
        }
        if (!e.request_id[0])
                snprintf(e.request_id, sizeof(e.request_id), "%s", resp.request_id);
        if (e.cls != AWS_ERR_NONE) {
                if (e.cls == AWS_ERR_CLOCK_SKEW && server_date)
                        *c->clock_offset = (long)(server_date - now);
                *err = e;
                r = -EIO;
                goto out;
        }
        *ret = (struct aws_answer){ .body = resp.body, .body_len = resp.body_len };
        snprintf(ret->request_id, sizeof(ret->request_id), "%s", e.request_id);
        resp.body = NULL;
out:
        http_response_clear(&resp);
        return r;
}

int aws_client_start(struct aws_client *c, const char *action, const char *body, size_t body_len,
                     long timeout_ms, struct aws_error *err) {
        int r;

        if (c->in_flight) {
                aws_error_from_errno(-EBUSY, err);
                return -EBUSY;
        }
        buf_truncate(&c->action, 0);
        buf_truncate(&c->body, 0);
        r = buf_puts(&c->action, action);
        if (r == 0 && body_len)
                r = buf_append(&c->body, body, body_len);
        if (r < 0) {
                aws_error_from_errno(r, err);
                return r;
        }
        c->timeout_ms = timeout_ms;
        c->skew_retried = c->creds_retried = false;
        r = send_signed(c, err);
        if (r < 0)
                return r;
        c->in_flight = true;
        return 0;
}

/* A body the size of a PublishBatch (up to 256 KiB) is not kept for the
 * next call: every lane's client would hold one for good. */
#define AWS_CLIENT_BODY_KEPT (16 * 1024)

static void body_done(struct aws_client *c) {
        if (c->body.alloc > AWS_CLIENT_BODY_KEPT)
                buf_free(&c->body);
        else
                buf_truncate(&c->body, 0);
}

int aws_client_finish(struct aws_client *c, struct aws_answer *ret, struct aws_error *err) {
        struct aws_error e;

        if (!c->in_flight) {
                aws_error_from_errno(-EINVAL, err);
                return -EINVAL;
        }
        for (;;) {
                int r = receive_answer(c, ret, &e);
                if (r == -EIO && e.source == AWS_SOURCE_ANSWER) {
                        bool again = false;
                        if (e.cls == AWS_ERR_CLOCK_SKEW && !c->skew_retried) {
                                c->skew_retried = again = true;
                        } else if (e.cls == AWS_ERR_CREDENTIALS_EXPIRED && !c->creds_retried) {
                                c->creds_retried = again = true;
                                credentials_invalidate(c->opt.credentials);
                        }
                        if (again) {
                                r = send_signed(c, &e);
                                if (r == 0)
                                        continue;
                        }
                }
                c->in_flight = false;
                body_done(c);
                if (r < 0)
                        *err = e;
                return r;
        }
}

bool aws_client_ready(struct aws_client *c) {
        return !c->in_flight || http_ready(c->http);
}

void aws_client_cancel(struct aws_client *c) {
        if (!c || !c->in_flight)
                return;
        http_cancel(c->http);
        c->in_flight = false;
        body_done(c);
}

int aws_client_call(struct aws_client *c, const char *action, const char *body, size_t body_len,
                    long timeout_ms, struct aws_answer *ret, struct aws_error *err) {
        int r = aws_client_start(c, action, body, body_len, timeout_ms, err);
        return r < 0 ? r : aws_client_finish(c, ret, err);
}
