#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "template.h"

static void test_validate(void **state) {
        (void)state;
        char bad[32];
        assert_int_equal(template_validate("[SSM] {event_name} {actor} -> {target}", SUBJECT_PLACEHOLDERS,
                                           bad, sizeof(bad)), 0);
        assert_int_equal(template_validate("plain", SUBJECT_PLACEHOLDERS, bad, sizeof(bad)), 0);
        assert_int_equal(template_validate("{actr}", SUBJECT_PLACEHOLDERS, bad, sizeof(bad)), -EINVAL);
        assert_string_equal(bad, "{actr}");
        assert_int_equal(template_validate("x {actor", SUBJECT_PLACEHOLDERS, bad, sizeof(bad)), -EINVAL);
        assert_string_equal(bad, "{actor");
        assert_int_equal(template_validate("a } b", SUBJECT_PLACEHOLDERS, bad, sizeof(bad)), -EINVAL);
        assert_string_equal(bad, "}");
        assert_int_equal(template_validate("{Actor}", SUBJECT_PLACEHOLDERS, bad, sizeof(bad)), -EINVAL);
        assert_int_equal(template_validate("{}", SUBJECT_PLACEHOLDERS, NULL, 0), -EINVAL);
}

static const char *lookup(const char *name, size_t len, void *userdata) {
        (void)userdata;
        if (len == 5 && memcmp(name, "actor", 5) == 0)
                return "alice";
        return NULL;
}

static void test_expand(void **state) {
        (void)state;
        struct buf b;
        buf_init(&b, 64);
        assert_int_equal(template_expand("hi {actor}, {target}!", lookup, NULL, &b), 0);
        assert_string_equal(buf_str(&b), "hi alice, !");
        buf_free(&b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_validate),
                cmocka_unit_test(test_expand),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
