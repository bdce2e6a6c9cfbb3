/* config_cli: loading the configuration for a command of the CLI.
 *
 * Resolves the default path (config_default_path), reads the process
 * environment, and prints every diagnostic line on stderr, so each command
 * only decides its exit code. */
#pragma once

#include "config.h"

/* 0 and a new config in *ret, or the negative errno of config_load_for()
 * after the diagnostics were printed. */
int config_load_for_cli(const char *path_or_null, enum config_need need, struct config **ret);
