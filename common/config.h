/* config: the INI configuration file, parsed into one validated struct.
 *
 * One table of keys (section, key, type, range, default) drives parsing and
 * validation; unknown sections and keys, duplicates, bad values and missing
 * required keys are all errors. Every error is collected (parsing goes on
 * after one) as a line "path:line: [section] key: reason (allowed …)", so a
 * user sees them all at once. The value of a secret key (secret_access_key,
 * session_token) never appears in any message. An empty value ("key =")
 * leaves the key at its default, as if it were absent.
 *
 * The environment's standard AWS variables are honoured below the file
 * (DESIGN.md, "Configuration"); the environment is read through a function
 * pointer so tests can pass a table. config_load() is the only part that
 * touches the file system (open, fstat, the group database for the
 * permission rule; the time zone check reads the tz database). */
#pragma once

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "formats.h"
#include "rule_match.h"

/* A rule's name goes into logs, STATUS= and a message attribute: short.
 * inih keeps 50 bytes of a section name (INI_MAX_SECTION), "rule " included. */
#define RULE_NAME_MAX 40
/* Each rule has a counter in the relay; more rules than this is a mistake. */
#define CONFIG_RULES_MAX 64
/* Topics one rule sends an event to: each is a publish per event and a
 * message is deleted only when all accepted it, so a handful, not a list. */
#define CONFIG_RULE_TOPICS_MAX 5

enum config_unrecognized { CONFIG_UNRECOGNIZED_NOTIFY, CONFIG_UNRECOGNIZED_KEEP };
/* The value of an on | off key. */
enum { CONFIG_OFF, CONFIG_ON };

struct config_account {
        char *id;   /* 12 digits */
        char *name; /* 1..64 printable UTF-8 characters */
};

enum config_rule_action { CONFIG_RULE_NOTIFY, CONFIG_RULE_IGNORE };

/* A [rule NAME] section. */
struct config_rule {
        char *name;                    /* 1..RULE_NAME_MAX of A-Z a-z 0-9 _ . - */
        char *match_text;              /* the match = value as written */
        struct rule_match *match;
        enum config_rule_action action;
        char **topics;                 /* topics = , SNS topic ARNs; n_topics 0: [sns] topic_arn */
        size_t n_topics;               /* 0..CONFIG_RULE_TOPICS_MAX, no duplicates */
        unsigned line;                 /* of the section header */
};

struct config {
        char *path;
        /* [aws] */
        char *region;            /* file, else AWS_REGION, else AWS_DEFAULT_REGION; always set */
        char *access_key_id;     /* from the file only; NULL when absent */
        char *secret_access_key; /* from the file only; NULL when absent */
        char *session_token;     /* from the file only; NULL when absent */
        char *sqs_endpoint;      /* base URL without a trailing '/': file, else AWS_ENDPOINT_URL_SQS, */
        char *sns_endpoint;      /* else AWS_ENDPOINT_URL, else https://sqs.REGION.amazonaws.com (…sns…) */
        char *imds_endpoint;     /* AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://169.254.169.254 */
        char *ec2_endpoint;      /* file, else AWS_ENDPOINT_URL_EC2 (…_SSM, …_STS), else AWS_ENDPOINT_URL; */
        char *ssm_endpoint;      /* NULL: the service's endpoint in each look-up's region */
        char *sts_endpoint;
        /* [sqs] */
        char *queue_url;
        int wait_time_seconds;   /* 1..20, default 20 */
        int max_messages;        /* 1..10, default 10 */
        int visibility_timeout;  /* 0..43200, default 60 */
        int max_receive_count;   /* 1..1000, default 5 */
        /* [sns] */
        char *topic_arn;
        /* [notify] */
        enum render_format format;             /* default text */
        enum render_language language;         /* default ja */
        char *timezone;                        /* default Asia/Tokyo; passed tz_check() */
        char **events;                         /* default StartSession, ResumeSession, TerminateSession */
        size_t n_events;
        char *subject;                         /* NULL: the renderer's default; passed template_validate() */
        enum config_unrecognized unrecognized; /* default notify */
        int burst_limit;                       /* 1..1000, default 5: notifications per actor and window */
        int burst_window;                      /* 0..3600 seconds, default 0: no burst control */
        struct config_account *accounts;       /* [accounts], in file order */
        size_t n_accounts;
        struct config_rule *rules;             /* [rule NAME] sections, in file order */
        size_t n_rules;
        /* [enrich] */
        int enrich_instance_names;             /* CONFIG_ON or CONFIG_OFF, default on */
        char **enrich_tags;                    /* tag keys shown beside Name; default Environment */
        size_t n_enrich_tags;
        char *enrich_role_arn;                 /* NULL: no look-ups in other accounts */
        char *enrich_external_id;              /* NULL: none */
        int enrich_cache_seconds;              /* 60..86400, default 3600 */
        /* [sessions] */
        int sessions_track;                    /* CONFIG_ON or CONFIG_OFF, default on */
        int check_interval;                    /* seconds, 0..86400, default 300; 0: no DescribeSessions */
        int long_session_alert;                /* seconds, 0..31536000, default 28800; 0: off */
        /* [log] */
        int log_level;                         /* LOG_ERR..LOG_DEBUG, default LOG_INFO */
};

/* Diagnostics, one line each, appended by config_load*(); the caller owns
 * them and frees them with config_diag_clear(). Start from a zeroed struct. */
struct config_diag {
        char **lines;
        size_t n;
        /* "path:line: [rule NAME]: …" about a file that is accepted all the
         * same (a rule that can never match); kept apart from the errors. */
        char **warnings;
        size_t n_warnings;
};

/* getenv, or a test's table. NULL or "" both mean "not set". */
typedef const char *(*config_getenv_fn)(const char *name);

/* Who may read a config file that holds a secret: nobody but its owner and
 * the daemon. Others get no access at all. The group may read (and no more)
 * only when that is how the daemon reads the file: the group is the service
 * group ssm-notifyd (the unit's Group=, which only the service user is in),
 * or it is the process's own group and the process does not own the file.
 * So the packaged root:ssm-notifyd 0640 passes for the daemon and for root
 * running --check-config alike; root:root 0640 does not. */
enum config_access {
        CONFIG_ACCESS_OK,
        CONFIG_ACCESS_OTHERS,      /* others have some access */
        CONFIG_ACCESS_GROUP_WRITE, /* the group may write or execute */
        CONFIG_ACCESS_GROUP,       /* the group may read, and it is not the daemon's way in */
};
struct config_file_access {
        mode_t mode;
        uid_t file_uid;
        gid_t file_gid;
        uid_t uid;         /* the process's effective IDs */
        gid_t gid;
        gid_t service_gid; /* group ssm-notifyd, or (gid_t)-1 where the host has none */
};
/* Pure. */
enum config_access config_access_check(const struct config_file_access *a);

/* Parses and validates the file at path. On success *ret is a new config.
 * -EINVAL: the file is bad; every error is in diag. -ENOENT, -EACCES (and
 * other open errors): the file can't be read; diag names the path.
 * -EPERM: the file holds secret_access_key or session_token and
 * config_access_check() refuses its owner, group and mode for this process
 * (diag names the mode and the fix), as OpenSSH refuses loose private keys.
 * -ENOMEM. env may be NULL. */
int config_load(const char *path, config_getenv_fn env, struct config **ret, struct config_diag *diag);

/* What the caller needs the configuration for. The daemon and --check-config
 * need every required key; --render renders only ([notify], [accounts],
 * [log]), so the required keys of [aws], [sqs] and [sns] may be missing
 * there (region, the endpoints, queue_url and topic_arn are then NULL); a
 * value that is present is still checked. */
enum config_need { CONFIG_NEED_ALL, CONFIG_NEED_RENDER };

/* As config_load, for the given need (config_load is CONFIG_NEED_ALL). */
int config_load_for(const char *path, enum config_need need, config_getenv_fn env, struct config **ret,
                    struct config_diag *diag);

/* As config_load, from a stream the caller opened and closes; path is only
 * used in messages. No permission check (there is no file to check). */
int config_load_stream(FILE *f, const char *path, config_getenv_fn env, struct config **ret,
                       struct config_diag *diag);

/* NULL is fine. Wipes the secrets with OPENSSL_cleanse before freeing them. */
void config_free(struct config *c);
void config_diag_clear(struct config_diag *d);

/* $CREDENTIALS_DIRECTORY/ssm-notifyd.conf when that file exists (a unit
 * with LoadCredential=; the shipped unit passes -c instead), else
 * /etc/ssm-notifyd/ssm-notifyd.conf. Returns buf or a string literal. */
const char *config_default_path(config_getenv_fn env, char *buf, size_t size);
