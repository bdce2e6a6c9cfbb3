/* fuzz_sigv4: bytes → an HTTP request → sigv4_sign_request; and the same
 * bytes through urlenc_append and form_encode.
 *
 * The input is read as the SigV4 test suites' .req files are (so they seed
 * the corpus as they are): a request line "METHOD PATH[?QUERY] VERSION",
 * "Name:value" header lines (a line starting with a space or tab continues
 * the previous value, line break kept), a blank line, then the body, which
 * may hold any byte. An X-Amz-Date header is the signing time and an
 * X-Amz-Security-Token header the session token, as in the suites; both are
 * then taken out, since sigv4 adds them itself.
 *
 * Besides crashes, leaks and undefined behaviour it checks: a signature is
 * 64 lower-case hex digits and ends the Authorization value; the canonical
 * request has exactly one line per signed header plus six, so no input can
 * smuggle a line break into it; percent-encoding writes only the allowed
 * characters and decodes back to its input, and leaves the buffer as it
 * was when it fails. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "sigv4.h"
#include "urlenc.h"
#include "../unit/sigv4_req.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


/* form_encode gets the input split at '&'; 16 parameters are more than any
 * request of ours has. */
#define FUZZ_PARAMS_MAX 16
/* The suites' time, 2015-08-30T12:36:00Z, when the input has no X-Amz-Date. */
#define FUZZ_TIME ((time_t)1440938160)

/* Removes the header named name (any case) and returns its last value. */
static const char *take_header(struct sigv4_req *p, const char *name) {
        const char *value = NULL;
        size_t j = 0;

        for (size_t i = 0; i < p->n_headers; i++) {
                if (strcasecmp(p->headers[i].name, name) == 0)
                        value = p->headers[i].value;
                else
                        p->headers[j++] = p->headers[i];
        }
        p->n_headers = j;
        return value;
}

static bool is_lower_hex(const char *s, size_t n) {
        return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

static void check_signature(const struct sigv4_signature *sig, const char *key_id) {
        size_t lines = 0, signed_names = 1, n;
        const char *last, *prev;

        CHECK(is_lower_hex(sig->signature, 64));
        CHECK(is_lower_hex(sig->content_sha256, 64));
        CHECK(strlen(sig->amz_date) == 16 && sig->amz_date[8] == 'T' && sig->amz_date[15] == 'Z');
        CHECK(strncmp(sig->authorization, "AWS4-HMAC-SHA256 Credential=", 28) == 0);
        CHECK(strncmp(sig->authorization + 28, key_id, strlen(key_id)) == 0);
        n = strlen(sig->authorization);
        CHECK(n > 64 && strcmp(sig->authorization + n - 64, sig->signature) == 0);
        CHECK(sig->n_add >= 2 && sig->n_add <= 4);

        /* method, URI, query, one line per header, blank, SignedHeaders, payload hash */
        for (const char *s = sig->canonical_request; *s; s++)
                lines += *s == '\n';
        last = strrchr(sig->canonical_request, '\n');
        CHECK(last && is_lower_hex(last + 1, 64));
        prev = last;
        while (prev > sig->canonical_request && prev[-1] != '\n')
                prev--;
        for (const char *s = prev; s < last; s++)
                signed_names += *s == ';';
        CHECK(lines + 1 == 6 + signed_names);
}

static void sign(const struct sigv4_req *p, const char *token, time_t t) {
        static const char *const key_id = "AKIDEXAMPLE";
        const struct sigv4_request req = {
                .method = p->method,
                .path = p->path,
                .query = p->query,
                .headers = p->headers,
                .n_headers = p->n_headers,
                .body = p->body,
                .body_len = p->body_len,
        };
        const struct sigv4_credentials creds = {
                .access_key_id = key_id,
                .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                .session_token = token,
        };
        /* as the daemon signs, then the other way for every flag */
        const struct sigv4_params params[] = {
                { .region = "us-east-1", .service = "service", .time = t, .normalize_path = true },
                { .region = "ap-northeast-1", .service = "sqs", .time = t, .sign_body = true,
                  .omit_session_token = token != NULL },
        };

        for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
                struct sigv4_signature sig;
                if (sigv4_sign_request(&req, &creds, &params[i], &sig) != 0)
                        continue;
                check_signature(&sig, key_id);
                sigv4_signature_free(&sig);
        }
}

static int hexval(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes what urlenc wrote, refusing anything it must not write. */
static void check_decodes_to(const char *enc, size_t enc_len, const char *s, size_t len, unsigned flags) {
        size_t i = 0, j = 0;

        while (i < enc_len) {
                unsigned char c = (unsigned char)enc[i];
                int hi, lo;

                CHECK(j < len);
                if (c == '%') {
                        CHECK(enc_len - i >= 3);
                        hi = hexval(enc[i + 1]);
                        lo = hexval(enc[i + 2]);
                        CHECK(hi >= 0 && lo >= 0);
                        c = (unsigned char)(hi << 4 | lo);
                        i += 3;
                } else if (c == '+') {
                        CHECK(flags & URLENC_SPACE_PLUS);
                        c = ' ';
                        i++;
                } else {
                        CHECK((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                              strchr("-_.~", c) || (c == '/' && (flags & URLENC_KEEP_SLASH)));
                        i++;
                }
                CHECK(c == (unsigned char)s[j]);
                j++;
        }
        CHECK(j == len);
}

static void encode(const char *s, size_t len) {
        static const unsigned flag_sets[] = { 0, URLENC_KEEP_SLASH, URLENC_SPACE_PLUS,
                                              URLENC_KEEP_SLASH | URLENC_SPACE_PLUS };

        for (size_t i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
                struct buf b;
                /* room for every byte as %XX, or for only part of them */
                size_t max = i % 2 ? 3 * len + 4 : len + 2;
                int r;

                buf_init(&b, max);
                CHECK(buf_puts(&b, "x=") == 0);
                r = urlenc_append(&b, s, len, flag_sets[i]);
                if (r == 0)
                        check_decodes_to(b.data + 2, b.len - 2, s, len, flag_sets[i]);
                else
                        CHECK(r == -E2BIG && b.len == 2 && strcmp(buf_str(&b), "x=") == 0);
                buf_free(&b);
        }
}

/* text: NUL-terminated, cut in place at '&' and '='. */
static void encode_form(char *text) {
        struct form_param params[FUZZ_PARAMS_MAX];
        size_t n = 0, amps = 0, eqs = 0;
        struct buf b;
        char *s = text;

        /* every byte %-encoded (3 bytes), and a separator per parameter */
        buf_init(&b, 3 * strlen(text) + 2 * FUZZ_PARAMS_MAX + 1);

        while (n < FUZZ_PARAMS_MAX && s) {
                char *amp = strchr(s, '&'), *eq;
                if (amp)
                        *amp = '\0';
                eq = strchr(s, '=');
                if (eq)
                        *eq = '\0';
                params[n++] = (struct form_param){ s, eq ? eq + 1 : "" };
                s = amp ? amp + 1 : NULL;
        }
        CHECK(form_encode(params, n, &b) == 0);
        for (size_t i = 0; i < b.len; i++) {
                amps += b.data[i] == '&';
                eqs += b.data[i] == '=';
        }
        CHECK(amps + 1 == n && eqs == n);
        /* the first parameter decodes back to what went in */
        const char *eq = strchr(buf_str(&b), '='), *end = strchr(buf_str(&b), '&');
        check_decodes_to(b.data, (size_t)(eq - b.data), params[0].name, strlen(params[0].name),
                         URLENC_SPACE_PLUS);
        end = end ? end : b.data + b.len;
        check_decodes_to(eq + 1, (size_t)(end - eq - 1), params[0].value, strlen(params[0].value),
                         URLENC_SPACE_PLUS);
        buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);
        struct sigv4_req req;
        const char *date, *token;
        struct tm tm = { 0 };
        time_t t = FUZZ_TIME;

        if (!text)
                return 0;
        encode((const char *)data, size);

        memcpy(text, data, size);
        text[size] = '\0';
        encode_form(text);

        memcpy(text, data, size);
        if (sigv4_req_parse(text, size, &req)) {
                date = take_header(&req, "X-Amz-Date");
                token = take_header(&req, "X-Amz-Security-Token");
                if (date) {
                        const char *end = strptime(date, "%Y%m%dT%H%M%SZ", &tm);
                        if (end && !*end)
                                t = timegm(&tm);
                }
                sign(&req, token, t);
        }
        free(text);
        return 0;
}
