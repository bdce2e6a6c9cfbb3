#include "sigv4.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "buf.h"
#include "macro.h"
#include "urlenc.h"

#define ALGORITHM "AWS4-HMAC-SHA256"
_Static_assert(SIGV4_SHA256_HEX_LEN == 2 * SHA256_DIGEST_LENGTH, "two hex digits a byte");

/* SignedHeaders: every name once (names are counted in
 * SIGV4_MAX_HEADER_BYTES), a ';' between them, and the names of the three
 * headers sigv4 signs itself (50 bytes). */
#define SIGNED_HEADERS_MAX (SIGV4_MAX_HEADER_BYTES + SIGV4_MAX_HEADERS + 64)
/* Canonical request: path and query at most triple when percent-encoded;
 * header names and values once in the header lines, the names again in
 * SignedHeaders. The 1024 bytes cover the rest, about 500: method, line
 * breaks, ':' and ',' separators, the x-amz-date and x-amz-content-sha256
 * lines, the token's name and the payload hash. */
#define CANONICAL_REQUEST_MAX \
        (3 * SIGV4_MAX_PATH + 3 * SIGV4_MAX_QUERY + SIGV4_MAX_HEADER_BYTES + SIGNED_HEADERS_MAX + 1024)
/* String to sign: about 120 bytes of algorithm, date, scope and hash, plus
 * region and service. */
#define STRING_TO_SIGN_MAX (256 + 2 * SIGV4_MAX_SCOPE_NAME)
/* Authorization: about 150 bytes of fixed text, date and signature, plus
 * key id, region, service and SignedHeaders. */
#define AUTHORIZATION_MAX (256 + SIGV4_MAX_KEY + 2 * SIGV4_MAX_SCOPE_NAME + SIGNED_HEADERS_MAX)

/* Headers sigv4 adds itself; a caller passing one would sign it twice. */
static const char *const OWN_HEADERS[] = {
        "x-amz-date", "authorization", "x-amz-security-token", "x-amz-content-sha256", NULL,
};

/* Locale-independent: header names are ASCII and must sort the same under
 * any LC_CTYPE. */
static unsigned char ascii_lower(unsigned char c) {
        return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static int ascii_casecmp(const char *a, const char *b) {
        for (;; a++, b++) {
                unsigned char x = ascii_lower((unsigned char)*a), y = ascii_lower((unsigned char)*b);
                if (x != y || x == '\0')
                        return (int)x - (int)y;
        }
}

static bool is_alnum(unsigned char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* RFC 9110 token characters: what a method or header name may hold. */
static bool is_tchar(unsigned char c) {
        return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_ws(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_ctl(unsigned char c) {
        return c < 0x20 || c == 0x7f;
}

static int check_token(const char *s, size_t max) {
        if (!s || !*s)
                return -EINVAL;
        size_t len = strnlen(s, max + 1);
        if (len > max)
                return -E2BIG;
        for (size_t i = 0; i < len; i++)
                if (!is_tchar((unsigned char)s[i]))
                        return -EINVAL;
        return 0;
}

/* Field values may hold tabs and bytes >= 0x80, and line breaks only as an
 * obs-fold (a break followed by a space or tab), which the suites use and
 * canonicalization turns into one space. A bare line break would let a value
 * inject a header. */
static int check_header_value(const char *v) {
        for (size_t i = 0; v[i]; i++) {
                unsigned char c = (unsigned char)v[i];
                if (c == '\r') {
                        if (v[i + 1] != '\n')
                                return -EINVAL;
                        c = (unsigned char)v[++i];
                }
                if (c == '\n') {
                        if (v[i + 1] != ' ' && v[i + 1] != '\t')
                                return -EINVAL;
                        continue;
                }
                if (c != '\t' && is_ctl(c))
                        return -EINVAL;
        }
        return 0;
}

static bool is_own_header(const char *name) {
        for (const char *const *h = OWN_HEADERS; *h; h++)
                if (ascii_casecmp(name, *h) == 0)
                        return true;
        return false;
}

static bool has_visible_char(const char *s) {
        for (; *s; s++)
                if (!is_ws(*s))
                        return true;
        return false;
}

/* Path and query are sent in the request line: no control bytes, and no
 * '#'; the path holds no '?' either (the query is passed separately). */
static int check_target(const char *s, size_t max, const char *forbidden) {
        size_t len = strnlen(s, max + 1);
        if (len > max)
                return -E2BIG;
        for (size_t i = 0; i < len; i++)
                if (is_ctl((unsigned char)s[i]) || strchr(forbidden, s[i]))
                        return -EINVAL;
        return 0;
}

static int check_request(const struct sigv4_request *req, size_t token_len) {
        int r = check_token(req->method, SIGV4_MAX_METHOD);
        if (r < 0)
                return r;
        if (!req->path || req->path[0] != '/')
                return -EINVAL;
        r = check_target(req->path, SIGV4_MAX_PATH, "?#");
        if (r < 0)
                return r;
        if (req->query) {
                r = check_target(req->query, SIGV4_MAX_QUERY, "#");
                if (r < 0)
                        return r;
        }
        if (!req->body && req->body_len > 0)
                return -EINVAL;
        if (req->body_len > SIGV4_MAX_BODY)
                return -E2BIG;
        if (!req->headers && req->n_headers > 0)
                return -EINVAL;
        if (req->n_headers > SIGV4_MAX_HEADERS)
                return -E2BIG;

        size_t total = token_len;
        bool host = false;
        for (size_t i = 0; i < req->n_headers; i++) {
                const struct sigv4_header *h = &req->headers[i];
                r = check_token(h->name, SIGV4_MAX_HEADER_BYTES);
                if (r < 0)
                        return r;
                if (!h->value)
                        return -EINVAL;
                total += strlen(h->name) + strnlen(h->value, SIGV4_MAX_HEADER_BYTES + 1);
                if (total > SIGV4_MAX_HEADER_BYTES)
                        return -E2BIG;
                r = check_header_value(h->value);
                if (r < 0)
                        return r;
                if (is_own_header(h->name))
                        return -EINVAL;
                if (ascii_casecmp(h->name, "host") == 0) {
                        if (!has_visible_char(h->value))
                                return -EINVAL;
                        host = true;
                }
        }
        return host ? 0 : -EINVAL;
}

static int check_credentials(const struct sigv4_credentials *creds, size_t *ret_token_len) {
        const char *id = creds->access_key_id;
        if (!id || !*id || !creds->secret_access_key || !*creds->secret_access_key)
                return -EINVAL;
        size_t id_len = strnlen(id, SIGV4_MAX_KEY + 1);
        if (id_len > SIGV4_MAX_KEY || strnlen(creds->secret_access_key, SIGV4_MAX_KEY + 1) > SIGV4_MAX_KEY)
                return -E2BIG;
        /* IAM's pattern for AccessKeyId is [\w]+; anything else would also
         * break the Credential= field. */
        for (size_t i = 0; i < id_len; i++)
                if (!is_alnum((unsigned char)id[i]) && id[i] != '_')
                        return -EINVAL;

        size_t token_len = 0;
        if (creds->session_token) {
                const char *t = creds->session_token;
                token_len = strnlen(t, SIGV4_MAX_HEADER_BYTES + 1);
                if (token_len == 0)
                        return -EINVAL;
                if (token_len > SIGV4_MAX_HEADER_BYTES)
                        return -E2BIG;
                /* STS tokens are base64; the token travels as a header value. */
                for (size_t i = 0; i < token_len; i++)
                        if ((unsigned char)t[i] <= ' ' || (unsigned char)t[i] >= 0x7f)
                                return -EINVAL;
        }
        *ret_token_len = token_len;
        return 0;
}

/* Region and service become part of the credential scope, separated by '/'. */
static int check_scope_name(const char *s) {
        if (!s || !*s)
                return -EINVAL;
        size_t len = strnlen(s, SIGV4_MAX_SCOPE_NAME + 1);
        if (len > SIGV4_MAX_SCOPE_NAME)
                return -E2BIG;
        for (size_t i = 0; i < len; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
                        return -EINVAL;
        return 0;
}

/* gmtime_r() converts the given time; no clock is read. */
static int format_amz_date(time_t t, char ret[static 17]) {
        struct tm tm;
        char s[17];
        if (t < 0 || !gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999)
                return -EINVAL;
        if (strftime(s, sizeof s, "%Y%m%dT%H%M%SZ", &tm) != 16)
                return -EINVAL;
        memcpy(ret, s, sizeof s);
        return 0;
}

static void hex_lower(const unsigned char *in, size_t n, char *out) {
        static const char hex[] = "0123456789abcdef";
        for (size_t i = 0; i < n; i++) {
                out[2 * i] = hex[in[i] >> 4];
                out[2 * i + 1] = hex[in[i] & 0xf];
        }
        out[2 * n] = '\0';
}

/* SHA-256 fetched from the provider once: EVP_sha256() makes OpenSSL 3
 * look it up again at every digest (a property query under a lock), about
 * half of what a short digest costs, and a request makes five of them.
 * Kept for the process (single-threaded); NULL when the fetch failed. */
static EVP_MD *sha256_md(void) {
        static EVP_MD *md;
        if (!md)
                md = EVP_MD_fetch(NULL, "SHA256", NULL);
        return md;
}

static int sha256(const void *data, size_t len, unsigned char ret[static SHA256_DIGEST_LENGTH]) {
        unsigned int md_len = 0;
        const EVP_MD *md = sha256_md();
        if (!md || !EVP_Digest(data ? data : "", len, ret, &md_len, md, NULL) || md_len != SHA256_DIGEST_LENGTH)
                return -EIO;
        return 0;
}

int sigv4_sha256_hex(const void *data, size_t len, char ret[static SIGV4_SHA256_HEX_LEN + 1]) {
        unsigned char md[SHA256_DIGEST_LENGTH];
        int r = sha256(data, len, md);
        if (r < 0)
                return r;
        hex_lower(md, sizeof md, ret);
        return 0;
}

/* HMAC-SHA256 (RFC 2104) on the fetched digest: OpenSSL 3's HMAC() fetches
 * a MAC and a digest and builds their contexts at each call, three times
 * the cost of the two digests it needs here. Keys are at most a block
 * (the derived keys are 32 bytes, "AWS4" + secret at most SIGV4_MAX_KEY + 4);
 * a longer one is hashed first, as RFC 2104 says. Pads and the inner digest
 * are wiped. */
#define HMAC_BLOCK 64
static int hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                       unsigned char ret[static SHA256_DIGEST_LENGTH]) {
        unsigned char k[HMAC_BLOCK] = { 0 }, pad[HMAC_BLOCK], inner[SHA256_DIGEST_LENGTH];
        const EVP_MD *md = sha256_md();
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        int r = md && ctx ? 0 : -EIO;

        if (r == 0 && key_len > HMAC_BLOCK)
                r = sha256(key, key_len, k);
        else if (r == 0)
                memcpy(k, key, key_len);
        for (size_t i = 0; i < HMAC_BLOCK; i++)
                pad[i] = k[i] ^ 0x36;
        if (r == 0 && (!EVP_DigestInit_ex2(ctx, md, NULL) || !EVP_DigestUpdate(ctx, pad, sizeof pad) ||
                       !EVP_DigestUpdate(ctx, data, len) || !EVP_DigestFinal_ex(ctx, inner, NULL)))
                r = -EIO;
        for (size_t i = 0; i < HMAC_BLOCK; i++)
                pad[i] = k[i] ^ 0x5c;
        if (r == 0 && (!EVP_DigestInit_ex2(ctx, md, NULL) || !EVP_DigestUpdate(ctx, pad, sizeof pad) ||
                       !EVP_DigestUpdate(ctx, inner, sizeof inner) || !EVP_DigestFinal_ex(ctx, ret, NULL)))
                r = -EIO;
        EVP_MD_CTX_free(ctx);
        OPENSSL_cleanse(k, sizeof k);
        OPENSSL_cleanse(pad, sizeof pad);
        OPENSSL_cleanse(inner, sizeof inner);
        return r;
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
 * "aws4_request"). Every intermediate key is wiped. */
static int derive_signing_key(const char *secret, const char *date, const char *region,
                              const char *service, unsigned char ret[static SHA256_DIGEST_LENGTH]) {
        char k_secret[4 + SIGV4_MAX_KEY];
        unsigned char k_date[SHA256_DIGEST_LENGTH], k_region[SHA256_DIGEST_LENGTH];
        unsigned char k_service[SHA256_DIGEST_LENGTH];
        size_t secret_len = strlen(secret);

        memcpy(k_secret, "AWS4", 4);
        memcpy(k_secret + 4, secret, secret_len);
        int r = hmac_sha256(k_secret, 4 + secret_len, date, 8, k_date);
        if (r == 0)
                r = hmac_sha256(k_date, sizeof k_date, region, strlen(region), k_region);
        if (r == 0)
                r = hmac_sha256(k_region, sizeof k_region, service, strlen(service), k_service);
        if (r == 0)
                r = hmac_sha256(k_service, sizeof k_service, "aws4_request", strlen("aws4_request"), ret);
        OPENSSL_cleanse(k_secret, sizeof k_secret);
        OPENSSL_cleanse(k_date, sizeof k_date);
        OPENSSL_cleanse(k_region, sizeof k_region);
        OPENSSL_cleanse(k_service, sizeof k_service);
        return r;
}

/* The scope's signing key: cache's when it is of this scope and secret,
 * else derived (and kept in cache). */
static int signing_key(struct sigv4_key_cache *cache, const char *secret, const char *date, const char *region,
                       const char *service, unsigned char ret[static SHA256_DIGEST_LENGTH]) {
        unsigned char secret_sha256[SHA256_DIGEST_LENGTH];
        int r = 0;

        if (!cache)
                return derive_signing_key(secret, date, region, service, ret);
        if (sha256(secret, strlen(secret), secret_sha256) < 0)
                return -EIO;
        if (!cache->valid || strcmp(cache->date, date) != 0 || strcmp(cache->region, region) != 0 ||
            strcmp(cache->service, service) != 0 ||
            CRYPTO_memcmp(cache->secret_sha256, secret_sha256, sizeof(secret_sha256)) != 0) {
                sigv4_key_cache_clear(cache);
                r = derive_signing_key(secret, date, region, service, cache->key);
                if (r == 0) {
                        /* check_scope_name() bounded region and service */
                        snprintf(cache->date, sizeof(cache->date), "%s", date);
                        snprintf(cache->region, sizeof(cache->region), "%s", region);
                        snprintf(cache->service, sizeof(cache->service), "%s", service);
                        memcpy(cache->secret_sha256, secret_sha256, sizeof(secret_sha256));
                        cache->valid = true;
                }
        }
        if (r == 0)
                memcpy(ret, cache->key, SHA256_DIGEST_LENGTH);
        OPENSSL_cleanse(secret_sha256, sizeof(secret_sha256));
        return r;
}

void sigv4_key_cache_clear(struct sigv4_key_cache *c) {
        if (c)
                OPENSSL_cleanse(c, sizeof(*c));
}

/* Removes "." and ".." segments and empty segments (duplicate slashes), as
 * botocore's remove_dot_segments() does; a trailing slash is kept unless
 * nothing else is left. */
static int append_normalized_path(struct buf *out, const char *path) {
        struct buf norm;
        /* never longer than the path itself plus a trailing slash */
        buf_init(&norm, SIGV4_MAX_PATH + 1);
        size_t path_len = strlen(path);
        int r = 0;
        for (const char *p = path; *p && r == 0;) {
                size_t n = strcspn(p, "/");
                if (n == 2 && p[0] == '.' && p[1] == '.') {
                        char *slash = norm.len ? memrchr(norm.data, '/', norm.len) : NULL;
                        if (slash)
                                buf_truncate(&norm, (size_t)(slash - norm.data));
                } else if (n > 0 && !(n == 1 && p[0] == '.')) {
                        r = buf_putc(&norm, '/');
                        if (r == 0)
                                r = buf_append(&norm, p, n);
                }
                p += n;
                if (*p == '/')
                        p++;
        }
        if (r == 0 && (norm.len == 0 || path[path_len - 1] == '/'))
                r = buf_putc(&norm, '/');
        if (r == 0)
                r = urlenc_append(out, norm.data, norm.len, URLENC_KEEP_SLASH);
        buf_free(&norm);
        return r;
}

static int append_canonical_uri(struct buf *out, const char *path, bool normalize) {
        if (normalize)
                return append_normalized_path(out, path);
        return urlenc_append(out, path, strlen(path), URLENC_KEEP_SLASH);
}

/* Decodes one query key or value as servers read it ('+' and %XX; a '%' not
 * followed by two hex digits stays as it is), then re-encodes it. */
static int canonical_query_part(const char *s, size_t n, char **ret) {
        struct buf dec, enc;
        buf_init(&dec, SIGV4_MAX_QUERY);
        buf_init(&enc, 3 * SIGV4_MAX_QUERY);
        int r = 0;
        for (size_t i = 0; i < n && r == 0; i++) {
                if (s[i] == '+') {
                        r = buf_putc(&dec, ' ');
                } else if (s[i] == '%' && i + 2 < n && hex_digit_value(s[i + 1]) >= 0 &&
                           hex_digit_value(s[i + 2]) >= 0) {
                        r = buf_putc(&dec, (char)(hex_digit_value(s[i + 1]) << 4 | hex_digit_value(s[i + 2])));
                        i += 2;
                } else {
                        r = buf_putc(&dec, s[i]);
                }
        }
        if (r == 0)
                r = urlenc_append(&enc, dec.data, dec.len, 0);
        if (r == 0) {
                char *s_enc = buf_steal(&enc);
                if (s_enc)
                        *ret = s_enc;
                else
                        r = -ENOMEM;
        }
        buf_free(&dec);
        buf_free(&enc);
        return r;
}

struct query_param {
        char *key;
        char *value;
};

static int cmp_query_param(const void *a, const void *b) {
        const struct query_param *x = a, *y = b;
        int c = strcmp(x->key, y->key);
        return c ? c : strcmp(x->value, y->value);
}

static int append_canonical_query(struct buf *out, const char *query) {
        if (!query || !*query)
                return 0;
        size_t max = 1;
        for (const char *p = query; *p; p++)
                max += *p == '&';
        struct query_param *params = calloc(max, sizeof *params);
        if (!params)
                return -ENOMEM;

        size_t n = 0;
        int r = 0;
        for (const char *p = query;; p++) {
                size_t len = strcspn(p, "&");
                if (len > 0) {
                        const char *eq = memchr(p, '=', len);
                        size_t key_len = eq ? (size_t)(eq - p) : len;
                        struct query_param *q = &params[n++];
                        r = canonical_query_part(p, key_len, &q->key);
                        if (r == 0)
                                r = canonical_query_part(eq ? eq + 1 : p + len,
                                                         eq ? len - key_len - 1 : 0, &q->value);
                        if (r < 0)
                                break;
                }
                p += len;
                if (!*p)
                        break;
        }
        if (r == 0) {
                qsort(params, n, sizeof *params, cmp_query_param);
                for (size_t i = 0; i < n && r == 0; i++)
                        r = buf_printf(out, "%s%s=%s", i ? "&" : "", params[i].key, params[i].value);
        }
        for (size_t i = 0; i < n; i++) {
                free(params[i].key);
                free(params[i].value);
        }
        free(params);
        return r;
}

struct header_entry {
        const char *name;
        const char *value;
        size_t order; /* position in the request: repeated headers keep it */
};

static int cmp_header_entry(const void *a, const void *b) {
        const struct header_entry *x = a, *y = b;
        int c = ascii_casecmp(x->name, y->name);
        if (c)
                return c;
        return (x->order > y->order) - (x->order < y->order);
}

static int append_lower(struct buf *out, const char *s) {
        size_t start = out->len;
        int r = buf_puts(out, s);
        if (r == 0)
                for (size_t i = start; i < out->len; i++)
                        out->data[i] = (char)ascii_lower((unsigned char)out->data[i]);
        return r;
}

/* Trims the value and turns every run of whitespace (obs-folds included)
 * into one space. */
static int append_header_value(struct buf *out, const char *v) {
        bool space = false;
        int r = 0;
        while (is_ws(*v))
                v++;
        for (; *v && r == 0; v++) {
                if (is_ws(*v)) {
                        space = true;
                        continue;
                }
                if (space)
                        r = buf_putc(out, ' ');
                space = false;
                if (r == 0)
                        r = buf_putc(out, *v);
        }
        return r;
}

/* Appends the canonical header lines and the blank line after them to creq,
 * and the SignedHeaders list to signed_headers. */
static int append_canonical_headers(struct buf *creq, struct buf *signed_headers,
                                    const struct sigv4_request *req,
                                    const struct sigv4_header *own, size_t n_own) {
        size_t n = req->n_headers + n_own;
        struct header_entry *e = calloc(n, sizeof *e);
        if (!e)
                return -ENOMEM;
        for (size_t i = 0; i < req->n_headers; i++)
                e[i] = (struct header_entry){ req->headers[i].name, req->headers[i].value, i };
        for (size_t i = 0; i < n_own; i++)
                e[req->n_headers + i] =
                        (struct header_entry){ own[i].name, own[i].value, req->n_headers + i };
        qsort(e, n, sizeof *e, cmp_header_entry);

        int r = 0;
        for (size_t i = 0; i < n && r == 0; i++) {
                if (i > 0 && ascii_casecmp(e[i].name, e[i - 1].name) == 0) {
                        r = buf_putc(creq, ',');
                } else {
                        if (i > 0)
                                r = buf_putc(creq, '\n');
                        if (r == 0 && i > 0)
                                r = buf_putc(signed_headers, ';');
                        if (r == 0)
                                r = append_lower(signed_headers, e[i].name);
                        if (r == 0)
                                r = append_lower(creq, e[i].name);
                        if (r == 0)
                                r = buf_putc(creq, ':');
                }
                if (r == 0)
                        r = append_header_value(creq, e[i].value);
        }
        if (r == 0)
                r = buf_puts(creq, "\n\n");
        free(e);
        return r;
}

static int build_canonical_request(struct buf *creq, struct buf *signed_headers,
                                   const struct sigv4_request *req, const struct sigv4_params *params,
                                   const struct sigv4_header *own, size_t n_own,
                                   const char *payload_hash) {
        int r = buf_cat(creq, req->method, "\n");
        if (r == 0)
                r = append_canonical_uri(creq, req->path, params->normalize_path);
        if (r == 0)
                r = buf_putc(creq, '\n');
        if (r == 0)
                r = append_canonical_query(creq, req->query);
        if (r == 0)
                r = buf_putc(creq, '\n');
        if (r == 0)
                r = append_canonical_headers(creq, signed_headers, req, own, n_own);
        if (r == 0)
                r = buf_cat(creq, buf_str(signed_headers), "\n", payload_hash);
        return r;
}

int sigv4_sign_request(const struct sigv4_request *req, const struct sigv4_credentials *creds,
                       const struct sigv4_params *params, struct sigv4_signature *ret) {
        struct buf creq, signed_headers, sts, authz;
        char amz_date[17], payload_hash[SIGV4_SHA256_HEX_LEN + 1], creq_hash[SIGV4_SHA256_HEX_LEN + 1];
        char signature[SIGV4_SHA256_HEX_LEN + 1], date[9];
        unsigned char key[SHA256_DIGEST_LENGTH], mac[SHA256_DIGEST_LENGTH];
        struct sigv4_header own[3]; /* x-amz-date, x-amz-security-token, x-amz-content-sha256 */
        size_t n_own = 0, token_len = 0;
        char *token = NULL, *s_creq = NULL, *s_sts = NULL, *s_authz = NULL;
        int r;

        if (!req || !creds || !params || !ret)
                return -EINVAL;
        r = check_credentials(creds, &token_len);
        if (r < 0)
                return r;
        r = check_request(req, token_len);
        if (r < 0)
                return r;
        r = check_scope_name(params->region);
        if (r < 0)
                return r;
        r = check_scope_name(params->service);
        if (r < 0)
                return r;
        r = format_amz_date(params->time, amz_date);
        if (r < 0)
                return r;
        /* the credential scope's date: YYYYMMDD */
        memcpy(date, amz_date, 8);
        date[8] = '\0';

        buf_init(&creq, CANONICAL_REQUEST_MAX);
        buf_init(&signed_headers, SIGNED_HEADERS_MAX);
        buf_init(&sts, STRING_TO_SIGN_MAX);
        buf_init(&authz, AUTHORIZATION_MAX);

        r = sigv4_sha256_hex(req->body, req->body_len, payload_hash);
        if (r < 0)
                goto out;

        own[n_own++] = (struct sigv4_header){ "x-amz-date", amz_date };
        if (creds->session_token && !params->omit_session_token)
                own[n_own++] = (struct sigv4_header){ "x-amz-security-token", creds->session_token };
        if (params->sign_body)
                own[n_own++] = (struct sigv4_header){ "x-amz-content-sha256", payload_hash };

        r = build_canonical_request(&creq, &signed_headers, req, params, own, n_own, payload_hash);
        if (r < 0)
                goto out;
        r = sigv4_sha256_hex(creq.data, creq.len, creq_hash);
        if (r < 0)
                goto out;

        r = buf_cat(&sts, ALGORITHM "\n", amz_date, "\n", date, "/", params->region, "/", params->service,
                    "/aws4_request\n", creq_hash);
        if (r < 0)
                goto out;

        r = signing_key(params->key_cache, creds->secret_access_key, date, params->region, params->service, key);
        if (r < 0)
                goto out;
        r = hmac_sha256(key, sizeof key, sts.data, sts.len, mac);
        if (r < 0)
                goto out;
        hex_lower(mac, sizeof mac, signature);

        r = buf_cat(&authz, ALGORITHM " Credential=", creds->access_key_id, "/", date, "/", params->region, "/",
                    params->service, "/aws4_request, SignedHeaders=", buf_str(&signed_headers),
                    ", Signature=", signature);
        if (r < 0)
                goto out;

        if (creds->session_token) {
                token = strdup(creds->session_token);
                if (!token) {
                        r = -ENOMEM;
                        goto out;
                }
        }
        s_creq = buf_steal(&creq);
        s_sts = buf_steal(&sts);
        s_authz = buf_steal(&authz);
        if (!s_creq || !s_sts || !s_authz) {
                r = -ENOMEM;
                goto out;
        }

        *ret = (struct sigv4_signature){
                .canonical_request = s_creq,
                .string_to_sign = s_sts,
                .authorization = s_authz,
                .security_token = token,
        };
        token = s_creq = s_sts = s_authz = NULL;
        memcpy(ret->signature, signature, sizeof ret->signature);
        memcpy(ret->amz_date, amz_date, sizeof ret->amz_date);
        memcpy(ret->content_sha256, payload_hash, sizeof ret->content_sha256);
        ret->add[ret->n_add++] = (struct sigv4_header){ "X-Amz-Date", ret->amz_date };
        ret->add[ret->n_add++] = (struct sigv4_header){ "Authorization", ret->authorization };
        if (ret->security_token)
                ret->add[ret->n_add++] = (struct sigv4_header){ "X-Amz-Security-Token", ret->security_token };
        if (params->sign_body)
                ret->add[ret->n_add++] = (struct sigv4_header){ "X-Amz-Content-Sha256", ret->content_sha256 };
        r = 0;
out:
        OPENSSL_cleanse(key, sizeof key);
        OPENSSL_cleanse(mac, sizeof mac);
        /* the canonical request holds the session token when it is signed */
        buf_free_secure(&creq);
        buf_free(&signed_headers);
        buf_free(&sts);
        buf_free(&authz);
        if (s_creq)
                OPENSSL_cleanse(s_creq, strlen(s_creq));
        free(s_creq);
        free(s_sts);
        free(s_authz);
        if (token)
                OPENSSL_cleanse(token, strlen(token));
        free(token);
        return r;
}

void sigv4_signature_free(struct sigv4_signature *sig) {
        if (!sig)
                return;
        if (sig->canonical_request)
                OPENSSL_cleanse(sig->canonical_request, strlen(sig->canonical_request));
        free(sig->canonical_request);
        free(sig->string_to_sign);
        free(sig->authorization);
        if (sig->security_token)
                OPENSSL_cleanse(sig->security_token, strlen(sig->security_token));
        free(sig->security_token);
        *sig = (struct sigv4_signature){ 0 };
}
