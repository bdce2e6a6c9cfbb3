/* log_entry: the bytes of one log entry, built from untrusted values.
 *
 * Pure; common/log.c does the I/O. Messages and field values often quote what
 * a queue writer chose (eventSource, user names), so every value is escaped
 * the same way on every channel: no control character (C0, DEL, C1) that
 * could start a forged line or move a terminal's cursor, and '\\' doubled so
 * an escape in the input cannot pass for one of ours. Each value is cut at a
 * cap, on a character boundary, and ends with LOG_TRUNCATED_MARK: a long
 * value shortens the entry instead of losing it. A field whose key is not a
 * valid journal field name is left out. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "buf.h"
#include "log.h"

#define LOG_TRUNCATED_MARK "\xe2\x80\xa6[truncated]" /* "…[truncated]" */

/* Escaped bytes of MESSAGE and of each field value, before the mark. Under
 * journald's own limits (DATA_SIZE_MAX 768 MiB per field, 1024 fields per
 * entry: journal-importer.h) by far; what binds is the stream: journald cuts
 * a stderr line longer than LineMax= (default 48 KiB, journald.conf(5)) and
 * makes the rest an entry of its own that starts with whatever text fell
 * there, so a whole stderr line must stay well below that: 4 KiB of message
 * plus 16 fields of at most 64 + 1 KiB stay under 22 KiB. */
#define LOG_MESSAGE_MAX (4 * 1024)
#define LOG_VALUE_MAX 1024
#define LOG_FIELDS_MAX 16
/* journald: field names of at most 64 characters (sd_journal_print(3)). */
#define LOG_KEY_MAX 64

/* The longest line log_line_build() makes: "<N>", the message, MESSAGE_ID
 * and the fields, each with its mark, and the newline. */
#define LOG_LINE_MAX (3 + (LOG_FIELDS_MAX + 2) * (2 + LOG_KEY_MAX + LOG_VALUE_MAX + sizeof(LOG_TRUNCATED_MARK)) + \
                      LOG_MESSAGE_MAX + 1)

/* PRIORITY, MESSAGE, MESSAGE_ID, then the fields. */
#define LOG_ENTRY_PARTS (LOG_FIELDS_MAX + 3)

struct log_entry {
        struct buf parts[LOG_ENTRY_PARTS];
        struct iovec iov[LOG_ENTRY_PARTS]; /* into parts, for sd_journal_sendv() */
        size_t n;
};

/* How a line on stderr looks. */
enum log_line_style {
        LOG_LINE_TERMINAL, /* the message only, for a person at a terminal */
        LOG_LINE_STREAM,   /* "<N>" (sd-daemon(3)), the message, " KEY=value" per field */
        LOG_LINE_FALLBACK, /* as STREAM with " MESSAGE_ID=…" first: the native entry failed */
};

/* Appends s escaped, cut after cap escaped bytes (then LOG_TRUNCATED_MARK). */
int log_escape(struct buf *out, const char *s, size_t cap);

/* Journal native fields "KEY=value" for one entry: PRIORITY, MESSAGE,
 * MESSAGE_ID when given, and each field whose value is not NULL (at most
 * LOG_FIELDS_MAX). 0 and *e filled (free with log_entry_free), or -ENOMEM. */
int log_entry_build(struct log_entry *e, int level, const char *message_id, const struct log_field *fields,
                    size_t n_fields, const char *message);
void log_entry_free(struct log_entry *e);

/* One line for stderr, ending in '\n', appended to out (whose maximum, if
 * any, must allow LOG_LINE_MAX). 0 or -ENOMEM. */
int log_line_build(struct buf *out, enum log_line_style style, int level, const char *message_id,
                   const struct log_field *fields, size_t n_fields, const char *message);

/* journald's rule: A-Z, 0-9 and '_', not starting with a digit or '_', at
 * most LOG_KEY_MAX characters. */
bool log_key_valid(const char *key);
