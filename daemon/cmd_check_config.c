#include <stdio.h>

#include "commands.h"

int cmd_check_config(const struct cli_options *opt) {
        (void)opt;
        fprintf(stderr, "ssm-notifyd: not implemented yet\n");
        return 1;
}
