#include "http.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "buf.h"

/* Header names and values we keep are short; a longer header line is not one
 * of ours or is hostile, and is ignored. */
#define HTTP_HEADER_LINE_MAX 1024
/* Bound on request headers we build per call (AWS calls use about six). */
#define HTTP_MAX_HEADERS 16

/* Driven through libcurl's socket interface: libcurl says which sockets to
 * watch, for what, and when it next wants to be called (on_socket,
 * on_timer); a wait is one poll(2) over them all, after which libcurl is told
 * which socket is ready and works on its transfers only. curl_multi_perform
 * instead polls every running transfer's socket itself, once per call. */
struct http_multi {
        CURLM *multi;
        struct pollfd *watch; /* one entry per socket libcurl watches */
        size_t n_watch, watch_size;
        struct pollfd *polled; /* what a wait polls: callbacks change watch meanwhile */
        size_t polled_size;
        int64_t due_us; /* when libcurl's timer is due (CLOCK_MONOTONIC); -1: none */
};

struct http_client {
        CURL *curl;
        struct http_options opt;
        struct http_multi *multi; /* opt.multi, or own_multi */
        struct http_multi *own_multi;
        struct curl_slist *headers; /* of the request in flight */
        const char *url;            /* of the request in flight, borrowed */
        bool in_flight;             /* added to the multi, not finished yet */
        bool done;                  /* the transfer ended; result says how */
        bool waited;                /* http_finish() waits for this request: only it may be cancelled */
        CURLcode result;
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
        curl_off_t length = -1;
        /* The whole answer's room at once, not doubling from 64 bytes; a length
         * above the maximum is refused by the append that would pass it. */
        if (!c->body.data && curl_easy_getinfo(c->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK &&
            length > 0 && (uint64_t)length <= c->body.max)
                (void)buf_reserve(&c->body, (size_t)length);
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

/* Only the request being waited for asks its hook: a request progressing in
 * the background of another's wait (a delete during a publish) is never
 * cancelled by a hook meant for the one waited for (a long poll). */
static bool ask_hook(struct http_client *c) {
        if (c->waited && c->opt.progress && c->opt.progress(c->opt.progress_userdata)) {
                c->aborted = true;
                return true;
        }
        return false;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
        (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
        return ask_hook(userdata) ? 1 : 0;
}

static int64_t now_us(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int grow_pollfds(struct pollfd **a, size_t *size, size_t need) {
        size_t n = *size ? *size * 2 : 8;
        struct pollfd *p;

        if (need <= *size)
                return 0;
        while (n < need)
                n *= 2;
        p = realloc(*a, n * sizeof(*p));
        if (!p)
                return -ENOMEM;
        *a = p;
        *size = n;
        return 0;
}

/* CURLMOPT_SOCKETFUNCTION: s is to be watched for what (or no longer). A
 * socket may pass from one transfer to another (a reused connection), so it
 * is kept by its number alone. */
static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp) {
        struct http_multi *m = userp;
        size_t i = 0;

        (void)easy, (void)socketp;
        while (i < m->n_watch && m->watch[i].fd != s)
                i++;
        /* CURL_POLL_NONE: known but not waited for; poll(2) would still
         * report a hang-up on it, again and again */
        if (what == CURL_POLL_REMOVE || what == CURL_POLL_NONE) {
                if (i < m->n_watch)
                        m->watch[i] = m->watch[--m->n_watch];
                return 0;
        }
        if (i == m->n_watch) {
                /* libcurl then fails the transfers of the multi: none waits
                 * for a socket nobody watches */
                if (grow_pollfds(&m->watch, &m->watch_size, m->n_watch + 1) < 0)
                        return -1;
                m->watch[m->n_watch++] = (struct pollfd){ .fd = s };
        }
        m->watch[i].events = (short)((what & CURL_POLL_IN ? POLLIN : 0) | (what & CURL_POLL_OUT ? POLLOUT : 0));
        return 0;
}

/* CURLMOPT_TIMERFUNCTION: libcurl wants socket_action(CURL_SOCKET_TIMEOUT)
 * in timeout_ms, or (-1) not at all. */
static int on_timer(CURLM *multi, long timeout_ms, void *userp) {
        struct http_multi *m = userp;

        (void)multi;
        m->due_us = timeout_ms < 0 ? -1 : now_us() + (int64_t)timeout_ms * 1000;
        return 0;
}

int http_multi_new(struct http_multi **ret) {
        struct http_multi *m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->due_us = -1;
        m->multi = curl_multi_init();
        if (!m->multi) {
                free(m);
                return -ENOMEM;
        }
        if (curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION, on_socket) != CURLM_OK ||
            curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m) != CURLM_OK ||
            curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION, on_timer) != CURLM_OK ||
            curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m) != CURLM_OK) {
                http_multi_free(m);
                return -EIO;
        }
        *ret = m;
        return 0;
}

void http_multi_free(struct http_multi *m) {
        if (!m)
                return;
        /* closing the pooled connections tells on_socket: m is still whole */
        curl_multi_cleanup(m->multi);
        free(m->watch);
        free(m->polled);
        free(m);
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
        c->multi = opt->multi;
        if (!c->multi) {
                r = http_multi_new(&c->own_multi);
                if (r < 0)
                        goto out;
                c->multi = c->own_multi;
        }
        r = -ENOMEM;
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
        /* Per handle, kept while it lives: libcurl's receive buffer (16 KiB by
         * default; 4 KiB costs a few more reads of a large answer, all copied
         * into c->body anyway) and, once a body of 64 KiB or more was sent,
         * its upload buffer (64 KiB by default, 16 KiB the least). */
        curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 4096L);
        curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 16384L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "ssm-notifyd/" SSMN_VERSION);
        curl_easy_setopt(h, CURLOPT_PRIVATE, c);
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
        http_cancel(c);
        curl_easy_cleanup(c->curl);
        http_multi_free(c->own_multi);
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
static void word_failure(struct http_client *c, const char *url, CURLcode rc, int r) {
        const char *host;
        int n, hn;
        long os_errno = 0;
        curl_off_t usec = 0;

        url_authority(url, &host, &n, &hn);
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

static int run_timer(struct http_multi *m);
static void collect(struct http_multi *m);

int http_start(struct http_client *c, const struct http_request *req) {
        struct curl_slist *headers = NULL, *tmp;
        struct buf line;
        int r = 0;

        if (c->in_flight)
                return -EBUSY;
        if (req->n_headers > HTTP_MAX_HEADERS)
                return -E2BIG;
        buf_init(&c->body, c->opt.max_body);
        buf_init(&line, HTTP_HEADER_LINE_MAX * 8);
        c->resp = (struct http_response){ 0 };
        c->aborted = c->body_too_big = c->done = false;
        c->error[0] = '\0';

        /* libcurl would add these by itself; AWS does not want them and a
         * signed request must not gain headers after signing. */
        static const char *const suppressed[] = { "Expect:", "Accept:" };
        for (size_t i = 0; i < 2 + req->n_headers; i++) {
                buf_truncate(&line, 0);
                if (i < 2)
                        r = buf_puts(&line, suppressed[i]);
                else
                        r = buf_cat(&line, req->headers[i - 2].name, ": ", req->headers[i - 2].value);
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
        if (curl_multi_add_handle(c->multi->multi, h) != CURLM_OK) {
                curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
                r = -ENOMEM;
                goto out;
        }
        c->headers = headers;
        headers = NULL;
        c->url = req->url;
        c->in_flight = true;
        /* Sent now, not at the next wait: the caller has other work to do
         * while this request is in flight: adding it set libcurl's timer to
         * 0 ms. A failure shows in http_finish. */
        if (run_timer(c->multi) == 0)
                collect(c->multi);
out:
        headers_free_secure(headers);
        buf_free_secure(&line);
        if (r < 0)
                buf_free(&c->body);
        return r;
}

/* Marks the transfers that ended since the last call as done. */
static void collect(struct http_multi *m) {
        CURLMsg *msg;
        int left;

        while ((msg = curl_multi_info_read(m->multi, &left))) {
                struct http_client *c = NULL;
                if (msg->msg != CURLMSG_DONE)
                        continue;
                curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
                if (!c)
                        continue;
                c->result = msg->data.result;
                c->done = true;
        }
}

/* Acts on libcurl's timer when it is due. A socket action runs the timers
 * due too, and sets the next one. */
static int run_timer(struct http_multi *m) {
        int running;

        if (m->due_us < 0 || now_us() < m->due_us)
                return 0;
        m->due_us = -1; /* on_timer sets the next one */
        return curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running) == CURLM_OK ? 0 : -EIO;
}

/* Tells libcurl that the socket of p is ready, in its terms: a hang-up or
 * an error is for reading (which then meets the end or the error), and for
 * writing too when it is an error. */
static int act_on_socket(struct http_multi *m, const struct pollfd *p) {
        int running, ev = 0;

        if (p->revents & (POLLIN | POLLHUP | POLLERR))
                ev |= CURL_CSELECT_IN;
        if (p->revents & (POLLOUT | POLLERR))
                ev |= CURL_CSELECT_OUT;
        if (p->revents & (POLLERR | POLLNVAL))
                ev |= CURL_CSELECT_ERR;
        return curl_multi_socket_action(m->multi, p->fd, ev, &running) == CURLM_OK ? 0 : -EIO;
}

/* Moves every request of m along, after waiting at most timeout_ms (and no
 * longer than libcurl's timer) for one of its sockets: one poll(2) for all of
 * them, then libcurl works on the ready ones and on its timer if due. A
 * signal ends the wait with nothing done, for the caller's hook to see it.
 * Waiting with nothing to wait for cannot happen: a client waits only while
 * its own transfer runs, and every run is followed by collect(). */
static int multi_run(struct http_multi *m, long timeout_ms) {
        int64_t now = now_us();
        size_t n = m->n_watch;
        int r;

        if (m->due_us >= 0 && timeout_ms > 0) {
                /* rounded up: libcurl acts on no timer before it is due */
                int64_t left_ms = m->due_us > now ? (m->due_us - now + 999) / 1000 : 0;
                if (left_ms < timeout_ms)
                        timeout_ms = (long)left_ms;
        }
        r = grow_pollfds(&m->polled, &m->polled_size, n);
        if (r < 0)
                return r;
        if (n)
                memcpy(m->polled, m->watch, n * sizeof(*m->polled));
        r = poll(m->polled, n, (int)timeout_ms);
        if (r < 0)
                return errno == EINTR ? 0 : -errno;
        for (size_t i = 0; r > 0 && i < n; i++)
                if (m->polled[i].revents) {
                        r--;
                        if (act_on_socket(m, &m->polled[i]) < 0)
                                return -EIO;
                }
        r = run_timer(m);
        if (r < 0)
                return r;
        collect(m);
        return 0;
}

/* Each slice lets the hook answer at least once a second, whatever libcurl
 * does with its progress timer when nothing arrives. */
#define HTTP_WAIT_SLICE_MS 1000

/* 0 once the request in flight ended (or the hook stopped it); -EIO when
 * libcurl failed, -ENOMEM. */
static int wait_done(struct http_client *c) {
        int r = 0;

        if (!c->in_flight)
                return -EINVAL;
        c->waited = true;
        while (!c->done) {
                r = multi_run(c->multi, HTTP_WAIT_SLICE_MS);
                if (r < 0)
                        break;
                if (!c->done && ask_hook(c)) {
                        c->result = CURLE_ABORTED_BY_CALLBACK;
                        c->done = true;
                }
        }
        c->waited = false;
        return r;
}

bool http_ready(struct http_client *c) {
        if (!c->in_flight)
                return true;
        if (!c->done)
                (void)multi_run(c->multi, 0); /* a libcurl failure shows in http_finish */
        return c->done;
}

static void detach(struct http_client *c) {
        curl_multi_remove_handle(c->multi->multi, c->curl);
        curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
        headers_free_secure(c->headers);
        c->headers = NULL;
        c->in_flight = c->done = false;
}

void http_cancel(struct http_client *c) {
        if (!c->in_flight)
                return;
        detach(c);
        buf_free(&c->body);
}

int http_finish(struct http_client *c, struct http_response *ret) {
        int r = wait_done(c);

        if (r < 0) {
                http_cancel(c);
                return r;
        }
        CURLcode rc = c->result;
        detach(c);
        if (rc != CURLE_OK) {
                r = errno_from_curl(c, rc);
                word_failure(c, c->url, rc, r);
                goto out;
        }
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &c->resp.status);
        c->resp.body_len = c->body.len;
        c->resp.body = buf_steal(&c->body);
        if (!c->resp.body) {
                r = -ENOMEM;
                goto out;
        }
        *ret = c->resp;
        c->resp = (struct http_response){ 0 };
out:
        buf_free(&c->body);
        return r;
}

int http_perform(struct http_client *c, const struct http_request *req, struct http_response *ret) {
        int r = http_start(c, req);
        return r < 0 ? r : http_finish(c, ret);
}
