#include "config_cli.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *process_env(const char *name) {
        return getenv(name);
}

static void report(bool logged, const char *what, const char *line) {
        if (logged)
                log_fields(LOG_ERR, LOG_MSGID_CONFIG_ERROR, NULL, 0, "%s%s", what, line);
        else
                fprintf(stderr, "%s%s\n", what, line);
}

static int load(const char *path_or_null, enum config_need need, bool logged, struct config **ret) {
        struct config_diag diag = {};
        char buf[PATH_MAX];
        const char *path = path_or_null ? path_or_null : config_default_path(process_env, buf, sizeof(buf));
        int r;

        r = config_load_for(path, need, process_env, ret, &diag);
        for (size_t i = 0; i < diag.n; i++)
                report(logged, "", diag.lines[i]);
        for (size_t i = 0; i < diag.n_warnings; i++) {
                if (logged)
                        log_fields(LOG_WARNING, NULL, NULL, 0, "%s", diag.warnings[i]);
                else
                        fprintf(stderr, "warning: %s\n", diag.warnings[i]);
        }
        if (r == -ENOMEM && diag.n == 0)
                report(logged, path, ": out of memory");
        config_diag_clear(&diag);
        return r;
}

int config_load_for_cli(const char *path_or_null, enum config_need need, struct config **ret) {
        return load(path_or_null, need, false, ret);
}

int config_load_logged(const char *path_or_null, enum config_need need, struct config **ret) {
        return load(path_or_null, need, true, ret);
}
