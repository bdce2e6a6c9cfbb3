/* event_internal: helpers shared by event.c and event_identity.c only. */
#pragma once

#include "json_tree.h"

#include "event.h"

/* The member at dotted path ("requestParameters.parameters.host") under
 * root, or NULL when any step is missing or not an object, or the member is
 * JSON null (json-c read null as no value; the rules were written so). */
const struct json_node *event_json_path(const struct json_node *root, const char *path);

/* *ret = a copy of a scalar (string, number, boolean) or of an array of
 * scalars joined with ", "; NULL for null, "", objects and missing values.
 * NUL bytes (JSON "\u0000") become U+FFFD so no C string hides a tail.
 * 0 or -ENOMEM. */
int event_json_dup(const struct json_node *v, char **ret);

/* Fills actor_type, actor, actor_arn, role, permission_set, actor_sso and
 * actor_generated from userIdentity (which may be NULL). 0 or -ENOMEM. */
int event_identity_resolve(const struct json_node *user_identity, struct ssm_event *ev);

/* The part of an SSM session id before its last '-' ("alice-0a1b2c" →
 * "alice"), or NULL when there is none. 0 or -ENOMEM. */
int event_session_owner(const char *session_id, char **ret);
