#include "session_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "macro.h"

const char *session_file_dir(const char *state_directory, char *buf, size_t size) {
        const char *v = state_directory;
        /* systemd joins several StateDirectory= entries with ':'; ours is the first. */
        size_t n = v ? strcspn(v, ":") : 0;
        if (n == 0 || n >= size) {
                v = SESSION_STATE_DIR_DEFAULT;
                n = strlen(v);
        }
        memcpy(buf, v, n);
        buf[n] = '\0';
        return buf;
}

/* Reads after the first (of st_size + 1 bytes) only if the file grew. */
#define READ_CHUNK 4096

/* The whole file into *ret (NUL-terminated), or why it is not ours:
 * -ENOENT, -EMEDIUMTYPE (not a regular file), -EPERM (another owner),
 * -E2BIG, or what open/read failed with. */
static int read_ours(const char *path, char **ret, size_t *ret_len) {
        struct stat st;
        struct buf text;
        char *s;
        size_t len;
        int r = 0;
        /* O_NOFOLLOW: a link planted in the directory is not followed;
         * O_NONBLOCK: a FIFO there does not hang the start. */
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

        buf_init(&text, SESSION_FILE_MAX);
        if (fd < 0)
                return errno == ELOOP ? -EMEDIUMTYPE : -errno;
        if (fstat(fd, &st) < 0) {
                r = -errno;
                goto out;
        }
        if (!S_ISREG(st.st_mode)) {
                r = -EMEDIUMTYPE;
                goto out;
        }
        if (st.st_uid != geteuid()) {
                r = -EPERM;
                goto out;
        }
        if (st.st_size > (off_t)SESSION_FILE_MAX) {
                r = -E2BIG;
                goto out;
        }
        /* Read to the end, not st_size: the file may have grown since. The
         * buffer grows with what is read (from st_size on) instead of being
         * SESSION_FILE_MAX at once: glibc would serve that with mmap and, once
         * it is freed, raise its mmap and trim thresholds to match, keeping
         * every later large buffer in a heap it no longer gives back. */
        for (size_t want = (size_t)st.st_size + 1;; want = READ_CHUNK) {
                char extra, *p = &extra;
                size_t room = SESSION_FILE_MAX - text.len;
                if (want > room)
                        want = room;
                /* with no room left, one byte more says the file is too large */
                if (want > 0 && (r = buf_extend(&text, want, &p)) < 0)
                        goto out;
                ssize_t got = read(fd, p, want > 0 ? want : 1);
                if (want > 0)
                        buf_truncate(&text, text.len - want + (size_t)(got > 0 ? got : 0));
                if (got < 0 && errno == EINTR)
                        continue;
                if (got < 0) {
                        r = -errno;
                        goto out;
                }
                if (got == 0)
                        break;
                if (want == 0) {
                        r = -E2BIG;
                        goto out;
                }
        }
        len = text.len;
        s = buf_steal(&text);
        if (!s) {
                r = -ENOMEM;
                goto out;
        }
        *ret = s;
        *ret_len = len;
out:
        buf_free(&text);
        close(fd);
        return r;
}

static const char *why_not_ours(int r) {
        switch (r) {
        case -EMEDIUMTYPE:
                return "it is not a regular file";
        case -EPERM:
                return "another user owns it";
        case -E2BIG:
                return "it is too large for a state file";
        case -EPROTONOSUPPORT:
                return "it is of another version";
        case -EBADMSG:
                return "it is not a state file of ssm-notifyd (not JSON, or not its form)";
        default:
                return strerror(-r);
        }
}

static void set_aside(const char *dir, const char *path, time_t now, int why) {
        char aside[PATH_MAX], stamp[32];
        struct tm tm;

        if (!gmtime_r(&now, &tm) || strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
                snprintf(stamp, sizeof(stamp), "%lld", (long long)now);
        const struct log_field f[] = { { "STATE_FILE", path } };
        if (snprintf(aside, sizeof(aside), "%s/%s.corrupt-%s", dir, SESSION_FILE_NAME, stamp) >= (int)sizeof(aside) ||
            rename(path, aside) < 0) {
                log_fields(LOG_ERR, LOG_MSGID_STATE_SET_ASIDE, f, ELEMENTSOF(f),
                           "state file %s cannot be used (%s) nor set aside (%s); starting with no open sessions, "
                           "and the next save replaces it",
                           path, why_not_ours(why), strerror(errno));
                return;
        }
        log_fields(LOG_ERR, LOG_MSGID_STATE_SET_ASIDE, f, ELEMENTSOF(f),
                   "state file %s cannot be used (%s); set aside as %s, starting with no open sessions", path,
                   why_not_ours(why), aside);
}

int session_file_load(const char *dir, size_t max, time_t now, struct session_store **ret) {
        char path[PATH_MAX];
        char *text = NULL;
        size_t len = 0;
        int r;

        if (snprintf(path, sizeof(path), "%s/%s", dir, SESSION_FILE_NAME) >= (int)sizeof(path))
                return session_store_new(max, ret);
        r = read_ours(path, &text, &len);
        if (r == 0) {
                r = session_store_parse(text, len, max, ret);
                free(text);
                if (r == 0) {
                        log_info("state file %s: %zu open sessions", path, session_store_count(*ret));
                        return 0;
                }
        }
        if (r == -ENOMEM)
                return r;
        if (r == -ENOENT)
                log_info("state file %s does not exist yet: no open sessions", path);
        else if (r == -EACCES || r == -EIO)
                log_fields(LOG_ERR, LOG_MSGID_STATE_SET_ASIDE, NULL, 0,
                           "state file %s cannot be read (%s); starting with no open sessions", path, strerror(-r));
        else
                set_aside(dir, path, now, r);
        return session_store_new(max, ret);
}

static int write_all(int fd, const char *p, size_t n) {
        while (n) {
                ssize_t w = write(fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

static int write_piece(void *userdata, const char *data, size_t len) {
        return write_all(*(const int *)userdata, data, len);
}

int session_file_save(const char *dir, const struct session_store *s) {
        char tmp[PATH_MAX], path[PATH_MAX];
        struct buf text;
        int fd = -1, dfd = -1, r;

        buf_init(&text, SESSION_FILE_MAX);
        if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, SESSION_FILE_NAME) >= (int)sizeof(tmp) ||
            snprintf(path, sizeof(path), "%s/%s", dir, SESSION_FILE_NAME) >= (int)sizeof(path)) {
                r = -ENAMETOOLONG;
                goto out;
        }
        /* The file first: where the directory is missing (no StateDirectory=),
         * every save fails here, before the formatting. */
        fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
        if (fd < 0) {
                r = -errno;
                goto out;
        }
        r = session_store_write(s, &text, write_piece, &fd);
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        fd = -1;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                unlink(tmp);
                goto out;
        }
        /* The rename is durable only once the directory is. */
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fsync(dfd) < 0)
                r = -errno;
out:
        if (dfd >= 0)
                close(dfd);
        buf_free(&text);
        return r;
}
