#include "aws_service.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* AWS: every partition's endpoints are under amazonaws.com except China's. */
#define DNS_SUFFIX "amazonaws.com"
#define DNS_SUFFIX_CN "amazonaws.com.cn"
#define REGIONAL_RULE "https://{service}.{region}.{dns_suffix}"

const struct aws_service aws_service_sqs = {
        .signing_name = "sqs",
        .endpoint_rule = REGIONAL_RULE,
        .protocol = AWS_PROTOCOL_JSON10,
        .target_prefix = "AmazonSQS.",
};

const struct aws_service aws_service_sns = {
        .signing_name = "sns",
        .endpoint_rule = REGIONAL_RULE,
        .protocol = AWS_PROTOCOL_QUERY,
        .api_version = "2010-03-31",
};

const struct aws_service aws_service_ec2 = {
        .signing_name = "ec2",
        .endpoint_rule = REGIONAL_RULE,
        .protocol = AWS_PROTOCOL_QUERY,
        .api_version = "2016-11-15",
};

const struct aws_service aws_service_ssm = {
        .signing_name = "ssm",
        .endpoint_rule = REGIONAL_RULE,
        .protocol = AWS_PROTOCOL_JSON11,
        .target_prefix = "AmazonSSM.",
};

/* STS's regional endpoint: the global one (sts.amazonaws.com) is the legacy
 * default the SDKs moved away from. */
const struct aws_service aws_service_sts = {
        .signing_name = "sts",
        .endpoint_rule = REGIONAL_RULE,
        .protocol = AWS_PROTOCOL_QUERY,
        .api_version = "2011-06-15",
};

static const char *const content_types[] = {
        [AWS_PROTOCOL_JSON10] = "application/x-amz-json-1.0",
        [AWS_PROTOCOL_JSON11] = "application/x-amz-json-1.1",
        [AWS_PROTOCOL_QUERY] = "application/x-www-form-urlencoded; charset=utf-8",
};

int aws_service_endpoint(const struct aws_service *svc, const char *region, char *ret, size_t size) {
        const char *const names[][2] = {
                { "{service}", svc->signing_name },
                { "{region}", region },
                { "{dns_suffix}", strncmp(region, "cn-", 3) == 0 ? DNS_SUFFIX_CN : DNS_SUFFIX },
        };
        char out[AWS_ENDPOINT_MAX];
        size_t n = 0;

        for (const char *p = svc->endpoint_rule; *p;) {
                const char *with = NULL;
                size_t skip = 1, len = 1;
                for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !with; i++)
                        if (strncmp(p, names[i][0], strlen(names[i][0])) == 0) {
                                with = names[i][1];
                                skip = strlen(names[i][0]);
                                len = strlen(with);
                        }
                if (len >= sizeof(out) - n)
                        return -EINVAL;
                memcpy(out + n, with ? with : p, len);
                n += len;
                p += skip;
        }
        if (n >= size)
                return -EINVAL;
        memcpy(ret, out, n);
        ret[n] = '\0';
        return 0;
}

int aws_request_sign(const struct aws_service *svc, const char *host, const char *region, const char *action,
                     const char *body, size_t body_len, const struct aws_credentials *cred, time_t when,
                     struct sigv4_key_cache *key_cache, struct aws_request *ret) {
        struct aws_request q = { 0 };
        struct sigv4_header signed_headers[AWS_REQUEST_HEADERS_MAX];
        int r;

        q.headers[q.n_headers++] = (struct http_header){ "Host", host };
        q.headers[q.n_headers++] = (struct http_header){ "Content-Type", content_types[svc->protocol] };
        if (svc->protocol != AWS_PROTOCOL_QUERY) {
                if (snprintf(q.target, sizeof(q.target), "%s%s", svc->target_prefix, action) >=
                    (int)sizeof(q.target))
                        return -EINVAL;
                q.headers[q.n_headers++] = (struct http_header){ "X-Amz-Target", q.target };
        }
        for (size_t i = 0; i < q.n_headers; i++)
                signed_headers[i] = (struct sigv4_header){ q.headers[i].name, q.headers[i].value };
        const struct sigv4_request sreq = {
                .method = "POST",
                .path = "/",
                .headers = signed_headers,
                .n_headers = q.n_headers,
                .body = body,
                .body_len = body_len,
        };
        const struct sigv4_credentials screds = {
                .access_key_id = cred->access_key_id,
                .secret_access_key = cred->secret_access_key,
                .session_token = cred->session_token,
        };
        const struct sigv4_params params = {
                .region = region,
                .service = svc->signing_name,
                .key_cache = key_cache,
                .time = when,
                .normalize_path = true,
        };
        r = sigv4_sign_request(&sreq, &screds, &params, &ret->sig);
        if (r < 0)
                return r;
        memcpy(ret->target, q.target, sizeof(q.target));
        memcpy(ret->headers, q.headers, sizeof(q.headers));
        ret->n_headers = q.n_headers;
        /* the copy's header points at the copy's target */
        if (svc->protocol != AWS_PROTOCOL_QUERY)
                ret->headers[2].value = ret->target;
        for (size_t i = 0; i < ret->sig.n_add; i++)
                ret->headers[ret->n_headers++] = (struct http_header){ ret->sig.add[i].name, ret->sig.add[i].value };
        return 0;
}

void aws_request_free(struct aws_request *r) {
        if (!r)
                return;
        sigv4_signature_free(&r->sig);
        *r = (struct aws_request){ 0 };
}
