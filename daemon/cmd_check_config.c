/* --check-config [--online]: the configuration, and with --online the
 * credentials and access to the queue and the topic, as a short checklist.
 *
 * Each online check names the URL it called and says what happened in
 * words (aws_error_describe: "cannot resolve HOST", "connection refused by
 * HOST:PORT", "no answer from HOST:PORT after N s", "HTTP 403 Forbidden:
 * SignatureDoesNotMatch: …"). Credentials that were found are not called
 * OK until AWS accepted a request signed with them. With [enrich]
 * instance_names on, the look-ups' permissions are checked too, in the
 * daemon's region and account (each line says what a denial costs), and
 * with [sessions] checks on, DescribeSessions. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws_setup.h"
#include "commands.h"
#include "config_cli.h"
#include "http.h"
#include "lookup_wire.h"
#include "sns.h"
#include "sqs.h"
#include "ssm_sessions.h"

/* What the answers of the checks tell about the credentials. */
enum verdict { CRED_UNKNOWN, CRED_ACCEPTED, CRED_REFUSED };

/* Codes by which AWS refuses the signature or the key itself, before any
 * permission is looked at (an AccessDenied comes after authentication). */
static bool refuses_credentials(const struct aws_error *e) {
        static const char *const codes[] = {
                "SignatureDoesNotMatch", "InvalidSignatureException", "IncompleteSignature",
                "InvalidClientTokenId", "UnrecognizedClientException", "InvalidAccessKeyId",
                "MissingAuthenticationToken", "AuthFailure", "ExpiredToken", "ExpiredTokenException",
                "InvalidToken",
        };
        for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
                if (strcmp(e->code, codes[i]) == 0)
                        return true;
        return false;
}

/* One check's line; a failure also updates what is known of the credentials. */
static void report(const char *name, const char *action, const char *endpoint, int r,
                   const struct aws_error *err, enum verdict *cred) {
        char detail[AWS_ERROR_DESCRIBE_MAX];

        if (r == 0) {
                *cred = CRED_ACCEPTED;
                return;
        }
        /* our own failures (an answer not as documented, no memory) in their words alone */
        if (r == -EIO)
                aws_error_describe(err, detail, sizeof(detail));
        else
                snprintf(detail, sizeof(detail), "%s", err->message);
        if (err->source == AWS_SOURCE_ANSWER) {
                if (refuses_credentials(err) && *cred == CRED_UNKNOWN)
                        *cred = CRED_REFUSED;
                else if (err->http_status >= 400 && err->http_status < 500 && !refuses_credentials(err))
                        *cred = CRED_ACCEPTED; /* authenticated, then denied or the resource is wrong */
        }
        printf("%-12s FAILED: %s at %s: %s\n", name, action, endpoint, detail);
}

/* GetTopicAttributes on topic with its region's client; 1 when it failed. */
static int check_topic(const struct aws_setup *aws, const struct config *cfg, const char *topic,
                       enum verdict *verdict) {
        const char *endpoint = aws_setup_sns_endpoint_for(aws, cfg, topic);
        struct aws_error err = { 0 };
        int r = sns_check_topic(aws_setup_sns_for(aws, topic), topic, &err);

        report("sns", "GetTopicAttributes", endpoint, r, &err, verdict);
        if (r == 0)
                printf("%-12s OK: GetTopicAttributes at %s on %s\n", "sns", endpoint, topic);
        fflush(stdout);
        return r < 0;
}

/* Topic t of rule i is topic_arn or came earlier (each is checked once). */
static bool topic_listed_before(const struct config *cfg, size_t i, size_t t) {
        const char *topic = cfg->rules[i].topics[t];
        if (strcmp(topic, cfg->topic_arn) == 0)
                return true;
        for (size_t j = 0; j <= i; j++)
                for (size_t u = 0; u < (j < i ? cfg->rules[j].n_topics : t); u++)
                        if (strcmp(cfg->rules[j].topics[u], topic) == 0)
                                return true;
        return false;
}

/* Connection setup and each probe: as the daemon's look-ups, bounded. */
#define LOOKUP_CHECK_TIMEOUT_MS 5000

/* One look-up's permission, probed with an answer that names nothing;
 * without tells what a denial costs. 0 or the call's failure. */
static int check_lookup(const struct config *cfg, struct credentials *creds, const char *name,
                        const struct aws_service *svc, const char *endpoint, const char *action,
                        const struct buf *body, const char *without, enum verdict *verdict) {
        char url[AWS_ENDPOINT_MAX];
        const struct aws_client_options o = {
                .service = svc,
                .endpoint = endpoint,
                .region = cfg->region,
                .credentials = creds,
                .max_body = 1024 * 1024,
                .connect_timeout_ms = LOOKUP_CHECK_TIMEOUT_MS,
        };
        struct aws_client *c = NULL;
        struct aws_answer ans = { 0 };
        struct aws_error err = { 0 };
        int r;

        if (!endpoint && aws_service_endpoint(svc, cfg->region, url, sizeof(url)) == 0)
                endpoint = url;
        r = aws_client_new(&o, &c);
        if (r == 0)
                r = aws_client_call(c, action, body->data, body->len, LOOKUP_CHECK_TIMEOUT_MS, &ans, &err);
        else
                aws_error_from_errno(r, &err);
        report(name, action, endpoint ? endpoint : "?", r, &err, verdict);
        if (r == 0)
                printf("%-12s OK: %s at %s\n", name, action, endpoint ? endpoint : "?");
        else
                printf("%-12s without it %s\n", "", without);
        aws_answer_clear(&ans);
        aws_client_free(c);
        return r;
}

static int check_lookups(const struct config *cfg, struct credentials *creds, enum verdict *verdict) {
        struct buf ec2 = { 0 }, ssm = { 0 };
        int failures = 0;

        if (lookup_ec2_probe(&ec2) < 0 || lookup_ssm_probe(&ssm) < 0) {
                buf_free(&ec2);
                return 1;
        }
        failures += check_lookup(cfg, creds, "ec2", &aws_service_ec2, cfg->ec2_endpoint, "DescribeInstances", &ec2,
                                 "(ec2:DescribeInstances) notifications show i-… targets without their Name tag",
                                 verdict) < 0;
        fflush(stdout);
        failures += check_lookup(cfg, creds, "ssm", &aws_service_ssm, cfg->ssm_endpoint,
                                 "DescribeInstanceInformation", &ssm,
                                 "(ssm:DescribeInstanceInformation) notifications show mi-… targets without their "
                                 "computer name", verdict) < 0;
        if (cfg->enrich_role_arn)
                printf("%-12s NOT CHECKED: AssumeRole of %s happens per event's account; a denial is logged "
                       "once and those events go out without names\n", "sts", cfg->enrich_role_arn);
        buf_free(&ec2);
        buf_free(&ssm);
        return failures;
}

/* The session checks' permission: asked only where they will be made. */
static int check_sessions(const struct config *cfg, struct credentials *creds, enum verdict *verdict) {
        struct buf body;
        int r;

        buf_init(&body, 64);
        if (ssm_sessions_probe(&body) < 0) {
                buf_free(&body);
                return 1;
        }
        r = check_lookup(cfg, creds, "ssm", &aws_service_ssm, cfg->ssm_endpoint, "DescribeSessions", &body,
                         "(ssm:DescribeSessions) sessions that end without TerminateSession are not noticed",
                         verdict);
        buf_free(&body);
        return r < 0;
}

static int check_online(const struct config *cfg) {
        struct aws_setup aws;
        const struct aws_credentials *cred;
        struct aws_error err = { 0 };
        enum verdict verdict = CRED_UNKNOWN;
        long waiting = 0;
        int failures = 0, r;

        r = aws_setup_open(cfg, NULL, NULL, &aws);
        if (r < 0) {
                printf("%-12s FAILED: %s\n", "setup", strerror(-r));
                return EXIT_FAILURE;
        }
        r = credentials_get(aws.credentials, time(NULL), &cred, &err);
        if (r < 0) {
                printf("%-12s FAILED: none found: %s\n", "credentials", err.message);
                aws_setup_close(&aws);
                return EXIT_UNAVAILABLE;
        }
        printf("%-12s found in the %s, not yet accepted by AWS\n", "credentials",
               credentials_source(aws.credentials));
        fflush(stdout);

        r = sqs_get_queue_depth(aws.sqs, cfg->queue_url, &waiting, &err);
        report("sqs", "GetQueueAttributes", cfg->sqs_endpoint, r, &err, &verdict);
        if (r == 0)
                printf("%-12s OK: GetQueueAttributes at %s on %s (%ld messages waiting)\n", "sqs",
                       cfg->sqs_endpoint, cfg->queue_url, waiting);
        failures += r < 0;
        fflush(stdout);
        failures += check_topic(&aws, cfg, cfg->topic_arn, &verdict);
        for (size_t i = 0; i < cfg->n_rules; i++)
                for (size_t t = 0; t < cfg->rules[i].n_topics; t++)
                        if (!topic_listed_before(cfg, i, t))
                                failures += check_topic(&aws, cfg, cfg->rules[i].topics[t], &verdict);
        if (cfg->enrich_instance_names == CONFIG_ON)
                failures += check_lookups(cfg, aws.credentials, &verdict);
        fflush(stdout);
        if (cfg->sessions_track == CONFIG_ON && cfg->check_interval > 0)
                failures += check_sessions(cfg, aws.credentials, &verdict);

        switch (verdict) {
        case CRED_ACCEPTED:
                printf("%-12s OK: AWS accepted a request signed with them (%s)\n", "credentials",
                       credentials_source(aws.credentials));
                break;
        case CRED_REFUSED:
                printf("%-12s FAILED: AWS refused them (%s): see the answers above\n", "credentials",
                       credentials_source(aws.credentials));
                break;
        case CRED_UNKNOWN:
                printf("%-12s NOT CHECKED: no answer from AWS (%s)\n", "credentials",
                       credentials_source(aws.credentials));
                break;
        }
        aws_setup_close(&aws);
        return failures ? EXIT_UNAVAILABLE : EXIT_SUCCESS;
}

int cmd_check_config(const struct cli_options *opt) {
        struct config *cfg = NULL;
        int r, code = EXIT_SUCCESS;

        r = config_load_for_cli(opt->config_path, CONFIG_NEED_ALL, &cfg);
        if (r == -ENOMEM)
                return EXIT_FAILURE;
        if (r < 0)
                return EXIT_CONFIG;
        puts("configuration OK");
        for (size_t i = 0; i < cfg->n_rules; i++) {
                const struct config_rule *rule = &cfg->rules[i];
                printf("rule %zu: %s: match %s: %s", i + 1, rule->name, rule->match_text,
                       rule->action == CONFIG_RULE_IGNORE ? "ignore" : "notify");
                for (size_t t = 0; t < rule->n_topics; t++)
                        printf("%s%s", t ? ", " : " to ", rule->topics[t]);
                putchar('\n');
        }
        if (opt->online) {
                fflush(stdout);
                if (http_global_init() < 0) {
                        config_free(cfg);
                        return EXIT_FAILURE;
                }
                code = check_online(cfg);
                http_global_cleanup();
        }
        config_free(cfg);
        return code;
}
