/* log: one place where the daemon's lines leave the process.
 *
 * Under journald (JOURNAL_STREAM names our stderr) entries are sent natively
 * with PRIORITY, MESSAGE, an optional fixed MESSAGE_ID and extra fields, so
 * `journalctl MESSAGE_ID=…` finds them; if journald does not take the entry,
 * it goes to the stream as one line with "<N>", MESSAGE_ID and the fields in
 * the text. On a terminal a line is the message alone. Otherwise (a file, a
 * pipe) each entry is one line on stderr prefixed with "<N>" (sd-daemon(3)
 * levels) with the fields appended. Every value is escaped and capped the
 * same way on each of these (log_entry.h): no input can start a line of its
 * own. Fields whose value is NULL are left out. Library code in common/ logs
 * at debug level only (STYLE.md, habit 2); the daemon logs a failure once. */
#pragma once

#include <stddef.h>
#include <syslog.h>

struct log_field {
        const char *key;   /* upper case, journald field name rules */
        const char *value; /* NULL: field omitted */
};

/* Fixed journal MESSAGE_IDs (generated once with a random 128-bit id), one
 * per outcome: counting entries of one ID counts one kind of event. */
#define LOG_MSGID_STARTED        "aa0bb447dbbb4ef1b97479f038cb1e38"
#define LOG_MSGID_PUBLISHED      "7fa207e32b3a4f5c8169cb3320119b3a"
#define LOG_MSGID_PUBLISH_FAILED "1a2f37151e504662961e00ccc73ae084"
#define LOG_MSGID_POISON         "cb044f8b10c6476ab3b7fbc464eed950"
#define LOG_MSGID_CONFIG_ERROR   "abac79a1f673420e8cf68cbfc86c0335"
#define LOG_MSGID_FILTERED       "5a943ffdb66e48678638f5bd7c7dea63"
#define LOG_MSGID_UNRECOGNIZED   "b6b5241064ac4cf48a79d2c39051e478"
#define LOG_MSGID_STOPPED        "3046c2f61d6d4a73914b5b3998e708ef"
#define LOG_MSGID_DUPLICATE      "8332c5a39d894efd99fa643e10f3cb6b"
#define LOG_MSGID_RENDER_FAILED  "22569408ea2848439986ed876ab22095"
#define LOG_MSGID_RECEIVE_FAILED "e60f3acc4679451999209e64240bbbdc"
#define LOG_MSGID_DELETE_FAILED  "2df24cc72b65461781973b832032b4db"
#define LOG_MSGID_IGNORED        "f7cd930790be40cb908357ef6bc2da39"
#define LOG_MSGID_HELD           "ca1358c8c48d46cbbb9d070e420dd2c7"
#define LOG_MSGID_DIGEST         "1f6f3d5b10ba459089e82f5283073df1"
#define LOG_MSGID_STATE_SET_ASIDE "d756657b518846bca686fa88b05fc541"
#define LOG_MSGID_SESSION_CHECK_FAILED "bccaf72daf5849cfa79f2c45c490588d"

/* Decide between journald, a terminal and a plain stream from the
 * environment and stderr. Idempotent. */
void log_open(void);
void log_set_max_level(int level);
int log_get_max_level(void);

void log_fields(int level, const char *message_id, const struct log_field *fields, size_t n_fields,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define log_err(...)     log_fields(LOG_ERR, NULL, NULL, 0, __VA_ARGS__)
#define log_warning(...) log_fields(LOG_WARNING, NULL, NULL, 0, __VA_ARGS__)
#define log_notice(...)  log_fields(LOG_NOTICE, NULL, NULL, 0, __VA_ARGS__)
#define log_info(...)    log_fields(LOG_INFO, NULL, NULL, 0, __VA_ARGS__)
#define log_debug(...)   log_fields(LOG_DEBUG, NULL, NULL, 0, __VA_ARGS__)
