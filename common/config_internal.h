/* config_internal: what the parts of the config reader share. Not for use
 * outside common/config*.c.
 *
 *   config.c        entry points: open the file, run the parts, hand over the struct
 *   config_read.c   the file: inih tokenises it, our reader counts lines
 *   config_keys.c   the table of keys and sections and what each type allows
 *   config_values.c one parser per key type, I/O-free but for the tz database
 *   config_check.c  after the last line: environment, defaults, cross-key checks
 *   config_rules.c  the [rule NAME] sections
 *   config_diag.c   the "path:line: [section] key: reason (allowed …)" lines */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "awsid.h"
#include "buf.h"
#include "config.h"
#include "credentials.h"
#include "macro.h"


/* The longest physical line, newline excluded: a session token of
 * CREDENTIALS_TOKEN_MAX plus its key and a comment. */
#define CONFIG_LINE_MAX (CREDENTIALS_TOKEN_MAX + 4096)
/* The example with every key documented is under 10 KB; ten thousand
 * [accounts] lines fit in 1 MiB. Anything larger is not a config file. */
#define CONFIG_FILE_MAX (1024 * 1024)
/* Our longest key is 18 characters; a longer name is cut in messages. */
#define KEY_NAME_MAX 64
/* After this many errors more lines would only bury the first ones. */
#define DIAG_MAX 100
/* Values quoted in a message are cut here so that one line stays readable. */
#define VALUE_SHOWN_MAX 64
/* A message holds the path at most twice (the chmod hint), a value cut to
 * VALUE_SHOWN_MAX and the longest "allowed" text (about 400 bytes). */
#define DIAG_LINE_MAX (2 * PATH_MAX + 2048)
/* CloudTrail event names are API action names ("StartSession"); the SSM API
 * has about 150 actions, a notification list of more than 64 is a mistake. */
#define EVENTS_MAX 64
#define EVENT_NAME_MAX 64
/* AWS Organizations quotas go into the thousands of accounts. */
#define ACCOUNTS_MAX 10000
#define ACCOUNT_NAME_MAX 64
/* [enrich] tags: EC2 tag keys are 1..128 characters; ten beside the Name
 * tag are already more than a notification line can show. */
#define ENRICH_TAGS_MAX 10
#define TAG_KEY_MAX 128
/* STS AssumeRole: ExternalId is 2..1224 characters of [\w+=,.@:/-]. */
#define EXTERNAL_ID_MIN 2
#define EXTERNAL_ID_MAX 1224
/* SNS: a Subject is fewer than 100 characters; a template with placeholders
 * may be longer before expansion, the renderer cuts the result. */
#define SUBJECT_TEMPLATE_MAX 255
/* IAM: an access key ID is 16..128 characters of [\w]. The caps of the
 * key ID, the secret key and the session token are credentials.h's, so the
 * file and the environment accept the same. */
#define ACCESS_KEY_ID_MIN 16

/* The account of the example config's queue and topic: AWS documentation's
 * example account, which no real account has. */
#define EXAMPLE_ACCOUNT "123456789012"
/* The group the packages create (sysusers.d) for the unit's User=/Group=;
 * the installed config is root:ssm-notifyd 0640. */
#define SERVICE_GROUP "ssm-notifyd"

enum key_type {
        KEY_INT,
        KEY_ENUM,
        KEY_NAMED,
        KEY_REGION,
        KEY_ACCESS_KEY_ID,
        KEY_SECRET,
        KEY_ENDPOINT,
        KEY_QUEUE_URL,
        KEY_TOPIC_ARN,
        KEY_TIMEZONE,
        KEY_EVENTS,
        KEY_SUBJECT,
        KEY_ACCOUNT,
        KEY_TAGS,
        KEY_ROLE_ARN,
        KEY_EXTERNAL_ID,
};

struct enum_value {
        const char *name;
        int value;
};

struct key_def {
        const char *section;
        const char *key;                 /* NULL: any key (the [accounts] section) */
        enum key_type type;
        long min, max;                   /* KEY_INT: the range; KEY_SECRET: max length */
        const struct enum_value *values; /* KEY_ENUM; NULL-terminated */
        const char *const *names;        /* KEY_NAMED: the value is the index; NULL-terminated */
        const char *def;                 /* default, parsed like a value from the file */
        const char *env[2];              /* environment fallbacks, in order, below the file */
        size_t offset;                   /* the field in struct config */
        bool required;
        bool secret;                     /* the value never appears in a message */
        bool per_region;                 /* KEY_ENDPOINT: no default; each call's region decides */
        bool empty_is_value;             /* "key =" is a value (an empty list), not the default */
};

#define CONFIG_N_KEYS 33
extern const struct key_def config_keys[CONFIG_N_KEYS];
#define CONFIG_N_SECTIONS 8
extern const char *const config_sections[CONFIG_N_SECTIONS];

/* Where a rule's keys were set, 0 when absent. */
struct rule_seen {
        unsigned match_line, action_line, topics_line;
};

struct parser {
        FILE *f;
        const char *path;
        config_getenv_fn env;
        struct config *cfg;
        struct config_diag *diag;
        enum config_need need;
        size_t n_errors;
        int fatal;                /* stops reading: -ENOMEM, -EIO, or -EINVAL (too large, too many errors) */
        unsigned lineno;
        size_t bytes;
        bool line_seen;           /* inih passed a pair of the current line to on_pair */
        bool section_bad;         /* the current section header was rejected: skip its keys */
        unsigned header_line;     /* line of the last section header */
        unsigned key_line[CONFIG_N_KEYS]; /* line of the key, 0 when absent */
        bool key_set[CONFIG_N_KEYS];      /* a value was accepted */
        bool key_bad[CONFIG_N_KEYS];      /* a value was rejected */
        unsigned *account_lines;  /* parallel to cfg->accounts */
        struct rule_seen *rule_seen; /* parallel to cfg->rules */
        bool holds_secret;
        char queue_region[AWS_REGION_MAX + 1];
        char topic_region[AWS_REGION_MAX + 1];
        char line[CONFIG_LINE_MAX + 1];
};

/* config_keys.c */
const struct key_def *config_find_key(const char *section, const char *name);
/* The index of a named key of the table; aborts on a name not in it. */
size_t config_key_index(const char *key);
/* The entry of config_sections named name, or NULL. */
const char *config_section_find(const char *name);
void config_put_allowed(struct buf *b, const struct key_def *k);

/* config_values.c */
/* Runs the key's parser and reports a rejected value (line 0: the value
 * came from origin, not from a line). 0, -EINVAL or -ENOMEM (also in p->fatal). */
int config_apply(struct parser *p, const struct key_def *k, const char *name, const char *value,
                 unsigned line, const char *origin);
enum endpoint_kind {
        ENDPOINT_AWS,  /* https anywhere; http only to a loopback host */
        ENDPOINT_IMDS, /* only a link-local or loopback host, http or https */
};
/* 0 and the length without a trailing '/', or -EINVAL with the reason in why. */
int config_check_endpoint(const char *value, enum endpoint_kind kind, struct buf *why, size_t *ret_len);
char **config_str_field(struct config *c, const struct key_def *k);
/* Number of UTF-8 characters in s, or -1 when s is not valid UTF-8. With
 * printable, control characters (C0, DEL, C1) count as invalid too. */
long config_utf8_len(const char *s, bool printable);
void config_strv_free(char **v, size_t n);
/* A comma-separated list of 1..max items, each trimmed, non-empty, passed by
 * check (NULL, or why the item is refused) and not listed twice; *why says
 * what is wrong. 0, -EINVAL or -ENOMEM; *ret written only on success. */
int config_list_parse(const char *value, size_t max, const char *(*check)(const char *item), struct buf *why,
                      char ***ret, size_t *ret_n);

/* config_read.c: every line of p->f through inih into p. */
void config_read(struct parser *p);

/* config_check.c: after the last line. */
void config_finish(struct parser *p);
void config_report_access(struct parser *p, const struct config_file_access *a, enum config_access verdict);

/* config_rules.c */
/* NAME of a "rule NAME" section, else NULL. */
const char *config_rule_section_name(const char *section);
/* A [rule NAME] header at p->lineno: true when the rule was opened (its
 * keys follow), false when the header was reported. */
bool config_rule_begin(struct parser *p, const char *name);
/* key = value of the last rule opened. */
void config_rule_pair(struct parser *p, const char *key, const char *value);
void config_rules_finish(struct parser *p);
void config_rules_free(struct config *c);

/* config_diag.c */
int config_diag_push(struct config_diag *d, struct buf *line);
int config_diag_push_warning(struct config_diag *d, struct buf *line);
/* Appends line to p's diagnostics (stopping after DIAG_MAX); frees line. */
void config_diag_add(struct parser *p, struct buf *line);
/* "path:line: " (line 0: "path: ") into a fresh line buffer. */
void config_diag_start(const struct parser *p, unsigned line, struct buf *b);
void config_diag_printf(struct parser *p, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Control characters, quotes and backslashes escaped, and every byte above
 * 0x7f when s is not UTF-8; cut at max bytes. */
void config_put_escaped(struct buf *b, const char *s, size_t max);
void config_put_quoted(struct buf *b, const char *s);
/* "path[:line]: [section] key[ (origin)]: why (allowed: …)"; allowed NULL:
 * what the key's type allows. */
void config_report_key(struct parser *p, unsigned line, const struct key_def *k, const char *key,
                       const char *origin, const char *why, const char *allowed);
