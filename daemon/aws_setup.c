#include "aws_setup.h"

#include <stdlib.h>

#include "sns.h"
#include "sqs.h"
#include "ssm_sessions.h"

/* Connection setup to AWS endpoints; each call sets its own total time. */
#define CONNECT_TIMEOUT_MS 5000

static const char *env_lookup(const char *name) {
        return getenv(name);
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
        struct aws_client_options o = {
                .service = &aws_service_sqs,
                .endpoint = cfg->sqs_endpoint,
                .region = cfg->region,
                .credentials = s.credentials,
                .max_body = SQS_ANSWER_MAX,
                .connect_timeout_ms = CONNECT_TIMEOUT_MS,
                .progress = progress,
                .progress_userdata = userdata,
        };
        r = aws_client_new(&o, &s.sqs);
        if (r < 0)
                goto out;
        o.service = &aws_service_sns;
        o.endpoint = cfg->sns_endpoint;
        o.max_body = SNS_ANSWER_MAX;
        r = aws_client_new(&o, &s.sns);
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
        aws_client_free(s->sqs);
        aws_client_free(s->sns);
        aws_client_free(s->ssm);
        credentials_free(s->credentials);
        *s = (struct aws_setup){ 0 };
}
