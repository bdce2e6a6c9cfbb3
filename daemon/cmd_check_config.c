/* --check-config [--online]: the configuration, and with --online the
 * credentials and access to the queue and the topic, as a short checklist. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws_setup.h"
#include "commands.h"
#include "config_cli.h"
#include "http.h"
#include "sns.h"
#include "sqs.h"

static void print_failure(const char *what, int r, const struct aws_error *err) {
        char detail[AWS_ERROR_DESCRIBE_MAX];
        if (r == -EIO)
                aws_error_describe(err, detail, sizeof(detail));
        else
                snprintf(detail, sizeof(detail), "%s", strerror(-r));
        printf("%-12s FAILED: %s\n", what, detail);
}

static int check_online(const struct config *cfg) {
        struct aws_setup aws;
        const struct aws_credentials *cred;
        struct aws_error err = { 0 };
        char detail[512];
        long waiting = 0;
        int failures = 0, r;

        r = aws_setup_open(cfg, NULL, NULL, &aws);
        if (r < 0) {
                printf("%-12s FAILED: %s\n", "setup", strerror(-r));
                return EXIT_FAILURE;
        }
        r = credentials_get(aws.credentials, time(NULL), &cred, detail, sizeof(detail));
        if (r < 0) {
                printf("%-12s FAILED: %s\n", "credentials", detail);
                aws_setup_close(&aws);
                return EXIT_UNAVAILABLE;
        }
        printf("%-12s OK (%s)\n", "credentials", credentials_source(aws.credentials));

        r = sqs_get_queue_depth(aws.sqs, cfg->queue_url, &waiting, &err);
        if (r < 0) {
                print_failure("sqs", r, &err);
                failures++;
        } else {
                printf("%-12s OK: GetQueueAttributes on %s (%ld messages waiting)\n", "sqs", cfg->queue_url, waiting);
        }
        r = sns_check_topic(aws.sns, cfg->topic_arn, &err);
        if (r < 0) {
                print_failure("sns", r, &err);
                failures++;
        } else {
                printf("%-12s OK: GetTopicAttributes on %s\n", "sns", cfg->topic_arn);
        }
        aws_setup_close(&aws);
        return failures ? EXIT_UNAVAILABLE : EXIT_SUCCESS;
}

int cmd_check_config(const struct cli_options *opt) {
        struct config *cfg = NULL;
        int r, code = EXIT_SUCCESS;

        r = config_load_for_cli(opt->config_path, CONFIG_NEED_ALL, &cfg);
        if (r == -ENOMEM)
                return EXIT_FAILURE;
        if (r < 0)
                return EXIT_CONFIG;
        puts("configuration OK");
        if (opt->online) {
                fflush(stdout);
                if (http_global_init() < 0) {
                        config_free(cfg);
                        return EXIT_FAILURE;
                }
                code = check_online(cfg);
                http_global_cleanup();
        }
        config_free(cfg);
        return code;
}
