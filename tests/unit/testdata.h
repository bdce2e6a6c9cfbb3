/* Helpers for unit tests that read tests/data or need untrusted-input
 * buffers: every buffer is allocated to its exact length with no NUL after
 * it, so AddressSanitizer reports any read past the end. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* Test data files are small; a cap keeps a wrong path from reading a device. */
#define TESTDATA_MAX (1024 * 1024)

static inline char *testdata_dup(const void *data, size_t n) {
        char *p = malloc(n ? n : 1);
        if (p && n)
                memcpy(p, data, n);
        return p;
}

/* The contents of TEST_DATA_DIR/name, exact-size and not NUL-terminated;
 * NULL if it cannot be read. */
static inline char *testdata_read(const char *name, size_t *ret_len) {
        struct buf path = { .max = TESTDATA_MAX }, data;
        char chunk[4096];
        size_t n;
        char *ret = NULL;
        FILE *f;

        buf_init(&data, TESTDATA_MAX);
        if (buf_printf(&path, "%s/%s", TEST_DATA_DIR, name) < 0)
                goto out;
        f = fopen(buf_str(&path), "rb");
        if (!f)
                goto out;
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                if (buf_append(&data, chunk, n) < 0)
                        break;
        if (!ferror(f) && feof(f)) {
                ret = testdata_dup(data.data, data.len);
                *ret_len = data.len;
        }
        fclose(f);
out:
        buf_free(&path);
        buf_free(&data);
        return ret;
}

/* The contents of any file, NUL-terminated (len bytes before the NUL), for
 * text the tests compare or hand to json-c; NULL if it cannot be read. */
static inline char *testdata_read_file(const char *path, size_t *ret_len) {
        struct buf data;
        char chunk[4096];
        size_t n;
        char *ret = NULL;
        FILE *f = fopen(path, "rb");

        if (!f)
                return NULL;
        buf_init(&data, TESTDATA_MAX);
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                if (buf_append(&data, chunk, n) < 0)
                        break;
        if (!ferror(f) && feof(f)) {
                *ret_len = data.len;
                ret = buf_steal(&data);
        }
        fclose(f);
        buf_free(&data);
        return ret;
}

/* A NUL-terminated copy, for handing file contents to json-c. */
static inline char *testdata_read_string(const char *name) {
        size_t len;
        char *raw = testdata_read(name, &len);
        char *s = raw ? malloc(len + 1) : NULL;
        if (s) {
                memcpy(s, raw, len);
                s[len] = '\0';
        }
        free(raw);
        return s;
}
