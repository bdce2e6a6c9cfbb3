/* awsid: the shapes of the AWS names the configuration holds.
 *
 * Pure. Region names, endpoint URLs, SQS queue URLs and SNS topic ARNs are
 * checked here so that a typo is reported when the config is read rather
 * than as a signature or "no such queue" error from AWS later. Plain http://
 * is for loopback hosts only (emulators and tests): anything else would send
 * signed requests in the clear. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Longest region name we accept; real ones are at most 14 ("ap-southeast-5",
 * "us-gov-west-1"), this leaves room for new partitions. */
#define AWS_REGION_MAX 32
/* 253: the longest DNS name (RFC 1035, 2.3.4, without the trailing dot). */
#define AWS_HOST_MAX 253

/* Two lower-case letters, one or more "-word", then "-digits": ap-northeast-1. */
bool aws_region_valid(const char *s);
/* Exactly 12 decimal digits. */
bool aws_account_id_valid(const char *s, size_t n);
/* 127.0.0.0/8, ::1 or "localhost" (any case). */
bool aws_host_is_loopback(const char *host);
/* An address literal of 169.254.0.0/16, fe80::/10 or fd00:ec2::254 (the
 * instance metadata service's addresses); no name, no IPv4-mapped form. */
bool aws_host_is_link_local(const char *host);

struct aws_url {
        bool https;
        char host[AWS_HOST_MAX + 1]; /* an IPv6 literal without its brackets */
        unsigned port;               /* 0 when absent */
        const char *rest;            /* into the parsed string: "", or from the first '/', '?' or '#' */
};

/* Splits an http:// or https:// URL. On -EINVAL, *why (if given) says what
 * is wrong in a few words, e.g. "has a bad port"; a URL with user
 * information is refused without repeating it, since it may hold a password. */
int aws_url_parse(const char *s, struct aws_url *ret, const char **why);

/* https://sqs.REGION.amazonaws.com[.cn]/ACCOUNT/NAME, the legacy
 * https://REGION.queue.amazonaws.com/ACCOUNT/NAME, or http(s)://LOOPBACK[:PORT]/ACCOUNT/NAME
 * (emulators). ACCOUNT is 12 digits, NAME 1..80 of [A-Za-z0-9_-] with an optional
 * ".fifo" (SQS CreateQueue limits). ret_region (at least AWS_REGION_MAX + 1 bytes) receives
 * the region, or "" for a loopback URL. 0 or -EINVAL. */
int aws_queue_url_parse(const char *url, char *ret_region);

/* arn:aws[-cn|-us-gov]:sns:REGION:ACCOUNT:NAME, NAME 1..256 of [A-Za-z0-9_-] with an
 * optional ".fifo" (SNS CreateTopic limits). ret_region as above. 0 or -EINVAL. */
int aws_topic_arn_parse(const char *arn, char *ret_region);
