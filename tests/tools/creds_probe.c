/* creds_probe: drives one credentials provider for tests/integration/test_imds.py.
 *
 *   creds_probe IMDS_ENDPOINT
 *
 * The chain reads the process environment; no config-file keys are given.
 * Commands come on stdin, one per line, and each gets one line on stdout:
 *   get EPOCH   -> ok source=<source> akid=<AccessKeyId> secret_sha256=<16 hex>
 *                     token_sha256=<16 hex or -> expiration=<epoch>
 *                  err errno=<positive errno> detail=<detail line>
 *   invalidate  -> ok
 * Secrets are never printed, only the first 16 hex digits of their SHA-256,
 * which the test computes from the served body. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "credentials.h"
#include "http.h"

/* One command is a verb and a decimal time. */
#define PROBE_LINE_MAX 128

static void sha256_prefix(const char *s, char out[17]) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        if (!s) {
                strcpy(out, "-");
                return;
        }
        if (!EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL) || n < 8) {
                strcpy(out, "?");
                return;
        }
        for (int i = 0; i < 8; i++)
                snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void get(struct credentials *c, time_t now) {
        const struct aws_credentials *cr;
        struct aws_error err;
        char secret[17], token[17];
        int r = credentials_get(c, now, &cr, &err);
        if (r < 0) {
                printf("err errno=%d detail=%s\n", -r, err.message);
                return;
        }
        sha256_prefix(cr->secret_access_key, secret);
        sha256_prefix(cr->session_token, token);
        printf("ok source=%s akid=%s secret_sha256=%s token_sha256=%s expiration=%lld\n", credentials_source(c),
               cr->access_key_id, secret, token, (long long)cr->expiration);
}

int main(int argc, char **argv) {
        struct credentials *c;
        char line[PROBE_LINE_MAX];
        int r;

        if (argc != 2) {
                fprintf(stderr, "usage: creds_probe IMDS_ENDPOINT < commands\n");
                return 2;
        }
        if (http_global_init() < 0)
                return 1;
        const struct credentials_options o = { .imds_endpoint = argv[1] };
        r = credentials_new(&o, &c);
        if (r < 0) {
                fprintf(stderr, "creds_probe: credentials_new: %s\n", strerror(-r));
                http_global_cleanup();
                return 1;
        }
        while (fgets(line, sizeof(line), stdin)) {
                long long t;
                if (sscanf(line, "get %lld", &t) == 1)
                        get(c, (time_t)t);
                else if (strcmp(line, "invalidate\n") == 0) {
                        credentials_invalidate(c);
                        printf("ok\n");
                } else
                        printf("bad command\n");
                fflush(stdout);
        }
        credentials_free(c);
        http_global_cleanup();
        return 0;
}
