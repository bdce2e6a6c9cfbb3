/* event: one SQS message body → one SSM session event (struct ssm_event).
 *
 * Pure: no I/O, no clock. A body is an EventBridge event whose detail-type is
 * one of the "… via CloudTrail" kinds, a bare CloudTrail record, or an SNS
 * notification whose Message holds either. event_parse() unwraps the envelope,
 * resolves who acted (every userIdentity.type, SSO and generated session
 * names) and converts eventTime to UTC epoch seconds. Every string in the
 * struct is owned by it, valid UTF-8 without NUL bytes, never "" (unknown is
 * NULL), and still untrusted: the renderer escapes it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* SQS: "The maximum is 262,144 bytes (256 KiB)"; EventBridge events have the
 * same ceiling, so nothing larger is a message we could have been sent. */
#define EVENT_BODY_MAX (256 * 1024)

/* The events [notify] events = defaults to (DESIGN.md); NULL-terminated. */
extern const char *const EVENT_DEFAULT_NAMES[];

struct ssm_event {
        char *event_id;
        char *event_name;
        char *event_source;
        char *event_time;       /* eventTime as in the record */
        time_t event_epoch;     /* eventTime in UTC epoch seconds, when has_time */
        bool has_time;

        char *region;           /* awsRegion, else the envelope's region */
        char *account_id;       /* recipientAccountId, else userIdentity.accountId, else the envelope's */

        char *actor_type;       /* userIdentity.type as recorded */
        char *actor;            /* readable principal: user, role session (SSO user), "root", service… */
        char *actor_arn;
        char *role;             /* AssumedRole: the role name */
        char *session_owner;    /* sessionId up to its last '-': who the SSM session belongs to */
        bool actor_sso;         /* IAM Identity Center: actor is the SSO user name */
        bool actor_generated;   /* actor is a machine-made session name (SDK default, instance id) */

        char *source_ip;
        char *user_agent;
        char *target;           /* requestParameters.target (else instanceId[s]) */
        char *session_id;       /* responseElements.sessionId, else requestParameters.sessionId */
        char *document_name;
        char *reason;
        char *port_number;      /* requestParameters.parameters.portNumber, joined with ", " */
        char *local_port_number;
        char *remote_host;      /* requestParameters.parameters.host */

        bool failure;           /* errorCode or errorMessage present */
        char *error_code;
        char *error_message;

        /* requestParameters.parameters, every document parameter in record
         * order (AWS-StartInteractiveCommand's command, a custom document's
         * own); at most EVENT_PARAMS_MAX of them with EVENT_PARAM_VALUES_MAX
         * values each, parameters_truncated when more were dropped. */
        struct event_param *parameters;
        size_t n_parameters;
        bool parameters_truncated;
        bool parameters_hidden; /* recorded as a string (SendCommand: HIDDEN_DUE_TO_SECURITY_REASONS) */
        char *command;          /* the command (or commands) parameter, its values joined with "\n" */

        char *permission_set;   /* IAM Identity Center: <set> of the role AWSReservedSSO_<set>_<hash> */
        bool has_mfa, mfa;      /* sessionContext.attributes.mfaAuthenticated */
        /* sessionCredentialFromConsole, or a console user agent; false for
         * any other user agent (CLI, SDK); unknown without either */
        bool has_via_console, via_console;
        bool source_aws;        /* sourceIPAddress names AWS itself ("AWS Internal", a service), not an address */

        /* What AWS itself tells beyond the record, filled in by the daemon's
         * look-ups (target names, session history); event_parse() leaves them
         * unknown, so --render, which is pure, shows them as null. */
        char *target_name;              /* the instance's Name tag, a managed node's computer name */
        struct event_tag *target_tags;  /* the [enrich] tags the target has, in that order */
        size_t n_target_tags;
        time_t session_start;           /* when has_session_start */
        bool has_session_start;
        time_t session_end;             /* when has_session_end */
        bool has_session_end;
        unsigned session_resumes;       /* ResumeSession calls seen for the session */
        char *session_status;           /* DescribeSessions Status: Connected, Terminated, … */
        char *transcript_url;           /* DescribeSessions OutputUrl (S3 or CloudWatch Logs) */
};

struct event_tag {
        char *key;
        char *value;
};

/* A document parameter: its name and values (CloudTrail records each as an
 * array of strings); an empty value is left out, as every empty string is. */
struct event_param {
        char *name;
        char **values;
        size_t n_values;
};

/* Bounds on parameters, far above any AWS document's (AWS-StartPortForwarding
 * SessionToRemoteHost has 3), so a hostile record cannot make a message long. */
#define EVENT_PARAMS_MAX 32
#define EVENT_PARAM_VALUES_MAX 16

/* 0 and *ret; -E2BIG when len > EVENT_BODY_MAX; -EBADMSG when the body is not
 * JSON (or nests deeper than a CloudTrail record can); -ENOMSG when it is JSON
 * but not an event; -ENOMEM. */
int event_parse(const char *body, size_t len, struct ssm_event **ret);
void event_free(struct ssm_event *ev);

/* eventSource is ssm.amazonaws.com and eventName is one of names (the default
 * set when n_names is 0). Failed calls pass too: a denied session is news. */
bool event_is_notifiable(const struct ssm_event *ev, char *const *names, size_t n_names);

/* DESIGN.md: "critical" for root, "warning" for a failure, else "info". */
const char *event_severity(const struct ssm_event *ev);
