/* credentials: where the daemon's AWS credentials come from.
 *
 * The chain is decided once, when the provider is made: static keys from the
 * config file; else AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+
 * AWS_SESSION_TOKEN) from the environment; else the EC2 instance profile over
 * IMDSv2 (imds.h). A source that holds half a key pair is an error, not a
 * reason to fall through; AWS_SESSION_TOKEN alone is ignored. Instance-profile
 * credentials are fetched when missing and refreshed CREDENTIALS_REFRESH_AHEAD
 * seconds before they expire; a refresh that fails while they are still valid
 * keeps them and is retried after CREDENTIALS_RETRY_INTERVAL. A failure comes
 * as a local struct aws_error whose message, for the log, names every source
 * tried. No secret ever appears in that message, and every copy of a secret held here is
 * wiped with OPENSSL_cleanse when replaced or freed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "aws_error.h"

/* AWS SDKs refresh instance credentials 15 minutes ahead (botocore's
 * advisory window); IMDS offers new ones well before the old expire. */
#define CREDENTIALS_REFRESH_AHEAD (15 * 60)
/* IMDS may keep serving the expiring credentials for a while (AWS: new ones
 * appear at least 5 minutes before expiry); ask at most once a minute. */
#define CREDENTIALS_RETRY_INTERVAL 60
/* Enough for every message this module writes, endpoint included: it
 * fits the message of a struct aws_error. */
#define CREDENTIALS_DETAIL_MAX 512
_Static_assert(CREDENTIALS_DETAIL_MAX <= sizeof(((struct aws_error *)0)->message), "a detail fits an aws_error");
/* IAM: access key ids are 16 to 128 characters; secrets are 40, given the
 * same room. STS sets no bound on session tokens (about 1 to 2 KB seen);
 * 16 KiB is far above any. */
#define CREDENTIALS_KEY_ID_MAX 128
#define CREDENTIALS_SECRET_MAX 128
#define CREDENTIALS_TOKEN_MAX 16384

struct aws_credentials {
        char *access_key_id;
        char *secret_access_key;
        char *session_token; /* NULL: none */
        time_t expiration;   /* 0: does not expire */
};

/* Replaces *c with copies of the strings (token may be NULL) and expiration,
 * wiping the old ones. -EINVAL, with *c unchanged, when a string is empty,
 * too long or holds anything but printable ASCII without spaces: they go
 * into HTTP headers. */
int aws_credentials_set(struct aws_credentials *c, const char *access_key_id, const char *secret_access_key,
                        const char *session_token, time_t expiration);
/* Wipes and frees the strings and zeroes *c. Accepts NULL. */
void aws_credentials_clear(struct aws_credentials *c);
/* Pure: whether c must be fetched anew at now. Never for credentials that
 * do not expire; from CREDENTIALS_REFRESH_AHEAD seconds before expiry on. */
bool aws_credentials_need_refresh(const struct aws_credentials *c, time_t now);

struct credentials_options {
        const char *access_key_id, *secret_access_key, *session_token; /* from the config file, or NULL */
        const char *(*getenv)(const char *name);                       /* NULL: the process environment */
        const char *imds_endpoint; /* base URL, e.g. http://169.254.169.254; NULL: that default */
};

struct credentials; /* the provider */

/* Copies what it needs from opt. Fails only for -ENOMEM or a malformed
 * imds_endpoint (-EINVAL); a misconfigured source is reported by
 * credentials_get(). */
int credentials_new(const struct credentials_options *opt, struct credentials **ret);
/* Current credentials; refreshes from IMDS when missing or within 15 min of
 * expiry. `now` is passed in (wall clock, UTC). The returned pointer stays
 * valid until the next credentials_get/invalidate/free. On failure returns
 * -EINVAL (misconfigured source) or what imds_fetch_credentials() returned,
 * and writes *err (may be NULL): a local, retryable error whose message says
 * why there are none, e.g. "not in the config file, not in the environment,
 * and the instance metadata service at http://169.254.169.254 did not
 * answer (timeout)". */
int credentials_get(struct credentials *c, time_t now, const struct aws_credentials **ret, struct aws_error *err);
/* After an ExpiredToken answer: drop cached IMDS credentials so the next get
 * fetches new ones (no-op for static). */
void credentials_invalidate(struct credentials *c);
/* "config file", "environment", "instance profile" or, once fetched,
 * "instance profile (ROLE)": for logs and --check-config --online. */
const char *credentials_source(const struct credentials *c);
void credentials_free(struct credentials *c);
