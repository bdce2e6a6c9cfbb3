#include "config_cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *process_env(const char *name) {
        return getenv(name);
}

int config_load_for_cli(const char *path_or_null, enum config_need need, struct config **ret) {
        struct config_diag diag = {};
        char buf[PATH_MAX];
        const char *path = path_or_null ? path_or_null : config_default_path(process_env, buf, sizeof(buf));
        int r;

        r = config_load_for(path, need, process_env, ret, &diag);
        for (size_t i = 0; i < diag.n; i++)
                fprintf(stderr, "%s\n", diag.lines[i]);
        if (r == -ENOMEM && diag.n == 0)
                fprintf(stderr, "%s: out of memory\n", path);
        config_diag_clear(&diag);
        return r;
}
