/* fuzz_config: bytes → config_load_stream, through fmemopen, with a fixed
 * fake environment.
 *
 * Besides crashes, leaks and undefined behaviour it checks config.h's
 * contract: a loaded config has every value inside the documented ranges and
 * no diagnostics; a rejected one has at least one diagnostic, each a single
 * line naming the file. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "config.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


#define FUZZ_PATH "fuzz.conf"

/* The region and endpoints fall back to these when the file leaves them
 * out; AWS_REGION is unset so the file's own region is used when present. */
static const char *fake_env(const char *name) {
        static const struct {
                const char *name, *value;
        } env[] = {
                { "AWS_DEFAULT_REGION", "ap-northeast-1" },
                { "AWS_ENDPOINT_URL", "http://127.0.0.1:4566" },
                { "AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1" },
        };
        for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++)
                if (strcmp(name, env[i].name) == 0)
                        return env[i].value;
        return NULL;
}

static void check_config(const struct config *c) {
        CHECK(c->region && c->region[0]);
        CHECK(c->sqs_endpoint && c->sns_endpoint && c->imds_endpoint);
        CHECK(c->queue_url && c->topic_arn && c->timezone);
        CHECK(c->wait_time_seconds >= 1 && c->wait_time_seconds <= 20);
        CHECK(c->max_messages >= 1 && c->max_messages <= 10);
        CHECK(c->visibility_timeout >= 0 && c->visibility_timeout <= 43200);
        CHECK(c->max_receive_count >= 1 && c->max_receive_count <= 1000);
        CHECK(c->format >= RENDER_TEXT && c->format <= RENDER_MULTI);
        CHECK(c->language == RENDER_JA || c->language == RENDER_EN);
        CHECK(c->unrecognized == CONFIG_UNRECOGNIZED_NOTIFY || c->unrecognized == CONFIG_UNRECOGNIZED_KEEP);
        CHECK(c->log_level >= LOG_ERR && c->log_level <= LOG_DEBUG);
        CHECK(c->n_events > 0 && c->events);
        for (size_t i = 0; i < c->n_events; i++)
                CHECK(c->events[i] && c->events[i][0]);
        /* credentials come as a pair, the token only with them */
        CHECK(!c->access_key_id == !c->secret_access_key);
        CHECK(!c->session_token || c->access_key_id);
        for (size_t i = 0; i < c->n_accounts; i++) {
                CHECK(strlen(c->accounts[i].id) == 12 &&
                      strspn(c->accounts[i].id, "0123456789") == 12);
                CHECK(c->accounts[i].name && c->accounts[i].name[0]);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* fmemopen takes a writable buffer (glibc accepts a zero size) */
        char *text = malloc(size ? size : 1);
        struct config_diag diag = { 0 };
        struct config *c = NULL;
        FILE *f;
        int r;

        if (!text)
                return 0;
        memcpy(text, data, size);
        f = fmemopen(text, size, "r");
        if (!f) {
                free(text);
                return 0;
        }
        r = config_load_stream(f, FUZZ_PATH, fake_env, &c, &diag);
        fclose(f);
        if (r == 0) {
                CHECK(c && diag.n == 0);
                check_config(c);
        } else {
                CHECK(r == -EINVAL || r == -ENOMEM || r == -EIO);
                CHECK(diag.n > 0);
        }
        for (size_t i = 0; i < diag.n; i++) {
                CHECK(strncmp(diag.lines[i], FUZZ_PATH ":", strlen(FUZZ_PATH ":")) == 0);
                CHECK(!strchr(diag.lines[i], '\n'));
        }
        config_free(c);
        config_diag_clear(&diag);
        free(text);
        return 0;
}
