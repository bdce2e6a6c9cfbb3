/* ssm_sessions: SSM DescribeSessions (AWS JSON 1.1, AmazonSSM.), the session
 * history the daemon completes its notifications from.
 *
 * State=Active lists the sessions still open (one page of up to 200 per
 * call; the caller follows next_token); State=History with a SessionId
 * filter finds one ended session: its end, status and OutputUrl. The request
 * body and the answer are built and parsed purely (exposed for tests and
 * fuzzing); ssm_describe_sessions() sends them over an aws_client. Returns
 * 0, or a negative errno with *err as aws_client.h says; -EBADMSG for an
 * answer that is not what the API reference documents. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "aws_client.h"
#include "buf.h"

/* SSM: "MaxResults … Valid Range: Minimum value of 1. Maximum value of 200." */
#define SSM_SESSIONS_PAGE_MAX 200
/* 200 sessions with every member at its documented maximum (an OutputUrl
 * is up to 2083 characters twice) fit in 2 MiB. */
#define SSM_SESSIONS_ANSWER_MAX (2u * 1024 * 1024)
/* A NextToken is opaque; SSM's are a few hundred bytes. */
#define SSM_NEXT_TOKEN_MAX 4096

enum ssm_session_state { SSM_SESSIONS_ACTIVE, SSM_SESSIONS_HISTORY };

struct ssm_session {
        char *session_id; /* never NULL; every other string NULL when absent or empty */
        char *target;
        char *owner;
        char *status;     /* Connected, Terminated, Failed, … */
        char *output_url; /* S3OutputUrl, else CloudWatchOutputUrl */
        time_t start, end;
        bool has_start, has_end;
};

struct ssm_session_list {
        struct ssm_session *s;
        size_t n;
        char *next_token; /* NULL on the last page */
};

/* The request body: state, an optional SessionId filter and NextToken. */
int ssm_sessions_request(enum ssm_session_state state, const char *session_id, const char *next_token,
                         struct buf *out);
/* --check-config --online's permission probe: one active session at most. */
int ssm_sessions_probe(struct buf *out);
int ssm_sessions_parse(const char *body, size_t len, struct ssm_session_list *ret);
void ssm_session_list_clear(struct ssm_session_list *l);

int ssm_describe_sessions(struct aws_client *c, enum ssm_session_state state, const char *session_id,
                          const char *next_token, long timeout_ms, struct ssm_session_list *ret,
                          struct aws_error *err);
