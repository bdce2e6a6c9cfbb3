/* config_values: one parser per key type. Each takes the value as the file
 * or the environment gives it and returns 0 (the field of struct config
 * written), -EINVAL with the reason in why (a secret never quoted), or
 * -ENOMEM. Pure but for the time zone, which is looked up in the tz database. */
#include "config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "tz.h"

typedef int (*parse_fn)(struct parser *p, const struct key_def *k, const char *name, const char *value,
                        struct buf *why);

long config_utf8_len(const char *s, bool printable) {
        const unsigned char *u = (const unsigned char *)s;
        long chars = 0;

        while (*u) {
                uint32_t cp;
                int extra;

                if (*u < 0x80) {
                        cp = *u;
                        extra = 0;
                } else if ((*u & 0xe0) == 0xc0) {
                        cp = *u & 0x1f;
                        extra = 1;
                } else if ((*u & 0xf0) == 0xe0) {
                        cp = *u & 0x0f;
                        extra = 2;
                } else if ((*u & 0xf8) == 0xf0) {
                        cp = *u & 0x07;
                        extra = 3;
                } else {
                        return -1;
                }
                u++;
                for (int i = 0; i < extra; i++, u++) {
                        if ((*u & 0xc0) != 0x80)
                                return -1;
                        cp = (cp << 6) | (*u & 0x3f);
                }
                /* overlong forms, surrogates, beyond Unicode */
                if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
                    (extra == 3 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                        return -1;
                if (printable && (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)))
                        return -1;
                chars++;
        }
        return chars;
}


char **config_str_field(struct config *c, const struct key_def *k) {
        return (char **)((char *)c + k->offset);
}

static int *int_field(struct parser *p, const struct key_def *k) {
        return (int *)((char *)p->cfg + k->offset);
}

static int set_string(struct parser *p, const struct key_def *k, const char *value, size_t n) {
        char *s = strndup(value, n);
        if (!s)
                return -ENOMEM;
        *config_str_field(p->cfg, k) = s;
        return 0;
}

static int invalid(struct buf *why, const char *value, const char *reason) {
        config_put_quoted(why, value);
        buf_printf(why, " %s", reason);
        return -EINVAL;
}

static int parse_int(struct parser *p, const struct key_def *k, const char *name, const char *value,
                     struct buf *why) {
        char *end;
        long v;

        (void)name;
        errno = 0;
        v = strtol(value, &end, 10);
        if (end == value || *end || !(isdigit((unsigned char)value[0]) || value[0] == '-'))
                return invalid(why, value, "is not a number");
        if (errno == ERANGE || v < k->min || v > k->max)
                return invalid(why, value, "is out of range");
        *int_field(p, k) = (int)v;
        return 0;
}

static int parse_enum(struct parser *p, const struct key_def *k, const char *name, const char *value,
                      struct buf *why) {
        (void)name;
        for (const struct enum_value *v = k->values; v->name; v++)
                if (strcmp(v->name, value) == 0) {
                        *int_field(p, k) = v->value;
                        return 0;
                }
        return invalid(why, value, "is not a known value");
}

static int parse_named(struct parser *p, const struct key_def *k, const char *name, const char *value,
                       struct buf *why) {
        (void)name;
        for (int i = 0; k->names[i]; i++)
                if (strcmp(k->names[i], value) == 0) {
                        *int_field(p, k) = i;
                        return 0;
                }
        return invalid(why, value, "is not a known value");
}

static int parse_region(struct parser *p, const struct key_def *k, const char *name, const char *value,
                        struct buf *why) {
        (void)name;
        if (!aws_region_valid(value))
                return invalid(why, value, "is not a region name");
        return set_string(p, k, value, strlen(value));
}

static int parse_access_key_id(struct parser *p, const struct key_def *k, const char *name,
                               const char *value, struct buf *why) {
        size_t n = strlen(value);

        (void)name;
        /* not itself a secret, but what is wrong here is most often the
         * secret key pasted on the wrong line: never quote it */
        if (n < ACCESS_KEY_ID_MIN || n > CREDENTIALS_KEY_ID_MAX ||
            strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != n) {
                buf_puts(why, "the value (not shown) is not an access key ID");
                return -EINVAL;
        }
        return set_string(p, k, value, n);
}

/* Never quotes the value: it is a secret. */
static int parse_secret(struct parser *p, const struct key_def *k, const char *name, const char *value,
                        struct buf *why) {
        size_t n = strlen(value);

        (void)name;
        if (n > (size_t)k->max) {
                buf_puts(why, "the value (not shown) is too long");
                return -EINVAL;
        }
        for (const char *c = value; *c; c++)
                if (*c <= ' ' || *c >= 0x7f) {
                        buf_puts(why, "the value (not shown) has a space or a character that is "
                                      "not printable ASCII");
                        return -EINVAL;
                }
        return set_string(p, k, value, n);
}

/* Also used for the endpoints' environment variables. */
int config_check_endpoint(const char *value, enum endpoint_kind kind, struct buf *why, size_t *ret_len) {
        struct aws_url u;
        const char *reason;
        size_t n;

        /* user information may hold a password: never repeat such a URL */
        if (strchr(value, '@')) {
                buf_puts(why, "the URL (not shown) contains user information");
                return -EINVAL;
        }
        if (aws_url_parse(value, &u, &reason) < 0)
                return invalid(why, value, reason);
        /* the instance metadata service answers with credentials to whoever
         * asks with a token it gave: it must be the one on this instance's link */
        if (kind == ENDPOINT_IMDS && !aws_host_is_link_local(u.host) && !aws_host_is_loopback(u.host))
                return invalid(why, value, "is not a link-local or loopback address");
        if (kind == ENDPOINT_AWS && !u.https && !aws_host_is_loopback(u.host))
                return invalid(why, value, "uses http:// for a host that is not loopback");
        if (u.rest[0] && strcmp(u.rest, "/") != 0)
                return invalid(why, value, "has a path, query or fragment");
        n = strlen(value);
        if (value[n - 1] == '/')
                n--;
        *ret_len = n;
        return 0;
}

static int parse_endpoint(struct parser *p, const struct key_def *k, const char *name, const char *value,
                          struct buf *why) {
        size_t n;

        (void)name;
        if (config_check_endpoint(value, ENDPOINT_AWS, why, &n) < 0)
                return -EINVAL;
        return set_string(p, k, value, n);
}

static int parse_queue_url(struct parser *p, const struct key_def *k, const char *name,
                           const char *value, struct buf *why) {
        char region[AWS_REGION_MAX + 1];

        (void)name;
        if (strchr(value, '@')) {
                buf_puts(why, "the URL (not shown) contains user information");
                return -EINVAL;
        }
        if (aws_queue_url_parse(value, region) < 0)
                return invalid(why, value, "is not an SQS queue URL");
        strcpy(p->queue_region, region);
        return set_string(p, k, value, strlen(value));
}

static int parse_topic_arn(struct parser *p, const struct key_def *k, const char *name,
                           const char *value, struct buf *why) {
        char region[AWS_REGION_MAX + 1];

        (void)name;
        if (aws_topic_arn_parse(value, region) < 0)
                return invalid(why, value, "is not an SNS topic ARN");
        strcpy(p->topic_region, region);
        return set_string(p, k, value, strlen(value));
}

static int parse_timezone(struct parser *p, const struct key_def *k, const char *name,
                          const char *value, struct buf *why) {
        int r;

        (void)name;
        r = tz_check(value);
        if (r == -EINVAL)
                return invalid(why, value, "is not a time zone name");
        if (r < 0)
                return invalid(why, value, "is not in the tz database");
        return set_string(p, k, value, strlen(value));
}

void config_strv_free(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

int config_list_parse(const char *value, size_t max, const char *(*check)(const char *item), struct buf *why,
                      char ***ret, size_t *ret_n) {
        char **items = NULL, **grown, *e = NULL;
        const char *item = value, *reason;
        size_t n = 0;
        int r = -EINVAL;

        for (;;) {
                const char *end = item + strcspn(item, ","), *next = *end ? end + 1 : NULL;

                while (item < end && isspace((unsigned char)*item))
                        item++;
                while (end > item && isspace((unsigned char)end[-1]))
                        end--;
                if (item == end) {
                        buf_puts(why, "has an empty item");
                        goto out;
                }
                if (n == max) {
                        buf_printf(why, "has more than %zu items", max);
                        goto out;
                }
                e = strndup(item, (size_t)(end - item));
                if (!e) {
                        r = -ENOMEM;
                        goto out;
                }
                if ((reason = check(e))) {
                        invalid(why, e, reason);
                        goto out;
                }
                for (size_t i = 0; i < n; i++)
                        if (strcmp(items[i], e) == 0) {
                                invalid(why, e, "is listed twice");
                                goto out;
                        }
                grown = realloc(items, (n + 1) * sizeof(*items));
                if (!grown) {
                        r = -ENOMEM;
                        goto out;
                }
                items = grown;
                items[n++] = e;
                e = NULL;
                if (!next)
                        break;
                item = next;
        }
        *ret = items;
        *ret_n = n;
        return 0;
out:
        free(e);
        config_strv_free(items, n);
        return r;
}

static const char *event_name_check(const char *e) {
        if (strlen(e) > EVENT_NAME_MAX || strspn(e, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != strlen(e))
                return "is not an event name";
        return NULL;
}

static int parse_events(struct parser *p, const struct key_def *k, const char *name, const char *value,
                        struct buf *why) {
        (void)name;
        (void)k;
        return config_list_parse(value, EVENTS_MAX, event_name_check, why, &p->cfg->events, &p->cfg->n_events);
}

/* EC2 tag keys: any Unicode but control characters; a comma would split
 * the list, and aws: keys are AWS's own yet readable, so they pass. */
static const char *check_tag_key(const char *e) {
        long n = config_utf8_len(e, true);
        if (n < 0)
                return "is not printable UTF-8 text";
        if (n > TAG_KEY_MAX)
                return "is too long for an EC2 tag key";
        return NULL;
}

static int parse_tags(struct parser *p, const struct key_def *k, const char *name, const char *value,
                      struct buf *why) {
        char **tags;
        size_t n;
        int r;

        (void)name;
        (void)k;
        /* "tags =" shows none (empty_is_value): an empty list, not an error */
        if (value[strspn(value, " \t")] == '\0') {
                tags = NULL;
                n = 0;
        } else if ((r = config_list_parse(value, ENRICH_TAGS_MAX, check_tag_key, why, &tags, &n)) < 0) {
                return r;
        }
        config_strv_free(p->cfg->enrich_tags, p->cfg->n_enrich_tags);
        p->cfg->enrich_tags = tags;
        p->cfg->n_enrich_tags = n;
        return 0;
}

static bool all_of(const char *s, size_t n, const char *extra) {
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char)s[i]) && !strchr(extra, s[i]))
                        return false;
        return n > 0;
}

/* arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME (IAM: path up to 512
 * characters of printable ASCII starting and ending with '/', name 1..64 of
 * [\w+=,.@-]); ACCOUNT may be {account_id}, the only placeholder. */
static int parse_role_arn(struct parser *p, const struct key_def *k, const char *name, const char *value,
                          struct buf *why) {
        static const char *const partitions[] = { "arn:aws:iam::", "arn:aws-cn:iam::", "arn:aws-us-gov:iam::" };
        static const char ph[] = "{account_id}";
        const char *rest = NULL, *slash;
        size_t n = strlen(value);

        (void)name;
        if (n > 2048)
                return invalid(why, value, "is too long (IAM: 2048 characters at most)");
        for (size_t i = 0; i < ELEMENTSOF(partitions) && !rest; i++)
                if (strncmp(value, partitions[i], strlen(partitions[i])) == 0)
                        rest = value + strlen(partitions[i]);
        if (!rest)
                return invalid(why, value, "is not an IAM ARN (arn:aws:iam::…)");
        if (strncmp(rest, ph, sizeof(ph) - 1) == 0)
                rest += sizeof(ph) - 1;
        else if (aws_account_id_valid(rest, strcspn(rest, ":")) && rest[12] == ':')
                rest += 12;
        else
                return invalid(why, value, "has neither a 12-digit account nor {account_id} as its account");
        if (strncmp(rest, ":role/", 6) != 0)
                return invalid(why, value, "is not the ARN of a role (…:role/NAME)");
        rest += 6;
        if (strchr(rest, '{') || strchr(rest, '}'))
                return invalid(why, value, "has a placeholder other than {account_id}");
        slash = strrchr(rest, '/');
        const char *role = slash ? slash + 1 : rest;
        for (const char *c = rest; c < role; c++)
                if (*c <= ' ' || *c >= 0x7f)
                        return invalid(why, value, "has a path that is not printable ASCII");
        if ((size_t)(role - rest) > 512 || strlen(role) > 64 || !all_of(role, strlen(role), "+=,.@_-"))
                return invalid(why, value, "has no valid role name (1..64 of A-Z a-z 0-9 + = , . @ _ -)");
        return set_string(p, k, value, n);
}

static int parse_external_id(struct parser *p, const struct key_def *k, const char *name, const char *value,
                             struct buf *why) {
        size_t n = strlen(value);

        (void)name;
        if (n < EXTERNAL_ID_MIN || n > EXTERNAL_ID_MAX || !all_of(value, n, "+=,.@:/_-"))
                return invalid(why, value, "is not an STS external ID");
        return set_string(p, k, value, n);
}

static int parse_subject(struct parser *p, const struct key_def *k, const char *name, const char *value,
                         struct buf *why) {
        char bad[VALUE_SHOWN_MAX + 1];
        size_t n = strlen(value);

        (void)name;
        if (n > SUBJECT_TEMPLATE_MAX)
                return invalid(why, value, "is too long");
        for (const char *c = value; *c; c++)
                if (*c < ' ' || *c >= 0x7f)
                        return invalid(why, value, "is not printable ASCII");
        if (template_validate(value, SUBJECT_PLACEHOLDERS, bad, sizeof(bad)) < 0)
                return invalid(why, bad, "is not a placeholder");
        return set_string(p, k, value, n);
}

static int parse_account(struct parser *p, const struct key_def *k, const char *name, const char *value,
                         struct buf *why) {
        struct config *c = p->cfg;
        struct config_account *accounts;
        unsigned *lines;
        struct config_account a = {};
        long len;

        (void)k;
        if (!aws_account_id_valid(name, strlen(name))) {
                buf_puts(why, "the key is not a 12-digit account ID");
                return -EINVAL;
        }
        if (!*value) {
                buf_puts(why, "the name is missing");
                return -EINVAL;
        }
        len = config_utf8_len(value, true);
        if (len < 0)
                return invalid(why, value, "is not printable UTF-8 text");
        if (len > ACCOUNT_NAME_MAX)
                return invalid(why, value, "is too long");
        if (c->n_accounts == ACCOUNTS_MAX) {
                buf_printf(why, "more than %d accounts", ACCOUNTS_MAX);
                return -EINVAL;
        }
        a.id = strdup(name);
        a.name = strdup(value);
        if (!a.id || !a.name)
                goto nomem;
        accounts = realloc(c->accounts, (c->n_accounts + 1) * sizeof(*accounts));
        if (!accounts)
                goto nomem;
        c->accounts = accounts;
        lines = realloc(p->account_lines, (c->n_accounts + 1) * sizeof(*lines));
        if (!lines)
                goto nomem;
        p->account_lines = lines;
        accounts[c->n_accounts] = a;
        lines[c->n_accounts] = p->lineno;
        c->n_accounts++;
        return 0;
nomem:
        free(a.id);
        free(a.name);
        return -ENOMEM;
}

static const parse_fn parsers[] = {
        [KEY_INT] = parse_int,
        [KEY_ENUM] = parse_enum,
        [KEY_NAMED] = parse_named,
        [KEY_REGION] = parse_region,
        [KEY_ACCESS_KEY_ID] = parse_access_key_id,
        [KEY_SECRET] = parse_secret,
        [KEY_ENDPOINT] = parse_endpoint,
        [KEY_QUEUE_URL] = parse_queue_url,
        [KEY_TOPIC_ARN] = parse_topic_arn,
        [KEY_TIMEZONE] = parse_timezone,
        [KEY_EVENTS] = parse_events,
        [KEY_SUBJECT] = parse_subject,
        [KEY_ACCOUNT] = parse_account,
        [KEY_TAGS] = parse_tags,
        [KEY_ROLE_ARN] = parse_role_arn,
        [KEY_EXTERNAL_ID] = parse_external_id,
};

int config_apply(struct parser *p, const struct key_def *k, const char *name, const char *value,
                 unsigned line, const char *origin) {
        struct buf why;
        int r;

        buf_init(&why, DIAG_LINE_MAX);
        r = parsers[k->type](p, k, name, value, &why);
        if (r == -EINVAL)
                config_report_key(p, line, k, name, origin, buf_str(&why), NULL);
        else if (r < 0)
                p->fatal = r;
        buf_free(&why);
        return r;
}
