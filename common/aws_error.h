/* aws_error: what an AWS answer means for the caller: done, try again (and
 * how), or give up.
 *
 * Pure: no I/O, no clock (the local time and the answer's Date header are
 * arguments). Bodies are untrusted and need not be NUL-terminated: at most
 * the first AWS_ERROR_BODY_MAX bytes are read, never more than len. A 2xx
 * status is AWS_ERR_NONE whatever the body. Otherwise the error code comes
 * from the body (and headers); a body without one is classified by status
 * alone with code "HTTP <status>".
 *
 * Classification, first match wins; codes compare exactly, and both code and
 * query_code are looked up:
 *
 *   THROTTLED          Throttling, ThrottlingException, ThrottledException,
 *                      Throttled, RequestThrottled, RequestThrottledException,
 *                      TooManyRequestsException, ProvisionedThroughputExceededException,
 *                      RequestLimitExceeded, BandwidthLimitExceeded, SlowDown,
 *                      EC2ThrottledException (the AWS SDKs' throttling list);
 *                      SNS KMSThrottling; SQS KmsThrottled (query code
 *                      KMS.ThrottlingException); SQS OverLimit (see below)
 *   CLOCK_SKEW         RequestTimeTooSkewed, RequestExpired, RequestInTheFuture;
 *                      InvalidSignatureException, SignatureDoesNotMatch and
 *                      AuthFailure only when server_date is known (non-zero)
 *                      and more than AWS_CLOCK_SKEW_SECONDS from now
 *   CREDENTIALS_EXPIRED ExpiredToken, ExpiredTokenException, TokenRefreshRequired
 *   RETRYABLE          InternalError, InternalFailure, InternalServerError,
 *                      ServiceUnavailable, ServiceUnavailableException,
 *                      RequestTimeout, RequestTimeoutException,
 *                      PriorRequestNotComplete
 *   THROTTLED          any other code with HTTP 429
 *   RETRYABLE          any other code with HTTP 5xx
 *   FATAL              everything else, e.g. AccessDenied, AuthorizationError,
 *                      SignatureDoesNotMatch without skew, InvalidParameter,
 *                      NotFound, QueueDoesNotExist, ReceiptHandleIsInvalid,
 *                      KMS* / Kms* other than throttling (disabled, not found,
 *                      access denied, invalid state or key usage, opt-in)
 *
 * Decisions where AWS leaves a choice:
 * - SQS OverLimit (403) is THROTTLED: ReceiveMessage answers it when the
 *   queue's in-flight limit is reached, which clears as messages are deleted
 *   or become visible again, so waiting is the cure.
 * - InvalidToken, InvalidClientTokenId and UnrecognizedClientException are
 *   FATAL, not CREDENTIALS_EXPIRED: they mean a malformed or unknown key or
 *   token, which fetching the same credentials again does not repair. The
 *   SDKs refresh only on ExpiredToken(Exception).
 * - RequestExpired stays CLOCK_SKEW even though EC2 also uses it for an old
 *   signature: both are cured by re-signing with a corrected clock.
 * - Transport failures are RETRYABLE except -EINVAL (a request built wrong)
 *   and -ENOTSUP/-EPROTONOSUPPORT (a URL we cannot speak), which are FATAL.
 *
 * The contract of every function that talks to AWS (aws_client, sqs, sns,
 * credentials, imds): it returns 0 or a negative errno, and on failure, and
 * only then, writes a struct aws_error saying why. The error is built once,
 * where the failure is seen, and handed up unchanged. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Error answers are a few hundred bytes. A longer body is not an error
 * document worth reading; its first bytes decide (a cut JSON body fails to
 * parse and falls back to the status). */
#define AWS_ERROR_BODY_MAX (64 * 1024)

/* The AWS SDKs' threshold for treating a signature error as clock skew
 * (aws-sdk-java-v2 and smithy-kotlin: 4 minutes). */
#define AWS_CLOCK_SKEW_SECONDS (4 * 60)

enum aws_error_class {
        AWS_ERR_NONE = 0,            /* 2xx */
        AWS_ERR_RETRYABLE,           /* server-side or transport trouble: retry after a backoff */
        AWS_ERR_THROTTLED,           /* too fast: retry after a longer backoff */
        AWS_ERR_CLOCK_SKEW,          /* the local clock is off: re-sign with the server's time */
        AWS_ERR_CREDENTIALS_EXPIRED, /* refresh the credentials, then retry */
        AWS_ERR_FATAL,               /* retrying the same request will not help */
};

/* Where a failure was seen. Only an AWS answer carries an AWS error code;
 * the others carry the errno name, which no AWS code looks like. */
enum aws_error_source {
        AWS_SOURCE_ANSWER = 0, /* AWS answered with an error: code is AWS's */
        AWS_SOURCE_TRANSPORT,  /* no answer arrived */
        AWS_SOURCE_LOCAL,      /* this process: no credentials, an answer not as documented, no memory, … */
};

/* Field sizes: error codes are identifiers (the longest modelled SNS/SQS one
 * is under 60 bytes) and request ids are UUIDs (36), so 128 holds any real
 * one; 512 keeps a message to one readable log line. A longer value is cut
 * on a UTF-8 character boundary and ends in "...". Unknown fields are "". */
struct aws_error {
        enum aws_error_class cls;
        enum aws_error_source source;
        long http_status;     /* the AWS answer's status; 0 when there is none */
        char code[128];       /* "QueueDoesNotExist": "namespace#" prefix and ":uri" suffix stripped;
                               * "HTTP <status>" when the answer has none; the errno name ("ETIMEDOUT")
                               * for a transport or local failure */
        char query_code[128]; /* code part of x-amzn-query-error, e.g. "AWS.SimpleQueueService.NonExistentQueue" */
        char message[512];
        char request_id[128];
};

/* AWS JSON 1.0 (SQS). body is {"__type": …, "message"|"Message": …} (the
 * error type may also be in "code"); query_error_header is the value of
 * x-amzn-query-error or NULL. server_date is the parsed Date header (0 if
 * absent or unparsable), now the local time. 0, or -EINVAL, -ENOMEM. */
int aws_error_from_json(long status, const char *body, size_t len, const char *query_error_header,
                        time_t server_date, time_t now, struct aws_error *ret);

/* The headers through which JSON-protocol services report errors; each is a
 * NUL-terminated value or NULL. */
struct aws_json_error_headers {
        const char *error_type;  /* X-Amzn-ErrorType: takes precedence over the body */
        const char *query_error; /* x-amzn-query-error: "<code>;<Sender|Receiver>" */
        const char *request_id;  /* x-amzn-RequestId: the body does not carry it */
};

/* As aws_error_from_json with every header above; h may be NULL. */
int aws_error_from_json_headers(long status, const char *body, size_t len,
                                const struct aws_json_error_headers *h, time_t server_date,
                                time_t now, struct aws_error *ret);

/* Query protocol (SNS, IAM, STS, legacy SQS):
 * <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>,
 * and the EC2 variant <Response><Errors><Error>…</Error></Errors><RequestID/></Response>.
 * 0, or -EINVAL, -ENOMEM. */
int aws_error_from_xml(long status, const char *body, size_t len, time_t server_date, time_t now,
                       struct aws_error *ret);

/* A failure below HTTP: err is the negative errno from the HTTP layer
 * (-ETIMEDOUT, -ECONNRESET, -ECONNREFUSED, -EHOSTUNREACH, -E2BIG for a body
 * over its cap, …); 0 or a positive value is taken as -EIO. */
void aws_error_from_transport(int err, struct aws_error *ret);

/* A failure of this process, not of AWS: source AWS_SOURCE_LOCAL, code the
 * name of err (a negative errno), message the printf-style words, or the
 * errno's description when fmt is NULL. */
/* A local failure known only by its errno: FATAL for -E2BIG (too large
 * for any retry to mend), RETRYABLE otherwise; the errno's words. */
void aws_error_from_errno(int err, struct aws_error *ret);

/* The last step of a function that hands up aws_client_call()'s failures
 * and adds its own: returns r, and for a failure other than -EIO (whose
 * *err the client wrote) writes *err with aws_error_from_errno(). */
int aws_error_return(int r, struct aws_error *err);

void aws_error_local(struct aws_error *ret, enum aws_error_class cls, int err, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* "none", "retryable", "throttled", "clock-skew", "credentials-expired", "fatal". */
const char *aws_error_class_name(enum aws_error_class cls);
/* One line for logs and checklists, the status in words first:
 * "HTTP 403 Forbidden: SignatureDoesNotMatch: message (fatal)"; for a
 * failure without an answer "message (retryable)", where the message is the
 * transport's words ("no answer from HOST:PORT after 15 s").
 * AWS_ERROR_DESCRIBE_MAX holds any error without cutting. */
#define AWS_ERROR_DESCRIBE_MAX 768
void aws_error_describe(const struct aws_error *e, char *out, size_t size);

/* True for RETRYABLE, THROTTLED, CLOCK_SKEW and CREDENTIALS_EXPIRED. */
bool aws_error_is_retryable(const struct aws_error *e);

/* An HTTP Date (RFC 7231, 7.1.1.1): IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT",
 * RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" (two-digit years 70-99 are 19xx,
 * 00-69 20xx) or asctime "Sun Nov  6 08:49:37 1994". Names are case-sensitive
 * as the RFC says; the weekday is not checked against the date. 0 or -EINVAL. */
int http_date_parse(const char *s, time_t *ret);
