/* config_check: what is decided after the last line. Keys the file left
 * out take the environment's value, else their default; then the checks
 * that involve more than one key (the credential pair, the regions of the
 * queue and the topic, the example's placeholders) and the permission rule
 * for a file that holds a secret. */
#include "config_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aws_service.h"
#include "imds.h"

static const char *env_get(const struct parser *p, const char *name) {
        const char *v = p->env ? p->env(name) : NULL;
        return v && *v ? v : NULL;
}

/* The endpoint an *_endpoint key defaults to: its service's rule in the region
 * (aws_service.h: one rule for the config and the client). */
static void endpoint_default(struct parser *p, const struct key_def *k) {
        const struct aws_service *svc = strcmp(k->key, "sns_endpoint") == 0 ? &aws_service_sns : &aws_service_sqs;
        char **field = config_str_field(p->cfg, k);
        char url[AWS_ENDPOINT_MAX];

        if (aws_service_endpoint(svc, p->cfg->region, url, sizeof(url)) < 0) {
                p->fatal = -EINVAL; /* a region the config accepted always makes an endpoint */
                return;
        }
        if (!(*field = strdup(url)))
                p->fatal = -ENOMEM;
}

static void fill_key(struct parser *p, size_t i) {
        const struct key_def *k = &config_keys[i];
        const char *v = NULL, *var = NULL;
        char origin[80];

        for (size_t e = 0; e < ELEMENTSOF(k->env) && k->env[e] && !v; e++)
                v = env_get(p, var = k->env[e]);
        if (v) {
                snprintf(origin, sizeof(origin), "from %s", var);
                if (config_apply(p, k, k->key, v, 0, origin) == 0)
                        p->key_set[i] = true;
                return;
        }
        if (k->def) {
                if (config_apply(p, k, k->key, k->def, 0, "default") == 0)
                        p->key_set[i] = true;
                return;
        }
        if (k->type == KEY_ENDPOINT) {
                if (p->cfg->region && !k->per_region)
                        endpoint_default(p, k);
                return;
        }
        if (!k->required || p->need == CONFIG_NEED_RENDER)
                return;
        if (k->env[1]) {
                char why[160];
                snprintf(why, sizeof(why), "missing; %s and %s are not set either", k->env[0],
                         k->env[1]);
                config_report_key(p, p->key_line[i], k, k->key, NULL, why, NULL);
        } else {
                config_report_key(p, p->key_line[i], k, k->key, NULL, "missing", NULL);
        }
}

static void check_imds(struct parser *p) {
        const char *v = env_get(p, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
        struct buf why;
        size_t n;

        if (!v) {
                if (!(p->cfg->imds_endpoint = strdup(IMDS_DEFAULT_ENDPOINT)))
                        p->fatal = -ENOMEM;
                return;
        }
        buf_init(&why, DIAG_LINE_MAX);
        if (config_check_endpoint(v, ENDPOINT_IMDS, &why, &n) < 0)
                config_diag_printf(p, 0, "AWS_EC2_METADATA_SERVICE_ENDPOINT: %s (allowed: http://HOST[:PORT] "
                            "or https://HOST[:PORT] where HOST is a link-local (169.254.0.0/16, [fe80::/10], "
                            "[fd00:ec2::254]) or loopback (127.0.0.0/8, [::1], localhost) address)",
                            buf_str(&why));
        else if (!(p->cfg->imds_endpoint = strndup(v, n)))
                p->fatal = -ENOMEM;
        buf_free(&why);
}

static void check_credentials(struct parser *p) {
        static const char PAIR[] = "both access_key_id and secret_access_key, or neither";
        size_t id = config_key_index("access_key_id"), secret = config_key_index("secret_access_key"),
               token = config_key_index("session_token");
        bool has_id = p->key_set[id] || p->key_bad[id];
        bool has_secret = p->key_set[secret] || p->key_bad[secret];
        bool has_token = p->key_set[token] || p->key_bad[token];

        if (has_id && !has_secret)
                config_report_key(p, p->key_line[id], &config_keys[id], "access_key_id", NULL,
                           "set without secret_access_key", PAIR);
        if (has_secret && !has_id)
                config_report_key(p, p->key_line[secret], &config_keys[secret], "secret_access_key", NULL,
                           "set without access_key_id", PAIR);
        if (has_token && !(has_id && has_secret))
                config_report_key(p, p->key_line[token], &config_keys[token], "session_token", NULL,
                           "set without access_key_id and secret_access_key",
                           "only together with access_key_id and secret_access_key");
}

static void check_region_match(struct parser *p, const char *key, const char *region, const char *what) {
        size_t i = config_key_index(key);

        if (!p->cfg->region || !p->key_set[i] || !region[0] || strcmp(region, p->cfg->region) == 0)
                return;
        config_diag_printf(p, p->key_line[i], "[%s] %s: %s is in region %s, not in the configured region %s "
                    "(allowed: a %s in %s)", config_keys[i].section, key, what, region, p->cfg->region,
                    what, p->cfg->region);
}

/* A queue URL or topic ARN in the example's account was never edited. The
 * value passed its shape check, so the account can only be the path segment
 * (URL) or the fifth field (ARN) that the marker matches. */
static void check_placeholder(struct parser *p, const char *key, const char *marker, const char *what) {
        size_t i = config_key_index(key);

        if (!p->key_set[i] || !strstr(*config_str_field(p->cfg, &config_keys[i]), marker))
                return;
        config_diag_printf(p, p->key_line[i], "[%s] %s: still the example's placeholder (account %s) "
                    "(allowed: the %s of your %s)", config_keys[i].section, key, EXAMPLE_ACCOUNT,
                    strcmp(key, "queue_url") == 0 ? "URL" : "ARN", what);
}

void config_finish(struct parser *p) {
        for (size_t i = 0; i < CONFIG_N_KEYS && !p->fatal; i++)
                if (config_keys[i].key && !p->key_set[i] && !p->key_bad[i])
                        fill_key(p, i);
        if (p->fatal)
                return;
        check_imds(p);
        check_credentials(p);
        check_region_match(p, "queue_url", p->queue_region, "queue");
        check_region_match(p, "topic_arn", p->topic_region, "topic");
        check_placeholder(p, "queue_url", "/" EXAMPLE_ACCOUNT "/", "queue");
        check_placeholder(p, "topic_arn", ":" EXAMPLE_ACCOUNT ":", "topic");
        config_rules_finish(p);
}

enum config_access config_access_check(const struct config_file_access *a) {
        mode_t group = a->mode & S_IRWXG;

        if (a->mode & S_IRWXO)
                return CONFIG_ACCESS_OTHERS;
        if (!group)
                return CONFIG_ACCESS_OK;
        if (group != S_IRGRP)
                return CONFIG_ACCESS_GROUP_WRITE;
        if (a->service_gid != (gid_t)-1 && a->file_gid == a->service_gid)
                return CONFIG_ACCESS_OK;
        if (a->file_gid == a->gid && a->file_uid != a->uid)
                return CONFIG_ACCESS_OK;
        return CONFIG_ACCESS_GROUP;
}

/* The refusal of a file that holds a secret, as one diagnostic line. */
void config_report_access(struct parser *p, const struct config_file_access *a, enum config_access verdict) {
        struct buf b;

        config_diag_start(p, 0, &b);
        buf_printf(&b, "[aws] secret_access_key: the file's mode %04o ", (unsigned)(a->mode & 07777));
        switch (verdict) {
        case CONFIG_ACCESS_OTHERS:
                buf_puts(&b, "gives others access ");
                break;
        case CONFIG_ACCESS_GROUP_WRITE:
                buf_printf(&b, "gives group %u more than read access ", (unsigned)a->file_gid);
                break;
        case CONFIG_ACCESS_GROUP:
        case CONFIG_ACCESS_OK:
                buf_printf(&b, "lets group %u read it, but the daemon does not read it through that group ",
                           (unsigned)a->file_gid);
                break;
        }
        buf_printf(&b, "(allowed: no access for others, read access for the group only when the daemon "
                       "reads the file through it, as with root:" SERVICE_GROUP " 0640 under the unit; "
                       "or chmod 600 %s)", p->path);
        config_diag_add(p, &b);
}

