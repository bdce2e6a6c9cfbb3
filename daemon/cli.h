/* cli: the command line of ssm-notifyd (DESIGN.md, "Command line").
 *
 * Pure: argv in, options out; nothing is printed here. Exit codes are the
 * contract other tools rely on and live here with the parser. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum {
        EXIT_NOT_NOTIFIABLE = 1, /* --render: the event does not pass the filter */
        EXIT_USAGE = 2,
        EXIT_DATAERR = 65,       /* EX_DATAERR: input is not JSON or not an event */
        EXIT_NOINPUT = 66,       /* EX_NOINPUT: --render cannot read its input file */
        EXIT_UNAVAILABLE = 69,   /* EX_UNAVAILABLE: AWS unreachable */
        EXIT_IOERR = 74,         /* EX_IOERR: --render cannot write its output */
        EXIT_CONFIG = 78,        /* EX_CONFIG: bad configuration */
};

enum cli_mode {
        CLI_RUN,
        CLI_ONCE,
        CLI_CHECK_CONFIG,
        CLI_RENDER,
        CLI_VERSION,
        CLI_HELP,
};

struct cli_options {
        enum cli_mode mode;
        const char *config_path; /* NULL: the default (see config_default_path) */
        bool online;             /* --check-config --online */
        const char *format;      /* --render overrides, NULL when not given */
        const char *language;
        const char *timezone;
        const char *input;       /* --render FILE; NULL or "-" for stdin */
};

/* 0, or -EINVAL with a one-line reason in err (for the usage message). */
int cli_parse(int argc, char *const *argv, struct cli_options *ret, char *err, size_t err_size);

extern const char CLI_USAGE[];
