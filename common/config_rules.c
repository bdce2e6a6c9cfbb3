/* config_rules: the [rule NAME] sections. A header opens a rule (its name
 * checked, duplicates refused); match = and action = fill it, topics = (SNS
 * topic ARNs, any region, no duplicates) optionally; after the last
 * line every rule must have both, and a rule behind a catch-all gets a
 * warning (it can never match). The match line is rule_match.h's. */
#include "config_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define RULE_PREFIX "rule "

const char *config_rule_section_name(const char *section) {
        return strncmp(section, RULE_PREFIX, strlen(RULE_PREFIX)) == 0 ? section + strlen(RULE_PREFIX) : NULL;
}

static bool name_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > RULE_NAME_MAX)
                return false;
        return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

void config_rules_free(struct config *c) {
        for (size_t i = 0; i < c->n_rules; i++) {
                free(c->rules[i].name);
                free(c->rules[i].match_text);
                rule_match_free(c->rules[i].match);
                config_strv_free(c->rules[i].topics, c->rules[i].n_topics);
        }
        free(c->rules);
}

bool config_rule_begin(struct parser *p, const char *name) {
        struct config *c = p->cfg;
        struct config_rule *rules;
        struct rule_seen *seen;
        char *copy = NULL;
        struct buf b;

        if (!name_valid(name)) {
                config_diag_start(p, p->lineno, &b);
                buf_puts(&b, "[rule ");
                config_put_escaped(&b, name, KEY_NAME_MAX);
                buf_printf(&b, "]: bad rule name (allowed: 1..%d of A-Z a-z 0-9 _ . -)", RULE_NAME_MAX);
                config_diag_add(p, &b);
                return false;
        }
        if (c->n_rules == CONFIG_RULES_MAX) {
                config_diag_printf(p, p->lineno, "[rule %s]: too many rules (allowed: up to %d)", name,
                                   CONFIG_RULES_MAX);
                return false;
        }
        for (size_t i = 0; i < c->n_rules; i++)
                if (strcmp(c->rules[i].name, name) == 0) {
                        config_diag_printf(p, p->lineno, "[rule %s]: duplicate rule name (first on line %u)", name,
                                           c->rules[i].line);
                        return false;
                }
        rules = realloc(c->rules, (c->n_rules + 1) * sizeof(*rules));
        if (rules)
                c->rules = rules;
        seen = rules ? realloc(p->rule_seen, (c->n_rules + 1) * sizeof(*seen)) : NULL;
        if (seen)
                p->rule_seen = seen;
        if (!seen || !(copy = strdup(name))) {
                p->fatal = -ENOMEM;
                return false;
        }
        c->rules[c->n_rules] = (struct config_rule){ .name = copy, .line = p->lineno };
        p->rule_seen[c->n_rules++] = (struct rule_seen){ 0 };
        return true;
}

static const char *topic_check(const char *arn) {
        char region[AWS_REGION_MAX + 1];
        if (aws_topic_arn_parse(arn, region) < 0)
                return "is not an SNS topic ARN (arn:PARTITION:sns:REGION:ACCOUNT:NAME)";
        /* as for [sns] topic_arn: an example ARN never edited */
        if (strstr(arn, ":" EXAMPLE_ACCOUNT ":"))
                return "is still the example's placeholder (account " EXAMPLE_ACCOUNT ")";
        return NULL;
}

static void report(struct parser *p, const struct config_rule *r, const char *key, const char *why) {
        config_diag_printf(p, p->lineno, "[rule %s] %s: %s", r->name, key, why);
}

void config_rule_pair(struct parser *p, const char *key, const char *value) {
        struct config_rule *r = &p->cfg->rules[p->cfg->n_rules - 1];
        struct rule_seen *seen = &p->rule_seen[p->cfg->n_rules - 1];
        char why[RULE_MATCH_WHY_MAX], msg[RULE_MATCH_WHY_MAX + 64];
        unsigned *line;
        int e;

        if (strcmp(key, "match") == 0) {
                line = &seen->match_line;
        } else if (strcmp(key, "action") == 0) {
                line = &seen->action_line;
        } else if (strcmp(key, "topics") == 0) {
                line = &seen->topics_line;
        } else {
                struct buf b;
                config_diag_start(p, p->lineno, &b);
                buf_printf(&b, "[rule %s] ", r->name);
                config_put_escaped(&b, key, KEY_NAME_MAX);
                buf_puts(&b, ": unknown key (allowed: match, action, topics)");
                config_diag_add(p, &b);
                return;
        }
        if (*line) {
                snprintf(msg, sizeof(msg), "duplicate key (first set on line %u)", *line);
                report(p, r, key, msg);
                return;
        }
        *line = p->lineno;
        if (line == &seen->action_line) {
                if (strcmp(value, "ignore") == 0)
                        r->action = CONFIG_RULE_IGNORE;
                else if (strcmp(value, "notify") == 0)
                        r->action = CONFIG_RULE_NOTIFY;
                else
                        report(p, r, key, "bad value (allowed: ignore, notify)");
                return;
        }
        if (line == &seen->topics_line) {
                struct buf bad;
                buf_init(&bad, DIAG_LINE_MAX);
                e = config_list_parse(value, CONFIG_RULE_TOPICS_MAX, topic_check, &bad, &r->topics, &r->n_topics);
                if (e == -ENOMEM)
                        p->fatal = e;
                else if (e < 0)
                        report(p, r, key, buf_str(&bad));
                buf_free(&bad);
                return;
        }
        if (!*value) {
                report(p, r, key, "empty (allowed: field=pattern, field!=pattern, … ; \"event_name=*\" matches "
                                  "every event)");
                return;
        }
        e = rule_match_parse(value, &r->match, why);
        if (e == -ENOMEM) {
                p->fatal = e;
                return;
        }
        if (e < 0) {
                report(p, r, key, why);
                return;
        }
        if (!(r->match_text = strdup(value)))
                p->fatal = -ENOMEM;
}

static void warn_shadowed(struct parser *p, const struct config_rule *r, const struct config_rule *by) {
        struct buf b;

        buf_init(&b, DIAG_LINE_MAX);
        buf_printf(&b, "%s:%u: [rule %s]: never matches: [rule %s] (line %u) before it matches every event",
                   p->path, r->line, r->name, by->name, by->line);
        if (config_diag_push_warning(p->diag, &b) < 0)
                p->fatal = -ENOMEM;
}

void config_rules_finish(struct parser *p) {
        const struct config_rule *catch_all = NULL;

        for (size_t i = 0; i < p->cfg->n_rules; i++) {
                const struct config_rule *r = &p->cfg->rules[i];
                const struct rule_seen *seen = &p->rule_seen[i];
                if (!seen->match_line)
                        config_diag_printf(p, r->line, "[rule %s] match: missing", r->name);
                if (!seen->action_line)
                        config_diag_printf(p, r->line, "[rule %s] action: missing (allowed: ignore, notify)",
                                           r->name);
                if (seen->topics_line && r->action == CONFIG_RULE_IGNORE)
                        config_diag_printf(p, seen->topics_line,
                                           "[rule %s] topics: set on a rule with action = ignore (allowed: only "
                                           "with action = notify)", r->name);
                if (!r->match)
                        continue;
                if (catch_all)
                        warn_shadowed(p, r, catch_all);
                else if (rule_match_is_catch_all(r->match))
                        catch_all = r;
        }
}
