#include "notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "buf.h"

/* Larger than any state we send; a longer STATUS is cut. */
#define NOTIFY_STATE_MAX 4096

void notify_flatten(char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                        s[i] = ' ';
}

static int notify_address(struct sockaddr_un *sa, socklen_t *salen) {
        const char *e = getenv("NOTIFY_SOCKET");
        size_t n;

        if (!e || !*e)
                return -ENOENT;
        if (e[0] != '/' && e[0] != '@')
                return -EAFNOSUPPORT; /* vsock: and the like: not ours to speak */
        n = strlen(e);
        if (n >= sizeof(sa->sun_path))
                return -ENAMETOOLONG;
        memset(sa, 0, sizeof(*sa));
        sa->sun_family = AF_UNIX;
        memcpy(sa->sun_path, e, n);
        if (e[0] == '@')
                sa->sun_path[0] = '\0';
        *salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (e[0] == '/'));
        return 0;
}

int notify_send(const char *state) {
        struct sockaddr_un sa;
        socklen_t salen;
        int r = notify_address(&sa, &salen);

        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        r = 0;
        if (sendto(fd, state, strlen(state), MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&sa, salen) < 0)
                r = errno == EWOULDBLOCK ? -EAGAIN : -errno;
        close(fd);
        return r;
}

__attribute__((format(printf, 3, 0)))
static int notify_vformat(struct buf *b, const char *prefix, const char *fmt, va_list ap) {
        buf_init(b, NOTIFY_STATE_MAX);
        int r = buf_puts(b, prefix);
        if (r == 0)
                r = buf_vprintf(b, fmt, ap);
        return r;
}

int notify_sendf(const char *fmt, ...) {
        struct buf b;
        va_list ap;

        va_start(ap, fmt);
        int r = notify_vformat(&b, "", fmt, ap);
        va_end(ap);
        if (r == 0)
                r = notify_send(buf_str(&b));
        buf_free(&b);
        return r;
}

int notify_statusf(const char *fmt, ...) {
        static const char prefix[] = "STATUS=";
        struct buf b;
        va_list ap;

        va_start(ap, fmt);
        int r = notify_vformat(&b, prefix, fmt, ap);
        va_end(ap);
        if (r == 0) {
                notify_flatten(b.data + strlen(prefix), b.len - strlen(prefix));
                r = notify_send(buf_str(&b));
        }
        buf_free(&b);
        return r;
}
