/* lookup_wire: the requests and answers of the look-ups that name a target
 * and open another account (DESIGN.md, "Knowing the target and the session").
 *
 * Pure: bodies in, facts out, no I/O, no clock. Answers are untrusted and
 * need not be NUL-terminated; every field is bounded. Grouped by file:
 *   lookup_ec2.c  EC2 DescribeInstances (Query, XML): Name and chosen tags
 *   lookup_ssm.c  SSM DescribeInstanceInformation (JSON 1.1): computer name
 *   lookup_sts.c  STS AssumeRole (Query, XML): temporary credentials
 * Errors: -EBADMSG an answer that is not the action's shape; -E2BIG a
 * request above its bound; -EINVAL bad arguments; -ENOMEM. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"

/* "mi-" and 17 hex digits is the longest ID we look up (EC2: i- + 17). */
#define LOOKUP_ID_MAX 24
/* EC2 tags: a key is up to 128 Unicode characters, a value up to 256; in
 * UTF-8 at most 4 bytes each. SSM's ComputerName fits the same room. */
#define LOOKUP_KEY_MAX (128 * 4)
#define LOOKUP_VALUE_MAX (256 * 4)
/* [enrich] tags: how many tag keys may be shown beside the Name tag. */
#define LOOKUP_TAGS_MAX 10
/* One receive is at most 10 messages, each with one target. */
#define LOOKUP_IDS_MAX 10
/* Request bodies: a form or JSON with at most LOOKUP_IDS_MAX IDs, or an
 * AssumeRole with an ARN (2048), a session name and an external ID (1224). */
#define LOOKUP_BODY_MAX 8192

/* i-… (EC2 instance) or mi-… (managed node) with 8 or 17 hex digits. */
enum lookup_kind { LOOKUP_NONE, LOOKUP_EC2, LOOKUP_SSM };
enum lookup_kind lookup_kind_of(const char *target);

/* One target found in an answer: its ID, its name (NULL: none) and the
 * values of the tag keys asked for, in that order (NULL: the target has no
 * such tag). The strings live until the callback returns. A negative return
 * stops the parse and is returned. */
typedef int (*lookup_found_fn)(void *userdata, const char *id, const char *name,
                               const char *const *tag_values);

/* lookup_ec2.c */
/* Action=DescribeInstances with Filter.1.Name=instance-id: unlike
 * InstanceId.N, a filter does not fail the whole call with
 * InvalidInstanceID.NotFound when one ID is unknown or gone. */
int lookup_ec2_request(const char *const *ids, size_t n, struct buf *ret);
/* Every instance of reservationSet/item/instancesSet/item, Name tag as
 * name, the tags keys[0..n_keys) as tag_values. */
int lookup_ec2_parse(const char *xml, size_t len, const char *const *keys, size_t n_keys, lookup_found_fn found,
                     void *userdata);

/* DescribeInstances with MaxResults=5 (EC2: 5..1000): a permission check
 * that names no instance (--check-config --online). */
int lookup_ec2_probe(struct buf *ret);

/* lookup_ssm.c */
/* {"Filters":[{"Key":"InstanceIds","Values":[…]}],"MaxResults":50} */
int lookup_ssm_request(const char *const *ids, size_t n, struct buf *ret);
/* Every InstanceInformationList entry: ComputerName, else Name, as name; no
 * tags (tag_values is NULL). */
int lookup_ssm_parse(const char *json, size_t len, lookup_found_fn found, void *userdata);
/* {"MaxResults":5}: the permission check. */
int lookup_ssm_probe(struct buf *ret);

/* lookup_sts.c */
/* IAM: a role ARN is at most 2048 characters; RoleSessionName 2..64 of
 * [\w+=,.@-]; ExternalId 2..1224 of [\w+=,.@:/-]. */
#define LOOKUP_ROLE_ARN_MAX 2048
#define LOOKUP_ACCOUNT_PLACEHOLDER "{account_id}"
/* role_arn with every {account_id} replaced by account (12 digits). */
int lookup_role_arn_for(const char *role_arn, const char *account, char *ret, size_t size);
/* Action=AssumeRole for role_arn, session name session_name, ExternalId
 * when external_id is not NULL, DurationSeconds 3600. */
int lookup_sts_request(const char *role_arn, const char *session_name, const char *external_id, struct buf *ret);

struct lookup_credentials {
        char access_key_id[129];
        char secret_access_key[129];
        char session_token[16385];
        time_t expiration;
};
/* AssumeRoleResult/Credentials. The caller wipes *ret (OPENSSL_cleanse)
 * when done; on failure nothing of a secret is left in *ret. */
int lookup_sts_parse(const char *xml, size_t len, struct lookup_credentials *ret);
