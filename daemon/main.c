/* ssm-notifyd: relays AWS Systems Manager session events from SQS to SNS. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "log.h"

int main(int argc, char **argv) {
        struct cli_options opt;
        char err[256];

        log_open();
        if (cli_parse(argc, argv, &opt, err, sizeof(err)) < 0) {
                fprintf(stderr, "ssm-notifyd: %s\n%s", err, CLI_USAGE);
                return EXIT_USAGE;
        }
        switch (opt.mode) {
        case CLI_HELP:
                fputs(CLI_USAGE, stdout);
                return EXIT_SUCCESS;
        case CLI_VERSION:
                printf("ssm-notifyd %s\n", SSMN_VERSION);
                return EXIT_SUCCESS;
        case CLI_CHECK_CONFIG:
                return cmd_check_config(&opt);
        case CLI_RENDER:
                return cmd_render(&opt);
        case CLI_RUN:
        case CLI_ONCE:
                return cmd_run(&opt);
        }
        return EXIT_FAILURE;
}
