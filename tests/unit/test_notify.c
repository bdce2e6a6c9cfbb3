/* notify: datagrams reach NOTIFY_SOCKET (path or abstract), a full socket
 * never blocks the sender, and STATUS text is one assignment. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "notify.h"

struct peer {
        int fd;
        char dir[64];
        char path[128];
};

/* A datagram socket standing in for the service manager; abstract when asked. */
static void peer_open(struct peer *p, int abstract) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        socklen_t len;

        strcpy(p->dir, "/tmp/ssmn-notify-XXXXXX");
        assert_non_null(mkdtemp(p->dir));
        p->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        assert_true(p->fd >= 0);
        if (abstract) {
                snprintf(p->path, sizeof(p->path), "@ssmn-notify-test-%d", (int)getpid());
                memcpy(sa.sun_path + 1, p->path + 1, strlen(p->path) - 1);
                len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(p->path));
        } else {
                snprintf(p->path, sizeof(p->path), "%s/notify", p->dir);
                strcpy(sa.sun_path, p->path);
                len = sizeof(sa);
        }
        assert_int_equal(bind(p->fd, (struct sockaddr *)&sa, len), 0);
        setenv("NOTIFY_SOCKET", p->path, 1);
}

static void peer_close(struct peer *p) {
        char path[128];
        close(p->fd);
        snprintf(path, sizeof(path), "%s/notify", p->dir);
        unlink(path);
        rmdir(p->dir);
        unsetenv("NOTIFY_SOCKET");
}

static void peer_expect(struct peer *p, const char *want) {
        char got[8192];
        ssize_t n = recv(p->fd, got, sizeof(got) - 1, MSG_DONTWAIT);
        assert_true(n >= 0);
        got[n] = '\0';
        assert_string_equal(got, want);
}

static void test_path_socket(void **state) {
        (void)state;
        struct peer p;
        peer_open(&p, 0);
        assert_int_equal(notify_send("READY=1"), 0);
        peer_expect(&p, "READY=1");
        assert_int_equal(notify_sendf("RELOADING=1\nMONOTONIC_USEC=%d", 42), 0);
        peer_expect(&p, "RELOADING=1\nMONOTONIC_USEC=42");
        peer_close(&p);
}

static void test_abstract_socket(void **state) {
        (void)state;
        struct peer p;
        peer_open(&p, 1);
        assert_int_equal(notify_send("WATCHDOG=1"), 0);
        peer_expect(&p, "WATCHDOG=1");
        peer_close(&p);
}

/* The defect this module exists for: a peer that stops reading must cost
 * the sender a dropped datagram, never a blocked call. */
static void test_full_socket_does_not_block(void **state) {
        (void)state;
        struct peer p;
        int r = 0, sent = 0;
        peer_open(&p, 0);
        for (int i = 0; i < 100000 && r == 0; i++) {
                r = notify_send("WATCHDOG=1");
                if (r == 0)
                        sent++;
        }
        assert_int_equal(r, -EAGAIN);
        assert_true(sent > 0);
        peer_expect(&p, "WATCHDOG=1"); /* room again once the peer reads */
        assert_int_equal(notify_send("STOPPING=1"), 0);
        peer_close(&p);
}

static void test_status_is_one_assignment(void **state) {
        (void)state;
        struct peer p;
        peer_open(&p, 0);
        /* an AWS error message with an encoded newline, as a queue writer could craft */
        assert_int_equal(notify_statusf("published %d; last error: %s", 3, "bad\nWATCHDOG=trigger\x7f\t"), 0);
        peer_expect(&p, "STATUS=published 3; last error: bad WATCHDOG=trigger  ");
        peer_close(&p);
}

static void test_no_socket(void **state) {
        (void)state;
        unsetenv("NOTIFY_SOCKET");
        assert_int_equal(notify_send("READY=1"), 0);
        setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
        assert_int_equal(notify_send("READY=1"), -EAFNOSUPPORT);
        setenv("NOTIFY_SOCKET", "/nonexistent/ssmn/notify", 1);
        assert_int_equal(notify_send("READY=1"), -ENOENT);
        unsetenv("NOTIFY_SOCKET");
}

static void test_flatten(void **state) {
        (void)state;
        char s[] = "a\nb\rc\x01" "d\x7f" "e\xc3\xa9";
        notify_flatten(s, strlen(s));
        assert_string_equal(s, "a b c d e\xc3\xa9");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_path_socket),
                cmocka_unit_test(test_abstract_socket),
                cmocka_unit_test(test_full_socket_does_not_block),
                cmocka_unit_test(test_status_is_one_assignment),
                cmocka_unit_test(test_no_socket),
                cmocka_unit_test(test_flatten),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
