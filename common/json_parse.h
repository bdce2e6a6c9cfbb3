/* json_parse: one whole JSON text from untrusted bytes, with a nesting bound.
 *
 * Pure but for json-c tokeners kept between calls (json_parse.c says why),
 * so single-threaded, as the daemon is. Strict RFC 8259 (json-c's STRICT
 * mode, UTF-8 checked by json-c): no comments, single quotes or trailing
 * bytes other than white space. The one
 * parser of SQS answers, AWS error bodies, IMDS documents and event bodies,
 * so that all of them take the same rules and the same bounds. */
#pragma once

#include <stddef.h>

#include <json-c/json.h>

/* 0 and the value in *ret (NULL for the text "null"); -EBADMSG when the
 * bytes are not exactly one JSON text within max_depth; -E2BIG when len is
 * beyond what json-c can take (INT32_MAX); -ENOMEM. */
int json_parse_whole(const char *s, size_t len, int max_depth, json_object **ret);
