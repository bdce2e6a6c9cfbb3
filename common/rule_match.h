/* rule_match: the match = line of a [rule NAME] section, parsed and applied.
 *
 * Pure. "field=pattern, field!=pattern, …": every condition must hold; a
 * pattern is globs (fnmatch(3): '*', '?', '[…]') separated by '|', any of
 * which may match; "!=" holds when none matches. source_ip also takes CIDR
 * (IPv4 or IPv6, "10.0.0.0/8", "2001:db8::/32"). A value the event does not
 * carry (NULL, e.g. target_name and tag:KEY before enrichment) matches only
 * the pattern "*", so "field=x" fails on it and "field!=x" holds.
 * The caller fills struct rule_subject from its event; this module knows
 * nothing of events. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum rule_field {
        RULE_EVENT_NAME,
        RULE_ACTOR,
        RULE_ACTOR_TYPE,
        RULE_ROLE,
        RULE_ACCOUNT_ID,
        RULE_ACCOUNT_NAME,
        RULE_REGION,
        RULE_TARGET,
        RULE_TARGET_NAME,
        RULE_TAG, /* tag:KEY */
        RULE_DOCUMENT_NAME,
        RULE_OUTCOME,
        RULE_SOURCE_IP,
        RULE_VIA,
        RULE_SEVERITY,
        RULE_FIELD_COUNT,
};

/* The field names as written in match =, indexed by enum rule_field
 * ("tag" stands for "tag:KEY"). */
extern const char *const rule_field_names[RULE_FIELD_COUNT];

/* What one event offers the conditions: a value per field, NULL when
 * unknown. tag(ctx, key) gives a tag's value or NULL; tag NULL: no tags. */
struct rule_subject {
        const char *values[RULE_FIELD_COUNT];
        const char *(*tag)(const void *ctx, const char *key);
        const void *tag_ctx;
};

struct rule_match;

/* The reason of a rejected line: short, quotes the offending part cut. */
#define RULE_MATCH_WHY_MAX 256
/* A line of more conditions or alternatives than this is a mistake. */
#define RULE_CONDITIONS_MAX 32
#define RULE_ALTERNATIVES_MAX 64

/* 0 and *ret; -EINVAL with the reason in why (unknown field, no '=',
 * empty or bad glob, bad CIDR, tag: without a key); -ENOMEM. */
int rule_match_parse(const char *text, struct rule_match **ret, char why[static RULE_MATCH_WHY_MAX]);
void rule_match_free(struct rule_match *m);

/* Every condition holds for s. */
bool rule_match_eval(const struct rule_match *m, const struct rule_subject *s);

/* The match holds for every event: each condition is "field=*" (or a
 * pattern list with a lone "*"). A later rule never sees an event then. */
bool rule_match_is_catch_all(const struct rule_match *m);
