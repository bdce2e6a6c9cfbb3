/* urlenc: percent-encoding for AWS request paths, query strings and form bodies.
 *
 * One rule for all of them, the one SigV4 and the AWS SDKs use (RFC 3986
 * unreserved set): A-Z a-z 0-9 - _ . ~ are written as they are, every other
 * byte as %XX with upper-case hex digits. UTF-8 text is encoded byte by byte.
 * Pure: no I/O. On failure the output buffer is left as it was. */
#pragma once

#include <stddef.h>

#include "buf.h"

enum {
        URLENC_KEEP_SLASH = 1 << 0, /* '/' written as is (URI paths) */
        URLENC_SPACE_PLUS = 1 << 1, /* ' ' written as '+' (form bodies) */
};

/* Appends s (len bytes, may hold NULs) percent-encoded to out. -E2BIG when
 * out's maximum would be passed, -ENOMEM, -EINVAL for a NULL s with len > 0. */
int urlenc_append(struct buf *out, const char *s, size_t len, unsigned flags);

struct form_param {
        const char *name;
        const char *value;
};

/* Appends "n1=v1&n2=v2" in the given order, names and values encoded with
 * URLENC_SPACE_PLUS, as AWS SDKs encode Query-protocol bodies. An empty value
 * gives "name=". -EINVAL for a NULL name or value; -E2BIG, -ENOMEM. */
int form_encode(const struct form_param *params, size_t n, struct buf *out);
