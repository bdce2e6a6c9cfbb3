/* aws_service: what differs between the AWS services we call, as data, and
 * the one way a request to any of them is built and signed.
 *
 * A service is a descriptor: its signing name, the rule that makes its
 * endpoint from the region, its protocol (AWS JSON 1.0 or 1.1 with an
 * X-Amz-Target header, or Query with a form body and XML answers) and, for
 * Query, the API version every request names. aws_client.h sends, classifies
 * and retries a request to any descriptor the same way; adding a service is a
 * descriptor here plus its request and answer code. Pure: no I/O, no clock. */
#pragma once

#include <stddef.h>
#include <time.h>

#include "credentials.h"
#include "http.h"
#include "sigv4.h"

enum aws_protocol {
        AWS_PROTOCOL_JSON10, /* application/x-amz-json-1.0 + X-Amz-Target, JSON answers */
        AWS_PROTOCOL_JSON11, /* application/x-amz-json-1.1 + X-Amz-Target, JSON answers */
        AWS_PROTOCOL_QUERY,  /* form body with Action and Version, XML answers */
};

struct aws_service {
        const char *signing_name;  /* SigV4 service name, also {service} in the endpoint rule */
        const char *endpoint_rule; /* {service}, {region} and {dns_suffix} are replaced */
        enum aws_protocol protocol;
        const char *target_prefix; /* JSON: X-Amz-Target is prefix + action */
        const char *api_version;   /* Query: the Version parameter */
};

extern const struct aws_service aws_service_sqs; /* JSON 1.0, AmazonSQS. */
extern const struct aws_service aws_service_sns; /* Query, 2010-03-31 */
extern const struct aws_service aws_service_ec2; /* Query, 2016-11-15, EC2's XML answers */
extern const struct aws_service aws_service_ssm; /* JSON 1.1, AmazonSSM. */
extern const struct aws_service aws_service_sts; /* Query, 2011-06-15 */

/* "https://" + a DNS name (253) + ":65535"; anything longer is not an endpoint. */
#define AWS_ENDPOINT_MAX 300
/* The longest X-Amz-Target: a prefix and an action name, both short identifiers. */
#define AWS_TARGET_MAX 128

/* The service's endpoint in region: its rule, with {dns_suffix}
 * "amazonaws.com", or "amazonaws.com.cn" in the China regions (cn-*).
 * 0, or -EINVAL for a rule or region that does not make an endpoint below
 * AWS_ENDPOINT_MAX bytes. */
int aws_service_endpoint(const struct aws_service *svc, const char *region, char *ret, size_t size);

/* A request to a service, signed: the headers to send (Host, Content-Type,
 * X-Amz-Target for JSON, then what SigV4 adds), which point into this struct
 * and into the strings passed to aws_request_sign, so it must not be copied
 * or moved while they are used. */
#define AWS_REQUEST_HEADERS_MAX 8
struct aws_request {
        struct http_header headers[AWS_REQUEST_HEADERS_MAX];
        size_t n_headers;
        char target[AWS_TARGET_MAX];
        struct sigv4_signature sig;
};

/* Builds and signs a POST / to svc at host (the endpoint's authority), for
 * action (the X-Amz-Target suffix; only informative for Query), signed for
 * region at time `when`, with the signing key of key_cache (sigv4.h; NULL:
 * none). 0, or what sigv4_sign_request() returns; -EINVAL
 * for a target above AWS_TARGET_MAX. On success release with
 * aws_request_free(). */
int aws_request_sign(const struct aws_service *svc, const char *host, const char *region, const char *action,
                     const char *body, size_t body_len, const struct aws_credentials *cred, time_t when,
                     struct sigv4_key_cache *key_cache, struct aws_request *ret);
/* Accepts NULL. */
void aws_request_free(struct aws_request *r);
