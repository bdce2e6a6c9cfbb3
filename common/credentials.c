#include "credentials.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "imds.h"

enum credentials_kind {
        CREDENTIALS_STATIC,
        CREDENTIALS_IMDS,
        CREDENTIALS_MISCONFIGURED, /* `problem` says why */
};

struct credentials {
        enum credentials_kind kind;
        struct aws_credentials creds; /* static, or the last IMDS fetch (empty when none) */
        struct imds *imds;
        time_t next_attempt;    /* no IMDS refresh before this while the cached ones are valid */
        bool env_token_ignored; /* AWS_SESSION_TOKEN alone: worth saying when nothing is found */
        char source[sizeof("instance profile ()") + IMDS_ROLE_MAX];
        char problem[CREDENTIALS_DETAIL_MAX];
};

/* Where a pair of keys came from, and what that place calls each key. */
struct key_names {
        const char *source, *id, *secret, *token;
};

static const struct key_names file_names = { "config file", "access_key_id", "secret_access_key", "session_token" };
static const struct key_names env_names = { "environment", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                            "AWS_SESSION_TOKEN" };

static bool credential_string_ok(const char *s, size_t max) {
        size_t n = strnlen(s, max + 1);
        if (n == 0 || n > max)
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < 0x21 || s[i] > 0x7e)
                        return false;
        return true;
}

static void secret_free(char *s) {
        if (s) {
                OPENSSL_cleanse(s, strlen(s));
                free(s);
        }
}

int aws_credentials_set(struct aws_credentials *c, const char *access_key_id, const char *secret_access_key,
                        const char *session_token, time_t expiration) {
        struct aws_credentials n = { .expiration = expiration };

        if (!credential_string_ok(access_key_id, CREDENTIALS_KEY_ID_MAX) ||
            !credential_string_ok(secret_access_key, CREDENTIALS_SECRET_MAX) ||
            (session_token && !credential_string_ok(session_token, CREDENTIALS_TOKEN_MAX)))
                return -EINVAL;
        n.access_key_id = strdup(access_key_id);
        n.secret_access_key = strdup(secret_access_key);
        n.session_token = session_token ? strdup(session_token) : NULL;
        if (!n.access_key_id || !n.secret_access_key || (session_token && !n.session_token)) {
                aws_credentials_clear(&n);
                return -ENOMEM;
        }
        aws_credentials_clear(c);
        *c = n;
        return 0;
}

void aws_credentials_clear(struct aws_credentials *c) {
        if (!c)
                return;
        secret_free(c->access_key_id);
        secret_free(c->secret_access_key);
        secret_free(c->session_token);
        *c = (struct aws_credentials){ 0 };
}

bool aws_credentials_need_refresh(const struct aws_credentials *c, time_t now) {
        return c->expiration != 0 && now >= c->expiration - CREDENTIALS_REFRESH_AHEAD;
}

static const char *nonempty(const char *s) {
        return s && *s ? s : NULL;
}

static const char *process_getenv(const char *name) {
        return getenv(name);
}

static void misconfigured(struct credentials *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void misconfigured(struct credentials *c, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->problem, sizeof(c->problem), fmt, ap);
        va_end(ap);
        c->kind = CREDENTIALS_MISCONFIGURED;
}

/* 1 when this source has keys (c then uses them, or holds the problem with
 * them), 0 when it has none, or a negative errno. The values never go into
 * a problem line; only their names do. */
static int use_keys(struct credentials *c, const struct key_names *names, const char *id, const char *secret,
                    const char *token) {
        id = nonempty(id);
        secret = nonempty(secret);
        if (!id && !secret)
                return 0;
        snprintf(c->source, sizeof(c->source), "%s", names->source);
        if (!id || !secret) {
                misconfigured(c, "the %s sets %s but not %s", names->source, id ? names->id : names->secret,
                              id ? names->secret : names->id);
                return 1;
        }
        int r = aws_credentials_set(&c->creds, id, secret, nonempty(token), 0);
        if (r == -EINVAL) {
                misconfigured(c, "%s, %s or %s in the %s is too long or not printable ASCII", names->id,
                              names->secret, names->token, names->source);
                return 1;
        }
        if (r < 0)
                return r;
        c->kind = CREDENTIALS_STATIC;
        return 1;
}

int credentials_new(const struct credentials_options *opt, struct credentials **ret) {
        const char *(*env)(const char *) = opt->getenv ? opt->getenv : process_getenv;
        struct credentials *c = calloc(1, sizeof(*c));
        int r;

        if (!c)
                return -ENOMEM;
        r = use_keys(c, &file_names, opt->access_key_id, opt->secret_access_key, opt->session_token);
        if (r == 0 && nonempty(opt->session_token)) {
                snprintf(c->source, sizeof(c->source), "%s", file_names.source);
                misconfigured(c, "the config file sets session_token but not access_key_id and secret_access_key");
                r = 1;
        }
        if (r == 0) {
                r = use_keys(c, &env_names, env(env_names.id), env(env_names.secret), env(env_names.token));
                c->env_token_ignored = r == 0 && nonempty(env(env_names.token));
        }
        if (r == 0) {
                c->kind = CREDENTIALS_IMDS;
                snprintf(c->source, sizeof(c->source), "instance profile");
                r = imds_new(opt->imds_endpoint ? opt->imds_endpoint : IMDS_DEFAULT_ENDPOINT, &c->imds);
        }
        if (r < 0)
                goto out;
        *ret = c;
        c = NULL;
        r = 0;
out:
        credentials_free(c);
        return r;
}

static bool cached_usable(const struct credentials *c, time_t now) {
        if (!c->creds.access_key_id)
                return false;
        return !aws_credentials_need_refresh(&c->creds, now) || (now < c->next_attempt && now < c->creds.expiration);
}

int credentials_get(struct credentials *c, time_t now, const struct aws_credentials **ret, struct aws_error *err) {
        struct aws_credentials fresh = { 0 };
        char role[IMDS_ROLE_MAX + 1];
        struct aws_error why;
        int r;

        /* Retryable, as every failure here: the daemon keeps trying (and
         * saying why) until the credentials are there. */
        if (c->kind == CREDENTIALS_MISCONFIGURED) {
                aws_error_local(err, AWS_ERR_RETRYABLE, -EINVAL, "%s", c->problem);
                return -EINVAL;
        }
        if (c->kind == CREDENTIALS_STATIC || cached_usable(c, now)) {
                *ret = &c->creds;
                return 0;
        }
        r = imds_fetch_credentials(c->imds, now, &fresh, role, &why);
        if (r < 0) {
                c->next_attempt = now + CREDENTIALS_RETRY_INTERVAL;
                /* Still valid: keep using them, IMDS may be back by the next attempt. */
                if (c->creds.access_key_id && now < c->creds.expiration) {
                        *ret = &c->creds;
                        return 0;
                }
                aws_error_local(err, why.cls, r,
                                "not in the config file, not in the environment%s, and the instance "
                                "metadata service at %s %s",
                                c->env_token_ignored ? " (AWS_SESSION_TOKEN alone is ignored)" : "",
                                imds_endpoint(c->imds), why.message);
                return r;
        }
        aws_credentials_clear(&c->creds);
        c->creds = fresh;
        /* IMDS serves a set until it rotates it, a few minutes before expiry:
         * a set already inside the refresh window is asked for again only
         * after a pause, a fresh one as soon as it enters the window. */
        c->next_attempt = aws_credentials_need_refresh(&fresh, now) ? now + CREDENTIALS_RETRY_INTERVAL : 0;
        snprintf(c->source, sizeof(c->source), "instance profile (%s)", role);
        *ret = &c->creds;
        return 0;
}

void credentials_invalidate(struct credentials *c) {
        if (c->kind != CREDENTIALS_IMDS)
                return;
        aws_credentials_clear(&c->creds);
        c->next_attempt = 0;
}

const char *credentials_source(const struct credentials *c) {
        return c->source;
}

void credentials_free(struct credentials *c) {
        if (!c)
                return;
        aws_credentials_clear(&c->creds);
        imds_free(c->imds);
        free(c);
}
