/* config_diag: the reader's messages, one line each, "path:line: …", with
 * quoted values escaped and cut so that a line stays one readable line. */
#include "config_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Moves the text of line to the end of the list *lines of *n. */
static int push_line(char ***lines, size_t *n, struct buf *line) {
        char *s = buf_steal(line);
        char **grown = s ? realloc(*lines, (*n + 1) * sizeof(**lines)) : NULL;

        if (!grown) {
                free(s);
                return -ENOMEM;
        }
        grown[(*n)++] = s;
        *lines = grown;
        return 0;
}

int config_diag_push(struct config_diag *d, struct buf *line) {
        return push_line(&d->lines, &d->n, line);
}

int config_diag_push_warning(struct config_diag *d, struct buf *line) {
        return push_line(&d->warnings, &d->n_warnings, line);
}

void config_diag_add(struct parser *p, struct buf *line) {
        if (p->fatal) {
                buf_free(line);
                return;
        }
        if (p->n_errors == DIAG_MAX) {
                buf_free(line);
                buf_printf(line, "%s: too many errors, stopped after %d", p->path, DIAG_MAX);
                p->fatal = -EINVAL;
        }
        if (config_diag_push(p->diag, line) < 0) {
                p->fatal = -ENOMEM;
                return;
        }
        p->n_errors++;
}

void config_diag_start(const struct parser *p, unsigned line, struct buf *b) {
        buf_init(b, DIAG_LINE_MAX);
        if (line)
                buf_printf(b, "%s:%u: ", p->path, line);
        else
                buf_printf(b, "%s: ", p->path);
}

void config_diag_printf(struct parser *p, unsigned line, const char *fmt, ...) {
        struct buf b;
        va_list ap;

        config_diag_start(p, line, &b);
        va_start(ap, fmt);
        buf_vprintf(&b, fmt, ap);
        va_end(ap);
        config_diag_add(p, &b);
}

void config_put_escaped(struct buf *b, const char *s, size_t max) {
        size_t n = strlen(s), shown = n > max ? max : n;
        bool utf8 = config_utf8_len(s, false) >= 0;

        /* do not cut inside a UTF-8 sequence */
        while (shown < n && shown > 0 && ((unsigned char)s[shown] & 0xc0) == 0x80)
                shown--;
        for (size_t i = 0; i < shown; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c < 0x20 || c == 0x7f || (c > 0x7f && !utf8))
                        buf_printf(b, "\\x%02x", c);
                else if (c == '"' || c == '\\')
                        buf_printf(b, "\\%c", c);
                else
                        buf_putc(b, (char)c);
        }
        if (shown < n)
                buf_puts(b, "...");
}

void config_put_quoted(struct buf *b, const char *s) {
        buf_putc(b, '"');
        config_put_escaped(b, s, VALUE_SHOWN_MAX);
        buf_putc(b, '"');
}

void config_report_key(struct parser *p, unsigned line, const struct key_def *k, const char *key,
                       const char *origin, const char *why, const char *allowed) {
        struct buf b;

        config_diag_start(p, line, &b);
        buf_printf(&b, "[%s] ", k->section);
        config_put_escaped(&b, key, KEY_NAME_MAX);
        if (origin)
                buf_printf(&b, " (%s)", origin);
        buf_printf(&b, ": %s (allowed: ", why);
        if (allowed)
                buf_puts(&b, allowed);
        else
                config_put_allowed(&b, k);
        buf_putc(&b, ')');
        config_diag_add(p, &b);
}

void config_diag_clear(struct config_diag *d) {
        if (!d)
                return;
        config_strv_free(d->lines, d->n);
        config_strv_free(d->warnings, d->n_warnings);
        *d = (struct config_diag){};
}
