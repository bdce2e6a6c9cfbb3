/* http: one reusable libcurl handle per endpoint.
 *
 * Clients that share an http_multi progress together: a request is started
 * (http_start) and finished later (http_finish); waiting for one request
 * drives every request of the multi, so a long poll, a publish and a delete
 * are in flight at once, each on a keep-alive connection of the multi's
 * pool (one per request in flight).
 * http_perform is start and finish in one. One request per client at a time.
 * Keep-alive across requests, a connect timeout and a total timeout per
 * request (above the SQS long-poll wait), TLS verification always on (there
 * is deliberately no switch to turn it off), only http and https, the
 * standard proxy variables honoured (libcurl reads them) unless the client
 * opts out, response bodies
 * capped, and the Date and request-id headers captured for the layers above.
 * Returns 0 when an HTTP answer arrived, whatever its status; a negative errno
 * when none did:
 *   -ETIMEDOUT connect or total timeout, -ECONNREFUSED, -EHOSTUNREACH (DNS or
 *   route), -ECONNRESET (reset, empty or truncated answer), -EPROTO (TLS),
 *   -E2BIG body above the cap, -ECANCELED the progress hook asked to stop,
 *   -ENOMEM, -EIO anything else.
 * The errno is for deciding; http_client_error() says in words what happened
 * ("cannot resolve HOST", "connection refused by HOST:PORT", "no answer from
 * HOST:PORT after N s"), for the one line the daemon logs or prints. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct http_client;
struct http_multi;

struct http_header {
        const char *name;
        const char *value;
};

struct http_request {
        const char *method; /* "GET", "PUT", "POST" */
        const char *url;
        const struct http_header *headers;
        size_t n_headers;
        const char *body; /* may be NULL with body_len 0 */
        size_t body_len;
        long timeout_ms;  /* whole exchange */
};

struct http_response {
        long status;
        char *body;  /* NUL-terminated, body_len bytes before the NUL */
        size_t body_len;
        char date[64];        /* Date header, "" when absent */
        char request_id[128]; /* x-amzn-RequestId or x-amz-request-id */
        char query_error[256];/* x-amzn-query-error */
};

struct http_options {
        long connect_timeout_ms;
        size_t max_body;      /* answers larger than this fail with -E2BIG; 0 is -EINVAL */
        /* Called about once a second while a request is waited for
         * (http_finish, http_perform; also during a long poll). A non-zero return
         * aborts that request with -ECANCELED. A request progressing while
         * another is waited for is never aborted by it. */
        int (*progress)(void *userdata);
        void *progress_userdata;
        /* Connect directly, ignoring the proxy variables: for the link-local
         * instance metadata service, which a proxy would not reach or would
         * answer with the metadata (and credentials) of its own host. */
        bool no_proxy;
        /* Borrowed, outlives the client; NULL: the client's own. */
        struct http_multi *multi;
};

/* The authority ("host[:port]") of url: where it starts in url and its
 * length. 0, or -EINVAL when url has no "scheme://". Pure. */
int http_url_authority(const char *url, const char **ret, size_t *ret_len);

int http_client_new(const struct http_options *opt, struct http_client **ret);
void http_client_free(struct http_client *c);
int http_perform(struct http_client *c, const struct http_request *req, struct http_response *ret);
/* Starts req; its url and body are borrowed until http_finish or
 * http_cancel. -EBUSY while the client has a request in flight. */
int http_start(struct http_client *c, const struct http_request *req);
/* Waits for the request in flight (driving every request of the multi) and
 * answers as http_perform does. */
int http_finish(struct http_client *c, struct http_response *ret);
/* Abandons the request in flight, if any (its connection is closed). */
void http_cancel(struct http_client *c);
/* True when http_finish would not wait: the request in flight ended, or none
 * is; moves every request of the client's http_multi along without waiting. */
bool http_ready(struct http_client *c);
void http_response_clear(struct http_response *r);

int http_multi_new(struct http_multi **ret);
void http_multi_free(struct http_multi *m);

/* Why the last http_perform() or http_finish() that returned a negative
 * errno failed, in words that name the host; "" after a success or when
 * there is nothing to add (-ECANCELED, -ENOMEM). Valid until the next
 * request starts. */
#define HTTP_ERROR_MAX 320
const char *http_client_error(const struct http_client *c);
/* One-time libcurl global setup; call before any thread exists. */
int http_global_init(void);
void http_global_cleanup(void);
