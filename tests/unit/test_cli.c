#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

#define PARSE(ret, err, ...)                                                              \
        ({                                                                                 \
                char *const argv_[] = { "ssm-notifyd", __VA_ARGS__, NULL };                \
                cli_parse((int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_, ret, err, \
                          sizeof(err));                                                    \
        })

static void test_modes(void **state) {
        (void)state;
        struct cli_options o;
        char err[128];
        assert_int_equal(PARSE(&o, err, "-c", "/tmp/x.conf"), 0);
        assert_int_equal(o.mode, CLI_RUN);
        assert_string_equal(o.config_path, "/tmp/x.conf");
        assert_int_equal(PARSE(&o, err, "--check-config", "--online", "--config=/a"), 0);
        assert_int_equal(o.mode, CLI_CHECK_CONFIG);
        assert_true(o.online);
        assert_string_equal(o.config_path, "/a");
        assert_int_equal(PARSE(&o, err, "--render", "--format", "json", "--language", "en",
                               "--timezone", "UTC", "event.json"), 0);
        assert_int_equal(o.mode, CLI_RENDER);
        assert_string_equal(o.format, "json");
        assert_string_equal(o.language, "en");
        assert_string_equal(o.timezone, "UTC");
        assert_string_equal(o.input, "event.json");
        /* options may follow the file, and argv is left in its order */
        char *const argv[] = { "ssm-notifyd", "--render", "event.json", "--language", "en", "-c", "r.conf",
                               NULL };
        assert_int_equal(cli_parse(7, argv, &o, err, sizeof(err)), 0);
        assert_int_equal(o.mode, CLI_RENDER);
        assert_string_equal(o.input, "event.json");
        assert_string_equal(o.language, "en");
        assert_string_equal(o.config_path, "r.conf");
        assert_string_equal(argv[2], "event.json");
        assert_int_equal(PARSE(&o, err, "--render", "-", "--format", "json"), 0);
        assert_string_equal(o.input, "-");
        assert_string_equal(o.format, "json");
        assert_int_equal(PARSE(&o, err, "--render", "--", "-odd-name.json"), 0);
        assert_string_equal(o.input, "-odd-name.json");
        assert_int_equal(PARSE(&o, err, "--once"), 0);
        assert_int_equal(o.mode, CLI_ONCE);
        assert_int_equal(PARSE(&o, err, "--version"), 0);
        assert_int_equal(o.mode, CLI_VERSION);
        assert_int_equal(PARSE(&o, err, "-h"), 0);
        assert_int_equal(o.mode, CLI_HELP);
}

static void test_usage_errors(void **state) {
        (void)state;
        struct cli_options o = { .mode = CLI_HELP };
        char err[128];
        assert_int_equal(PARSE(&o, err, "--bogus"), -EINVAL);
        assert_string_equal(err, "unknown option '--bogus'");
        assert_int_equal(o.mode, CLI_HELP); /* untouched on failure */
        assert_int_equal(PARSE(&o, err, "--once", "--render"), -EINVAL);
        assert_int_equal(PARSE(&o, err, "--online"), -EINVAL);
        assert_int_equal(PARSE(&o, err, "--format", "json"), -EINVAL);
        assert_int_equal(PARSE(&o, err, "stray"), -EINVAL);
        assert_string_equal(err, "unexpected argument 'stray' (only --render reads a FILE)");
        assert_int_equal(PARSE(&o, err, "--check-config", "-c", "/a", "x.conf"), -EINVAL);
        assert_string_equal(err, "unexpected argument 'x.conf' (only --render reads a FILE)");
        /* the extra one is named, not the FILE before it */
        assert_int_equal(PARSE(&o, err, "--render", "a", "b", "c"), -EINVAL);
        assert_string_equal(err, "unexpected extra argument 'b' (--render reads one FILE, 'a')");
        assert_int_equal(PARSE(&o, err, "--render", "a", "--", "b"), -EINVAL);
        assert_string_equal(err, "unexpected extra argument 'b' (--render reads one FILE, 'a')");
        assert_int_equal(PARSE(&o, err, "-c"), -EINVAL);
        assert_string_equal(err, "option '-c' needs an argument");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_modes),
                cmocka_unit_test(test_usage_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
