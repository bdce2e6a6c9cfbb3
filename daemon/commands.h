/* commands: one entry point per mode of the command line. Each returns the
 * process exit code (see cli.h) and prints its own diagnostics; main() only
 * parses argv and dispatches. */
#pragma once

#include "cli.h"

int cmd_run(const struct cli_options *opt);          /* daemon loop, and --once */
int cmd_check_config(const struct cli_options *opt); /* --check-config [--online] */
int cmd_render(const struct cli_options *opt);       /* --render */
