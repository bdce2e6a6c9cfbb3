/* json_write: JSON text written straight into a buf, for requests whose
 * shape is fixed, instead of a json-c tree built to be printed once (an
 * allocation per value and a copy of every string).
 *
 * Pure. On failure (-E2BIG past the buf's maximum, -ENOMEM) the buf is left
 * as it was. */
#pragma once

#include "buf.h"

/* s as a JSON string: '"' and '\\' escaped, control bytes as \u00XX, every
 * other byte as it is (s is expected to be UTF-8 already). */
int json_write_string(struct buf *out, const char *s);
