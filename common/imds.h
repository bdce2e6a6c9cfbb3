/* imds: EC2 instance profile credentials over IMDSv2, never IMDSv1.
 *
 * A session token is taken with PUT /latest/api/token and sent with every
 * GET; it is renewed IMDS_TOKEN_RENEW_AHEAD seconds before its TTL runs out,
 * and once per fetch when IMDS answers 401 (the service restarted, or our
 * clock is off). A fetch reads the role name from
 * /latest/meta-data/iam/security-credentials/ and the credentials document
 * from .../ROLE. Requests are short (connect 1 s, 2 s in all) so that a host
 * outside EC2 fails fast, and go direct, never through a proxy: the service
 * is link-local. The parsers and the renewal rule are pure;
 * imds_fetch_credentials() is the only I/O. The token, the answers and the
 * secret strings inside the parsed JSON are wiped when dropped. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "aws_error.h"
#include "credentials.h"

#define IMDS_DEFAULT_ENDPOINT "http://169.254.169.254"
/* AWS: the token TTL is 1 to 21600 seconds; the longest means fewest PUTs. */
#define IMDS_TOKEN_TTL 21600
/* Renew this long before the TTL, so no token expires between check and use. */
#define IMDS_TOKEN_RENEW_AHEAD 300
/* IAM: role names are 1 to 64 characters of [A-Za-z0-9+=,.@_-]. */
#define IMDS_ROLE_MAX 64
/* The credentials document is about 1.5 KB, mostly the session token. */
#define IMDS_BODY_MAX (CREDENTIALS_TOKEN_MAX + 4096)

/* "2017-05-17T15:09:54Z" (UTC, as IMDS writes Expiration) to seconds since
 * the epoch, whatever TZ says. -EBADMSG for any other form or a date that
 * does not exist. */
int imds_parse_time(const char *s, time_t *ret);
/* First line of the security-credentials/ listing: the role name.
 * -ENOENT when the listing is empty, -EBADMSG when it is not an IAM role
 * name. ret_role holds at least IMDS_ROLE_MAX + 1 bytes. */
int imds_parse_role(const char *body, size_t len, char *ret_role);
/* The credentials document: Code must be "Success" (else -EACCES), and
 * AccessKeyId, SecretAccessKey, Token and Expiration strings must be present
 * and valid (else -EBADMSG; -E2BIG above IMDS_BODY_MAX). On failure *err
 * (may be NULL) is a local, retryable error whose message is a phrase for
 * the log, e.g. "reported Code \"X\"", that holds no secret. *ret is
 * overwritten on success: clear what it held first. */
int imds_parse_credentials(const char *body, size_t len, struct aws_credentials *ret, struct aws_error *err);
/* Pure: whether a token taken at `obtained` must be renewed at `now`; also
 * when the clock went back, as the age is then unknown. */
bool imds_token_needs_renewal(time_t obtained, time_t now);

struct imds;

/* endpoint: http:// or https:// base URL; -EINVAL otherwise. */
int imds_new(const char *endpoint, struct imds **ret);
void imds_free(struct imds *m);
/* The base URL without trailing '/', for log lines. */
const char *imds_endpoint(const struct imds *m);
/* Role name (IMDS_ROLE_MAX + 1 bytes) and credentials of the instance
 * profile. Errors: those of http_perform() (-ETIMEDOUT, -ECONNREFUSED,
 * -EHOSTUNREACH, ...); for an HTTP status other than 200, -EACCES (401, 403),
 * -ENOENT (404: no role) or -EIO; those of the parsers above. On failure
 * *err is a local, retryable error whose message is a phrase completing "the
 * instance metadata service at URL ...", e.g. "did not answer (timeout)". */
int imds_fetch_credentials(struct imds *m, time_t now, struct aws_credentials *ret_creds, char *ret_role,
                           struct aws_error *err);
