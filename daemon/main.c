/* ssm-notifyd: relays AWS Systems Manager session events from SQS to SNS. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "cli.h"
#include "commands.h"
#include "log.h"

/* Every mode may hold AWS secrets (the daemon, --check-config --online,
 * --render -c with a file that has them): no core dumps, no ptrace or
 * /proc/PID/mem by other processes of the same user, before anything is read. */
static void harden_process(void) {
        const struct rlimit none = { 0, 0 };
        setrlimit(RLIMIT_CORE, &none);
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int main(int argc, char **argv) {
        struct cli_options opt;
        char err[256];

        harden_process();
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
