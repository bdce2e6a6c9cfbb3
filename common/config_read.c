/* config_read: the file, line by line, tokenised by inih alone.
 *
 * inih decides what every line means: sections, "key = value" and
 * "key: value", comments (';' or '#' first, ';' after whitespace inline),
 * the BOM. Our reader only hands inih one physical line per call, counts
 * lines, and keeps the ones inih must not see (over CONFIG_LINE_MAX, with a
 * NUL byte, past CONFIG_FILE_MAX) out as blank lines.
 *
 * inih cannot say everything a user needs, so two things stay ours, and
 * neither changes the meaning of a file that is accepted:
 * - A line inih rejects reaches no handler, and inih returns only the
 *   first such line. The reader therefore looks at each line that gave no
 *   pair when the next one is asked for (explain_line), to name the error
 *   of every bad line and of every unknown section, with or without keys.
 * - inih knows nothing of a rejected section header, so after one the keys
 *   that follow are skipped rather than reported one by one.
 * inih's compile-time options in the distro build do not fit the file
 * (200-byte lines, indented lines as continuations); the Debian library
 * exposes them as variables, which load() sets for the parse and restores. */
#include "config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <ini.h>

/* As inih finds a separator: the first of chars, stopping at an inline
 * comment (';' after whitespace). */
static char *find_chars_or_comment(char *s, const char *chars) {
        bool was_space = false;

        while (*s && !(chars && strchr(chars, *s)) && !(was_space && *s == ';')) {
                was_space = isspace((unsigned char)*s);
                s++;
        }
        return s;
}

/* "[name]: unknown section" at line; name is what the header holds. */
static void report_unknown_section(struct parser *p, unsigned line, const char *name) {
        struct buf b;

        config_diag_start(p, line, &b);
        buf_putc(&b, '[');
        config_put_escaped(&b, name, KEY_NAME_MAX);
        buf_puts(&b, "]: unknown section (allowed: aws, sqs, sns, notify, accounts, log, rule NAME)");
        config_diag_add(p, &b);
}

/* The current line (p->line) gave inih no pair: blank, a comment, a
 * section header, or an error inih passed over in silence. The line has
 * been parsed: it may be cut up here. */
static void explain_line(struct parser *p) {
        char *s = p->line, *end;

        if (p->lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
                s += 3;
        while (isspace((unsigned char)*s))
                s++;
        if (!*s || *s == ';' || *s == '#')
                return;
        if (*s != '[') {
                config_diag_printf(p, p->lineno, "syntax error: expected \"[section]\" or \"key = value\"");
                return;
        }
        p->header_line = p->lineno;
        p->section_bad = true;
        end = find_chars_or_comment(s + 1, "]");
        if (*end != ']') {
                config_diag_printf(p, p->lineno, "syntax error: \"[\" without \"]\"");
                return;
        }
        *end = '\0';
        if (config_rule_section_name(s + 1)) {
                p->section_bad = !config_rule_begin(p, config_rule_section_name(s + 1));
                return;
        }
        if (!config_section_find(s + 1)) {
                report_unknown_section(p, p->lineno, s + 1);
                return;
        }
        p->section_bad = false;
}

/* The line of an account already in [accounts], or 0. */
static unsigned account_line(const struct parser *p, const char *id) {
        for (size_t i = 0; i < p->cfg->n_accounts; i++)
                if (strcmp(p->cfg->accounts[i].id, id) == 0)
                        return p->account_lines[i];
        return 0;
}

static void report_unknown_key(struct parser *p, const char *section, const char *name) {
        const char *sep = "";
        struct buf b;

        config_diag_start(p, p->lineno, &b);
        buf_printf(&b, "[%s] ", section);
        config_put_escaped(&b, name, KEY_NAME_MAX);
        buf_puts(&b, ": unknown key (allowed: ");
        for (size_t i = 0; i < CONFIG_N_KEYS; i++)
                if (strcmp(config_keys[i].section, section) == 0) {
                        buf_printf(&b, "%s%s", sep, config_keys[i].key);
                        sep = ", ";
                }
        buf_putc(&b, ')');
        config_diag_add(p, &b);
}

/* inih's handler: one "key = value" of the current line. */
static int on_pair(void *user, const char *section, const char *name, const char *value) {
        struct parser *p = user;
        const struct key_def *k;
        unsigned first;
        size_t i;

        p->line_seen = true;
        if (p->fatal || p->section_bad)
                return 1;
        if (!*name) {
                /* inih took the first separator of the line; it is its first non-space character */
                const char *s = p->line + strspn(p->line, " \t\r\v\f");
                config_diag_printf(p, p->lineno, "syntax error: no key before \"%c\"", *s == ':' ? ':' : '=');
                return 1;
        }
        if (strlen(name) > KEY_NAME_MAX) {
                config_diag_printf(p, p->lineno, "key name too long (allowed: up to %d characters)", KEY_NAME_MAX);
                return 1;
        }
        if (!*section) {
                struct buf b;
                config_diag_start(p, p->lineno, &b);
                config_put_escaped(&b, name, KEY_NAME_MAX);
                buf_puts(&b, ": key outside any section (allowed: after [aws], [sqs], [sns], "
                             "[notify], [accounts], [log] or [rule NAME])");
                config_diag_add(p, &b);
                return 1;
        }
        if (config_rule_section_name(section)) {
                config_rule_pair(p, name, value);
                return 1;
        }
        /* explain_line() found the header good: only a disagreement with inih gets here */
        if (!config_section_find(section)) {
                report_unknown_section(p, p->header_line, section);
                p->section_bad = true;
                return 1;
        }
        k = config_find_key(section, name);
        if (!k) {
                report_unknown_key(p, section, name);
                return 1;
        }
        i = (size_t)(k - config_keys);
        if (k->secret && *value)
                p->holds_secret = true;
        first = k->key ? p->key_line[i] : account_line(p, name);
        if (first) {
                struct buf b;
                config_diag_start(p, p->lineno, &b);
                buf_printf(&b, "[%s] ", k->section);
                config_put_escaped(&b, name, KEY_NAME_MAX);
                buf_printf(&b, ": duplicate key (first set on line %u)", first);
                config_diag_add(p, &b);
                return 1;
        }
        if (k->key) {
                p->key_line[i] = p->lineno;
                /* "key =" leaves the default, as if the line were not there */
                if (!*value && !k->empty_is_value)
                        return 1;
        }
        if (config_apply(p, k, name, value, p->lineno, NULL) == 0)
                p->key_set[i] = true;
        else
                p->key_bad[i] = true;
        return 1;
}

/* One physical line into p->line. 1: a line; 0: end of file; <0: stop. */
static int read_line(struct parser *p, bool *ret_too_long, bool *ret_nul) {
        size_t n = 0;
        bool any = false, too_long = false, nul = false;
        int c;

        while ((c = getc(p->f)) != EOF) {
                any = true;
                if (++p->bytes > CONFIG_FILE_MAX) {
                        config_diag_printf(p, 0, "file too large (allowed: up to %d bytes)", CONFIG_FILE_MAX);
                        p->fatal = -EINVAL;
                        return p->fatal;
                }
                if (c == '\n')
                        break;
                if (c == '\0')
                        nul = true;
                if (n < CONFIG_LINE_MAX)
                        p->line[n++] = (char)c;
                else
                        too_long = true;
        }
        if (ferror(p->f)) {
                config_diag_printf(p, 0, "read error");
                p->fatal = -EIO;
                return p->fatal;
        }
        p->line[n] = '\0';
        *ret_too_long = too_long;
        *ret_nul = nul;
        return any;
}

static char *give(char *str, int num, const char *line) {
        snprintf(str, (size_t)num, "%s\n", line);
        return str;
}

/* inih's ini_reader: exactly one physical line per call, so inih's line
 * count and ours agree. */
static char *reader(char *str, int num, void *stream) {
        struct parser *p = stream;
        bool too_long, nul;

        if (p->lineno && !p->line_seen && !p->fatal)
                explain_line(p);
        p->line_seen = false;
        if (!p->fatal && num < CONFIG_LINE_MAX + 2) {
                config_diag_printf(p, 0, "inih's line buffer (%d bytes) is too small", num);
                p->fatal = -EINVAL;
        }
        if (p->fatal || read_line(p, &too_long, &nul) <= 0)
                return NULL;
        p->lineno++;
        if (too_long || nul) {
                if (too_long)
                        config_diag_printf(p, p->lineno, "line too long (allowed: up to %d bytes)", CONFIG_LINE_MAX);
                else
                        config_diag_printf(p, p->lineno, "line contains a NUL byte");
                p->line[0] = '\0';
                p->line_seen = true;
                return give(str, num, "");
        }
        return give(str, num, p->line);
}

void config_read(struct parser *p) {
        int max_line = ini_max_line;
        bool multiline = ini_allow_multiline, inline_comments = ini_allow_inline_comments,
             stop = ini_stop_on_first_error;
        int r;

        /* the line and '\n' and '\0', and a byte inih's fgets-style reading needs */
        ini_max_line = CONFIG_LINE_MAX + 3;
        /* an indented line stands alone, as it did before inih read the file */
        ini_allow_multiline = false;
        ini_allow_inline_comments = true;
        ini_stop_on_first_error = false;
        r = ini_parse_stream(reader, p, on_pair, p);
        ini_max_line = max_line;
        ini_allow_multiline = multiline;
        ini_allow_inline_comments = inline_comments;
        ini_stop_on_first_error = stop;
        if (r == -2)
                p->fatal = -ENOMEM;
        else if (r > 0 && p->n_errors == 0 && !p->fatal)
                /* a line inih refused that explain_line() found nothing wrong with */
                config_diag_printf(p, (unsigned)r, "syntax error");
}
