#include "http.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "buf.h"

/* Header names and values we keep are short; a longer header line is not one
 * of ours or is hostile, and is ignored. */
#define HTTP_HEADER_LINE_MAX 1024
/* Bound on request headers we build per call (AWS calls use about six). */
#define HTTP_MAX_HEADERS 16

struct http_client {
        CURL *curl;
        struct http_options opt;
        struct buf body;
        struct http_response resp;
        bool aborted;
        bool body_too_big;
        char error[HTTP_ERROR_MAX];
};

int http_global_init(void) {
        return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}

void http_global_cleanup(void) {
        curl_global_cleanup();
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata) {
        struct http_client *c = userdata;
        size_t n = size * nmemb;
        int r = buf_append(&c->body, data, n);
        if (r < 0) {
                c->body_too_big = r == -E2BIG;
                return 0; /* makes curl stop with CURLE_WRITE_ERROR */
        }
        return n;
}

static void copy_header_value(char *dst, size_t size, const char *v, size_t len) {
        while (len && (*v == ' ' || *v == '\t'))
                v++, len--;
        while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
                len--;
        snprintf(dst, size, "%.*s", (int)len, v);
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *userdata) {
        static const struct {
                const char *name;
                size_t offset;
                size_t size;
        } wanted[] = {
                { "date", offsetof(struct http_response, date), sizeof(((struct http_response *)0)->date) },
                { "x-amzn-requestid", offsetof(struct http_response, request_id),
                  sizeof(((struct http_response *)0)->request_id) },
                { "x-amz-request-id", offsetof(struct http_response, request_id),
                  sizeof(((struct http_response *)0)->request_id) },
                { "x-amzn-query-error", offsetof(struct http_response, query_error),
                  sizeof(((struct http_response *)0)->query_error) },
        };
        struct http_client *c = userdata;
        size_t n = size * nmemb;
        const char *colon = n < HTTP_HEADER_LINE_MAX ? memchr(line, ':', n) : NULL;

        if (!colon)
                return n;
        size_t name_len = (size_t)(colon - line);
        for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
                if (strlen(wanted[i].name) == name_len && strncasecmp(line, wanted[i].name, name_len) == 0)
                        copy_header_value((char *)&c->resp + wanted[i].offset, wanted[i].size, colon + 1,
                                          n - name_len - 1);
        return n;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
        struct http_client *c = userdata;
        (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
        if (c->opt.progress && c->opt.progress(c->opt.progress_userdata)) {
                c->aborted = true;
                return 1;
        }
        return 0;
}

int http_client_new(const struct http_options *opt, struct http_client **ret) {
        struct http_client *c;
        int r = -ENOMEM;

        /* every answer has a cap (buf.h): a client without one is a mistake */
        if (opt->max_body == 0)
                return -EINVAL;
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->opt = *opt;
        c->curl = curl_easy_init();
        if (!c->curl)
                goto out;
        CURL *h = c->curl;
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, opt->connect_timeout_ms);
        if (opt->no_proxy)
                curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "ssm-notifyd/" SSMN_VERSION);
        *ret = c;
        c = NULL;
        r = 0;
out:
        http_client_free(c);
        return r;
}

void http_client_free(struct http_client *c) {
        if (!c)
                return;
        curl_easy_cleanup(c->curl);
        buf_free(&c->body);
        free(c);
}

void http_response_clear(struct http_response *r) {
        if (!r)
                return;
        free(r->body);
        *r = (struct http_response){ 0 };
}

static int errno_from_curl(const struct http_client *c, CURLcode rc) {
        switch (rc) {
        case CURLE_OPERATION_TIMEDOUT:
                return -ETIMEDOUT;
        case CURLE_COULDNT_CONNECT:
                return -ECONNREFUSED;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return -EHOSTUNREACH;
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
                return -ECONNRESET;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CACERT_BADFILE:
                return -EPROTO;
        case CURLE_WRITE_ERROR:
                return c->body_too_big ? -E2BIG : -EIO;
        case CURLE_ABORTED_BY_CALLBACK:
                return -ECANCELED;
        case CURLE_OUT_OF_MEMORY:
                return -ENOMEM;
        default:
                return -EIO;
        }
}

int http_url_authority(const char *url, const char **ret, size_t *ret_len) {
        const char *p = strstr(url, "://");

        if (!p)
                return -EINVAL;
        *ret = p + 3;
        *ret_len = strcspn(p + 3, "/?#");
        return 0;
}

/* The URL's "host[:port]" (what the reader typed), bounded for a message. */
static void url_authority(const char *url, const char **ret_host, int *ret_len, int *ret_host_len) {
        const char *h = url;
        size_t n, hn;

        if (http_url_authority(url, &h, &n) < 0)
                n = strcspn(url, "/?#"); /* no scheme: what comes before any path */
        hn = n;
        const char *colon = memrchr(h, ':', n);

        /* a port follows the last ':' unless it is inside an IPv6 literal */
        if (colon && !memchr(colon, ']', n - (size_t)(colon - h)))
                hn = (size_t)(colon - h);
        *ret_host = h;
        *ret_len = n > 255 ? 255 : (int)n;
        *ret_host_len = hn > 255 ? 255 : (int)hn;
}

/* The words for a failed exchange: what a reader needs to act on it. */
static void word_failure(struct http_client *c, const struct http_request *req, CURLcode rc, int r) {
        const char *host;
        int n, hn;
        long os_errno = 0;
        curl_off_t usec = 0;

        url_authority(req->url, &host, &n, &hn);
        switch (rc) {
        case CURLE_COULDNT_RESOLVE_HOST:
                snprintf(c->error, sizeof(c->error), "cannot resolve %.*s", hn, host);
                return;
        case CURLE_COULDNT_RESOLVE_PROXY:
                snprintf(c->error, sizeof(c->error), "cannot resolve the proxy's host name (for %.*s)", n, host);
                return;
        case CURLE_COULDNT_CONNECT:
                curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &os_errno);
                if (os_errno == ECONNREFUSED || os_errno == 0)
                        snprintf(c->error, sizeof(c->error), "connection refused by %.*s", n, host);
                else
                        snprintf(c->error, sizeof(c->error), "cannot connect to %.*s: %s", n, host,
                                 strerror((int)os_errno));
                return;
        case CURLE_OPERATION_TIMEDOUT:
                /* tenths only where they matter: short test timeouts, not AWS's */
                curl_easy_getinfo(c->curl, CURLINFO_TOTAL_TIME_T, &usec);
                if (usec < 10000000)
                        snprintf(c->error, sizeof(c->error), "no answer from %.*s after %.1f s", n, host,
                                 (double)usec / 1e6);
                else
                        snprintf(c->error, sizeof(c->error), "no answer from %.*s after %lld s", n, host,
                                 (long long)((usec + 500000) / 1000000));
                return;
        default:
                break;
        }
        switch (r) {
        case -ECONNRESET:
                snprintf(c->error, sizeof(c->error), "%.*s closed the connection before a complete answer", n, host);
                break;
        case -EPROTO:
                snprintf(c->error, sizeof(c->error), "TLS with %.*s failed: %s", n, host, curl_easy_strerror(rc));
                break;
        case -E2BIG:
                snprintf(c->error, sizeof(c->error), "%.*s sent an answer larger than %zu bytes", n, host,
                         c->opt.max_body);
                break;
        case -ECANCELED:
        case -ENOMEM:
                break;
        default:
                snprintf(c->error, sizeof(c->error), "request to %.*s failed: %s", n, host, curl_easy_strerror(rc));
                break;
        }
}

const char *http_client_error(const struct http_client *c) {
        return c->error;
}

/* Request header lines hold the X-Amz-Security-Token and the IMDS token:
 * wiped before libcurl frees its copies of them. */
static void headers_free_secure(struct curl_slist *headers) {
        for (struct curl_slist *h = headers; h; h = h->next)
                OPENSSL_cleanse(h->data, strlen(h->data));
        curl_slist_free_all(headers);
}

int http_perform(struct http_client *c, const struct http_request *req, struct http_response *ret) {
        struct curl_slist *headers = NULL, *tmp;
        struct buf line;
        int r = 0;

        if (req->n_headers > HTTP_MAX_HEADERS)
                return -E2BIG;
        buf_init(&c->body, c->opt.max_body);
        buf_init(&line, HTTP_HEADER_LINE_MAX * 8);
        c->resp = (struct http_response){ 0 };
        c->aborted = c->body_too_big = false;
        c->error[0] = '\0';

        /* libcurl would add these by itself; AWS does not want them and a
         * signed request must not gain headers after signing. */
        static const char *const suppressed[] = { "Expect:", "Accept:" };
        for (size_t i = 0; i < 2 + req->n_headers; i++) {
                buf_truncate(&line, 0);
                if (i < 2)
                        r = buf_puts(&line, suppressed[i]);
                else
                        r = buf_printf(&line, "%s: %s", req->headers[i - 2].name, req->headers[i - 2].value);
                if (r < 0)
                        goto out;
                tmp = curl_slist_append(headers, buf_str(&line));
                if (!tmp) {
                        r = -ENOMEM;
                        goto out;
                }
                headers = tmp;
        }

        CURL *h = c->curl;
        curl_easy_setopt(h, CURLOPT_URL, req->url);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, req->timeout_ms);
        if (strcmp(req->method, "GET") == 0) {
                curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
                curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
        } else {
                curl_easy_setopt(h, CURLOPT_POST, 1L);
                curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
                curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
                curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, strcmp(req->method, "POST") ? req->method : NULL);
        }

        CURLcode rc = curl_easy_perform(h);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
        if (rc != CURLE_OK) {
                r = errno_from_curl(c, rc);
                word_failure(c, req, rc, r);
                goto out;
        }
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->resp.status);
        c->resp.body_len = c->body.len;
        c->resp.body = buf_steal(&c->body);
        if (!c->resp.body) {
                r = -ENOMEM;
                goto out;
        }
        *ret = c->resp;
        c->resp = (struct http_response){ 0 };
out:
        headers_free_secure(headers);
        buf_free_secure(&line);
        buf_free(&c->body);
        return r;
}
