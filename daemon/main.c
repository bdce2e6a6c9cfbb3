/* ssm-notifyd: relays AWS Systems Manager session events from SQS to SNS. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
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
        default:
                fprintf(stderr, "ssm-notifyd: not implemented yet\n");
                return EXIT_FAILURE;
        }
}
