/* test_rule_match: the match = line (common/rule_match.h): every field,
 * "!=", "|" alternatives, globs, CIDR edges for IPv4 and IPv6, unknown
 * values, the catch-all test, and the reasons a line is refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rule_match.h"

static const char *tag_of(const void *ctx, const char *key) {
        (void)ctx;
        return strcmp(key, "Environment") == 0 ? "production" : NULL;
}

/* A StartSession by an automation role, every field known but the
 * enrichment ones (target_name, account_name, via, tags). */
static struct rule_subject subject(void) {
        struct rule_subject s = { 0 };
        s.values[RULE_EVENT_NAME] = "StartSession";
        s.values[RULE_ACTOR] = "i-0123456789abcdef0";
        s.values[RULE_ACTOR_TYPE] = "AssumedRole";
        s.values[RULE_ROLE] = "AutomationRole-Prod";
        s.values[RULE_ACCOUNT_ID] = "123456789012";
        s.values[RULE_REGION] = "ap-northeast-1";
        s.values[RULE_TARGET] = "i-0fedcba9876543210";
        s.values[RULE_DOCUMENT_NAME] = "AWS-StartPortForwardingSession";
        s.values[RULE_OUTCOME] = "success";
        s.values[RULE_SOURCE_IP] = "192.0.2.10";
        s.values[RULE_SEVERITY] = "info";
        return s;
}

static bool eval(const char *text, const struct rule_subject *s) {
        char why[RULE_MATCH_WHY_MAX];
        struct rule_match *m = NULL;
        int r = rule_match_parse(text, &m, why);
        if (r < 0)
                fail_msg("%s: %s", text, why);
        bool ok = rule_match_eval(m, s);
        rule_match_free(m);
        return ok;
}

static void test_fields(void **state) {
        (void)state;
        struct rule_subject s = subject();
        static const struct {
                const char *text;
                bool want;
        } cases[] = {
                { "event_name=StartSession", true },
                { "event_name=TerminateSession", false },
                { "actor=i-*", true },
                { "actor_type=AssumedRole", true },
                { "actor_type=IAMUser", false },
                { "role=AutomationRole*", true },
                { "role=automationrole*", false }, /* case matters, as in IAM */
                { "account_id=123456789012", true },
                { "account_id=12345678901?", true },
                { "account_id=210987654321", false },
                { "region=ap-*", true },
                { "region=us-*", false },
                { "target=i-0fedcba9876543210", true },
                { "document_name=AWS-StartPortForwardingSession", true },
                { "document_name=AWS-StartInteractiveCommand", false },
                { "outcome=success", true },
                { "outcome=failure", false },
                { "severity=info", true },
                { "severity=critical", false },
                { "source_ip=192.0.2.10", true },
                { "source_ip=192.0.2.*", true },
                { "tag:Environment=prod*", false }, /* no tags known yet */
                /* unknown values: only "*" matches them; "!=" holds */
                { "target_name=web*", false },
                { "target_name!=web*", true },
                { "target_name=*", true },
                { "account_name=prod", false },
                { "via=console", false },
                { "tag:Owner=alice", false },
                { "tag:Owner!=alice", true },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                if (eval(cases[i].text, &s) != cases[i].want)
                        fail_msg("%s: want %d", cases[i].text, cases[i].want);
        s.tag = tag_of;
        assert_true(eval("tag:Environment=prod*", &s));
        assert_false(eval("tag:Environment!=production", &s));
        assert_false(eval("tag:Environment=staging", &s));
}

static void test_operators(void **state) {
        (void)state;
        struct rule_subject s = subject();

        /* "|": any alternative */
        assert_true(eval("event_name=ResumeSession|StartSession", &s));
        assert_true(eval("event_name = ResumeSession | Start* ", &s));
        assert_false(eval("event_name=ResumeSession|TerminateSession", &s));
        /* "!=": none of them */
        assert_true(eval("outcome!=failure", &s));
        assert_false(eval("outcome!=success", &s));
        assert_false(eval("event_name!=ResumeSession|StartSession", &s));
        assert_true(eval("event_name!=ResumeSession|TerminateSession", &s));
        /* ",": every condition */
        assert_true(eval("role=AutomationRole*, document_name=AWS-StartPortForwardingSession", &s));
        assert_false(eval("role=AutomationRole*, document_name=AWS-StartSSHSession", &s));
        assert_false(eval("role=Other*, document_name=AWS-StartPortForwardingSession", &s));
        /* glob classes */
        assert_true(eval("actor_type=[A-Z]ssumedRole", &s));
        assert_false(eval("actor_type=[!A]ssumedRole", &s));
        /* the whole value, not a substring */
        assert_false(eval("event_name=Start", &s));
}

static void test_cidr(void **state) {
        (void)state;
        struct rule_subject s = subject();
        static const struct {
                const char *ip, *net;
                bool want;
        } cases[] = {
                { "192.0.2.10", "192.0.2.0/24", true },
                { "192.0.3.10", "192.0.2.0/24", false },
                { "192.0.2.10", "192.0.2.10/32", true },
                { "192.0.2.11", "192.0.2.10/32", false },
                { "10.255.255.255", "10.0.0.0/8", true },
                { "11.0.0.0", "10.0.0.0/8", false },
                { "203.0.113.7", "0.0.0.0/0", true },
                /* a prefix that ends inside a byte */
                { "172.31.255.1", "172.16.0.0/12", true },
                { "172.32.0.1", "172.16.0.0/12", false },
                { "172.15.255.255", "172.16.0.0/12", false },
                { "2001:db8::1", "2001:db8::/32", true },
                { "2001:db9::1", "2001:db8::/32", false },
                { "2001:db8:0:0:0:0:0:1", "2001:db8::1/128", true },
                { "2001:db8::2", "2001:db8::1/128", false },
                { "fe80::1", "fe80::/10", true },
                { "fec0::1", "fe80::/10", false },
                { "::1", "::/0", true },
                /* families never mix; a name (a service's sourceIPAddress) is no address */
                { "192.0.2.10", "::/0", false },
                { "2001:db8::1", "0.0.0.0/0", false },
                { "ssm.amazonaws.com", "0.0.0.0/0", false },
        };
        char text[128];
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                s.values[RULE_SOURCE_IP] = cases[i].ip;
                snprintf(text, sizeof(text), "source_ip=%s", cases[i].net);
                if (eval(text, &s) != cases[i].want)
                        fail_msg("%s in %s: want %d", cases[i].ip, cases[i].net, cases[i].want);
        }
        s.values[RULE_SOURCE_IP] = "198.51.100.1";
        assert_true(eval("source_ip=192.0.2.0/24|198.51.100.0/24", &s));
        assert_true(eval("source_ip!=10.0.0.0/8|172.16.0.0/12|192.168.0.0/16", &s));
        s.values[RULE_SOURCE_IP] = NULL;
        assert_false(eval("source_ip=0.0.0.0/0", &s));
}

static void expect_refused(const char *text, const char *want_why) {
        char why[RULE_MATCH_WHY_MAX] = "";
        struct rule_match *m = NULL;
        int r = rule_match_parse(text, &m, why);
        if (r != -EINVAL)
                fail_msg("%s: accepted", text);
        assert_null(m);
        assert_string_equal(why, want_why);
}

static void test_refused(void **state) {
        (void)state;
        expect_refused("user=alice",
                       "unknown field (allowed: event_name, actor, actor_type, role, account_id, account_name, "
                       "region, target, target_name, tag:KEY, document_name, outcome, source_ip, via, severity) "
                       "\"user\"");
        expect_refused("tag:=x",
                       "unknown field (allowed: event_name, actor, actor_type, role, account_id, account_name, "
                       "region, target, target_name, tag:KEY, document_name, outcome, source_ip, via, severity) "
                       "\"tag:\"");
        expect_refused("role", "expected field=pattern or field!=pattern, got \"role\"");
        expect_refused("role=", "role: empty pattern");
        expect_refused("role=a||b", "role: empty pattern");
        expect_refused("role=a,", "empty condition (allowed: field=pattern, …)");
        expect_refused("role=[abc", "bad glob \"[abc\"");
        expect_refused("role=abc\\", "bad glob \"abc\\\"");
        expect_refused("source_ip=10.0.0.0/33", "bad CIDR (allowed: ADDRESS/BITS, IPv4 or IPv6) \"10.0.0.0/33\"");
        expect_refused("source_ip=2001:db8::/129",
                       "bad CIDR (allowed: ADDRESS/BITS, IPv4 or IPv6) \"2001:db8::/129\"");
        expect_refused("source_ip=10.0.0/8", "bad CIDR (allowed: ADDRESS/BITS, IPv4 or IPv6) \"10.0.0/8\"");
        expect_refused("source_ip=10.0.0.0/", "bad CIDR (allowed: ADDRESS/BITS, IPv4 or IPv6) \"10.0.0.0/\"");
        expect_refused("source_ip=10.0.0.0/-1", "bad CIDR (allowed: ADDRESS/BITS, IPv4 or IPv6) \"10.0.0.0/-1\"");
        expect_refused("source_ip=/8", "bad CIDR (allowed: ADDRESS/BITS, IPv4 or IPv6) \"/8\"");
}

static bool catch_all(const char *text) {
        char why[RULE_MATCH_WHY_MAX];
        struct rule_match *m = NULL;
        assert_int_equal(rule_match_parse(text, &m, why), 0);
        bool ok = rule_match_is_catch_all(m);
        rule_match_free(m);
        return ok;
}

static void test_catch_all(void **state) {
        (void)state;
        struct rule_subject empty = { 0 };

        assert_true(catch_all("event_name=*"));
        assert_true(catch_all("event_name=*, actor=*"));
        assert_true(catch_all("event_name=Start*|*"));
        assert_false(catch_all("event_name=*, outcome=failure"));
        assert_false(catch_all("event_name!=*"));
        assert_false(catch_all("event_name=**"));
        /* what it claims holds: even an event that knows nothing matches */
        assert_true(eval("event_name=*, target_name=*, tag:Env=*", &empty));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fields),    cmocka_unit_test(test_operators), cmocka_unit_test(test_cidr),
                cmocka_unit_test(test_refused),   cmocka_unit_test(test_catch_all),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
