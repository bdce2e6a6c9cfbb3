/* http against a tiny scripted server on 127.0.0.1 run in a thread of the test. */
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "buf.h"
#include "http.h"

/* ANSWER_PAIRED: the first connection's request is answered only once a
 * second connection has sent one (then both are answered, the second
 * first): a client that sends one request at a time never gets an answer. */
enum script { ANSWER_OK, ANSWER_BIG, ANSWER_STALL, ANSWER_RESET, ANSWER_PAIRED };

struct server {
        int fd;
        int port;
        enum script script;
        int connections;
        int requests;
        char last_request[4096];
        pthread_t thread;
        int stop_pipe[2];
};

static void read_request(struct server *s, int c) {
        size_t n = 0;
        while (n < sizeof(s->last_request) - 1) {
                ssize_t k = read(c, s->last_request + n, sizeof(s->last_request) - 1 - n);
                if (k <= 0)
                        break;
                n += (size_t)k;
                s->last_request[n] = '\0';
                char *end = strstr(s->last_request, "\r\n\r\n");
                const char *cl = strcasestr(s->last_request, "content-length:");
                if (end && (!cl || n >= (size_t)(end + 4 - s->last_request) + (size_t)atoi(cl + 15)))
                        break;
        }
        s->last_request[n] = '\0';
}

static bool serve_one(struct server *s, int c) {
        static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nDate: Sun, 30 Aug 2015 12:36:00 GMT\r\n"
                                 "x-amzn-RequestId: req-123\r\nx-amzn-query-error: AWS.X;Sender\r\n\r\nhello";
        read_request(s, c);
        if (!s->last_request[0])
                return false;
        s->requests++;
        switch (s->script) {
        case ANSWER_OK:
                return write(c, ok, sizeof(ok) - 1) > 0;
        case ANSWER_BIG: {
                char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";
                static char body[100000];
                memset(body, 'x', sizeof(body));
                (void)!write(c, head, sizeof(head) - 1);
                (void)!write(c, body, sizeof(body));
                return false;
        }
        case ANSWER_STALL: {
                char b;
                /* hold the connection until the client gives up */
                (void)!read(c, &b, 1);
                return false;
        }
        case ANSWER_RESET: {
                static const char partial[] = "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort";
                (void)!write(c, partial, sizeof(partial) - 1);
                return false;
        }
        case ANSWER_PAIRED: /* server_main serves it */
                return false;
        }
        return false;
}

static const char paired_ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

static void *server_main(void *arg) {
        struct server *s = arg;
        if (s->script == ANSWER_PAIRED) {
                int a = accept(s->fd, NULL, NULL), b;
                if (a < 0)
                        return NULL;
                read_request(s, a);
                b = accept(s->fd, NULL, NULL);
                if (b >= 0) {
                        read_request(s, b);
                        s->connections = 2;
                        (void)!write(b, paired_ok, sizeof(paired_ok) - 1);
                        (void)!write(a, paired_ok, sizeof(paired_ok) - 1);
                        close(b);
                }
                close(a);
                return NULL;
        }
        for (;;) {
                int c = accept(s->fd, NULL, NULL);
                if (c < 0)
                        return NULL;
                s->connections++;
                while (serve_one(s, c))
                        ;
                close(c);
        }
}

static struct server *server_start(enum script script) {
        struct server *s = calloc(1, sizeof(*s));
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(a);
        s->script = script;
        s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(s->fd >= 0);
        assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
        assert_int_equal(listen(s->fd, 4), 0);
        assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
        s->port = ntohs(a.sin_port);
        assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
        return s;
}

static void server_stop(struct server *s) {
        shutdown(s->fd, SHUT_RDWR);
        close(s->fd);
        pthread_cancel(s->thread);
        pthread_join(s->thread, NULL);
        free(s);
}

static int perform(struct http_client *c, struct server *s, long timeout_ms, struct http_response *resp) {
        char url[64];
        const struct http_header h[] = { { "Content-Type", "application/x-amz-json-1.0" },
                                         { "X-Amz-Target", "AmazonSQS.ReceiveMessage" } };
        snprintf(url, sizeof(url), "http://127.0.0.1:%d/", s->port);
        struct http_request req = { .method = "POST", .url = url, .headers = h, .n_headers = 2,
                                    .body = "{}", .body_len = 2, .timeout_ms = timeout_ms };
        return http_perform(c, &req, resp);
}

static struct http_client *client(size_t max_body, int (*progress)(void *), void *ud) {
        struct http_client *c;
        struct http_options o = { .connect_timeout_ms = 1000, .max_body = max_body, .progress = progress,
                                  .progress_userdata = ud };
        assert_int_equal(http_client_new(&o, &c), 0);
        return c;
}

/* The test links with -Wl,--wrap=free and gives libcurl its allocator
 * (curl_global_init_mem): while watching, a block that our code frees, or a
 * header line libcurl copied (its strdup) and frees, still holding TOKEN
 * counts as unwiped. libcurl's own request buffer is not watched: it is
 * a known limit (README) that copies libcurl makes internally are not wiped. */
#define TOKEN "IQoJb3JpZ2luX2VjEXAMPLEsessiontoken"
void __real_free(void *p);
void __wrap_free(void *p);

static bool watching;
static int unwiped;
static void *curl_copies[32];
static size_t n_curl_copies;

static bool holds_token(void *p) {
        return p && memmem(p, malloc_usable_size(p), TOKEN, strlen(TOKEN));
}

void __wrap_free(void *p) {
        if (watching && holds_token(p))
                unwiped++;
        __real_free(p);
}

static char *curl_strdup_cb(const char *s) {
        char *p = strdup(s);
        if (p && watching && strstr(s, TOKEN) && n_curl_copies < sizeof(curl_copies) / sizeof(curl_copies[0]))
                curl_copies[n_curl_copies++] = p;
        return p;
}

static void curl_free_cb(void *p) {
        for (size_t i = 0; p && i < n_curl_copies; i++)
                if (curl_copies[i] == p) {
                        curl_copies[i] = NULL;
                        unwiped += holds_token(p);
                }
        __real_free(p);
}

static void test_answer_and_keepalive(void **state) {
        (void)state;
        struct server *s = server_start(ANSWER_OK);
        struct http_client *c = client(1024, NULL, NULL);
        struct http_response r = { 0 };
        for (int i = 0; i < 3; i++) {
                assert_int_equal(perform(c, s, 2000, &r), 0);
                assert_int_equal(r.status, 200);
                assert_int_equal(r.body_len, 5);
                assert_string_equal(r.body, "hello");
                assert_string_equal(r.date, "Sun, 30 Aug 2015 12:36:00 GMT");
                assert_string_equal(r.request_id, "req-123");
                assert_string_equal(r.query_error, "AWS.X;Sender");
                http_response_clear(&r);
        }
        assert_int_equal(s->requests, 3);
        assert_int_equal(s->connections, 1); /* one connection reused */
        assert_non_null(strstr(s->last_request, "X-Amz-Target: AmazonSQS.ReceiveMessage\r\n"));
        assert_null(strcasestr(s->last_request, "Expect:"));
        assert_non_null(strstr(s->last_request, "\r\n\r\n{}"));
        http_client_free(c);
        server_stop(s);
}

static void test_body_cap(void **state) {
        (void)state;
        struct server *s = server_start(ANSWER_BIG);
        struct http_client *c = client(1000, NULL, NULL);
        struct http_response r = { .status = 7 };
        assert_int_equal(perform(c, s, 2000, &r), -E2BIG);
        assert_int_equal(r.status, 7); /* untouched on failure */
        http_client_free(c);
        server_stop(s);

        /* every client has a cap: none is a mistake, not "unbounded" */
        struct http_client *none = (struct http_client *)1;
        const struct http_options o = { .connect_timeout_ms = 1000 };
        assert_int_equal(http_client_new(&o, &none), -EINVAL);
        assert_ptr_equal(none, (struct http_client *)1);
}

static void test_timeout_and_truncation(void **state) {
        (void)state;
        struct server *s = server_start(ANSWER_STALL);
        struct http_client *c = client(1000, NULL, NULL);
        struct http_response r = { 0 };
        char want[128];
        assert_int_equal(perform(c, s, 300, &r), -ETIMEDOUT);
        snprintf(want, sizeof(want), "no answer from 127.0.0.1:%d after 0.3 s", s->port);
        assert_string_equal(http_client_error(c), want);
        http_client_free(c);
        server_stop(s);

        s = server_start(ANSWER_RESET);
        c = client(1000, NULL, NULL);
        assert_int_equal(perform(c, s, 2000, &r), -ECONNRESET);
        snprintf(want, sizeof(want), "127.0.0.1:%d closed the connection before a complete answer", s->port);
        assert_string_equal(http_client_error(c), want);
        http_client_free(c);
        server_stop(s);
}

/* RFC 6761: .invalid names resolve nowhere, and fail fast. */
static void test_unresolvable(void **state) {
        (void)state;
        struct http_client *c = client(1000, NULL, NULL);
        struct http_response r = { 0 };
        struct http_request req = { .method = "GET", .url = "https://sqs.ssm-notifyd-test.invalid:8443/q",
                                    .timeout_ms = 5000 };
        assert_int_equal(http_perform(c, &req, &r), -EHOSTUNREACH);
        assert_string_equal(http_client_error(c), "cannot resolve sqs.ssm-notifyd-test.invalid");
        /* a success clears it */
        struct server *s = server_start(ANSWER_OK);
        assert_int_equal(perform(c, s, 2000, &r), 0);
        assert_string_equal(http_client_error(c), "");
        http_response_clear(&r);
        http_client_free(c);
        server_stop(s);
}

static void test_refused(void **state) {
        (void)state;
        struct server *s = server_start(ANSWER_OK);
        int port = s->port;
        server_stop(s);
        struct http_client *c = client(1000, NULL, NULL);
        struct http_response r = { 0 };
        char url[64];
        snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
        struct http_request req = { .method = "GET", .url = url, .timeout_ms = 1000 };
        assert_int_equal(http_perform(c, &req, &r), -ECONNREFUSED);
        char want[64];
        snprintf(want, sizeof(want), "connection refused by 127.0.0.1:%d", port);
        assert_string_equal(http_client_error(c), want);
        req.url = "ftp://127.0.0.1/";
        assert_int_equal(http_perform(c, &req, &r), -EIO);
        http_client_free(c);
        http_client_free(NULL);
}

static void test_no_proxy(void **state) {
        (void)state;
        struct server *closed = server_start(ANSWER_OK);
        char proxy[64];
        snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", closed->port);
        server_stop(closed);
        struct server *s = server_start(ANSWER_OK);
        struct http_client *c = client(1000, NULL, NULL);
        struct http_client *direct;
        struct http_options o = { .connect_timeout_ms = 1000, .max_body = 1000, .no_proxy = true };
        struct http_response r = { 0 };
        assert_int_equal(http_client_new(&o, &direct), 0);
        setenv("http_proxy", proxy, 1);
        /* the variable is honoured by default: the dead proxy refuses */
        assert_int_equal(perform(c, s, 2000, &r), -ECONNREFUSED);
        assert_int_equal(s->requests, 0);
        assert_int_equal(perform(direct, s, 2000, &r), 0);
        assert_int_equal(r.status, 200);
        assert_int_equal(s->requests, 1);
        unsetenv("http_proxy");
        http_response_clear(&r);
        http_client_free(direct);
        http_client_free(c);
        server_stop(s);
}

static int stop_now(void *ud) {
        int *calls = ud;
        return ++*calls >= 1;
}

static void test_progress_abort(void **state) {
        (void)state;
        int calls = 0;
        struct server *s = server_start(ANSWER_STALL);
        struct http_client *c = client(1000, stop_now, &calls);
        struct http_response r = { 0 };
        assert_int_equal(perform(c, s, 10000, &r), -ECANCELED);
        assert_true(calls >= 1);
        http_client_free(c);
        server_stop(s);
}

static struct http_client *client_on(struct http_multi *m, int (*progress)(void *), void *ud) {
        struct http_client *c;
        struct http_options o = { .connect_timeout_ms = 1000, .max_body = 1000, .progress = progress,
                                  .progress_userdata = ud, .multi = m };
        assert_int_equal(http_client_new(&o, &c), 0);
        return c;
}

struct hook {
        int calls;
        bool stop;
};

static int counting_hook(void *ud) {
        struct hook *h = ud;
        h->calls++;
        return h->stop;
}

/* Two clients on one multi have their requests in flight together: the
 * paired server answers neither until both arrived. The first one's hook
 * would cancel it, but it is not asked while the second is waited for. */
static void test_multi_in_flight_together(void **state) {
        (void)state;
        struct hook hook = { .stop = true };
        struct server *s = server_start(ANSWER_PAIRED);
        struct http_multi *m;
        assert_int_equal(http_multi_new(&m), 0);
        struct http_client *a = client_on(m, counting_hook, &hook), *b = client_on(m, NULL, NULL);
        struct http_response ra = { 0 }, rb = { 0 };
        char url[64];
        snprintf(url, sizeof(url), "http://127.0.0.1:%d/", s->port);
        const struct http_request req = { .method = "POST", .url = url, .body = "{}", .body_len = 2,
                                          .timeout_ms = 5000 };

        assert_int_equal(http_start(a, &req), 0);
        assert_int_equal(http_start(a, &req), -EBUSY);
        assert_int_equal(http_start(b, &req), 0);
        assert_int_equal(http_finish(b, &rb), 0);
        assert_int_equal(rb.status, 200);
        assert_string_equal(rb.body, "hello");
        assert_int_equal(hook.calls, 0);
        hook.stop = false;
        assert_int_equal(http_finish(a, &ra), 0);
        assert_string_equal(ra.body, "hello");
        assert_int_equal(s->connections, 2);
        http_response_clear(&ra);
        http_response_clear(&rb);

        /* a cancelled request leaves the client ready for the next one */
        assert_int_equal(http_start(a, &req), 0);
        http_cancel(a);
        http_cancel(a);
        http_client_free(a);
        http_client_free(b);
        http_multi_free(m);
        http_multi_free(NULL);
        server_stop(s);
}

static double seconds_since(const struct timespec *t0) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

#define N_PEERS 4

/* Several requests on one multi, each on its own connection: each finishes
 * whatever order they are waited for in, and a second round reuses every
 * connection (libcurl stops watching a pooled socket and watches it again).
 * A stalled one among them times out on time and holds none of them up. */
static void test_multi_many_sockets(void **state) {
        (void)state;
        struct http_multi *m;
        struct server *s[N_PEERS], *stall = server_start(ANSWER_STALL);
        struct http_client *c[N_PEERS], *stalled;
        struct http_response r = { 0 };
        char url[N_PEERS][64], stall_url[64], want[128];
        struct timespec t0;

        assert_int_equal(http_multi_new(&m), 0);
        for (int i = 0; i < N_PEERS; i++) {
                s[i] = server_start(ANSWER_OK);
                c[i] = client_on(m, NULL, NULL);
                snprintf(url[i], sizeof(url[i]), "http://127.0.0.1:%d/", s[i]->port);
        }
        stalled = client_on(m, NULL, NULL);
        snprintf(stall_url, sizeof(stall_url), "http://127.0.0.1:%d/", stall->port);
        const struct http_request stall_req = { .method = "GET", .url = stall_url, .timeout_ms = 300 };

        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(http_start(stalled, &stall_req), 0);
        for (int round = 0; round < 2; round++) {
                for (int i = 0; i < N_PEERS; i++) {
                        const struct http_request req = { .method = "GET", .url = url[i], .timeout_ms = 5000 };
                        assert_int_equal(http_start(c[i], &req), 0);
                }
                for (int i = N_PEERS - 1; i >= 0; i--) {
                        assert_int_equal(http_finish(c[i], &r), 0);
                        assert_int_equal(r.status, 200);
                        assert_string_equal(r.body, "hello");
                        http_response_clear(&r);
                }
        }
        assert_false(http_ready(stalled));
        assert_int_equal(http_finish(stalled, &r), -ETIMEDOUT);
        double took = seconds_since(&t0);
        assert_true(took >= 0.3 && took < 1.0);
        snprintf(want, sizeof(want), "no answer from 127.0.0.1:%d after 0.3 s", stall->port);
        assert_string_equal(http_client_error(stalled), want);
        assert_true(http_ready(stalled));
        for (int i = 0; i < N_PEERS; i++) {
                assert_int_equal(s[i]->requests, 2);
                assert_int_equal(s[i]->connections, 1);
                http_client_free(c[i]);
                server_stop(s[i]);
        }
        http_client_free(stalled);
        http_multi_free(m);
        server_stop(stall);
}

/* Waiting for a stalled server is a few wake-ups, not a spin: little CPU
 * for 2.5 s of waiting, and the hook still asked once a second. */
static void test_wait_is_idle(void **state) {
        (void)state;
        struct hook hook = { .stop = false };
        struct server *s = server_start(ANSWER_STALL);
        struct http_client *c = client(1000, counting_hook, &hook);
        struct http_response r = { 0 };
        struct timespec cpu0, cpu;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
        assert_int_equal(perform(c, s, 2500, &r), -ETIMEDOUT);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
        double cpu_s = (double)(cpu.tv_sec - cpu0.tv_sec) + (double)(cpu.tv_nsec - cpu0.tv_nsec) / 1e9;
        assert_true(cpu_s < 0.1);
        assert_true(hook.calls >= 2);
        http_client_free(c);
        server_stop(s);
}

static volatile sig_atomic_t got_signal;

static void on_alarm(int sig) {
        (void)sig;
        got_signal = 1;
}

static int stop_on_signal(void *ud) {
        (void)ud;
        return got_signal;
}

/* A signal ends the wait at once, for the hook to see it, not at the end of
 * the slice (the daemon's SIGTERM during a long poll). It comes 0.4 s in,
 * during a wait of libcurl's that lasts until 1 s. */
static void test_signal_ends_wait(void **state) {
        (void)state;
        struct sigaction sa = { .sa_handler = on_alarm }, old;
        sigset_t alrm, saved;
        struct itimerval it = { .it_value = { .tv_usec = 400000 } };
        struct http_response r = { 0 };
        struct timespec t0;

        /* the server thread inherits SIGALRM blocked: the signal meets the wait */
        sigemptyset(&alrm);
        sigaddset(&alrm, SIGALRM);
        assert_int_equal(pthread_sigmask(SIG_BLOCK, &alrm, &saved), 0);
        struct server *s = server_start(ANSWER_STALL);
        assert_int_equal(pthread_sigmask(SIG_SETMASK, &saved, NULL), 0);
        struct http_client *c = client(1000, stop_on_signal, NULL);

        got_signal = 0;
        assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
        assert_int_equal(perform(c, s, 10000, &r), -ECANCELED);
        double took = seconds_since(&t0);
        assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
        assert_true(got_signal);
        assert_true(took < 0.9);
        http_client_free(c);
        server_stop(s);
}

static void test_token_header_wiped(void **state) {
        (void)state;
        struct server *s = server_start(ANSWER_OK);
        struct http_client *c = client(1024, NULL, NULL);
        struct http_response r = { 0 };
        char url[64];
        const struct http_header h[] = { { "X-Amz-Security-Token", TOKEN },
                                         { "X-aws-ec2-metadata-token", TOKEN } };
        snprintf(url, sizeof(url), "http://127.0.0.1:%d/", s->port);
        struct http_request req = { .method = "GET", .url = url, .headers = h, .n_headers = 2, .timeout_ms = 2000 };

        /* the watch sees an unwiped block */
        struct buf probe;
        buf_init(&probe, sizeof("x" TOKEN));
        assert_int_equal(buf_puts(&probe, "x" TOKEN), 0);
        watching = true;
        buf_free(&probe);
        assert_int_equal(unwiped, 1);
        unwiped = 0;

        assert_int_equal(http_perform(c, &req, &r), 0);
        assert_int_equal(r.status, 200);
        assert_non_null(strstr(s->last_request, "X-Amz-Security-Token: " TOKEN "\r\n"));
        http_response_clear(&r);
        http_client_free(c);
        watching = false;
        assert_true(n_curl_copies >= 2); /* libcurl copied both lines, so both were watched */
        for (size_t i = 0; i < n_curl_copies; i++)
                assert_null(curl_copies[i]); /* and freed them */
        assert_int_equal(unwiped, 0);
        server_stop(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_answer_and_keepalive),
                cmocka_unit_test(test_body_cap),
                cmocka_unit_test(test_timeout_and_truncation),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_unresolvable),
                cmocka_unit_test(test_no_proxy),
                cmocka_unit_test(test_progress_abort),
                cmocka_unit_test(test_multi_in_flight_together),
                cmocka_unit_test(test_multi_many_sockets),
                cmocka_unit_test(test_wait_is_idle),
                cmocka_unit_test(test_signal_ends_wait),
                cmocka_unit_test(test_token_header_wiped),
        };
        /* first: libcurl keeps the allocator of its first initialisation */
        if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc, curl_free_cb, realloc, curl_strdup_cb, calloc) != CURLE_OK)
                return 1;
        if (http_global_init() < 0)
                return 1;
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        http_global_cleanup();
        curl_global_cleanup();
        return r;
}
