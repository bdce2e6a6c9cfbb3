/* test_config_rules: [rule NAME] sections (common/config_rules.c): what a
 * rule holds after a load, and each error and warning with its line. The
 * rules go into the base config's last slot, so the first header is line 15. */

#include "config_cases.h"

#define RULES(text) build("accounts", text)
#define SEC "arn:aws:sns:ap-northeast-1:210987654321:security"

static void test_rules_loaded(void **state) {
        (void)state;
        NO_ENV();
        char *t = RULES("[rule ignore-automation]\n"
                        "match = role=AutomationRole*, document_name=AWS-StartPortForwardingSession\n"
                        "action = ignore\n"
                        "[rule denied]\n"
                        "match: outcome=failure ; an inline comment\n"
                        "action = notify\n"
                        "topics = " SEC " , arn:aws:sns:us-west-2:210987654321:ops.fifo\n");
        struct config *c = expect_good(t);
        assert_int_equal(c->n_rules, 2);
        assert_string_equal(c->rules[0].name, "ignore-automation");
        assert_string_equal(c->rules[0].match_text,
                            "role=AutomationRole*, document_name=AWS-StartPortForwardingSession");
        assert_int_equal(c->rules[0].action, CONFIG_RULE_IGNORE);
        assert_int_equal(c->rules[0].line, 15);
        assert_non_null(c->rules[0].match);
        assert_string_equal(c->rules[1].name, "denied");
        assert_string_equal(c->rules[1].match_text, "outcome=failure");
        assert_int_equal(c->rules[1].action, CONFIG_RULE_NOTIFY);
        assert_int_equal(c->rules[1].line, 18);
        /* topics in any region, FIFO or not, in the order written */
        assert_int_equal(c->rules[0].n_topics, 0);
        assert_int_equal(c->rules[1].n_topics, 2);
        assert_string_equal(c->rules[1].topics[0], SEC);
        assert_string_equal(c->rules[1].topics[1], "arn:aws:sns:us-west-2:210987654321:ops.fifo");
        config_free(c);
        free(t);

        /* no rules at all is the default */
        t = RULES("");
        c = expect_good(t);
        assert_int_equal(c->n_rules, 0);
        config_free(c);
        free(t);
}

static void test_rule_errors(void **state) {
        (void)state;
        NO_ENV();
        static const struct value_case cases[] = {
                { "accounts", "[rule a]\nmatch = user=x\naction = ignore",
                  { "test.conf:16: [rule a] match: unknown field (allowed: event_name, actor, actor_type, role, "
                    "account_id, account_name, region, target, target_name, tag:KEY, document_name, outcome, "
                    "source_ip, via, severity) \"user\"" } },
                { "accounts", "[rule a]\nmatch = role=[x\naction = ignore",
                  { "test.conf:16: [rule a] match: bad glob \"[x\"" } },
                { "accounts", "[rule a]\nmatch = source_ip=10.0.0.0/40\naction = ignore",
                  { "test.conf:16: [rule a] match: bad CIDR (allowed: ADDRESS/BITS, IPv4 or IPv6) "
                    "\"10.0.0.0/40\"" } },
                { "accounts", "[rule a]\nmatch = outcome=failure\naction = drop",
                  { "test.conf:17: [rule a] action: bad value (allowed: ignore, notify)" } },
                { "accounts", "[rule a]\naction = ignore",
                  { "test.conf:15: [rule a] match: missing" } },
                { "accounts", "[rule a]\nmatch = outcome=failure",
                  { "test.conf:15: [rule a] action: missing (allowed: ignore, notify)" } },
                { "accounts", "[rule a]\nmatch = outcome=failure\naction = ignore\nmatch = outcome=success",
                  { "test.conf:18: [rule a] match: duplicate key (first set on line 16)" } },
                { "accounts", "[rule a]\nmatch = outcome=failure\naction = ignore\n"
                              "[rule a]\nmatch = outcome=success\naction = notify",
                  { "test.conf:18: [rule a]: duplicate rule name (first on line 15)" } },
                { "accounts", "[rule a]\nmatch = outcome=failure\naction = notify\n"
                              "topics = " SEC ", not-an-arn",
                  { "test.conf:18: [rule a] topics: \"not-an-arn\" is not an SNS topic ARN "
                    "(arn:PARTITION:sns:REGION:ACCOUNT:NAME)" } },
                { "accounts", "[rule a]\nmatch = outcome=failure\naction = notify\n"
                              "topics = " SEC ", " SEC,
                  { "test.conf:18: [rule a] topics: \"" SEC "\" is listed twice" } },
                { "accounts", "[rule a]\nmatch = outcome=failure\naction = notify\n"
                              "topics = " SEC "1," SEC "2," SEC "3," SEC "4," SEC "5," SEC "6",
                  { "test.conf:18: [rule a] topics: has more than 5 items" } },
                { "accounts", "[rule a]\nmatch = outcome=failure\naction = notify\ntopics = " SEC ",",
                  { "test.conf:18: [rule a] topics: has an empty item" } },
                { "accounts", "[rule a]\nmatch = outcome=failure\naction = notify\n"
                              "topics = arn:aws:sns:ap-northeast-1:123456789012:security",
                  { "test.conf:18: [rule a] topics: \"arn:aws:sns:ap-northeast-1:123456789012:security\" is still "
                    "the example's placeholder (account 123456789012)" } },
                { "accounts", "[rule a]\nmatch = outcome=failure\naction = ignore\ntopics = " SEC,
                  { "test.conf:18: [rule a] topics: set on a rule with action = ignore (allowed: only with "
                    "action = notify)" } },
                { "accounts", "[rule a]\nmatch = outcome=failure\naction = notify\ncolour = red",
                  { "test.conf:18: [rule a] colour: unknown key (allowed: match, action, topics)" } },
                { "accounts", "[rule bad name!]\nmatch = outcome=failure\naction = notify",
                  { "test.conf:15: [rule bad name!]: bad rule name (allowed: 1..40 of A-Z a-z 0-9 _ . -)" } },
                { "accounts", "[rule ]\nmatch = outcome=failure",
                  { "test.conf:15: [rule ]: bad rule name (allowed: 1..40 of A-Z a-z 0-9 _ . -)" } },
                { "accounts", "[rule a]\nmatch =\naction = ignore",
                  { "test.conf:16: [rule a] match: empty (allowed: field=pattern, field!=pattern, … ; "
                    "\"event_name=*\" matches every event)" } },
        };
        run_cases(cases, N(cases));
}

static void test_catch_all_warning(void **state) {
        (void)state;
        NO_ENV();
        char *t = RULES("[rule everything]\nmatch = event_name=*\naction = notify\n"
                        "[rule never]\nmatch = outcome=failure\naction = ignore\n"
                        "[rule never-either]\nmatch = role=x\naction = ignore\n");
        struct config *c = NULL;
        struct config_diag d = {};

        assert_int_equal(load_text(t, &c, &d), 0);
        expect_lines(&d, NO_LINES);
        assert_int_equal(d.n_warnings, 2);
        assert_string_equal(d.warnings[0], "test.conf:18: [rule never]: never matches: [rule everything] "
                                           "(line 15) before it matches every event");
        assert_string_equal(d.warnings[1], "test.conf:21: [rule never-either]: never matches: [rule everything] "
                                           "(line 15) before it matches every event");
        config_free(c);
        config_diag_clear(&d);
        free(t);

        /* a catch-all last is the usual "everything else" rule: no warning */
        t = RULES("[rule never]\nmatch = outcome=failure\naction = ignore\n"
                  "[rule everything]\nmatch = event_name=*\naction = notify\n");
        assert_int_equal(load_text(t, &c, &d), 0);
        assert_int_equal(d.n_warnings, 0);
        config_free(c);
        config_diag_clear(&d);
        free(t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rules_loaded),
                cmocka_unit_test(test_rule_errors),
                cmocka_unit_test(test_catch_all_warning),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
