#include "rule_match.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


const char *const rule_field_names[RULE_FIELD_COUNT] = {
        [RULE_EVENT_NAME] = "event_name",       [RULE_ACTOR] = "actor",
        [RULE_ACTOR_TYPE] = "actor_type",       [RULE_ROLE] = "role",
        [RULE_ACCOUNT_ID] = "account_id",       [RULE_ACCOUNT_NAME] = "account_name",
        [RULE_REGION] = "region",               [RULE_TARGET] = "target",
        [RULE_TARGET_NAME] = "target_name",     [RULE_TAG] = "tag",
        [RULE_DOCUMENT_NAME] = "document_name", [RULE_OUTCOME] = "outcome",
        [RULE_SOURCE_IP] = "source_ip",         [RULE_VIA] = "via",
        [RULE_SEVERITY] = "severity",
};

/* One alternative: a glob, or for source_ip a network. */
struct alternative {
        char *glob;          /* NULL for a network */
        int family;          /* AF_INET, AF_INET6 */
        unsigned prefix;     /* bits */
        unsigned char addr[16];
};

struct condition {
        enum rule_field field;
        char *tag_key;       /* RULE_TAG */
        bool negate;
        struct alternative *alts;
        size_t n_alts;
};

struct rule_match {
        struct condition *conds;
        size_t n;
};

static void condition_clear(struct condition *c) {
        for (size_t i = 0; i < c->n_alts; i++)
                free(c->alts[i].glob);
        free(c->alts);
        free(c->tag_key);
}

void rule_match_free(struct rule_match *m) {
        if (!m)
                return;
        for (size_t i = 0; i < m->n; i++)
                condition_clear(&m->conds[i]);
        free(m->conds);
        free(m);
}

/* s[0..n) without the blanks around it. */
static void trim(const char **s, size_t *n) {
        while (*n && isspace((unsigned char)**s)) {
                (*s)++;
                (*n)--;
        }
        while (*n && isspace((unsigned char)(*s)[*n - 1]))
                (*n)--;
}

/* fnmatch(3) takes any string; these are the mistakes it would silently
 * treat as literals or never match: '[' without ']', a trailing '\'. */
static bool glob_valid(const char *g) {
        for (const char *s = g; *s; s++) {
                if (*s == '\\') {
                        if (!*++s)
                                return false;
                } else if (*s == '[') {
                        const char *e = s + 1;
                        if (*e == '!' || *e == '^')
                                e++;
                        if (*e == ']')
                                e++;
                        e = strchr(e, ']');
                        if (!e)
                                return false;
                        s = e;
                } else if ((unsigned char)*s < 0x20 || *s == 0x7f) {
                        return false;
                }
        }
        return true;
}

/* "ADDR/BITS" into a. */
static int cidr_parse(const char *s, struct alternative *a) {
        char addr[INET6_ADDRSTRLEN + 1];
        const char *slash = strchr(s, '/');
        char *end;
        unsigned long bits;
        size_t n = (size_t)(slash - s);

        if (n == 0 || n >= sizeof(addr) || !slash[1] || !isdigit((unsigned char)slash[1]))
                return -EINVAL;
        memcpy(addr, s, n);
        addr[n] = '\0';
        errno = 0;
        bits = strtoul(slash + 1, &end, 10);
        if (*end || errno)
                return -EINVAL;
        if (inet_pton(AF_INET, addr, a->addr) == 1)
                a->family = AF_INET;
        else if (inet_pton(AF_INET6, addr, a->addr) == 1)
                a->family = AF_INET6;
        else
                return -EINVAL;
        if (bits > (a->family == AF_INET ? 32u : 128u))
                return -EINVAL;
        a->prefix = (unsigned)bits;
        return 0;
}

static bool cidr_contains(const struct alternative *a, const char *value) {
        unsigned char v[16];
        unsigned full = a->prefix / 8, rest = a->prefix % 8;

        if (inet_pton(a->family, value, v) != 1)
                return false;
        if (memcmp(v, a->addr, full) != 0)
                return false;
        if (!rest)
                return true;
        unsigned char mask = (unsigned char)(0xffu << (8 - rest));
        return (v[full] & mask) == (a->addr[full] & mask);
}

static void why_quoted(char *why, const char *what, const char *s, size_t n) {
        snprintf(why, RULE_MATCH_WHY_MAX, "%s \"%.*s\"", what, (int)(n > 64 ? 64 : n), s);
}

/* The alternatives of pattern p[0..n) into c. */
static int parse_pattern(struct condition *c, const char *p, size_t n, char *why) {
        const char *end = p + n;

        for (;;) {
                const char *bar = memchr(p, '|', (size_t)(end - p));
                const char *s = p;
                size_t len = (size_t)((bar ? bar : end) - p);
                struct alternative *alts, a = { 0 };

                trim(&s, &len);
                if (!len) {
                        snprintf(why, RULE_MATCH_WHY_MAX, "%s: empty pattern", rule_field_names[c->field]);
                        return -EINVAL;
                }
                if (c->n_alts == RULE_ALTERNATIVES_MAX) {
                        snprintf(why, RULE_MATCH_WHY_MAX, "more than %d alternatives", RULE_ALTERNATIVES_MAX);
                        return -EINVAL;
                }
                char *text = strndup(s, len);
                if (!text)
                        return -ENOMEM;
                if (c->field == RULE_SOURCE_IP && strchr(text, '/')) {
                        int r = cidr_parse(text, &a);
                        free(text);
                        if (r < 0) {
                                why_quoted(why, "bad CIDR (allowed: ADDRESS/BITS, IPv4 or IPv6)", s, len);
                                return r;
                        }
                } else if (!glob_valid(text)) {
                        free(text);
                        why_quoted(why, "bad glob", s, len);
                        return -EINVAL;
                } else {
                        a.glob = text;
                }
                alts = realloc(c->alts, (c->n_alts + 1) * sizeof(*alts));
                if (!alts) {
                        free(a.glob);
                        return -ENOMEM;
                }
                c->alts = alts;
                c->alts[c->n_alts++] = a;
                if (!bar)
                        return 0;
                p = bar + 1;
        }
}

/* One "field=pattern" or "field!=pattern", s[0..n) trimmed, into c. */
static int parse_condition(struct condition *c, const char *s, size_t n, char *why) {
        const char *eq = memchr(s, '=', n), *name = s;
        size_t name_len;

        if (!eq) {
                why_quoted(why, "expected field=pattern or field!=pattern, got", s, n);
                return -EINVAL;
        }
        name_len = (size_t)(eq - s);
        if (name_len && s[name_len - 1] == '!') {
                c->negate = true;
                name_len--;
        }
        trim(&name, &name_len);
        if (name_len > 4 && strncmp(name, "tag:", 4) == 0) {
                c->field = RULE_TAG;
                if (!(c->tag_key = strndup(name + 4, name_len - 4)))
                        return -ENOMEM;
        } else {
                size_t f;
                for (f = 0; f < RULE_FIELD_COUNT; f++)
                        if (f != RULE_TAG && strlen(rule_field_names[f]) == name_len &&
                            strncmp(rule_field_names[f], name, name_len) == 0)
                                break;
                if (f == RULE_FIELD_COUNT) {
                        why_quoted(why,
                                   "unknown field (allowed: event_name, actor, actor_type, role, account_id, "
                                   "account_name, region, target, target_name, tag:KEY, document_name, outcome, "
                                   "source_ip, via, severity)",
                                   name, name_len);
                        return -EINVAL;
                }
                c->field = (enum rule_field)f;
        }
        return parse_pattern(c, eq + 1, n - (size_t)(eq + 1 - s), why);
}

int rule_match_parse(const char *text, struct rule_match **ret, char why[static RULE_MATCH_WHY_MAX]) {
        struct rule_match *m = calloc(1, sizeof(*m));
        const char *p = text;
        int r = 0;

        if (!m)
                return -ENOMEM;
        while (r == 0) {
                const char *comma = strchr(p, ',');
                const char *s = p;
                size_t n = comma ? (size_t)(comma - p) : strlen(p);
                struct condition *conds;

                trim(&s, &n);
                if (!n) {
                        snprintf(why, RULE_MATCH_WHY_MAX, "empty condition (allowed: field=pattern, …)");
                        r = -EINVAL;
                        break;
                }
                if (m->n == RULE_CONDITIONS_MAX) {
                        snprintf(why, RULE_MATCH_WHY_MAX, "more than %d conditions", RULE_CONDITIONS_MAX);
                        r = -EINVAL;
                        break;
                }
                conds = realloc(m->conds, (m->n + 1) * sizeof(*conds));
                if (!conds) {
                        r = -ENOMEM;
                        break;
                }
                m->conds = conds;
                m->conds[m->n] = (struct condition){ 0 };
                r = parse_condition(&m->conds[m->n], s, n, why);
                m->n++;
                if (!comma)
                        break;
                p = comma + 1;
        }
        if (r < 0) {
                rule_match_free(m);
                return r;
        }
        *ret = m;
        return 0;
}

static bool alternative_matches(const struct alternative *a, const char *value) {
        if (a->glob && strcmp(a->glob, "*") == 0)
                return true;
        if (!value)
                return false;
        if (!a->glob)
                return cidr_contains(a, value);
        return fnmatch(a->glob, value, 0) == 0;
}

static bool condition_holds(const struct condition *c, const struct rule_subject *s) {
        const char *value;
        bool any = false;

        if (c->field == RULE_TAG)
                value = s->tag ? s->tag(s->tag_ctx, c->tag_key) : NULL;
        else
                value = s->values[c->field];
        for (size_t i = 0; i < c->n_alts && !any; i++)
                any = alternative_matches(&c->alts[i], value);
        return any != c->negate;
}

bool rule_match_eval(const struct rule_match *m, const struct rule_subject *s) {
        for (size_t i = 0; i < m->n; i++)
                if (!condition_holds(&m->conds[i], s))
                        return false;
        return true;
}

bool rule_match_is_catch_all(const struct rule_match *m) {
        for (size_t i = 0; i < m->n; i++) {
                const struct condition *c = &m->conds[i];
                bool star = false;
                for (size_t j = 0; j < c->n_alts; j++)
                        star = star || (c->alts[j].glob && strcmp(c->alts[j].glob, "*") == 0);
                if (!star || c->negate)
                        return false;
        }
        return true;
}
