#include "json_parse.h"

#include <errno.h>
#include <stdint.h>

/* A tokener is a large allocation (a stack of max_depth levels, and a
 * buffer that grows with the longest string) and the daemon parses two JSON
 * texts per message, so tokeners are kept, one per depth in use (the
 * callers use a handful of fixed depths), and reset between texts. The
 * process is single-threaded; what is kept is reachable until exit. */
#define KEPT_MAX 8
static struct {
        int depth;
        struct json_tokener *tok;
} kept[KEPT_MAX];

static struct json_tokener *tokener(int max_depth) {
        size_t i = 0;
        while (i < KEPT_MAX && kept[i].tok && kept[i].depth != max_depth)
                i++;
        if (i == KEPT_MAX)
                return json_tokener_new_ex(max_depth); /* more depths than kept: not kept */
        if (!kept[i].tok) {
                kept[i].tok = json_tokener_new_ex(max_depth);
                kept[i].depth = max_depth;
        }
        return kept[i].tok;
}

static void tokener_done(struct json_tokener *tok) {
        for (size_t i = 0; i < KEPT_MAX; i++)
                if (kept[i].tok == tok) {
                        json_tokener_reset(tok);
                        /* json-c 0.16's reset leaves a high surrogate seen
                         * last, which the next text would then take as its
                         * own ("\ud83d\udXYZ" failing, then "\ud83dx" read
                         * as two U+FFFD). */
                        tok->high_surrogate = 0;
                        return;
                }
        json_tokener_free(tok);
}

int json_parse_whole(const char *s, size_t len, int max_depth, json_object **ret) {
        struct json_tokener *tok;
        enum json_tokener_error err;
        json_object *o;
        size_t end;

        if (len > (size_t)INT32_MAX)
                return -E2BIG;
        tok = tokener(max_depth);
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
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
        tokener_done(tok);
        if (err != json_tokener_success || end != len) {
                json_object_put(o);
                return -EBADMSG;
        }
        *ret = o;
        return 0;
}
