/* config: the entry points. Opens the file, gathers what the permission
 * rule needs, runs the reader and the final checks (config_read.c,
 * config_check.c) and hands over the struct or the diagnostics. */
#include "config_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define CONFIG_DEFAULT_PATH "/etc/ssm-notifyd/ssm-notifyd.conf"

static void secret_free(char *s) {
        if (s) {
                OPENSSL_cleanse(s, strlen(s));
                free(s);
        }
}

void config_free(struct config *c) {
        if (!c)
                return;
        free(c->path);
        free(c->region);
        secret_free(c->access_key_id);
        secret_free(c->secret_access_key);
        secret_free(c->session_token);
        free(c->sqs_endpoint);
        free(c->sns_endpoint);
        free(c->imds_endpoint);
        free(c->ec2_endpoint);
        free(c->ssm_endpoint);
        free(c->sts_endpoint);
        config_strv_free(c->enrich_tags, c->n_enrich_tags);
        free(c->enrich_role_arn);
        free(c->enrich_external_id);
        free(c->queue_url);
        free(c->topic_arn);
        free(c->timezone);
        config_strv_free(c->events, c->n_events);
        free(c->subject);
        for (size_t i = 0; i < c->n_accounts; i++) {
                free(c->accounts[i].id);
                free(c->accounts[i].name);
        }
        free(c->accounts);
        config_rules_free(c);
        free(c);
}

/* access: the file's owner, group and mode for the permission rule, or NULL
 * for a stream. */
static int load(FILE *f, const char *path, enum config_need need, config_getenv_fn env,
                const struct config_file_access *access,
                struct config **ret, struct config_diag *diag) {
        enum config_access verdict = CONFIG_ACCESS_OK;
        struct parser *p;
        int r;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->f = f;
        p->path = path;
        p->env = env;
        p->need = need;
        p->diag = diag;
        p->cfg = calloc(1, sizeof(*p->cfg));
        if (!p->cfg || !(p->cfg->path = strdup(path))) {
                r = -ENOMEM;
                goto out;
        }
        config_read(p);
        if (!p->fatal)
                config_finish(p);
        if (!p->fatal && p->holds_secret && access)
                verdict = config_access_check(access);
        if (verdict != CONFIG_ACCESS_OK) {
                config_report_access(p, access, verdict);
                r = -EPERM;
        } else if (p->fatal) {
                r = p->fatal;
        } else {
                r = p->n_errors ? -EINVAL : 0;
        }
        if (r == 0) {
                *ret = p->cfg;
                p->cfg = NULL;
        }
out:
        config_free(p->cfg);
        free(p->account_lines);
        free(p->rule_seen);
        /* the line buffer held the secrets */
        OPENSSL_cleanse(p, sizeof(*p));
        free(p);
        return r;
}

int config_load_stream(FILE *f, const char *path, config_getenv_fn env, struct config **ret,
                       struct config_diag *diag) {
        return load(f, path, CONFIG_NEED_ALL, env, NULL, ret, diag);
}

/* The service group's ID, or (gid_t)-1 where the host has no such group (or
 * the group database cannot be read: then only the process's own group counts). */
static gid_t service_gid(void) {
        struct group gr, *found = NULL;
        char buf[4096];

        if (getgrnam_r(SERVICE_GROUP, &gr, buf, sizeof(buf), &found) != 0 || !found)
                return (gid_t)-1;
        return found->gr_gid;
}

int config_load(const char *path, config_getenv_fn env, struct config **ret, struct config_diag *diag) {
        return config_load_for(path, CONFIG_NEED_ALL, env, ret, diag);
}

/* A file that cannot be read as a config, as one diagnostic: returns r, or
 * -ENOMEM when even that cannot be recorded. */
__attribute__((format(printf, 4, 5)))
static int file_error(struct config_diag *diag, int r, const char *path, const char *fmt, ...) {
        struct buf b;
        va_list ap;

        buf_init(&b, DIAG_LINE_MAX);
        buf_printf(&b, "%s: ", path);
        va_start(ap, fmt);
        buf_vprintf(&b, fmt, ap);
        va_end(ap);
        return config_diag_push(diag, &b) < 0 ? -ENOMEM : r;
}

int config_load_for(const char *path, enum config_need need, config_getenv_fn env, struct config **ret,
                    struct config_diag *diag) {
        struct config_file_access access;
        char *iobuf = NULL;
        struct stat st;
        FILE *f = NULL;
        int fd, r;

        /* O_NONBLOCK: a FIFO would otherwise block in open(); regular files ignore it */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0 || fstat(fd, &st) < 0) {
                r = -errno;
                r = file_error(diag, r, path, "cannot read: %s", strerror(-r));
                goto out;
        }
        if (!S_ISREG(st.st_mode)) {
                r = file_error(diag, -EINVAL, path, "not a regular file");
                goto out;
        }
        /* stdio's buffer would keep a copy of the secrets after fclose: bring our own */
        iobuf = malloc(BUFSIZ);
        f = iobuf ? fdopen(fd, "r") : NULL;
        if (!f) {
                r = -ENOMEM;
                goto out;
        }
        fd = -1; /* f owns it now */
        setvbuf(f, iobuf, _IOFBF, BUFSIZ);
        access = (struct config_file_access){
                .mode = st.st_mode,
                .file_uid = st.st_uid,
                .file_gid = st.st_gid,
                .uid = geteuid(),
                .gid = getegid(),
                .service_gid = service_gid(),
        };
        r = load(f, path, need, env, &access, ret, diag);
out:
        if (f)
                fclose(f);
        if (fd >= 0)
                close(fd);
        if (iobuf) {
                OPENSSL_cleanse(iobuf, BUFSIZ);
                free(iobuf);
        }
        return r;
}

const char *config_default_path(config_getenv_fn env, char *buf, size_t size) {
        const char *dir = env ? env("CREDENTIALS_DIRECTORY") : NULL;
        int n;

        if (!dir || !*dir)
                return CONFIG_DEFAULT_PATH;
        n = snprintf(buf, size, "%s/ssm-notifyd.conf", dir);
        if (n < 0 || (size_t)n >= size || access(buf, F_OK) < 0)
                return CONFIG_DEFAULT_PATH;
        return buf;
}
