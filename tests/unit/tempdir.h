/* A fresh directory under /tmp for each test that writes files: cmocka
 * setup and teardown functions; the teardown removes it with the files the
 * test left in it (one level, as the tests write). */
#pragma once

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char tempdir[64];

static inline int tempdir_make(void **state) {
        (void)state;
        snprintf(tempdir, sizeof(tempdir), "/tmp/ssmn-unit.XXXXXX");
        return mkdtemp(tempdir) ? 0 : -1;
}

static inline int tempdir_remove(void **state) {
        DIR *d = opendir(tempdir);
        struct dirent *de;
        char path[PATH_MAX];

        (void)state;
        while (d && (de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                snprintf(path, sizeof(path), "%s/%s", tempdir, de->d_name);
                unlink(path);
        }
        if (d)
                closedir(d);
        return rmdir(tempdir);
}
