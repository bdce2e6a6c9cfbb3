#include "aws_setup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sns.h"
#include "sqs.h"
#include "ssm_sessions.h"

/* Connection setup to AWS endpoints; each call sets its own total time. */
#define CONNECT_TIMEOUT_MS 5000

static const char *env_lookup(const char *name) {
        return getenv(name);
}

static const struct aws_sns_region *sns_of_region(const struct aws_setup *s, const char *region) {
        for (const struct aws_sns_region *n = s->sns_regions; n; n = n->next)
                if (strcmp(n->region, region) == 0)
                        return n;
        return NULL;
}

static const struct aws_sns_region *sns_of_topic(const struct aws_setup *s, const char *topic_arn) {
        char region[AWS_REGION_MAX + 1];
        return aws_topic_arn_parse(topic_arn, region) == 0 ? sns_of_region(s, region) : NULL;
}

/* A region's SNS clients: the one outside the lanes, and one per lane. */
static int sns_clients_new(const struct aws_client_options *o, struct aws_client **ret,
                           struct aws_client *lanes[static RELAY_LANES]) {
        int r = aws_client_new(o, ret);
        for (size_t l = 0; l < RELAY_LANES && r == 0; l++)
                r = aws_client_new(o, &lanes[l]);
        return r;
}

static void sns_clients_free(struct aws_client *c, struct aws_client *lanes[static RELAY_LANES]) {
        aws_client_free(c);
        for (size_t l = 0; l < RELAY_LANES; l++)
                aws_client_free(lanes[l]);
}

/* A client for the region of arn unless it has one. o is the configured
 * region's SNS options; an endpoint that is only that region's default is
 * no override, and each other region gets its own default. */
static int add_sns_region(const struct config *cfg, struct aws_client_options o, const char *arn,
                          struct aws_setup *s) {
        char region[AWS_REGION_MAX + 1], own[AWS_ENDPOINT_MAX];
        struct aws_sns_region *n;

        if (aws_topic_arn_parse(arn, region) < 0 || !region[0] || strcmp(region, cfg->region) == 0 ||
            sns_of_region(s, region))
                return 0;
        if (!(n = calloc(1, sizeof(*n))))
                return -ENOMEM;
        memcpy(n->region, region, sizeof(region));
        snprintf(n->endpoint, sizeof(n->endpoint), "%s", cfg->sns_endpoint);
        if (aws_service_endpoint(&aws_service_sns, cfg->region, own, sizeof(own)) == 0 &&
            strcmp(own, cfg->sns_endpoint) == 0)
                (void)aws_service_endpoint(&aws_service_sns, region, n->endpoint, sizeof(n->endpoint));
        o.endpoint = n->endpoint;
        o.region = n->region;
        n->next = s->sns_regions;
        s->sns_regions = n; /* freed with the setup from here on */
        return sns_clients_new(&o, &n->client, n->lanes);
}

struct aws_client *aws_setup_sns_for(const struct aws_setup *s, const char *topic_arn) {
        const struct aws_sns_region *n = sns_of_topic(s, topic_arn);
        return n ? n->client : s->sns;
}

struct aws_client *aws_setup_sns_lane_for(const struct aws_setup *s, const char *topic_arn, unsigned lane) {
        const struct aws_sns_region *n = sns_of_topic(s, topic_arn);
        return n ? n->lanes[lane] : s->sns_lanes[lane];
}

const char *aws_setup_sns_endpoint_for(const struct aws_setup *s, const struct config *cfg, const char *topic_arn) {
        const struct aws_sns_region *n = sns_of_topic(s, topic_arn);
        return n ? n->endpoint : cfg->sns_endpoint;
}

int aws_setup_open(const struct config *cfg, int (*progress)(void *), void *userdata, struct aws_setup *ret) {
        struct aws_setup s = { 0 };
        const struct credentials_options co = {
                .access_key_id = cfg->access_key_id,
                .secret_access_key = cfg->secret_access_key,
                .session_token = cfg->session_token,
                .getenv = env_lookup,
                .imds_endpoint = cfg->imds_endpoint,
        };
        int r = credentials_new(&co, &s.credentials);
        if (r < 0)
                return r;
        r = http_multi_new(&s.multi);
        if (r < 0)
                goto out;
        s.clock_offset = calloc(1, sizeof(*s.clock_offset));
        if (!s.clock_offset) {
                r = -ENOMEM;
                goto out;
        }
        struct aws_client_options o = {
                .service = &aws_service_sqs,
                .endpoint = cfg->sqs_endpoint,
                .region = cfg->region,
                .credentials = s.credentials,
                .max_body = SQS_ANSWER_MAX,
                .connect_timeout_ms = CONNECT_TIMEOUT_MS,
                .progress = progress,
                .progress_userdata = userdata,
                .multi = s.multi,
                .clock_offset = s.clock_offset,
        };
        r = aws_client_new(&o, &s.sqs);
        if (r < 0)
                goto out;
        for (size_t l = 0; l < RELAY_LANES; l++) {
                r = aws_client_new(&o, &s.sqs_poll[l]);
                if (r == 0)
                        r = aws_client_new(&o, &s.sqs_delete[l]);
                if (r < 0)
                        goto out;
        }
        o.service = &aws_service_sns;
        o.endpoint = cfg->sns_endpoint;
        o.max_body = SNS_ANSWER_MAX;
        r = sns_clients_new(&o, &s.sns, s.sns_lanes);
        if (r < 0)
                goto out;
        for (size_t i = 0; i < cfg->n_rules; i++)
                for (size_t t = 0; t < cfg->rules[i].n_topics; t++)
                        if ((r = add_sns_region(cfg, o, cfg->rules[i].topics[t], &s)) < 0)
                                goto out;
        r = enricher_new(cfg, s.credentials, s.multi, progress, userdata, &s.enricher);
        if (r < 0)
                goto out;
        o.service = &aws_service_ssm;
        o.endpoint = cfg->ssm_endpoint;
        o.max_body = SSM_SESSIONS_ANSWER_MAX;
        r = aws_client_new(&o, &s.ssm);
        if (r < 0)
                goto out;
        *ret = s;
        s = (struct aws_setup){ 0 };
out:
        aws_setup_close(&s);
        return r;
}

void aws_setup_close(struct aws_setup *s) {
        if (!s)
                return;
        enricher_free(s->enricher);
        aws_client_free(s->sqs);
        for (size_t l = 0; l < RELAY_LANES; l++) {
                aws_client_free(s->sqs_poll[l]);
                aws_client_free(s->sqs_delete[l]);
        }
        sns_clients_free(s->sns, s->sns_lanes);
        aws_client_free(s->ssm);
        while (s->sns_regions) {
                struct aws_sns_region *n = s->sns_regions;
                s->sns_regions = n->next;
                sns_clients_free(n->client, n->lanes);
                free(n);
        }
        /* after every client: they leave it as they are freed */
        http_multi_free(s->multi);
        free(s->clock_offset);
        credentials_free(s->credentials);
        *s = (struct aws_setup){ 0 };
}
