/* json_diff: json_tree against json-c (json_parse_whole) on one input, for
 * test_json_tree and fuzz_json_tree. They must accept the same texts with
 * the same error, and yield the same values: every string, number text and
 * boolean, array lengths and elements in order, object members by key (each
 * key once; iteration order may differ only where a key repeats, see
 * json_tree.h). Input that is not valid UTF-8 is json_tree's caller's to
 * refuse: it is parsed (it must be safe) but not compared. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <json-c/json.h>

#include "json_parse.h"
#include "json_tree.h"
#include "textsafe.h"

/* NULL when n reads as o does; else what differs. */
static const char *json_diff_value(const struct json_node *n, json_object *o) {
        const char *s;
        size_t len;

        switch (json_object_get_type(o)) {
        case json_type_null:
                return json_node_kind(n) == JSON_NULL ? NULL : "null";
        case json_type_boolean:
                return json_node_kind(n) == (json_object_get_boolean(o) ? JSON_TRUE : JSON_FALSE) ? NULL : "boolean";
        case json_type_int:
        case json_type_double:
                s = json_node_string(n, &len);
                return json_node_kind(n) == JSON_NUMBER && len == strlen(json_object_get_string(o)) &&
                                       strcmp(s, json_object_get_string(o)) == 0
                               ? NULL
                               : "number text";
        case json_type_string:
                s = json_node_string(n, &len);
                return json_node_kind(n) == JSON_STRING && len == (size_t)json_object_get_string_len(o) &&
                                       memcmp(s, json_object_get_string(o), len + 1) == 0
                               ? NULL
                               : "string bytes";
        case json_type_array: {
                size_t i = 0;
                if (json_node_kind(n) != JSON_ARRAY || json_node_count(n) != json_object_array_length(o))
                        return "array length";
                for (const struct json_node *e = json_node_first(n); e; e = json_node_next(e), i++) {
                        const char *d = i < json_object_array_length(o)
                                                ? json_diff_value(e, json_object_array_get_idx(o, i))
                                                : "array iteration";
                        if (d)
                                return d;
                }
                return i == json_object_array_length(o) ? NULL : "array iteration";
        }
        case json_type_object: {
                size_t i = 0;
                if (json_node_kind(n) != JSON_OBJECT || json_node_count(n) != (size_t)json_object_object_length(o))
                        return "object size";
                for (const struct json_node *m = json_node_first(n); m; m = json_node_next(m), i++) {
                        json_object *v;
                        const char *d;
                        if (!json_object_object_get_ex(o, json_node_key(m), &v))
                                return "object key";
                        if (json_node_member(n, json_node_key(m)) != m)
                                return "member lookup";
                        if ((d = json_diff_value(m, v)))
                                return d;
                }
                return i == json_node_count(n) ? NULL : "object iteration";
        }
        }
        return "json-c type";
}

static const char *json_diff(const char *s, size_t len, int max_depth) {
        struct json_tree *t = NULL;
        json_object *o = NULL;
        int rt = json_tree_parse(s, len, max_depth, &t);
        const char *d = NULL;

        if (textsafe_utf8_valid(s, len)) {
                int rc = json_parse_whole(s, len, max_depth, &o);
                if (rt != rc)
                        d = rt == 0 ? "json_tree took what json-c refused" : "json_tree refused what json-c took";
                else if (rt == 0)
                        d = json_diff_value(json_tree_root(t), o);
        }
        json_object_put(o);
        json_tree_free(t);
        return d;
}
