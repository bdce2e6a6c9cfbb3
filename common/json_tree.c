#include "json_tree.h"
#include "macro.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
        LAST = 1,     /* no sibling follows */
        SHADOWED = 2, /* a later member has the same key: json-c keeps the last */
};

/* Nodes sit in one array in document order, so a container's members follow
 * it and the next sibling is `skip` nodes on: nodes refer to each other by
 * position, never by pointer, and the array may move while it grows. */
struct json_node {
        const char *key;  /* member key, cut at its first NUL; NULL outside objects */
        const char *text; /* string bytes or number text, NUL-terminated; NULL else */
        uint32_t key_len;
        uint32_t len;  /* text bytes; containers: members (each key once) or elements */
        uint32_t skip; /* nodes in the subtree, itself included */
        uint8_t kind;
        uint8_t flags;
};

struct json_tree {
        struct json_node *nodes;
        char *arena;
};

/* Objects up to this many members find repeated keys pair by pair (CloudTrail
 * records have about 20, and sorting them costs more); larger ones by
 * sorting, so a hostile object costs n log n. */
#define PAIRWISE_MAX 32

struct key_ref {
        const char *key;
        uint32_t key_len;
        uint32_t node;
};

struct parser {
        const char *s;
        size_t len, pos;
        int max_depth;
        /* len + 1 bytes. A token's text is written at its own offset in the
         * input: unescaping never lengthens a string, and its NUL lands at
         * the latest on its closing quote; a number's NUL on the byte after
         * it (a delimiter, or the arena's last byte). So texts never overlap
         * and never pass the end. */
        char *arena;
        struct json_node *nodes;
        size_t n, cap;
        struct key_ref *keys; /* scratch for sorting a large object's keys */
        size_t keys_cap;
};

/* a, grown by doubling to hold at least want items of size bytes; NULL
 * (a kept) when memory runs out. */
static void *grow(void *a, size_t *cap, size_t want, size_t size) {
        size_t n = *cap ? *cap : 64;
        void *b;

        while (n < want)
                n *= 2;
        if (n > SIZE_MAX / size)
                return NULL;
        b = realloc(a, n * size);
        if (b)
                *cap = n;
        return b;
}

/* At most one node per input byte, so indexes and counts fit in 32 bits. */
static int node_new(struct parser *p, enum json_kind kind, size_t *ret) {
        if (p->n == p->cap) {
                struct json_node *nodes = grow(p->nodes, &p->cap, p->n + 1, sizeof(*nodes));
                if (!nodes)
                        return -ENOMEM;
                p->nodes = nodes;
        }
        p->nodes[p->n] = (struct json_node){ .kind = (uint8_t)kind, .skip = 1 };
        *ret = p->n++;
        return 0;
}

/* The byte at pos, or NUL past the end: json-c ends its input at a NUL byte,
 * so a NUL is refused wherever it stands, as the end would be. */
static char peek(const struct parser *p) {
        return p->pos < p->len ? p->s[p->pos] : '\0';
}

static void skip_ws(struct parser *p) {
        while (p->pos < p->len) {
                char c = p->s[p->pos];
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                        return;
                p->pos++;
        }
}

static bool at(const struct parser *p, const char *word) {
        size_t n = strlen(word);
        return p->len - p->pos >= n && memcmp(p->s + p->pos, word, n) == 0;
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* The four hex digits at pos. */
static int hex4(struct parser *p, uint32_t *ret) {
        uint32_t v = 0;

        if (p->len - p->pos < 4)
                return -EBADMSG;
        for (int i = 0; i < 4; i++) {
                int d = hex_digit_value(p->s[p->pos + (size_t)i]);
                if (d < 0)
                        return -EBADMSG;
                v = v << 4 | (uint32_t)d;
        }
        p->pos += 4;
        *ret = v;
        return 0;
}

static char *put_utf8(char *o, uint32_t cp) {
        if (cp < 0x80) {
                *o++ = (char)cp;
        } else if (cp < 0x800) {
                *o++ = (char)(0xc0 | cp >> 6);
                *o++ = (char)(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
                *o++ = (char)(0xe0 | cp >> 12);
                *o++ = (char)(0x80 | (cp >> 6 & 0x3f));
                *o++ = (char)(0x80 | (cp & 0x3f));
        } else {
                *o++ = (char)(0xf0 | cp >> 18);
                *o++ = (char)(0x80 | (cp >> 12 & 0x3f));
                *o++ = (char)(0x80 | (cp >> 6 & 0x3f));
                *o++ = (char)(0x80 | (cp & 0x3f));
        }
        return o;
}

#define REPLACEMENT 0xfffdu
#define IS_HIGH(cp) ((cp) >= 0xd800 && (cp) <= 0xdbff)
#define IS_LOW(cp) ((cp) >= 0xdc00 && (cp) <= 0xdfff)

/* \uXXXX, with `high` the high surrogate before it (0: none). As json-c: a
 * pair makes one code point; a high surrogate not followed by a low one,
 * and a lone low one, become U+FFFD. */
static char *put_escaped(char *o, uint32_t cp, uint32_t *high) {
        if (*high) {
                uint32_t h = *high;
                *high = 0;
                if (IS_LOW(cp))
                        return put_utf8(o, 0x10000 + ((h - 0xd800) << 10) + (cp - 0xdc00));
                o = put_utf8(o, REPLACEMENT);
        }
        if (IS_HIGH(cp)) {
                *high = cp;
                return o;
        }
        return put_utf8(o, IS_LOW(cp) ? REPLACEMENT : cp);
}

/* How many of the 8 bytes at s, from the first, are plain string bytes
 * (not a quote, a backslash or a NUL): 8 when all are. Bodies are mostly
 * such runs, so they are scanned a word at a time: the usual test for a zero
 * byte, on the bytes and on them with each of the other two cancelled out,
 * whose lowest flag is exact (false flags only follow a true one). */
static unsigned plain8(const char *s) {
        const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
        uint64_t w, q, b, stop;

        memcpy(&w, s, sizeof(w));
        w = le64toh(w); /* the first byte lowest */
        q = w ^ (ones * '"');
        b = w ^ (ones * '\\');
        stop = (((w - ones) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs;
        return stop ? (unsigned)__builtin_ctzll(stop) / 8 : 8;
}

/* The string whose opening quote is at pos, unescaped into the arena. Each
 * escape is longer than what it yields (a pending high surrogate's U+FFFD
 * included: 3 bytes for its 6), so the output stays behind the input. */
static int string(struct parser *p, const char **ret, uint32_t *ret_len) {
        char *out = p->arena + p->pos + 1, *o = out;
        uint32_t high = 0;

        p->pos++;
        for (;;) {
                size_t run = p->pos;
                unsigned plain = 8;
                /* a high surrogate escape not followed by a low one */
                if (high && !at(p, "\\u")) {
                        o = put_utf8(o, REPLACEMENT);
                        high = 0;
                }
                /* Each word is stored whole as it is scanned, and the output
                 * moves on by its plain bytes: escaped bodies have a quote
                 * every few bytes, and a memcpy call per run cost more than
                 * the scan. The store stays inside the arena (o is never
                 * ahead of run, and run + 8 <= len); the bytes past the
                 * string's end it leaves are the place of later texts, each
                 * written whole before it is read. */
                while (plain == 8 && p->len - run >= 8) {
                        memcpy(o, p->s + run, 8);
                        plain = plain8(p->s + run);
                        run += plain;
                        o += plain;
                }
                while (plain == 8 && run < p->len && p->s[run] != '"' && p->s[run] != '\\' && p->s[run] != '\0')
                        *o++ = p->s[run++];
                p->pos = run;
                char c = peek(p);
                if (c == '\0')
                        return -EBADMSG;
                p->pos++;
                if (c == '"')
                        break;
                c = peek(p);
                p->pos++;
                switch (c) {
                case '"':
                case '\\':
                case '/':
                        *o++ = c;
                        break;
                case 'b':
                        *o++ = '\b';
                        break;
                case 'f':
                        *o++ = '\f';
                        break;
                case 'n':
                        *o++ = '\n';
                        break;
                case 'r':
                        *o++ = '\r';
                        break;
                case 't':
                        *o++ = '\t';
                        break;
                case 'u': {
                        uint32_t cp;
                        if (hex4(p, &cp) < 0)
                                return -EBADMSG;
                        o = put_escaped(o, cp, &high);
                        break;
                }
                default:
                        return -EBADMSG;
                }
        }
        *o = '\0';
        *ret = out;
        *ret_len = (uint32_t)(o - out);
        return 0;
}

/* What strtod takes whole, which is json-c's test of a number with '.' or
 * an exponent: -?(D+(.D*)?|.D+)([eE][+-]?D+)? */
static bool double_valid(const char *s, size_t n) {
        size_t i = 0, digits = 0, exp;

        if (i < n && s[i] == '-')
                i++;
        for (; i < n && is_digit(s[i]); i++)
                digits++;
        if (i < n && s[i] == '.')
                for (i++; i < n && is_digit(s[i]); i++)
                        digits++;
        if (digits == 0)
                return false;
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
                i++;
                if (i < n && (s[i] == '+' || s[i] == '-'))
                        i++;
                for (exp = i; i < n && is_digit(s[i]); i++)
                        ;
                if (i == exp)
                        return false;
        }
        return i == n;
}

static void copy_text(struct parser *p, struct json_node *node, size_t start, size_t n) {
        memcpy(p->arena + start, p->s + start, n);
        p->arena[start + n] = '\0';
        node->text = p->arena + start;
        node->len = (uint32_t)n;
}

/* An integer as json-c reads it (strtoll or strtoull, which clamp), printed
 * back as json-c prints it. The printed form is never longer than the
 * source (no sign or zero is added; a clamped value has fewer digits). */
static int integer(struct parser *p, struct json_node *node, size_t start, size_t end) {
        bool neg = p->s[start] == '-', clamped = false;
        size_t size = end - start + 1;
        uint64_t v = 0;
        int n;

        if (start + neg == end)
                return -EBADMSG;
        for (size_t i = start + neg; i < end; i++) {
                unsigned d = (unsigned)(p->s[i] - '0');
                if (v > (UINT64_MAX - d) / 10)
                        clamped = true;
                else
                        v = v * 10 + d;
        }
        /* json-c's STRICT test of leading zeros looks at positive numbers only */
        if (!neg && p->s[start] == '0' && (v || clamped))
                return -EBADMSG;
        if (!neg)
                n = snprintf(p->arena + start, size, "%" PRIu64, clamped ? UINT64_MAX : v);
        else if (clamped || v >= (uint64_t)INT64_MAX + 1)
                n = snprintf(p->arena + start, size, "%" PRId64, INT64_MIN);
        else
                n = snprintf(p->arena + start, size, "%" PRId64, -(int64_t)v);
        if (n < 0 || (size_t)n >= size)
                return -EBADMSG;
        node->text = p->arena + start;
        node->len = (uint32_t)n;
        return 0;
}

/* json-c's number scan: digits, one '.', one exponent mark, and a sign
 * first or after either of those; then the text is checked as a double
 * or an integer. "-" before "Infinity" is -Infinity. */
static int number(struct parser *p, struct json_node *node) {
        size_t start = p->pos, end = start;
        bool is_double = false, is_exp = false, neg_ok = true, pos_ok = false;

        while (end < p->len) {
                char c = p->s[end];
                if (!(is_digit(c) || (!is_exp && (c == 'e' || c == 'E')) || (neg_ok && c == '-') ||
                      (pos_ok && c == '+') || (!is_double && c == '.')))
                        break;
                neg_ok = pos_ok = false;
                if (c == '.' || c == 'e' || c == 'E') {
                        is_exp = is_exp || c != '.';
                        is_double = neg_ok = pos_ok = true;
                }
                end++;
        }
        p->pos = end;
        if (end - start == 1 && p->s[start] == '-' && at(p, "Infinity")) {
                p->pos += strlen("Infinity");
                copy_text(p, node, start, p->pos - start);
                return 0;
        }
        if (!is_double)
                return integer(p, node, start, end);
        if (!double_valid(p->s + start, end - start))
                return -EBADMSG;
        copy_text(p, node, start, end - start);
        return 0;
}

static bool same_key(const struct json_node *a, const struct json_node *b) {
        /* most keys differ in length or first byte: no call for those */
        return a->key_len == b->key_len &&
               (a->key_len == 0 || (a->key[0] == b->key[0] && memcmp(a->key, b->key, a->key_len) == 0));
}

static int key_ref_cmp(const void *a, const void *b) {
        const struct key_ref *x = a, *y = b;
        size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
        int c = memcmp(x->key, y->key, n);

        if (c)
                return c;
        if (x->key_len != y->key_len)
                return x->key_len < y->key_len ? -1 : 1;
        return x->node < y->node ? -1 : 1;
}

/* Marks every member of the object at obj (its members end at p->n) that a
 * later one of the same key replaces; *ret_shadowed gets how many. */
static int dedupe(struct parser *p, size_t obj, uint32_t members, uint32_t *ret_shadowed) {
        struct json_node *nodes = p->nodes;
        uint32_t shadowed = 0;

        if (members <= PAIRWISE_MAX) {
                for (size_t i = obj + 1; i < p->n; i += nodes[i].skip)
                        for (size_t j = i + nodes[i].skip; j < p->n; j += nodes[j].skip)
                                if (same_key(&nodes[i], &nodes[j])) {
                                        nodes[i].flags |= SHADOWED;
                                        shadowed++;
                                        break;
                                }
                *ret_shadowed = shadowed;
                return 0;
        }
        if (members > p->keys_cap) {
                struct key_ref *keys = grow(p->keys, &p->keys_cap, members, sizeof(*keys));
                if (!keys)
                        return -ENOMEM;
                p->keys = keys;
        }
        size_t k = 0;
        for (size_t i = obj + 1; i < p->n; i += nodes[i].skip)
                p->keys[k++] = (struct key_ref){ nodes[i].key, nodes[i].key_len, (uint32_t)i };
        /* by key, then by position: in a run of one key, all but the last go */
        qsort(p->keys, k, sizeof(*p->keys), key_ref_cmp);
        for (size_t i = 0; i + 1 < k; i++)
                if (same_key(&nodes[p->keys[i].node], &nodes[p->keys[i + 1].node])) {
                        nodes[p->keys[i].node].flags |= SHADOWED;
                        shadowed++;
                }
        *ret_shadowed = shadowed;
        return 0;
}

static int value(struct parser *p, int level);

/* Ends the container at idx whose last member or element is at last. */
static void close_container(struct parser *p, size_t idx, size_t last, uint32_t count) {
        p->nodes[last].flags |= LAST;
        p->nodes[idx].len = count;
        p->nodes[idx].skip = (uint32_t)(p->n - idx);
}

static int array(struct parser *p, size_t idx, int level) {
        uint32_t count = 0;
        size_t last;

        p->pos++;
        skip_ws(p);
        if (peek(p) == ']') {
                p->pos++;
                return 0;
        }
        for (;;) {
                int r;
                last = p->n;
                if ((r = value(p, level + 1)) < 0)
                        return r;
                count++;
                skip_ws(p);
                char c = peek(p);
                p->pos++;
                if (c == ']')
                        break;
                if (c != ',')
                        return -EBADMSG;
                skip_ws(p);
        }
        close_container(p, idx, last, count);
        return 0;
}

static int object(struct parser *p, size_t idx, int level) {
        uint32_t count = 0, shadowed;
        size_t last;
        int r;

        p->pos++;
        skip_ws(p);
        if (peek(p) == '}') {
                p->pos++;
                return 0;
        }
        for (;;) {
                const char *key;
                uint32_t key_len;

                if (peek(p) != '"')
                        return -EBADMSG;
                if ((r = string(p, &key, &key_len)) < 0)
                        return r;
                skip_ws(p);
                if (peek(p) != ':')
                        return -EBADMSG;
                p->pos++;
                skip_ws(p);
                last = p->n;
                if ((r = value(p, level + 1)) < 0)
                        return r;
                p->nodes[last].key = key;
                p->nodes[last].key_len = (uint32_t)strnlen(key, key_len);
                count++;
                skip_ws(p);
                char c = peek(p);
                p->pos++;
                if (c == '}')
                        break;
                if (c != ',')
                        return -EBADMSG;
                skip_ws(p);
        }
        close_container(p, idx, last, count);
        if ((r = dedupe(p, idx, count, &shadowed)) < 0)
                return r;
        p->nodes[idx].len = count - shadowed;
        return 0;
}

/* The value at pos (white space skipped), nested `level` deep. */
static int value(struct parser *p, int level) {
        struct json_node *node;
        size_t idx, start = p->pos;
        uint32_t len;
        int r;

        /* json-c's tokener takes a value at level k when k < max_depth */
        if (level >= p->max_depth)
                return -EBADMSG;
        char c = peek(p);
        enum json_kind kind = c == '{' ? JSON_OBJECT
                            : c == '[' ? JSON_ARRAY
                            : c == '"' ? JSON_STRING
                            : c == 't' ? JSON_TRUE
                            : c == 'f' ? JSON_FALSE
                            : c == 'n' ? JSON_NULL
                                       : JSON_NUMBER;
        if ((r = node_new(p, kind, &idx)) < 0)
                return r;
        node = &p->nodes[idx];
        switch (kind) {
        case JSON_OBJECT:
                return object(p, idx, level);
        case JSON_ARRAY:
                return array(p, idx, level);
        case JSON_STRING:
                if ((r = string(p, &node->text, &len)) < 0)
                        return r;
                node->len = len;
                return 0;
        case JSON_TRUE:
        case JSON_FALSE:
        case JSON_NULL: {
                const char *word = kind == JSON_TRUE ? "true" : kind == JSON_FALSE ? "false" : "null";
                if (!at(p, word))
                        return -EBADMSG;
                p->pos += strlen(word);
                return 0;
        }
        case JSON_NUMBER:
                break;
        }
        if (c == '-' || is_digit(c))
                return number(p, node);
        /* json-c's non-finite doubles, exact case in STRICT mode */
        if (at(p, "NaN") || at(p, "Infinity")) {
                p->pos += c == 'N' ? strlen("NaN") : strlen("Infinity");
                copy_text(p, node, start, p->pos - start);
                return 0;
        }
        return -EBADMSG;
}

int json_tree_parse(const char *s, size_t len, int max_depth, struct json_tree **ret) {
        struct parser p = { .s = s, .len = len, .max_depth = max_depth };
        struct json_tree *t;
        int r;

        if (len > (size_t)INT32_MAX)
                return -E2BIG;
        if (max_depth < 1 || max_depth > JSON_TREE_DEPTH_MAX)
                return -EINVAL;
        t = malloc(sizeof(*t));
        p.arena = malloc(len + 1);
        r = t && p.arena ? 0 : -ENOMEM;
        if (r == 0) {
                skip_ws(&p);
                r = value(&p, 0);
        }
        if (r == 0) {
                skip_ws(&p);
                r = p.pos == len ? 0 : -EBADMSG;
        }
        free(p.keys);
        if (r < 0) {
                free(p.nodes);
                free(p.arena);
                free(t);
                return r;
        }
        p.nodes[0].flags |= LAST;
        t->nodes = p.nodes;
        t->arena = p.arena;
        *ret = t;
        return 0;
}

void json_tree_free(struct json_tree *t) {
        if (!t)
                return;
        free(t->nodes);
        free(t->arena);
        free(t);
}

const struct json_node *json_tree_root(const struct json_tree *t) {
        return t ? &t->nodes[0] : NULL;
}

enum json_kind json_node_kind(const struct json_node *n) {
        return n ? (enum json_kind)n->kind : JSON_NULL;
}

const char *json_node_string(const struct json_node *n, size_t *ret_len) {
        const char *s = NULL;
        size_t len = 0;

        switch (json_node_kind(n)) {
        case JSON_STRING:
        case JSON_NUMBER:
                s = n->text;
                len = n->len;
                break;
        case JSON_TRUE:
                s = "true";
                len = 4;
                break;
        case JSON_FALSE:
                s = "false";
                len = 5;
                break;
        default:
                return NULL;
        }
        if (ret_len)
                *ret_len = len;
        return s;
}

size_t json_node_count(const struct json_node *n) {
        enum json_kind k = json_node_kind(n);
        return k == JSON_ARRAY || k == JSON_OBJECT ? n->len : 0;
}

const struct json_node *json_node_next(const struct json_node *n) {
        if (!n)
                return NULL;
        while (!(n->flags & LAST)) {
                n += n->skip;
                if (!(n->flags & SHADOWED))
                        return n;
        }
        return NULL;
}

const struct json_node *json_node_first(const struct json_node *n) {
        if (json_node_count(n) == 0)
                return NULL;
        /* the last member is never shadowed, so one is found */
        return n[1].flags & SHADOWED ? json_node_next(&n[1]) : &n[1];
}

const struct json_node *json_node_member_len(const struct json_node *obj, const char *key, size_t len) {
        if (json_node_kind(obj) != JSON_OBJECT || obj->len == 0)
                return NULL;
        /* Walked over the array directly, not with json_node_next(): path
         * lookups in event records are the parser's hottest reader. The
         * last member is never shadowed, so a match not shadowed is the
         * last of its name. */
        for (const struct json_node *m = &obj[1];; m += m->skip) {
                if (m->key_len == len && !(m->flags & SHADOWED) &&
                    (len == 0 || (m->key[0] == key[0] && memcmp(m->key, key, len) == 0)))
                        return m;
                if (m->flags & LAST)
                        return NULL;
        }
}

const struct json_node *json_node_member(const struct json_node *obj, const char *key) {
        return json_node_member_len(obj, key, strlen(key));
}

const char *json_node_key(const struct json_node *n) {
        return n ? n->key : NULL;
}
