/* sigv4: AWS Signature Version 4, header signing (AWS4-HMAC-SHA256).
 *
 * Builds the canonical request, the string to sign and the Authorization
 * header for one HTTP request, and tells the caller which headers to add.
 * Pure: no clock (the signing time is a parameter), no I/O, no logging.
 * Checked against both official suites (tests/data/sigv4). Query-string
 * (presigned URL) signing is not implemented: nothing in the daemon needs it.
 *
 * Contract:
 * - Every header in req->headers is signed; pass exactly those to sign (Host
 *   is required). The headers sigv4 adds itself (X-Amz-Date, Authorization,
 *   X-Amz-Security-Token, X-Amz-Content-Sha256) must not be passed.
 * - Header names are lower-cased and sorted; values are trimmed and every
 *   run of whitespace, including an obs-fold line break ("\r\n " or "\n "),
 *   becomes one space; repeated headers are joined with ',' in request order.
 * - req->path is the path as sent on the wire. As AWS requires for every
 *   service but S3, the canonical URI is that path percent-encoded once more
 *   ('%' becomes %25), after removing dot segments and empty segments when
 *   params->normalize_path is set.
 * - req->query is split at '&' and the first '='; each key and value is
 *   decoded ('+' and %20 as space) and re-encoded, then sorted by key, then
 *   by value.
 * - The signing key and every intermediate key are wiped before return,
 *   but for the key kept in params->key_cache when the caller gives one. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Limits on the inputs, so that the canonical request stays bounded. The
 * daemon's requests are "POST /" with five or six short headers and bodies
 * below SIGV4_MAX_BODY, so these are generous. */
enum {
        /* Servers commonly refuse request lines beyond 8 KiB (Apache's
         * LimitRequestLine is 8190), so longer paths or queries cannot work. */
        SIGV4_MAX_PATH = 8192,
        SIGV4_MAX_QUERY = 8192,
        SIGV4_MAX_HEADERS = 64,
        /* All header names and values together, session token included. STS
         * tokens run to a few KiB; servers commonly cap the header block at
         * 8-16 KiB. */
        SIGV4_MAX_HEADER_BYTES = 16384,
        /* The largest body we sign is an SNS Publish form: 256 KiB of message
         * and attributes (the SNS limit), at most tripled by %XX encoding. */
        SIGV4_MAX_BODY = 1024 * 1024,
        /* The longest registered methods (OPTIONS, CONNECT, ...) have 7
         * letters; WebDAV's longest has 16 (BASELINE-CONTROL). */
        SIGV4_MAX_METHOD = 16,
        /* IAM AccessKeyId is 16-128 characters; secret keys are 40. */
        SIGV4_MAX_KEY = 128,
        /* Regions and service names are short lower-case identifiers; 63 is a
         * DNS label, which both are part of in endpoint names. */
        SIGV4_MAX_SCOPE_NAME = 63,
};

struct sigv4_header {
        const char *name;
        const char *value;
};

struct sigv4_request {
        const char *method;                 /* "POST" */
        const char *path;                   /* as sent, e.g. "/"; may contain %-escapes */
        const char *query;                  /* raw query string without '?', or NULL */
        const struct sigv4_header *headers; /* as sent; must include Host */
        size_t n_headers;
        const void *body; /* may be NULL when body_len is 0 */
        size_t body_len;
};

struct sigv4_credentials {
        const char *access_key_id;
        const char *secret_access_key;
        const char *session_token; /* NULL: none */
};

/* The signing key of one scope, kept between signatures by a caller that
 * signs many requests: deriving it takes four HMACs, and it changes only
 * with the date, the region, the service or the secret (known here by its
 * SHA-256, never kept). Zero-initialised; sigv4_key_cache_clear() wipes it. */
struct sigv4_key_cache {
        bool valid;
        char date[9];
        char region[SIGV4_MAX_SCOPE_NAME + 1];
        char service[SIGV4_MAX_SCOPE_NAME + 1];
        unsigned char secret_sha256[32];
        unsigned char key[32];
};

struct sigv4_params {
        const char *region;
        const char *service;
        struct sigv4_key_cache *key_cache; /* NULL: the key is derived at each signature */
        time_t time;             /* signing time (UTC), from the caller */
        bool normalize_path;     /* true for every service we call */
        bool sign_body;          /* add and sign x-amz-content-sha256 */
        bool omit_session_token; /* token header added after signing, unsigned (aws-c-auth case) */
};

struct sigv4_signature {
        char *canonical_request;
        char *string_to_sign;
        char signature[65];  /* lower-case hex */
        char amz_date[17];   /* YYYYMMDDTHHMMSSZ */
        char *authorization; /* full Authorization header value */
        char *security_token;     /* copy of the session token or NULL; wiped on free */
        char content_sha256[65];  /* hex SHA-256 of the body */
        /* Headers the caller must add, in this order as applicable: X-Amz-Date,
         * Authorization, X-Amz-Security-Token, X-Amz-Content-Sha256. The values
         * point into this struct, so it must not be copied or moved. */
        struct sigv4_header add[4];
        size_t n_add;
};

/* Signs req. On success fills *ret (overwritten, not freed first; release it
 * with sigv4_signature_free()). On failure *ret is untouched and the result is
 * -EINVAL (missing or malformed input, no Host header, a header sigv4 adds
 * itself passed in, a time before 1970 or after 9999), -E2BIG (an input above the
 * limits above) or -ENOMEM / -EIO (OpenSSL failure). */
int sigv4_sign_request(const struct sigv4_request *req, const struct sigv4_credentials *creds,
                       const struct sigv4_params *params, struct sigv4_signature *ret);

/* Lower-case hex of SHA-256 (the payload hash of SigV4); also for ids that
 * must be short and printable whatever they are built from. 0 or -EIO. */
#define SIGV4_SHA256_HEX_LEN 64
int sigv4_sha256_hex(const void *data, size_t len, char ret[static SIGV4_SHA256_HEX_LEN + 1]);

/* Wipes the cached key. Accepts NULL. */
void sigv4_key_cache_clear(struct sigv4_key_cache *c);

/* Frees what sig owns, wipes the token copy and zeroes sig. Accepts NULL. */
void sigv4_signature_free(struct sigv4_signature *sig);
