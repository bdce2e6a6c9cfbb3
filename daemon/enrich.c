#include "enrich.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "aws_client.h"
#include "awsid.h"
#include "event.h"
#include "log.h"
#include "lookup_wire.h"
#include "macro.h"
#include "name_cache.h"
#include "ssm_sessions.h"

/* Many receives' worth of targets; a few hundred bytes each. */
#define ENRICH_CACHE_CAPACITY 4096
/* Clients kept (one per account, region and service), and accounts whose
 * assumed credentials are kept: an organisation's busy accounts. The least
 * recently used makes room. */
#define ENRICH_CLIENTS_MAX 16
#define ENRICH_ACCOUNTS_MAX 16
/* Answers: DescribeInstances for 10 instances is tens of KiB; the others less. */
#define ENRICH_ANSWER_MAX (1024 * 1024)
/* STS: RoleSessionName 2..64 of [\w+=,.@-]. */
#define ENRICH_SESSION_NAME "ssm-notifyd"

enum failure_kind { FAIL_EC2, FAIL_SSM, FAIL_STS, FAIL_OFF, FAIL_KINDS };

struct client_slot {
        char account[13];
        char region[AWS_REGION_MAX + 1];
        const struct aws_service *svc;
        struct aws_client *client;
        unsigned long used;
};

struct assumed {
        char account[13];
        struct credentials *credentials; /* NULL after a failed AssumeRole */
        time_t expiration;
        time_t retry_at;                 /* after a failure: not asked again before */
        unsigned long used;
};

struct enricher {
        const struct config *cfg;
        struct credentials *own;
        char own_account[13];
        int (*progress)(void *);
        void *progress_userdata;
        struct http_multi *multi;
        struct name_cache *cache;
        struct aws_client *sts;
        struct client_slot clients[ENRICH_CLIENTS_MAX];
        struct assumed accounts[ENRICH_ACCOUNTS_MAX];
        unsigned long tick;
        bool logged[FAIL_KINDS];
};

int enrich_own_account(const char *queue_url, char *ret) {
        const char *end, *start;

        if (!queue_url || !ret)
                return -EINVAL;
        end = strrchr(queue_url, '/');
        if (!end || end == queue_url)
                return -EINVAL;
        start = end - 1;
        while (start > queue_url && start[-1] != '/')
                start--;
        if (!aws_account_id_valid(start, (size_t)(end - start)))
                return -EINVAL;
        memcpy(ret, start, 12);
        ret[12] = '\0';
        return 0;
}

int enricher_new(const struct config *cfg, struct credentials *credentials, struct http_multi *multi,
                 int (*progress)(void *), void *userdata, struct enricher **ret) {
        struct enricher *e;
        int r;

        if (!cfg || !credentials || !multi || !ret)
                return -EINVAL;
        e = calloc(1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        *e = (struct enricher){ .cfg = cfg, .own = credentials, .progress = progress, .progress_userdata = userdata,
                                .multi = multi };
        if (enrich_own_account(cfg->queue_url, e->own_account) < 0)
                e->own_account[0] = '\0'; /* every account is then another's: only with role_arn */
        r = name_cache_new(ENRICH_CACHE_CAPACITY, cfg->enrich_cache_seconds, &e->cache);
        if (r < 0) {
                free(e);
                return r;
        }
        *ret = e;
        return 0;
}

static void slot_close(struct client_slot *s) {
        aws_client_free(s->client);
        *s = (struct client_slot){ 0 };
}

static void assumed_close(struct assumed *a) {
        credentials_free(a->credentials);
        *a = (struct assumed){ 0 };
}

void enricher_free(struct enricher *e) {
        if (!e)
                return;
        for (size_t i = 0; i < ENRICH_CLIENTS_MAX; i++)
                slot_close(&e->clients[i]);
        for (size_t i = 0; i < ENRICH_ACCOUNTS_MAX; i++)
                assumed_close(&e->accounts[i]);
        aws_client_free(e->sts);
        name_cache_free(e->cache);
        free(e);
}

static const char *const kind_words[FAIL_KINDS] = {
        [FAIL_EC2] = "EC2 DescribeInstances",
        [FAIL_SSM] = "SSM DescribeInstanceInformation",
        [FAIL_STS] = "STS AssumeRole",
        [FAIL_OFF] = "look-ups in other accounts",
};

/* The first failure of a kind at warning, later ones at debug, until that
 * kind of look-up works again: a failing look-up must not flood the log. */
static void failed(struct enricher *e, enum failure_kind k, const char *account, const char *region,
                   const char *detail) {
        const struct log_field f[] = { { "AWS_ACCOUNT", account }, { "AWS_REGION", region } };
        int level = e->logged[k] ? LOG_DEBUG : LOG_WARNING;
        e->logged[k] = true;
        log_fields(level, NULL, f, ELEMENTSOF(f),
                   "%s in account %s, region %s failed, notifications go out without the target's name "
                   "(logged once until it works again): %s",
                   kind_words[k], account, region, detail);
}

static void worked(struct enricher *e, enum failure_kind k) {
        if (e->logged[k])
                log_info("%s works again", kind_words[k]);
        e->logged[k] = false;
}

static int client_new(struct enricher *e, const struct aws_service *svc, const char *endpoint, const char *region,
                      struct credentials *creds, size_t max_body, struct aws_client **ret) {
        const struct aws_client_options o = {
                .service = svc,
                .endpoint = endpoint,
                .region = region,
                .credentials = creds,
                .max_body = max_body,
                .connect_timeout_ms = ENRICH_CALL_TIMEOUT_MS,
                .progress = e->progress,
                .progress_userdata = e->progress_userdata,
                .multi = e->multi,
        };
        return aws_client_new(&o, ret);
}

static void describe(int r, const struct aws_error *err, char *out, size_t size) {
        if (r == -EIO)
                aws_error_describe(err, out, size);
        else
                snprintf(out, size, "%s", strerror(-r));
}

/* Credentials for account: STS AssumeRole of role_arn there, reused until
 * ENRICH_ASSUME_AHEAD seconds before they expire. A failure is remembered for
 * NAME_CACHE_NEGATIVE seconds, so that the EC2 and SSM look-ups of one
 * receive, and the receives after it, do not each wait for STS again. */
static int assume(struct enricher *e, const char *account, const char *region, time_t now,
                  struct credentials **ret) {
        struct assumed *a = NULL, *lru = &e->accounts[0];
        char arn[LOOKUP_ROLE_ARN_MAX + 1], detail[AWS_ERROR_DESCRIBE_MAX];
        struct lookup_credentials *lc = NULL;
        struct aws_answer ans = { 0 };
        struct aws_error err = { 0 };
        struct buf body = { 0 };
        int r;

        for (size_t i = 0; i < ENRICH_ACCOUNTS_MAX; i++) {
                struct assumed *x = &e->accounts[i];
                if (x->account[0] && strcmp(x->account, account) == 0)
                        a = x;
                if (x->used < lru->used)
                        lru = x;
        }
        if (a && !a->credentials && now < a->retry_at)
                return -EIO;
        if (a && a->credentials && now < a->expiration - ENRICH_ASSUME_AHEAD) {
                a->used = ++e->tick;
                *ret = a->credentials;
                return 0;
        }
        /* the old credentials go with every client that borrowed them */
        if (!a)
                a = lru;
        for (size_t i = 0; i < ENRICH_CLIENTS_MAX; i++)
                if (e->clients[i].client && strcmp(e->clients[i].account, a->account) == 0)
                        slot_close(&e->clients[i]);
        assumed_close(a);

        if (!e->sts) {
                r = client_new(e, &aws_service_sts, e->cfg->sts_endpoint, e->cfg->region, e->own, 64 * 1024, &e->sts);
                if (r < 0)
                        goto fail;
        }
        r = lookup_role_arn_for(e->cfg->enrich_role_arn, account, arn, sizeof(arn));
        if (r == 0)
                r = lookup_sts_request(arn, ENRICH_SESSION_NAME, e->cfg->enrich_external_id, &body);
        if (r == 0)
                r = aws_client_call(e->sts, "AssumeRole", body.data, body.len, ENRICH_CALL_TIMEOUT_MS, &ans, &err);
        if (r < 0)
                goto fail;
        lc = malloc(sizeof(*lc));
        r = lc ? lookup_sts_parse(ans.body, ans.body_len, lc) : -ENOMEM;
        if (r < 0) {
                aws_error_local(&err, AWS_ERR_FATAL, r, "an AssumeRole answer without credentials");
                r = -EIO;
                goto fail;
        }
        const struct credentials_options co = {
                .access_key_id = lc->access_key_id,
                .secret_access_key = lc->secret_access_key,
                .session_token = lc->session_token,
        };
        r = credentials_new(&co, &a->credentials);
        if (r < 0)
                goto fail;
        snprintf(a->account, sizeof(a->account), "%s", account);
        a->expiration = lc->expiration;
        a->used = ++e->tick;
        worked(e, FAIL_STS);
        *ret = a->credentials;
        goto out;
fail:
        describe(r, &err, detail, sizeof(detail));
        failed(e, FAIL_STS, account, region, detail);
        snprintf(a->account, sizeof(a->account), "%s", account);
        a->retry_at = now + NAME_CACHE_NEGATIVE;
        a->used = ++e->tick;
out:
        if (lc) {
                OPENSSL_cleanse(lc, sizeof(*lc));
                free(lc);
        }
        aws_answer_clear(&ans);
        buf_free(&body);
        return r;
}

/* The client of svc for account and region. */
static int client_for(struct enricher *e, const struct aws_service *svc, const char *account, const char *region,
                      time_t now, struct aws_client **ret) {
        struct client_slot *lru = &e->clients[0];
        struct credentials *creds = e->own;
        int r;

        /* assume() logs its failures: -EIO tells the caller not to */
        if (strcmp(account, e->own_account) != 0 && assume(e, account, region, now, &creds) < 0)
                return -EIO;
        for (size_t i = 0; i < ENRICH_CLIENTS_MAX; i++) {
                struct client_slot *s = &e->clients[i];
                if (s->client && s->svc == svc && strcmp(s->account, account) == 0 && strcmp(s->region, region) == 0) {
                        s->used = ++e->tick;
                        *ret = s->client;
                        return 0;
                }
                if (s->used < lru->used)
                        lru = s;
        }
        slot_close(lru);
        snprintf(lru->account, sizeof(lru->account), "%s", account);
        snprintf(lru->region, sizeof(lru->region), "%s", region);
        /* The client keeps the region's pointer: the slot's copy lives as
         * long as it, the event's (region) not beyond this receive. */
        r = client_new(e, svc, svc == &aws_service_ec2 ? e->cfg->ec2_endpoint : e->cfg->ssm_endpoint, lru->region,
                       creds, svc == &aws_service_ssm ? SSM_SESSIONS_ANSWER_MAX : ENRICH_ANSWER_MAX, &lru->client);
        if (r < 0) {
                slot_close(lru);
                return r;
        }
        lru->svc = svc;
        lru->used = ++e->tick;
        *ret = lru->client;
        return 0;
}

int enricher_client(struct enricher *e, const struct aws_service *svc, const char *account, const char *region,
                    time_t now, struct aws_client **ret) {
        if (!e || !svc || !account || !region || !ret || !aws_region_valid(region) ||
            !aws_account_id_valid(account, strlen(account)))
                return -EINVAL;
        if (strcmp(account, e->own_account) != 0 && !e->cfg->enrich_role_arn)
                return -EPERM;
        return client_for(e, svc, account, region, now, ret);
}

/* The targets of one account, region and kind that the cache lacks. */
struct group {
        const char *account, *region;
        enum lookup_kind kind;
        const char *ids[LOOKUP_IDS_MAX];
        bool seen[LOOKUP_IDS_MAX];
        size_t n;
};

struct found_ctx {
        struct enricher *e;
        struct group *g;
        time_t now;
        int error;
};

static int on_found(void *userdata, const char *id, const char *name, const char *const *tag_values) {
        struct found_ctx *c = userdata;
        const struct config *cfg = c->e->cfg;

        for (size_t i = 0; i < c->g->n; i++) {
                if (strcmp(c->g->ids[i], id) != 0)
                        continue;
                c->g->seen[i] = true;
                return name_cache_put(c->e->cache, c->g->account, c->g->region, id, name,
                                      (const char *const *)cfg->enrich_tags, tag_values, cfg->n_enrich_tags,
                                      c->now);
        }
        return 0; /* not asked for: ignored */
}

static void look_up(struct enricher *e, struct group *g, time_t now) {
        const bool ec2 = g->kind == LOOKUP_EC2;
        const struct aws_service *svc = ec2 ? &aws_service_ec2 : &aws_service_ssm;
        const char *action = ec2 ? "DescribeInstances" : "DescribeInstanceInformation";
        const enum failure_kind kind = ec2 ? FAIL_EC2 : FAIL_SSM;
        char detail[AWS_ERROR_DESCRIBE_MAX];
        struct aws_client *client = NULL;
        struct aws_answer ans = { 0 };
        struct aws_error err = { 0 };
        struct buf body = { 0 };
        struct found_ctx fc = { .e = e, .g = g, .now = now };
        int r;

        r = client_for(e, svc, g->account, g->region, now, &client);
        if (r < 0) {
                if (r != -EIO) /* an AssumeRole failure is logged as such */
                        failed(e, kind, g->account, g->region, strerror(-r));
                goto unknown;
        }
        r = ec2 ? lookup_ec2_request(g->ids, g->n, &body) : lookup_ssm_request(g->ids, g->n, &body);
        if (r == 0)
                r = aws_client_call(client, action, body.data, body.len, ENRICH_CALL_TIMEOUT_MS, &ans, &err);
        if (r < 0) {
                describe(r, &err, detail, sizeof(detail));
                failed(e, kind, g->account, g->region, detail);
                goto unknown;
        }
        r = ec2 ? lookup_ec2_parse(ans.body, ans.body_len, (const char *const *)e->cfg->enrich_tags,
                                   e->cfg->n_enrich_tags, on_found, &fc)
                : lookup_ssm_parse(ans.body, ans.body_len, on_found, &fc);
        if (r < 0) {
                snprintf(detail, sizeof(detail), "%s (request %s)",
                         r == -EBADMSG ? "an answer not of the documented shape" : strerror(-r),
                         ans.request_id[0] ? ans.request_id : "without an id");
                failed(e, kind, g->account, g->region, detail);
                goto unknown;
        }
        worked(e, kind);
unknown:
        /* Not found, or not known now: asked again after the negative time. */
        for (size_t i = 0; i < g->n; i++)
                if (!g->seen[i])
                        (void)name_cache_put_unknown(e->cache, g->account, g->region, g->ids[i], now);
        aws_answer_clear(&ans);
        buf_free(&body);
}

static void add(struct group *groups, size_t *n_groups, const struct ssm_event *ev, enum lookup_kind kind) {
        struct group *g = NULL;
        for (size_t i = 0; i < *n_groups && !g; i++)
                if (groups[i].kind == kind && strcmp(groups[i].account, ev->account_id) == 0 &&
                    strcmp(groups[i].region, ev->region) == 0)
                        g = &groups[i];
        if (!g) {
                g = &groups[(*n_groups)++];
                *g = (struct group){ .account = ev->account_id, .region = ev->region, .kind = kind };
        }
        for (size_t i = 0; i < g->n; i++)
                if (strcmp(g->ids[i], ev->target) == 0)
                        return;
        if (g->n < LOOKUP_IDS_MAX)
                g->ids[g->n++] = ev->target;
}

static long elapsed_ms(const struct timespec *since) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (long)(t.tv_sec - since->tv_sec) * 1000 + (t.tv_nsec - since->tv_nsec) / 1000000;
}

void enricher_run(struct enricher *e, struct ssm_event *const *evs, size_t n, time_t now) {
        struct group groups[LOOKUP_IDS_MAX];
        size_t n_groups = 0;
        struct timespec start;

        if (!e || !e->cfg->enrich_instance_names)
                return;
        if (n > LOOKUP_IDS_MAX)
                n = LOOKUP_IDS_MAX;
        for (size_t i = 0; i < n; i++) {
                struct ssm_event *ev = evs[i];
                enum lookup_kind kind = lookup_kind_of(ev->target);
                /* the event's account and region pick an endpoint: only well-formed ones */
                if (kind == LOOKUP_NONE || !ev->account_id || !ev->region || !aws_region_valid(ev->region) ||
                    !aws_account_id_valid(ev->account_id, strlen(ev->account_id)))
                        continue;
                if (name_cache_fill(e->cache, ev, now) != -ENOENT)
                        continue;
                if (strcmp(ev->account_id, e->own_account) != 0 && !e->cfg->enrich_role_arn) {
                        if (!e->logged[FAIL_OFF])
                                log_notice("event %s is from account %s, not the queue's (%s), and [enrich] "
                                           "role_arn is empty: look-ups in other accounts are off",
                                           ev->event_id ? ev->event_id : "(no eventID)", ev->account_id,
                                           e->own_account[0] ? e->own_account : "unknown");
                        e->logged[FAIL_OFF] = true;
                        continue;
                }
                add(groups, &n_groups, ev, kind);
        }
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (size_t i = 0; i < n_groups; i++) {
                if (elapsed_ms(&start) >= ENRICH_ROUND_MAX_MS) {
                        log_debug("look-ups of this receive took over %d ms: %zu of %zu left for the next one",
                                  ENRICH_ROUND_MAX_MS, n_groups - i, n_groups);
                        break;
                }
                look_up(e, &groups[i], now);
        }
        for (size_t i = 0; i < n && n_groups; i++)
                if (name_cache_fill(e->cache, evs[i], now) == -ENOMEM)
                        log_warning("out of memory naming the target of event %s",
                                    evs[i]->event_id ? evs[i]->event_id : "(no eventID)");
}
