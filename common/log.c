#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "buf.h"
#include "log_entry.h"

/* sd-journal's native socket (journald.socket) */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

enum log_target {
        LOG_TARGET_STREAM,   /* stderr is a file, a pipe or a journal stream we were not told of */
        LOG_TARGET_TERMINAL, /* a person reads stderr */
        LOG_TARGET_JOURNAL,  /* JOURNAL_STREAM names stderr: native entries */
};

static int max_level = LOG_INFO;
static enum log_target target = LOG_TARGET_STREAM;

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
        if (stderr_is_journal())
                target = LOG_TARGET_JOURNAL;
        else if (isatty(STDERR_FILENO))
                target = LOG_TARGET_TERMINAL;
        else
                target = LOG_TARGET_STREAM;
}

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

static void log_to_stderr(enum log_line_style style, int level, const char *message_id,
                          const struct log_field *fields, size_t n_fields, const char *message) {
        /* Kept for the process's life, at the size of the longest line so
         * far: a line per message then costs no allocation. Logging happens
         * on the main thread only, never in a signal handler. */
        static struct buf line;

        if (line.max == 0)
                buf_init(&line, LOG_LINE_MAX);
        buf_truncate(&line, 0);
        if (log_line_build(&line, style, level, message_id, fields, n_fields, message) == 0)
                fputs(buf_str(&line), stderr);
}

/* The native entry failed (journald's socket gone or unwritable, out of
 * memory): the same entry as one escaped line on the journal stream, with
 * its MESSAGE_ID and fields in the text, so it can still be found. */
static void log_to_journal(int level, const char *message_id, const struct log_field *fields,
                           size_t n_fields, const char *message) {
        struct log_entry e;

        /* sd_journal_sendv() reports success when journald's socket does not
         * exist (it fails silently "if the journal is not available"): the
         * entry would be lost without a trace */
        if (access(JOURNAL_SOCKET, F_OK) == 0 &&
            log_entry_build(&e, level, message_id, fields, n_fields, message) == 0) {
                int r = sd_journal_sendv(e.iov, (int)e.n);
                log_entry_free(&e);
                if (r >= 0)
                        return;
        }
        log_to_stderr(LOG_LINE_FALLBACK, level, message_id, fields, n_fields, message);
}

void log_fields(int level, const char *message_id, const struct log_field *fields, size_t n_fields,
                const char *fmt, ...) {
        /* One byte more than log_entry shows: a longer text gets its mark. */
        char msg[LOG_MESSAGE_MAX + 2];
        va_list ap;

        if (level > max_level)
                return;
        va_start(ap, fmt);
        if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
                snprintf(msg, sizeof(msg), "(log message could not be formatted)");
        va_end(ap);
        switch (target) {
        case LOG_TARGET_JOURNAL:
                log_to_journal(level, message_id, fields, n_fields, msg);
                break;
        case LOG_TARGET_TERMINAL:
                log_to_stderr(LOG_LINE_TERMINAL, level, message_id, fields, n_fields, msg);
                break;
        case LOG_TARGET_STREAM:
                log_to_stderr(LOG_LINE_STREAM, level, message_id, fields, n_fields, msg);
                break;
        }
}
