#include <stdio.h>

#include "commands.h"

int cmd_render(const struct cli_options *opt) {
        (void)opt;
        fprintf(stderr, "ssm-notifyd: not implemented yet\n");
        return 1;
}
