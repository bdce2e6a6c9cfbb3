/* config_cli: loading the configuration for a command of the CLI.
 *
 * Resolves the default path (config_default_path), reads the process
 * environment, and reports every diagnostic line, so each command only
 * decides its exit code: printed as is on stderr for the commands a person
 * runs, or as log entries for the daemon, where each line must reach the
 * journal as an entry of its own with a priority and a MESSAGE_ID. */
#pragma once

#include "config.h"

/* 0 and a new config in *ret, or the negative errno of config_load_for()
 * after the diagnostics were printed. */
int config_load_for_cli(const char *path_or_null, enum config_need need, struct config **ret);
/* As config_load_for_cli, each line logged at LOG_ERR with MESSAGE_ID
 * LOG_MSGID_CONFIG_ERROR. */
int config_load_logged(const char *path_or_null, enum config_need need, struct config **ret);
