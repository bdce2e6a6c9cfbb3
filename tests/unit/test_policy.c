/* policy_decide and policy_after_publish_failure against DESIGN.md's
 * "Message policy" table, row by row, and the order of the rules. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <cmocka.h>

#include "macro.h"
#include "policy.h"

static const struct policy_settings NOTIFY = { .max_receive_count = 5, .unrecognized_keep = false };
static const struct policy_settings KEEP = { .max_receive_count = 5, .unrecognized_keep = true };

static enum policy_action decide(int receive_count, int parse_error, bool notifiable, bool duplicate,
                                 const struct policy_settings *s) {
        const struct policy_facts f = { receive_count, parse_error, notifiable, duplicate, false };
        struct policy_verdict v = policy_decide(&f, s);
        assert_non_null(v.reason);
        assert_true(v.reason[0] != '\0');
        return v.action;
}

static void test_event_that_passes_the_filter_is_published(void **state) {
        (void)state;
        assert_int_equal(decide(1, 0, true, false, &NOTIFY), POLICY_PUBLISH);
        assert_int_equal(decide(5, 0, true, false, &NOTIFY), POLICY_PUBLISH); /* the last receive allowed */
}

static void test_event_the_filter_drops_is_filtered(void **state) {
        (void)state;
        assert_int_equal(decide(1, 0, false, false, &NOTIFY), POLICY_FILTER);
        /* Dropped whether or not it was seen before: nothing to publish either way. */
        assert_int_equal(decide(1, 0, false, true, &NOTIFY), POLICY_FILTER);
}

static void test_unrecognized_body_gets_a_fallback_or_is_kept(void **state) {
        (void)state;
        const int errors[] = { -EBADMSG, -E2BIG, -ENOMSG };
        for (size_t i = 0; i < ELEMENTSOF(errors); i++) {
                assert_int_equal(decide(1, errors[i], false, false, &NOTIFY), POLICY_FALLBACK);
                assert_int_equal(decide(1, errors[i], false, false, &KEEP), POLICY_KEEP);
        }
        const struct policy_facts not_json = { .receive_count = 1, .parse_error = -EBADMSG };
        const struct policy_facts too_large = { .receive_count = 1, .parse_error = -E2BIG };
        const struct policy_facts not_event = { .receive_count = 1, .parse_error = -ENOMSG };
        assert_string_equal(policy_decide(&not_json, &NOTIFY).reason, "not JSON");
        assert_string_equal(policy_decide(&too_large, &NOTIFY).reason, "too large");
        assert_string_equal(policy_decide(&not_event, &KEEP).reason, "not a CloudTrail event");
}

static void test_out_of_memory_keeps_the_message(void **state) {
        (void)state;
        /* Not the body's fault: no fallback, even with unrecognized = notify. */
        assert_int_equal(decide(1, -ENOMEM, false, false, &NOTIFY), POLICY_KEEP);
        assert_int_equal(decide(1, -ENOMEM, false, false, &KEEP), POLICY_KEEP);
}

static void test_already_published_event_is_a_duplicate(void **state) {
        (void)state;
        assert_int_equal(decide(2, 0, true, true, &NOTIFY), POLICY_DUPLICATE);
}

static void test_event_a_rule_ignores_is_deleted_unpublished(void **state) {
        (void)state;
        const struct policy_facts ignored = { .receive_count = 1, .notifiable = true, .ignored = true };
        const struct policy_facts seen = { .receive_count = 2, .notifiable = true, .duplicate = true,
                                           .ignored = true };
        const struct policy_facts poison = { .receive_count = 6, .notifiable = true, .ignored = true };
        assert_int_equal(policy_decide(&ignored, &NOTIFY).action, POLICY_IGNORE);
        assert_string_equal(policy_decide(&ignored, &NOTIFY).reason, "ignored by a rule");
        /* the rule decides, whatever this process published before */
        assert_int_equal(policy_decide(&seen, &NOTIFY).action, POLICY_IGNORE);
        assert_int_equal(policy_decide(&poison, &NOTIFY).action, POLICY_POISON);
}

static void test_past_max_receive_count_is_poison_whatever_it_holds(void **state) {
        (void)state;
        assert_int_equal(decide(6, 0, true, false, &NOTIFY), POLICY_POISON);
        assert_int_equal(decide(6, 0, false, false, &NOTIFY), POLICY_POISON);
        assert_int_equal(decide(6, 0, true, true, &NOTIFY), POLICY_POISON);
        assert_int_equal(decide(6, -EBADMSG, false, false, &NOTIFY), POLICY_POISON);
        assert_int_equal(decide(6, -ENOMEM, false, false, &KEEP), POLICY_POISON);
}

static void test_failed_publish_is_retried_until_the_last_receive(void **state) {
        (void)state;
        assert_int_equal(policy_after_publish_failure(1, &NOTIFY).action, POLICY_KEEP);
        assert_int_equal(policy_after_publish_failure(4, &NOTIFY).action, POLICY_KEEP);
        assert_int_equal(policy_after_publish_failure(5, &NOTIFY).action, POLICY_POISON);
        assert_int_equal(policy_after_publish_failure(9, &NOTIFY).action, POLICY_POISON);
        assert_non_null(policy_after_publish_failure(5, &NOTIFY).reason);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_event_that_passes_the_filter_is_published),
                cmocka_unit_test(test_event_the_filter_drops_is_filtered),
                cmocka_unit_test(test_unrecognized_body_gets_a_fallback_or_is_kept),
                cmocka_unit_test(test_out_of_memory_keeps_the_message),
                cmocka_unit_test(test_already_published_event_is_a_duplicate),
                cmocka_unit_test(test_event_a_rule_ignores_is_deleted_unpublished),
                cmocka_unit_test(test_past_max_receive_count_is_poison_whatever_it_holds),
                cmocka_unit_test(test_failed_publish_is_retried_until_the_last_receive),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
