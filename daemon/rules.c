#include "rules.h"

#include <string.h>

/* tag:KEY: the value the look-ups found, for the [enrich] tags keys. */
static const char *tag_of(const void *ctx, const char *key) {
        const struct ssm_event *ev = ctx;
        for (size_t i = 0; i < ev->n_target_tags; i++)
                if (strcmp(ev->target_tags[i].key, key) == 0)
                        return ev->target_tags[i].value;
        return NULL;
}

static void subject_of(const struct ssm_event *ev, const struct render_options *o, struct rule_subject *ret) {
        *ret = (struct rule_subject){ 0 };
        ret->values[RULE_EVENT_NAME] = ev->event_name;
        ret->values[RULE_ACTOR] = ev->actor;
        ret->values[RULE_ACTOR_TYPE] = ev->actor_type;
        ret->values[RULE_ROLE] = ev->role;
        ret->values[RULE_ACCOUNT_ID] = ev->account_id;
        ret->values[RULE_ACCOUNT_NAME] = render_account_name(o, ev->account_id);
        ret->values[RULE_REGION] = ev->region;
        ret->values[RULE_TARGET] = ev->target;
        ret->values[RULE_TARGET_NAME] = ev->target_name;
        ret->tag = tag_of;
        ret->tag_ctx = ev;
        ret->values[RULE_DOCUMENT_NAME] = ev->document_name;
        ret->values[RULE_OUTCOME] = ev->failure ? "failure" : "success";
        ret->values[RULE_SOURCE_IP] = ev->source_ip;
        ret->values[RULE_VIA] = ev->has_via_console ? (ev->via_console ? "console" : "api") : NULL;
        ret->values[RULE_SEVERITY] = event_severity(ev);
}

int rules_first_match(const struct config_rule *rules, size_t n, const struct ssm_event *ev,
                      const struct render_options *o) {
        struct rule_subject s;

        subject_of(ev, o, &s);
        for (size_t i = 0; i < n; i++)
                if (rule_match_eval(rules[i].match, &s))
                        return (int)i;
        return -1;
}
