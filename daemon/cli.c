#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

const char CLI_USAGE[] =
        "Usage: ssm-notifyd [-c FILE]                 run the relay in the foreground\n"
        "       ssm-notifyd [-c FILE] --once          one poll cycle, then exit\n"
        "       ssm-notifyd [-c FILE] --check-config [--online]\n"
        "       ssm-notifyd --render [-c FILE] [--format text|json|chatbot|multi]\n"
        "                   [--language ja|en] [--timezone TZ] [FILE|-]\n"
        "       ssm-notifyd --version | --help\n";

enum { OPT_CHECK = 256, OPT_ONLINE, OPT_RENDER, OPT_ONCE, OPT_FORMAT, OPT_LANGUAGE, OPT_TIMEZONE,
       OPT_VERSION };

static int set_mode(struct cli_options *o, enum cli_mode m, char *err, size_t err_size) {
        if (o->mode != CLI_RUN && o->mode != m) {
                snprintf(err, err_size, "--once, --check-config and --render exclude each other");
                return -EINVAL;
        }
        o->mode = m;
        return 0;
}

/* The first operand is the FILE; the first one after it is kept to be named. */
static void add_operand(struct cli_options *o, const char *arg, const char **extra) {
        if (!o->input)
                o->input = arg;
        else if (!*extra)
                *extra = arg;
}

int cli_parse(int argc, char *const *argv, struct cli_options *ret, char *err, size_t err_size) {
        static const struct option longopts[] = {
                { "config", required_argument, NULL, 'c' },
                { "check-config", no_argument, NULL, OPT_CHECK },
                { "online", no_argument, NULL, OPT_ONLINE },
                { "render", no_argument, NULL, OPT_RENDER },
                { "once", no_argument, NULL, OPT_ONCE },
                { "format", required_argument, NULL, OPT_FORMAT },
                { "language", required_argument, NULL, OPT_LANGUAGE },
                { "timezone", required_argument, NULL, OPT_TIMEZONE },
                { "version", no_argument, NULL, OPT_VERSION },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct cli_options o = { .mode = CLI_RUN };
        const char *extra = NULL;
        bool help = false, version = false;
        int c, r = 0;

        err[0] = '\0';
        optind = 0; /* full reset: tests call this more than once */
        opterr = 0;
        /* A leading '-' hands each operand over in order (c == 1) without
         * reordering argv, so options may follow the file (--render FILE
         * --language en) whatever POSIXLY_CORRECT says. */
        while ((c = getopt_long(argc, argv, "-:c:h", longopts, NULL)) != -1) {
                switch (c) {
                case 1: add_operand(&o, optarg, &extra); break;
                case 'c': o.config_path = optarg; break;
                case OPT_CHECK: r = set_mode(&o, CLI_CHECK_CONFIG, err, err_size); break;
                case OPT_RENDER: r = set_mode(&o, CLI_RENDER, err, err_size); break;
                case OPT_ONCE: r = set_mode(&o, CLI_ONCE, err, err_size); break;
                case OPT_ONLINE: o.online = true; break;
                case OPT_FORMAT: o.format = optarg; break;
                case OPT_LANGUAGE: o.language = optarg; break;
                case OPT_TIMEZONE: o.timezone = optarg; break;
                case OPT_VERSION: version = true; break;
                case 'h': help = true; break;
                case ':':
                        snprintf(err, err_size, "option '%s' needs an argument", argv[optind - 1]);
                        return -EINVAL;
                default:
                        snprintf(err, err_size, "unknown option '%s'", argv[optind - 1]);
                        return -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        if (help || version) {
                o.mode = help ? CLI_HELP : CLI_VERSION;
                *ret = o;
                return 0;
        }
        if (o.online && o.mode != CLI_CHECK_CONFIG) {
                snprintf(err, err_size, "--online goes with --check-config");
                return -EINVAL;
        }
        if ((o.format || o.language || o.timezone) && o.mode != CLI_RENDER) {
                snprintf(err, err_size, "--format, --language and --timezone go with --render");
                return -EINVAL;
        }
        /* operands after "--" */
        for (; optind < argc; optind++)
                add_operand(&o, argv[optind], &extra);
        if (o.input && o.mode != CLI_RENDER) {
                snprintf(err, err_size, "unexpected argument '%s' (only --render reads a FILE)", o.input);
                return -EINVAL;
        }
        if (extra) {
                snprintf(err, err_size, "unexpected extra argument '%s' (--render reads one FILE, '%s')",
                         extra, o.input);
                return -EINVAL;
        }
        *ret = o;
        return 0;
}
