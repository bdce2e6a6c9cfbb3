#include "json_parse.h"

#include <errno.h>
#include <stdint.h>

static int parse(const char *s, size_t len, int max_depth, int flags, json_object **ret) {
        struct json_tokener *tok;
        enum json_tokener_error err;
        json_object *o;
        size_t end;

        if (len > (size_t)INT32_MAX)
                return -E2BIG;
        tok = json_tokener_new_ex(max_depth);
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, flags);
        o = json_tokener_parse_ex(tok, s, (int)len);
        err = json_tokener_get_error(tok);
        /* Strict mode takes trailing white space and refuses anything else;
         * a NUL byte still leaves the parse short of len. */
        end = json_tokener_get_parse_end(tok);
        if (!o && err == json_tokener_continue && end == len) {
                /* a top-level number or literal waits for a delimiter: end the input */
                o = json_tokener_parse_ex(tok, "", 1);
                err = json_tokener_get_error(tok);
        }
        json_tokener_free(tok);
        if (err != json_tokener_success || end != len) {
                json_object_put(o);
                return -EBADMSG;
        }
        *ret = o;
        return 0;
}

int json_parse_whole(const char *s, size_t len, int max_depth, json_object **ret) {
        return parse(s, len, max_depth, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8, ret);
}

int json_parse_whole_utf8(const char *s, size_t len, int max_depth, json_object **ret) {
        return parse(s, len, max_depth, JSON_TOKENER_STRICT, ret);
}
