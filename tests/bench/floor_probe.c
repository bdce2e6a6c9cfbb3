/* floor_probe: the memory floor of the libraries ssm-notifyd links (issue 15).
 *
 *     floor_probe [--ca-store] [URL]
 *
 * Loads libcurl, OpenSSL, json-c, libsystemd and inih as the daemon does and
 * makes each do the least the daemon needs of it: curl_easy_init and, given a
 * URL, one plain HTTP GET whose answer json-c parses; one TLS context and one
 * SHA-256; one sd_notify; one (empty) configuration parsed. With --ca-store the TLS context also loads the CA
 * bundle libcurl would load for an HTTPS connection (production; the bench's
 * daemon talks plain HTTP to fauxqs and never loads it). Then prints, as one
 * JSON object on stdout, what /proc/self/status says of its memory: whatever
 * the daemon holds above these figures is its own. Exit 0, or 1 with the
 * reason on stderr. Built only for make bench (tests/bench/CMakeLists.txt).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <ini.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <systemd/sd-daemon.h>

/* fauxqs's queue listing is a few hundred bytes; more is not what was asked for */
#define MAX_BODY (64 * 1024)

struct body {
        char data[MAX_BODY + 1];
        size_t len;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata) {
        struct body *b = userdata;
        size_t n = size * nmemb;
        if (n > MAX_BODY - b->len)
                return 0; /* curl fails the transfer: CURLE_WRITE_ERROR */
        memcpy(b->data + b->len, ptr, n);
        b->len += n;
        b->data[b->len] = '\0';
        return n;
}

/* One GET of url; its answer must be JSON, parsed as the daemon parses SQS's. */
static int fetch_json(CURL *h, const char *url) {
        static struct body b;
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
        CURLcode rc = curl_easy_perform(h);
        if (rc != CURLE_OK) {
                fprintf(stderr, "floor_probe: GET %s: %s\n", url, curl_easy_strerror(rc));
                return -EIO;
        }
        json_object *doc = json_tokener_parse(b.data);
        if (!doc) {
                fprintf(stderr, "floor_probe: GET %s: the answer is not JSON\n", url);
                return -EBADMSG;
        }
        json_object_put(doc);
        return 0;
}

/* A TLS client context as libcurl builds one per connection; with ca_store
 * also the CA bundle libcurl was built to use (CURLINFO_CAINFO). */
static int tls_context(CURL *h, int ca_store, SSL_CTX **ret) {
        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
        if (!ctx) {
                fprintf(stderr, "floor_probe: SSL_CTX_new failed\n");
                return -ENOMEM;
        }
        if (ca_store) {
                const char *bundle = NULL;
                int ok;
                if (curl_easy_getinfo(h, CURLINFO_CAINFO, &bundle) == CURLE_OK && bundle)
                        ok = SSL_CTX_load_verify_locations(ctx, bundle, NULL);
                else
                        ok = SSL_CTX_set_default_verify_paths(ctx);
                if (ok != 1) {
                        fprintf(stderr, "floor_probe: cannot load the CA store %s\n", bundle ? bundle : "(default)");
                        SSL_CTX_free(ctx);
                        return -ENOENT;
                }
        }
        *ret = ctx;
        return 0;
}

/* The daemon signs every request: SHA-256 through OpenSSL 3's EVP. */
static int sha256_once(void) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        static const char data[] = "floor";
        if (EVP_Digest(data, sizeof(data) - 1, md, &len, EVP_sha256(), NULL) != 1) {
                fprintf(stderr, "floor_probe: SHA-256 failed\n");
                return -EIO;
        }
        return 0;
}

static int on_ini(void *user, const char *section, const char *name, const char *value) {
        (void)user, (void)section, (void)name, (void)value;
        return 1;
}

/* A "Key:   N kB" line of /proc/self/status, in KiB (no key is on the first line, Name:). */
static int status_kib(const char *status, const char *key, long *ret) {
        char pattern[32];
        snprintf(pattern, sizeof(pattern), "\n%s:", key);
        const char *p = strstr(status, pattern);
        if (!p)
                return -ENOENT;
        p += strlen(pattern);
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (errno || end == p)
                return -EBADMSG;
        *ret = v;
        return 0;
}

static int print_memory(void) {
        static const char *const keys[][2] = {
                { "VmHWM", "vmhwm_kib" }, { "VmRSS", "vmrss_kib" }, { "RssAnon", "anon_kib" }, { "RssFile", "file_kib" },
        };
        enum { NKEYS = sizeof(keys) / sizeof(keys[0]) };
        static char status[16384];
        long kib[NKEYS];
        FILE *f = fopen("/proc/self/status", "re");
        if (!f) {
                int r = -errno;
                fprintf(stderr, "floor_probe: /proc/self/status: %s\n", strerror(-r));
                return r;
        }
        size_t n = fread(status, 1, sizeof(status) - 1, f);
        fclose(f);
        status[n] = '\0';
        for (size_t i = 0; i < NKEYS; i++) {
                int r = status_kib(status, keys[i][0], &kib[i]);
                if (r < 0) {
                        fprintf(stderr, "floor_probe: no %s in /proc/self/status\n", keys[i][0]);
                        return r;
                }
        }
        printf("{");
        for (size_t i = 0; i < NKEYS; i++)
                printf("%s\"%s\": %ld", i ? ", " : "", keys[i][1], kib[i]);
        printf("}\n");
        return fflush(stdout) == 0 ? 0 : -EIO;
}

int main(int argc, char **argv) {
        int ca_store = 0;
        const char *url = NULL;
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--ca-store") == 0)
                        ca_store = 1;
                else if (!url && argv[i][0] != '-')
                        url = argv[i];
                else {
                        fprintf(stderr, "usage: floor_probe [--ca-store] [URL]\n");
                        return 2;
                }
        }
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                fprintf(stderr, "floor_probe: curl_global_init failed\n");
                return 1;
        }
        int r = -ENOMEM;
        SSL_CTX *ctx = NULL;
        CURL *h = curl_easy_init();
        if (!h) {
                fprintf(stderr, "floor_probe: curl_easy_init failed\n");
                goto out;
        }
        if (url)
                r = fetch_json(h, url);
        else {
                json_object *doc = json_tokener_parse("{\"Messages\": []}");
                r = doc ? 0 : -EBADMSG;
                json_object_put(doc);
        }
        if (r >= 0)
                r = tls_context(h, ca_store, &ctx);
        if (r >= 0)
                r = sha256_once();
        if (r >= 0 && ini_parse_string("", on_ini, NULL) != 0) {
                fprintf(stderr, "floor_probe: inih failed on an empty configuration\n");
                r = -EINVAL;
        }
        if (r >= 0 && sd_notify(0, "STATUS=floor probe") < 0)
                fprintf(stderr, "floor_probe: sd_notify failed (ignored: only its code is wanted)\n");
        /* measured with everything still held, as a running daemon holds it */
        if (r >= 0)
                r = print_memory();
out:
        SSL_CTX_free(ctx);
        curl_easy_cleanup(h);
        curl_global_cleanup();
        return r < 0 ? 1 : 0;
}
