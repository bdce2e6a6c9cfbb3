/* Who made the call: CloudTrail's userIdentity, one type at a time (see the
 * "userIdentity element" page of the CloudTrail user guide and the field
 * notes in tests/data/events/SOURCES.md). */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "event_internal.h"
#include "macro.h"

static const char SSO_ROLE_PREFIX[] = "AWSReservedSSO_";
static const char SSO_ISSUER_PATH[] = "/aws-reserved/sso.amazonaws.com/";

/* The userIdentity members the resolution reads, copied through
 * event_json_dup() so they obey the same rules as every other field. */
struct identity {
        char *user, *principal, *invoked_by, *account, *issuer_arn, *issuer_name, *on_behalf_of,
                *credential;
};

static int identity_load(const struct json_node *ui, struct identity *id) {
        static const struct {
                size_t offset;
                const char *path;
        } members[] = {
                { offsetof(struct identity, user), "userName" },
                { offsetof(struct identity, principal), "principalId" },
                { offsetof(struct identity, invoked_by), "invokedBy" },
                { offsetof(struct identity, account), "accountId" },
                { offsetof(struct identity, issuer_arn), "sessionContext.sessionIssuer.arn" },
                { offsetof(struct identity, issuer_name), "sessionContext.sessionIssuer.userName" },
                { offsetof(struct identity, on_behalf_of), "onBehalfOf.userId" },
                { offsetof(struct identity, credential), "credentialId" },
        };
        for (size_t i = 0; i < ELEMENTSOF(members); i++) {
                char **field = (char **)(void *)((char *)id + members[i].offset);
                int r = event_json_dup(event_json_path(ui, members[i].path), field);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void identity_free(struct identity *id) {
        free(id->user);
        free(id->principal);
        free(id->invoked_by);
        free(id->account);
        free(id->issuer_arn);
        free(id->issuer_name);
        free(id->on_behalf_of);
        free(id->credential);
}

static int dup_n(const char *s, size_t n, char **ret) {
        char *c = strndup(s, n);
        if (!c)
                return -ENOMEM;
        *ret = c;
        return 0;
}

/* Sets *field to the first non-empty candidate; leaves it NULL when none is. */
static int set_first(char **field, const char *a, const char *b, const char *c) {
        const char *v = a ? a : b ? b : c;
        if (!v || !*v)
                return 0;
        return dup_n(v, strlen(v), field);
}

/* "arn:partition:service:region:account:RESOURCE" → RESOURCE */
static const char *arn_resource(const char *arn) {
        const char *p = arn;
        if (!arn || strncmp(arn, "arn:", 4) != 0)
                return NULL;
        for (int colons = 0; colons < 5; colons++) {
                p = strchr(p, ':');
                if (!p)
                        return NULL;
                p++;
        }
        return p;
}

static const char *last_segment(const char *s) {
        const char *slash = s ? strrchr(s, '/') : NULL;
        return slash && slash[1] ? slash + 1 : NULL;
}

static const char *after_colon(const char *s) {
        const char *colon = s ? strchr(s, ':') : NULL;
        return colon && colon[1] ? colon + 1 : NULL;
}

static bool digits_from(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (!isdigit((unsigned char)*s))
                        return false;
        return true;
}

/* Role session names the SDKs and AWS invent when the caller gives none: they
 * say which tool ran, not who ran it. EC2 instance credentials use the
 * instance id (i- and 8 or 17 hex digits; the anonymised samples mix case). */
static bool is_generated_session_name(const char *s) {
        static const char *const digit_prefixes[] = {
                "botocore-session-", "aws-go-sdk-", "aws-sdk-java-", "aws-sdk-js-",
                "aws-dotnet-sdk-session-",
        };
        for (size_t i = 0; i < ELEMENTSOF(digit_prefixes); i++) {
                size_t n = strlen(digit_prefixes[i]);
                if (strncmp(s, digit_prefixes[i], n) == 0 && digits_from(s + n))
                        return true;
        }
        if (strncmp(s, "awslambda_", 10) == 0) {
                const char *us = strchr(s + 10, '_');
                if (us && us > s + 10 && strspn(s + 10, "0123456789") == (size_t)(us - s - 10) &&
                    digits_from(us + 1))
                        return true;
        }
        if (strncmp(s, "i-", 2) == 0) {
                size_t n = strlen(s + 2);
                return n >= 8 && n <= 17 && strspn(s + 2, "0123456789abcdefABCDEF") == n;
        }
        return false;
}

/* IAM Identity Center names the role it provisions for a permission set
 * AWSReservedSSO_<PermissionSet>_<hash>; the set's name may itself hold '_'. */
static int permission_set_of(const char *role, char **ret) {
        size_t n = strlen(SSO_ROLE_PREFIX);
        const char *set, *us;

        if (!role || strncmp(role, SSO_ROLE_PREFIX, n) != 0)
                return 0;
        set = role + n;
        us = strrchr(set, '_');
        if (!us || us == set || !us[1])
                return 0;
        return dup_n(set, (size_t)(us - set), ret);
}

static int resolve_assumed_role(const struct identity *id, struct ssm_event *ev) {
        const char *res = arn_resource(ev->actor_arn);
        const char *session = NULL, *role_from_arn = NULL;
        size_t role_len = 0;
        int r = 0;

        /* assumed-role/ROLE/SESSION (paths are not part of these ARNs) */
        if (res && strncmp(res, "assumed-role/", 13) == 0) {
                const char *role = res + 13, *slash = strchr(role, '/');
                role_from_arn = role;
                role_len = slash ? (size_t)(slash - role) : strlen(role);
                if (slash && slash[1])
                        session = slash + 1;
        }
        if (!session)
                session = after_colon(id->principal);

        if (id->issuer_name)
                r = dup_n(id->issuer_name, strlen(id->issuer_name), &ev->role);
        else if (role_from_arn && role_len > 0)
                r = dup_n(role_from_arn, role_len, &ev->role);
        if (r >= 0)
                r = permission_set_of(ev->role, &ev->permission_set);
        if (r < 0)
                return r;

        ev->actor_sso = (ev->role && strncmp(ev->role, SSO_ROLE_PREFIX, strlen(SSO_ROLE_PREFIX)) == 0) ||
                        (id->issuer_arn && strstr(id->issuer_arn, SSO_ISSUER_PATH));
        if (session) {
                ev->actor_generated = !ev->actor_sso && is_generated_session_name(session);
                return dup_n(session, strlen(session), &ev->actor);
        }
        /* No session name recorded: the role is the best name for the principal. */
        return set_first(&ev->actor, ev->role, NULL, NULL);
}

static int resolve_actor(const struct identity *id, struct ssm_event *ev) {
        const char *type = ev->actor_type ? ev->actor_type : "";
        const char *arn_name = last_segment(arn_resource(ev->actor_arn));

        if (strcmp(type, "IAMUser") == 0)
                return set_first(&ev->actor, id->user, arn_name, id->principal);
        if (strcmp(type, "AssumedRole") == 0)
                return resolve_assumed_role(id, ev);
        if (strcmp(type, "Root") == 0)
                return set_first(&ev->actor, "root", NULL, NULL);
        if (strcmp(type, "FederatedUser") == 0) {
                const char *res = arn_resource(ev->actor_arn);
                const char *name = res && strncmp(res, "federated-user/", 15) == 0 && res[15] ? res + 15 : NULL;
                return set_first(&ev->actor, name, after_colon(id->principal), id->user);
        }
        if (strcmp(type, "AWSService") == 0)
                return set_first(&ev->actor, id->invoked_by, id->principal, NULL);
        if (strcmp(type, "AWSAccount") == 0)
                return set_first(&ev->actor, id->account, id->principal, NULL);
        if (strcmp(type, "Unknown") == 0)
                return set_first(&ev->actor, id->user, id->principal, "unknown");
        /* IAM Identity Center calls made for a user carry only identifiers. */
        if (strcmp(type, "IdentityCenterUser") == 0)
                return set_first(&ev->actor, id->user, id->on_behalf_of, id->credential);
        /* SAMLUser, WebIdentityUser and types yet to come: whatever names it. */
        return set_first(&ev->actor, id->user, arn_name, id->principal);
}

int event_identity_resolve(const struct json_node *ui, struct ssm_event *ev) {
        struct identity id = {};
        int r;

        if (json_node_kind(ui) != JSON_OBJECT)
                return 0;
        r = event_json_dup(event_json_path(ui, "type"), &ev->actor_type);
        if (r >= 0)
                r = event_json_dup(event_json_path(ui, "arn"), &ev->actor_arn);
        if (r >= 0)
                r = identity_load(ui, &id);
        if (r >= 0)
                r = resolve_actor(&id, ev);
        identity_free(&id);
        return r;
}

int event_session_owner(const char *session_id, char **ret) {
        const char *dash = session_id ? strrchr(session_id, '-') : NULL;

        if (!dash || dash == session_id) {
                *ret = NULL;
                return 0;
        }
        return dup_n(session_id, (size_t)(dash - session_id), ret);
}
