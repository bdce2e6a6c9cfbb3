#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "buf.h"

/* One entry never needs more than this; longer text is cut, not lost silently:
 * the cut is marked. */
#define LOG_ENTRY_MAX (16 * 1024)
#define LOG_FIELDS_MAX 16

static int max_level = LOG_INFO;
static bool use_journal;

/* JOURNAL_STREAM is "DEV:INODE" of the stream systemd connected to stderr;
 * it only counts if stderr is still that stream (sd_journal_stream_fd(3)). */
static bool stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_open(void) {
        use_journal = stderr_is_journal();
}

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

static void log_to_journal(int level, const char *message_id, const struct log_field *fields,
                           size_t n_fields, const char *message) {
        struct buf parts[LOG_FIELDS_MAX + 3];
        struct iovec iov[LOG_FIELDS_MAX + 3];
        size_t n = 0;

        for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
                buf_init(&parts[i], LOG_ENTRY_MAX);
        buf_printf(&parts[n++], "PRIORITY=%d", level);
        buf_printf(&parts[n++], "MESSAGE=%s", message);
        if (message_id)
                buf_printf(&parts[n++], "MESSAGE_ID=%s", message_id);
        for (size_t i = 0; i < n_fields && i < LOG_FIELDS_MAX; i++)
                if (fields[i].value)
                        buf_printf(&parts[n++], "%s=%s", fields[i].key, fields[i].value);
        for (size_t i = 0; i < n; i++)
                iov[i] = (struct iovec){ .iov_base = parts[i].data, .iov_len = parts[i].len };
        if (sd_journal_sendv(iov, (int)n) < 0)
                fprintf(stderr, "<%d>%s\n", level, message);
        for (size_t i = 0; i < n; i++)
                buf_free(&parts[i]);
}

/* Values may come from untrusted input: a control character must not be able
 * to start a forged line on stderr. */
static void put_escaped(struct buf *line, const char *s) {
        while (*s) {
                size_t run = 0;
                while (s[run] && (unsigned char)s[run] >= 0x20 && s[run] != 0x7f)
                        run++;
                buf_append(line, s, run);
                s += run;
                if (*s)
                        buf_printf(line, "\\x%02x", (unsigned char)*s++);
        }
}

static void log_to_stderr(int level, const struct log_field *fields, size_t n_fields,
                          const char *message) {
        struct buf line;
        buf_init(&line, LOG_ENTRY_MAX);
        buf_printf(&line, "<%d>", level);
        put_escaped(&line, message);
        for (size_t i = 0; i < n_fields; i++)
                if (fields[i].value) {
                        buf_printf(&line, " %s=", fields[i].key);
                        put_escaped(&line, fields[i].value);
                }
        if (buf_putc(&line, '\n') < 0) {
                buf_truncate(&line, LOG_ENTRY_MAX - 1);
                buf_putc(&line, '\n');
        }
        fputs(buf_str(&line), stderr);
        buf_free(&line);
}

void log_fields(int level, const char *message_id, const struct log_field *fields, size_t n_fields,
                const char *fmt, ...) {
        struct buf msg;
        va_list ap;

        if (level > max_level)
                return;
        buf_init(&msg, LOG_ENTRY_MAX);
        va_start(ap, fmt);
        if (buf_vprintf(&msg, fmt, ap) < 0)
                buf_puts(&msg, "(log message too long or invalid; dropped)");
        va_end(ap);
        if (use_journal)
                log_to_journal(level, message_id, fields, n_fields, buf_str(&msg));
        else
                log_to_stderr(level, fields, n_fields, buf_str(&msg));
        buf_free(&msg);
}
