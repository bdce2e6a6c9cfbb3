#include "log_entry.h"

#include <errno.h>
#include <string.h>

/* journald's default LineMax= (48 KiB): a whole stderr line stays well below. */
_Static_assert(LOG_LINE_MAX <= 24 * 1024, "a stderr line must stay well below journald's LineMax=");

/* The most one field can take: "KEY=", the value, the mark. */
#define LOG_PART_MAX (LOG_KEY_MAX + 1 + LOG_MESSAGE_MAX + sizeof(LOG_TRUNCATED_MARK))

/* Bytes of the character that starts at s: a lead byte and as many of the
 * continuation bytes after it as it announces, so a cut never splits a
 * character and "\xc2\x85" is read as U+0085 whatever follows. */
static size_t char_len(const unsigned char *s) {
        size_t want = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1, n = 1;
        while (n < want && (s[n] & 0xc0) == 0x80)
                n++;
        return n;
}

/* The escaped form of the character at s (of n bytes) into esc; its length. */
static size_t escape_char(const unsigned char *s, size_t n, char esc[8]) {
        static const char hex[] = "0123456789abcdef";

        if (n == 1 && (s[0] < 0x20 || s[0] == 0x7f)) {
                memcpy(esc, "\\x", 2);
                esc[2] = hex[s[0] >> 4];
                esc[3] = hex[s[0] & 0xf];
                return 4;
        }
        if (n == 1 && s[0] == '\\') {
                memcpy(esc, "\\\\", 2);
                return 2;
        }
        /* C1 controls (U+0080..U+009F; NEL, CSI) and the Unicode line and
         * paragraph separators: some viewers break lines or obey them too */
        if ((n == 2 && s[0] == 0xc2 && s[1] <= 0x9f) ||
            (n == 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9))) {
                unsigned cp = n == 2 ? s[1] : 0x2000u | (s[2] - 0x80u);
                memcpy(esc, "\\u", 2);
                for (int i = 0; i < 4; i++)
                        esc[2 + i] = hex[(cp >> (12 - 4 * i)) & 0xf];
                return 6;
        }
        memcpy(esc, s, n);
        return n;
}

/* Whether the character at s (of n bytes) is written as it is. */
static bool as_is(const unsigned char *s, size_t n) {
        if (n == 1)
                return s[0] >= 0x20 && s[0] != 0x7f && s[0] != '\\';
        return !(n == 2 && s[0] == 0xc2 && s[1] <= 0x9f) &&
               !(n == 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9));
}

/* as_is() for ASCII: printable but for '\\'. */
static const bool ASCII_AS_IS[0x80] = { [' ' ... '['] = true, [']' ... '~'] = true };

/* The bytes from s on, at most room, written as they are: whole characters. */
static size_t as_is_run(const unsigned char *s, size_t room) {
        size_t i = 0;

        while (s[i]) {
                /* ASCII, most of a line, by table */
                if (s[i] < 0x80) {
                        if (i >= room || !ASCII_AS_IS[s[i]])
                                break;
                        i++;
                        continue;
                }
                size_t n = char_len(s + i);
                if (i + n > room || !as_is(s + i, n))
                        break;
                i += n;
        }
        return i;
}

int log_escape(struct buf *out, const char *s, size_t cap) {
        const unsigned char *p = (const unsigned char *)s;
        size_t used = 0;
        int r = 0;

        while (*p && r == 0) {
                char esc[8];
                /* a line per message: most of it is appended a run at a time */
                size_t run = as_is_run(p, cap - used);
                if (run) {
                        r = buf_append(out, p, run);
                        used += run;
                        p += run;
                        continue;
                }
                size_t n = char_len(p), k = escape_char(p, n, esc);
                if (used + k > cap)
                        return buf_puts(out, LOG_TRUNCATED_MARK);
                r = buf_append(out, esc, k);
                used += k;
                p += n;
        }
        return r;
}

bool log_key_valid(const char *key) {
        size_t n = 0;

        if (!key || !((key[0] >= 'A' && key[0] <= 'Z')))
                return false;
        for (; key[n]; n++)
                if (!((key[n] >= 'A' && key[n] <= 'Z') || (key[n] >= '0' && key[n] <= '9') || key[n] == '_'))
                        return false;
        return n <= LOG_KEY_MAX;
}

/* Whether field i counts: a value, a valid key, within the first LOG_FIELDS_MAX. */
static bool field_used(const struct log_field *fields, size_t i) {
        return i < LOG_FIELDS_MAX && fields[i].value && log_key_valid(fields[i].key);
}

static int add_part(struct log_entry *e, const char *key, const char *value, size_t cap, bool escape) {
        struct buf *b = &e->parts[e->n];
        int r;

        buf_init(b, LOG_PART_MAX);
        r = buf_printf(b, "%s=", key);
        if (r == 0)
                r = escape ? log_escape(b, value, cap) : buf_puts(b, value);
        if (r < 0) {
                buf_free(b);
                return r;
        }
        e->n++;
        return 0;
}

void log_entry_free(struct log_entry *e) {
        if (!e)
                return;
        for (size_t i = 0; i < e->n; i++)
                buf_free(&e->parts[i]);
        e->n = 0;
}

int log_entry_build(struct log_entry *ret, int level, const char *message_id, const struct log_field *fields,
                    size_t n_fields, const char *message) {
        struct log_entry e = { .n = 0 };
        char priority[2] = { (char)('0' + (level & 7)), '\0' };
        int r;

        r = add_part(&e, "PRIORITY", priority, 0, false);
        if (r == 0)
                r = add_part(&e, "MESSAGE", message, LOG_MESSAGE_MAX, true);
        if (r == 0 && message_id)
                r = add_part(&e, "MESSAGE_ID", message_id, LOG_VALUE_MAX, true);
        for (size_t i = 0; r == 0 && i < n_fields; i++)
                if (field_used(fields, i))
                        r = add_part(&e, fields[i].key, fields[i].value, LOG_VALUE_MAX, true);
        if (r < 0)
                goto out;
        for (size_t i = 0; i < e.n; i++)
                e.iov[i] = (struct iovec){ .iov_base = e.parts[i].data, .iov_len = e.parts[i].len };
        *ret = e;
        e.n = 0;
out:
        log_entry_free(&e);
        return r;
}

int log_line_build(struct buf *out, enum log_line_style style, int level, const char *message_id,
                   const struct log_field *fields, size_t n_fields, const char *message) {
        int r = 0;

        if (style != LOG_LINE_TERMINAL) {
                const char prefix[] = { '<', (char)('0' + (level & 7)), '>' };
                r = buf_append(out, prefix, sizeof(prefix));
        }
        if (r == 0)
                r = log_escape(out, message, LOG_MESSAGE_MAX);
        if (r == 0 && style == LOG_LINE_FALLBACK && message_id) {
                r = buf_puts(out, " MESSAGE_ID=");
                if (r == 0)
                        r = log_escape(out, message_id, LOG_VALUE_MAX);
        }
        for (size_t i = 0; r == 0 && style != LOG_LINE_TERMINAL && i < n_fields; i++)
                if (field_used(fields, i)) {
                        r = buf_putc(out, ' ');
                        if (r == 0)
                                r = buf_puts(out, fields[i].key);
                        if (r == 0)
                                r = buf_putc(out, '=');
                        if (r == 0)
                                r = log_escape(out, fields[i].value, LOG_VALUE_MAX);
                }
        if (r == 0)
                r = buf_putc(out, '\n');
        return r;
}
