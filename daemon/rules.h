/* rules: which [rule NAME] decides an event. Pure.
 *
 * The event's fields become a rule_subject (rule_match.h): outcome and
 * severity as DESIGN.md derives them, account_name from [accounts], via
 * "console" or "api" as the record tells (unknown without a user agent);
 * target_name and tag:KEY stay unknown until enrichment fills them.
 * Rules apply in file order and the first that matches decides. */
#pragma once

#include "config.h"
#include "event.h"
#include "render.h"

/* The index of the first rule of rules[0..n) that matches ev, or -1 when
 * none does (the event is notified to [sns] topic_arn). o gives [accounts]. */
int rules_first_match(const struct config_rule *rules, size_t n, const struct ssm_event *ev,
                      const struct render_options *o);
