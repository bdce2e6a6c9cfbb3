/* textsafe: untrusted strings made safe to show, for the renderer.
 *
 * Pure. Every value of a CloudTrail record (user agent, reason, error
 * message, even user names) is attacker-influenced, so no value may start a
 * new line, hide text with bidirectional or zero-width characters, break the
 * UTF-8 that SNS requires, or grow without a bound. Each function appends to
 * a buf and returns 0 or a negative errno from it (-E2BIG, -ENOMEM). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Appended after a value cut at its cap. */
#define TEXTSAFE_MARK "\xe2\x80\xa6[truncated]" /* "…[truncated]" */
/* The most textsafe_escape() writes for cap bytes: an escape is at most 4
 * bytes per byte ("\\xNN"), then the mark. */
#define TEXTSAFE_ESCAPED_MAX(cap) (4 * (size_t)(cap) + sizeof(TEXTSAFE_MARK))

enum textsafe_mode {
        TEXTSAFE_TEXT,     /* plain text: one line, C-style escapes */
        TEXTSAFE_MARKDOWN, /* as TEXT, for inside a `code span`: '`' becomes '\'' */
};

/* At most cap bytes of s (cut at a character boundary, then TEXTSAFE_MARK),
 * escaped: '\\' as "\\\\", newline/CR/tab as "\\n" "\\r" "\\t", other control
 * bytes and invalid UTF-8 as "\\xNN", C1 controls, the line/paragraph
 * separators, bidi, zero-width and other invisible format characters
 * (soft hyphen, variation selectors, tags) as "\\uNNNN" or "\\UNNNNNNNN". */
int textsafe_escape(struct buf *out, const char *s, size_t cap, enum textsafe_mode mode);
/* As textsafe_escape for len bytes that may hold NUL ("\\x00"). */
int textsafe_escape_len(struct buf *out, const char *s, size_t len, size_t cap, enum textsafe_mode mode);

/* True when the len bytes of s are valid UTF-8: no overlong form, surrogate,
 * code point past U+10FFFF or truncated sequence (NUL bytes are valid). */
bool textsafe_utf8_valid(const char *s, size_t len);

/* At most cap bytes of s (then TEXTSAFE_MARK) as valid UTF-8: each invalid
 * byte becomes U+FFFD. For JSON, whose encoder escapes the rest. */
int textsafe_utf8(struct buf *out, const char *s, size_t cap);
/* As textsafe_utf8 for len bytes; NUL bytes are kept (JSON escapes them). */
int textsafe_utf8_len(struct buf *out, const char *s, size_t len, size_t cap);

/* s as printable ASCII on one line, for the SNS Subject: Latin letters with
 * accents and full-width forms are transliterated, control characters and
 * other spaces become one space, any other run of characters one '?'.
 * Leading and trailing spaces are dropped. When the result would exceed max
 * bytes (max >= 4) it is cut and ends in "...". */
int textsafe_ascii(struct buf *out, const char *s, size_t max);

/* Columns s takes in a fixed-width font: East Asian wide and full-width
 * characters count 2, everything else 1. For aligning our own labels. */
size_t textsafe_width(const char *s);
