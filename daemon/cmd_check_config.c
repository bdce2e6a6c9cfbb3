#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "config_cli.h"

/* --online (credentials and access) is added on top of this offline check. */
int cmd_check_config(const struct cli_options *opt) {
        struct config *cfg = NULL;
        int r;

        r = config_load_for_cli(opt->config_path, &cfg);
        if (r == -ENOMEM)
                return EXIT_FAILURE;
        if (r < 0)
                return EXIT_CONFIG;
        config_free(cfg);
        puts("configuration OK");
        return EXIT_SUCCESS;
}
