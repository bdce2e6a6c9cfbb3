/* aws_client: the one signed-HTTP path of every AWS call, for any service
 * an aws_service.h descriptor describes.
 *
 * One client per endpoint (its own keep-alive connection). A call takes the
 * current credentials, signs with SigV4 at the local time corrected by the
 * learnt clock offset, sends, and classifies the answer with aws_error (JSON
 * or XML as the protocol answers). Two answers are handled here, once per
 * call, because only this layer can:
 *  - clock skew: the offset is taken from the server's Date header and the
 *    request is signed again and resent;
 *  - expired credentials: the provider drops its cached credentials and the
 *    request is signed with fresh ones and resent.
 * Everything else is for the caller to decide (it knows the message).
 * A call may also be started and finished later (aws_client_start,
 * aws_client_finish): clients built on one http_multi then have their calls
 * in flight together, each on its own connection (http.h); the two answers
 * above are handled for those calls too, in aws_client_finish. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "aws_error.h"
#include "aws_service.h"
#include "credentials.h"
#include "http.h"

struct aws_client;

struct aws_client_options {
        const struct aws_service *service;
        const char *endpoint; /* base URL: scheme://host[:port]; NULL: the service's rule for region */
        const char *region;
        struct credentials *credentials; /* borrowed */
        size_t max_body;
        long connect_timeout_ms;
        int (*progress)(void *userdata); /* see http.h */
        void *progress_userdata;
        struct http_multi *multi; /* borrowed (http.h); NULL: the client's own */
        /* Borrowed: clients that share it learn the clock offset once for
         * all (the streams of one queue); NULL: the client's own. */
        long *clock_offset;
};

/* A successful (2xx) answer. */
struct aws_answer {
        char *body; /* NUL-terminated, body_len bytes before the NUL */
        size_t body_len;
        char request_id[128];
};

int aws_client_new(const struct aws_client_options *opt, struct aws_client **ret);
void aws_client_free(struct aws_client *c);

/* action: the X-Amz-Target suffix (JSON) and only informative for Query.
 * 0 with *ret for a 2xx answer (release it with aws_answer_clear()).
 * Otherwise *err says why (aws_error.h) and the result is:
 *   -EIO       AWS answered with an error, no answer arrived, or there were
 *              no credentials to sign with (err->source tells which);
 *   -ECANCELED the progress hook stopped the call;
 *   -E2BIG     the answer was above max_body (or the request above SigV4's
 *              limits, sigv4.h);
 *   -ENOMEM, -EINVAL (a request that cannot be signed). */
int aws_client_call(struct aws_client *c, const char *action, const char *body, size_t body_len,
                    long timeout_ms, struct aws_answer *ret, struct aws_error *err);
void aws_answer_clear(struct aws_answer *a);
/* aws_client_call in two halves. Start copies action and body and sends the
 * signed request: 0, or the errors of aws_client_call that can arise before
 * anything is sent (-EIO without credentials, -ENOMEM, -EINVAL, -E2BIG), and
 * -EBUSY while a call is in flight on c. Finish waits for the answer (every
 * call of the client's http_multi progresses meanwhile) and returns what
 * aws_client_call would; -EINVAL when nothing was started. */
int aws_client_start(struct aws_client *c, const char *action, const char *body, size_t body_len,
                     long timeout_ms, struct aws_error *err);
int aws_client_finish(struct aws_client *c, struct aws_answer *ret, struct aws_error *err);
/* True when aws_client_finish would not wait for the network, except to
 * send again after a clock-skew or expired-credentials answer: the answer
 * is in, or no call is in flight. Moves the http_multi's calls along without
 * waiting. */
bool aws_client_ready(struct aws_client *c);
/* Abandons the call in flight, if any. Accepts NULL. */
void aws_client_cancel(struct aws_client *c);

/* Seconds added to the local clock when signing (learnt from skew answers). */
long aws_client_clock_offset(const struct aws_client *c);
