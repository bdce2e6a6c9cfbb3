/* template: "{name}" placeholders in short texts such as the SNS subject.
 *
 * Pure. A placeholder is '{' + [a-z_]+ + '}'; any other use of '{' or '}' is
 * an error, so a typo is caught when the config is read instead of reaching
 * a subscriber. SUBJECT_PLACEHOLDERS is the one list of names the subject
 * template may use: config validation and rendering both read it. */
#pragma once

#include <stddef.h>

#include "buf.h"

extern const char *const SUBJECT_PLACEHOLDERS[]; /* NULL-terminated */

/* 0 when every placeholder of tmpl is in allowed. On -EINVAL, bad (if given)
 * receives the offending placeholder or fragment, cut to bad_size. */
int template_validate(const char *tmpl, const char *const *allowed, char *bad, size_t bad_size);

/* Returns the value for a placeholder name (not NUL-terminated: name_len
 * bytes), or NULL for an unknown or empty value (expanded to ""). */
typedef const char *(*template_lookup_fn)(const char *name, size_t name_len, void *userdata);

/* Appends the expansion of a template that passed template_validate to out. */
int template_expand(const char *tmpl, template_lookup_fn lookup, void *userdata, struct buf *out);
