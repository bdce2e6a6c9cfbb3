/* json_tree: one whole JSON text from untrusted bytes, as a read-only tree
 * built with a handful of allocations (a node array grown by doubling, one
 * string arena as long as the input) instead of json-c's allocation per node
 * and per key. For the hot path (SQS answers, event bodies); the rest of the
 * daemon keeps json-c.
 *
 * Pure. It takes exactly what json_parse_whole() takes, json-c 0.16's STRICT
 * mode, quirks included (tests/unit/test_json_tree.c and
 * tests/fuzz/fuzz_json_tree.c compare the two), so that no input changes
 * fate: raw control bytes inside strings are taken, as are NaN, Infinity and
 * -Infinity, "1." and "-.5", and leading zeros in a zero ("00") or a negative
 * integer ("-01"); no comments, single quotes, trailing commas or bytes but
 * white space after the text; no NUL byte. A value nested k levels deep
 * (the root is level 0) needs k < max_depth, as json-c's tokener counts.
 * The bytes must be valid UTF-8, checked by the caller with
 * textsafe_utf8_valid(): the parser does not look at them.
 *
 * What a value reads as is what json-c gives for it: strings unescaped, a
 * lone surrogate escape as U+FFFD, "\u0000" a NUL byte counted in the length;
 * an integer's text is its int64/uint64 value printed (json-c clamps those out
 * of range), any other number's text is its source text; a member key is cut
 * at its first NUL, as json-c's C-string keys are. Where a key repeats, the
 * last value wins; unlike json-c, which keeps the key where it came first,
 * iteration meets it where it came last. */
#pragma once

#include <stddef.h>

enum json_kind {
        JSON_NULL, /* also what a missing node (NULL) reads as, as in json-c */
        JSON_FALSE,
        JSON_TRUE,
        JSON_NUMBER,
        JSON_STRING,
        JSON_ARRAY,
        JSON_OBJECT,
};

struct json_tree;
struct json_node;

/* The nesting json_tree_parse() takes at most: it recurses once a level. */
#define JSON_TREE_DEPTH_MAX 256

/* 0 and the tree in *ret; -EBADMSG when the bytes are not exactly one JSON
 * text within max_depth; -E2BIG when len > INT32_MAX (json_parse_whole's
 * bound); -EINVAL for max_depth outside 1..JSON_TREE_DEPTH_MAX; -ENOMEM. */
int json_tree_parse(const char *s, size_t len, int max_depth, struct json_tree **ret);
void json_tree_free(struct json_tree *t);

/* The root: never NULL for a parsed tree (the text "null" is a JSON_NULL
 * node). Nodes live as long as their tree. Every accessor takes NULL. */
const struct json_node *json_tree_root(const struct json_tree *t);
enum json_kind json_node_kind(const struct json_node *n);
/* A string's bytes (NUL-terminated, may hold NUL: *ret_len counts them), a
 * number's text, "true" or "false"; NULL for anything else. ret_len may be
 * NULL. */
const char *json_node_string(const struct json_node *n, size_t *ret_len);
/* The member named key (the last of that name), or NULL; NULL when obj is
 * not an object. Linear in the members. */
const struct json_node *json_node_member(const struct json_node *obj, const char *key);
/* As json_node_member, for a key of len bytes not NUL-terminated. */
const struct json_node *json_node_member_len(const struct json_node *obj, const char *key, size_t len);
/* Members of an object (each key once) or elements of an array; 0 else. */
size_t json_node_count(const struct json_node *n);
/* Iteration over the members or elements, in order: the first (NULL when
 * none, or n is no container), then the one after each. */
const struct json_node *json_node_first(const struct json_node *n);
const struct json_node *json_node_next(const struct json_node *n);
/* The key of an object member (NUL-terminated); NULL for anything else. */
const char *json_node_key(const struct json_node *n);
