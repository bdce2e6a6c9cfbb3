#include "xmltext.h"
#include "macro.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum markup_kind {
        MARKUP_START, /* <name …> */
        MARKUP_EMPTY, /* <name …/> */
        MARKUP_END,   /* </name> */
        MARKUP_CDATA, /* <![CDATA[…]]> */
        MARKUP_OTHER, /* comment, processing instruction, <!DOCTYPE …> */
};

struct markup {
        enum markup_kind kind;
        const char *name; /* qualified name of a tag, not NUL-terminated */
        size_t name_len;
        const char *text; /* content of a CDATA section */
        size_t text_len;
        const char *next; /* first byte after the markup */
};

struct element {
        const char *start;       /* '<' of the start tag */
        const char *content;     /* first byte after the start tag */
        const char *content_end; /* '<' of the end tag */
        const char *end;         /* first byte after the end tag */
};

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* XML names allow much of Unicode; rather than restate that production, a
 * name runs up to the first byte that cannot belong to one. */
static bool ends_name(char c) {
        return is_space(c) || c == '/' || c == '>' || c == '<' || c == '=' || c == '"' ||
               c == '\'' || c == '\0';
}

static bool starts_with(const char *p, const char *end, const char *s) {
        size_t n = strlen(s);
        return (size_t)(end - p) >= n && memcmp(p, s, n) == 0;
}

/* The byte after the first occurrence of term in [p, end), or NULL. */
static const char *skip_past(const char *p, const char *end, const char *term) {
        size_t n = strlen(term);
        const char *t = memmem(p, (size_t)(end - p), term, n);
        return t ? t + n : NULL;
}

/* <!DOCTYPE …>: quoted literals and an internal subset in [ ] may hold '>'. */
static const char *skip_declaration(const char *p, const char *end) {
        char quote = 0;
        size_t brackets = 0;
        for (; p < end; p++) {
                if (quote) {
                        if (*p == quote)
                                quote = 0;
                } else if (*p == '"' || *p == '\'') {
                        quote = *p;
                } else if (*p == '[') {
                        brackets++;
                } else if (*p == ']' && brackets) {
                        brackets--;
                } else if (*p == '>' && !brackets) {
                        return p + 1;
                }
        }
        return NULL;
}

/* p is at the '<' of a start, end or empty-element tag. */
static int parse_tag(const char *p, const char *end, struct markup *m) {
        bool closing = end - p > 1 && p[1] == '/';
        const char *q = p + 1 + closing;
        const char *name = q;
        while (q < end && !ends_name(*q))
                q++;
        if (q == name)
                return -EBADMSG;
        m->name = name;
        m->name_len = (size_t)(q - name);
        if (closing) {
                while (q < end && is_space(*q))
                        q++;
                if (q == end || *q != '>')
                        return -EBADMSG;
                m->kind = MARKUP_END;
                m->next = q + 1;
                return 0;
        }
        /* Attributes are skipped, not parsed: only a '>' outside quotes ends
         * the tag. This also gets through the unquoted attribute values that
         * some AWS documentation examples show. */
        char quote = 0;
        for (; q < end; q++) {
                if (quote) {
                        if (*q == quote)
                                quote = 0;
                } else if (*q == '"' || *q == '\'') {
                        quote = *q;
                } else if (*q == '<') {
                        return -EBADMSG;
                } else if (*q == '>') {
                        break;
                }
        }
        if (q == end)
                return -EBADMSG;
        m->kind = q[-1] == '/' ? MARKUP_EMPTY : MARKUP_START;
        m->next = q + 1;
        return 0;
}

/* p is at a '<'. */
static int parse_markup(const char *p, const char *end, struct markup *m) {
        const char *next;
        *m = (struct markup){ .kind = MARKUP_OTHER };
        if (starts_with(p, end, "<!--")) {
                next = skip_past(p + 4, end, "-->");
        } else if (starts_with(p, end, "<![CDATA[")) {
                m->kind = MARKUP_CDATA;
                m->text = p + 9;
                next = skip_past(m->text, end, "]]>");
                if (next)
                        m->text_len = (size_t)(next - 3 - m->text);
        } else if (starts_with(p, end, "<?")) {
                next = skip_past(p + 2, end, "?>");
        } else if (starts_with(p, end, "<!")) {
                next = skip_declaration(p + 2, end);
        } else {
                return parse_tag(p, end, m);
        }
        if (!next)
                return -EBADMSG;
        m->next = next;
        return 0;
}

static bool local_name_is(const struct markup *m, const char *name, size_t name_len) {
        const char *local = m->name;
        size_t n = m->name_len;
        const char *colon = memrchr(local, ':', n);
        if (colon) {
                n -= (size_t)(colon + 1 - local);
                local = colon + 1;
        }
        return n == name_len && memcmp(local, name, n) == 0;
}

/* The first element named name in [p, end), at any depth, with its extent. */
static int find_element(const char *p, const char *end, const char *name, struct element *ret) {
        size_t name_len = strlen(name);
        struct markup open, m;
        const char *lt;
        int r;

        for (;;) {
                lt = memchr(p, '<', (size_t)(end - p));
                if (!lt)
                        return -ENOENT;
                r = parse_markup(lt, end, &open);
                if (r < 0)
                        return r;
                p = open.next;
                if ((open.kind == MARKUP_START || open.kind == MARKUP_EMPTY) &&
                    local_name_is(&open, name, name_len))
                        break;
        }
        struct element el = { .start = lt, .content = open.next };
        if (open.kind == MARKUP_EMPTY) {
                el.content_end = el.end = open.next;
                *ret = el;
                return 0;
        }
        /* Only depth is counted on the way to the end tag: nested elements
         * need no stack, and the end tag that brings the depth back to zero
         * must then match the start tag. */
        for (size_t depth = 0;;) {
                lt = memchr(p, '<', (size_t)(end - p));
                if (!lt)
                        return -EBADMSG;
                r = parse_markup(lt, end, &m);
                if (r < 0)
                        return r;
                p = m.next;
                if (m.kind == MARKUP_START) {
                        depth++;
                } else if (m.kind == MARKUP_END) {
                        if (depth > 0) {
                                depth--;
                                continue;
                        }
                        if (m.name_len != open.name_len || memcmp(m.name, open.name, m.name_len) != 0)
                                return -EBADMSG;
                        el.content_end = lt;
                        el.end = m.next;
                        *ret = el;
                        return 0;
                }
        }
}

/* Decoded text goes through a sink twice: first to measure it and find where
 * the trimmed text starts and ends, then to copy exactly that range. */
struct text_sink {
        char *out; /* NULL while measuring */
        size_t n;  /* bytes decoded so far */
        size_t lo; /* first non-space byte */
        size_t hi; /* one past the last non-space byte */
        bool seen; /* measuring: a non-space byte was seen */
};

static void sink_put(struct text_sink *s, char c) {
        if (s->out) {
                if (s->n >= s->lo && s->n < s->hi)
                        s->out[s->n - s->lo] = c;
        } else if (!is_space(c)) {
                if (!s->seen)
                        s->lo = s->n;
                s->seen = true;
                s->hi = s->n + 1;
        }
        s->n++;
}

/* Character data, with CR LF and a lone CR read as LF (XML 1.0, 2.11). */
static int put_raw(struct text_sink *s, const char *p, const char *end) {
        for (; p < end; p++) {
                if (*p == '\0')
                        return -EBADMSG;
                if (*p == '\r') {
                        if (end - p > 1 && p[1] == '\n')
                                continue;
                        sink_put(s, '\n');
                        continue;
                }
                sink_put(s, *p);
        }
        return 0;
}

/* XML 1.0 production [2] Char: a reference to anything else is an error. */
static bool is_xml_char(uint32_t c) {
        return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
               (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

static void put_utf8(struct text_sink *s, uint32_t c) {
        if (c < 0x80) {
                sink_put(s, (char)c);
        } else if (c < 0x800) {
                sink_put(s, (char)(0xC0 | c >> 6));
                sink_put(s, (char)(0x80 | (c & 0x3F)));
        } else if (c < 0x10000) {
                sink_put(s, (char)(0xE0 | c >> 12));
                sink_put(s, (char)(0x80 | (c >> 6 & 0x3F)));
                sink_put(s, (char)(0x80 | (c & 0x3F)));
        } else {
                sink_put(s, (char)(0xF0 | c >> 18));
                sink_put(s, (char)(0x80 | (c >> 12 & 0x3F)));
                sink_put(s, (char)(0x80 | (c >> 6 & 0x3F)));
                sink_put(s, (char)(0x80 | (c & 0x3F)));
        }
}

static int digit_value(char c, unsigned base) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (base == 16 && c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (base == 16 && c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* XML 1.0, 4.6: the only entities a document without a DTD may use. */
static const struct {
        const char *name;
        char c;
} predefined_entities[] = {
        { "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' }, { "quot;", '"' }, { "apos;", '\'' },
};

/* *pp is at a '&'; on success it is moved past the reference's ';'. */
static int put_reference(struct text_sink *s, const char **pp, const char *end) {
        const char *p = *pp + 1;

        if (p < end && *p == '#') {
                unsigned base = 10;
                uint32_t c = 0;
                p++;
                if (p < end && *p == 'x') {
                        base = 16;
                        p++;
                }
                const char *digits = p;
                for (; p < end && *p != ';'; p++) {
                        int d = digit_value(*p, base);
                        /* Checked at each digit, so c * base never wraps. */
                        if (d < 0 || (c = c * base + (uint32_t)d) > 0x10FFFF)
                                return -EBADMSG;
                }
                if (p == end || p == digits || !is_xml_char(c))
                        return -EBADMSG;
                put_utf8(s, c);
                *pp = p + 1;
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(predefined_entities); i++) {
                if (starts_with(p, end, predefined_entities[i].name)) {
                        sink_put(s, predefined_entities[i].c);
                        *pp = p + strlen(predefined_entities[i].name);
                        return 0;
                }
        }
        return -EBADMSG;
}

static int put_content(struct text_sink *s, const char *p, const char *end) {
        struct markup m;
        int r;

        while (p < end) {
                const char *stop = p;
                while (stop < end && *stop != '<' && *stop != '&')
                        stop++;
                r = put_raw(s, p, stop);
                if (r < 0)
                        return r;
                p = stop;
                if (p == end)
                        break;
                if (*p == '&') {
                        r = put_reference(s, &p, end);
                        if (r < 0)
                                return r;
                        continue;
                }
                r = parse_markup(p, end, &m);
                if (r < 0)
                        return r;
                if (m.kind == MARKUP_CDATA) {
                        r = put_raw(s, m.text, m.text + m.text_len);
                        if (r < 0)
                                return r;
                } else if (m.kind != MARKUP_OTHER) {
                        return -EBADMSG; /* a child element: not a text element */
                }
                p = m.next;
        }
        return 0;
}

static int element_text(const struct element *el, char *ret, size_t ret_size) {
        struct text_sink s = { 0 };
        int r = put_content(&s, el->content, el->content_end);
        if (r < 0)
                return r;
        size_t n = s.hi - s.lo;
        if (n >= ret_size)
                return -E2BIG;
        s = (struct text_sink){ .out = ret, .lo = s.lo, .hi = s.hi };
        /* Cannot fail: the same bytes passed the measuring run. */
        (void)put_content(&s, el->content, el->content_end);
        ret[n] = '\0';
        return 0;
}

static int check_name(const char *name) {
        /* A local name: a prefix would never match, so it is a caller error. */
        return name && *name && !strchr(name, ':') ? 0 : -EINVAL;
}

int xml_find_element(const char *xml, size_t len, const char *name,
                     const char **ret_element, size_t *ret_element_len) {
        struct element el;
        int r;

        if ((!xml && len) || check_name(name) < 0 || !ret_element || !ret_element_len)
                return -EINVAL;
        if (len == 0)
                return -ENOENT;
        r = find_element(xml, xml + len, name, &el);
        if (r < 0)
                return r;
        *ret_element = el.start;
        *ret_element_len = (size_t)(el.end - el.start);
        return 0;
}

int xml_find_text(const char *xml, size_t len, const char *name, char *ret, size_t ret_size) {
        struct element el;
        int r;

        if ((!xml && len) || check_name(name) < 0 || !ret || ret_size == 0)
                return -EINVAL;
        if (len == 0)
                return -ENOENT;
        r = find_element(xml, xml + len, name, &el);
        if (r < 0)
                return r;
        return element_text(&el, ret, ret_size);
}

int xml_find_text_in(const char *xml, size_t len, const char *within, const char *name,
                     char *ret, size_t ret_size) {
        struct element outer, el;
        int r;

        if ((!xml && len) || check_name(within) < 0 || check_name(name) < 0 || !ret || ret_size == 0)
                return -EINVAL;
        if (len == 0)
                return -ENOENT;
        r = find_element(xml, xml + len, within, &outer);
        if (r < 0)
                return r;
        if (outer.content == outer.content_end)
                return -ENOENT;
        r = find_element(outer.content, outer.content_end, name, &el);
        if (r < 0)
                return r;
        return element_text(&el, ret, ret_size);
}
