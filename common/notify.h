/* notify: the sd_notify(3) protocol, never blocking.
 *
 * libsystemd's sd_notify() sends on a blocking socket: when nothing reads
 * NOTIFY_SOCKET (a stuck manager, a test that stopped reading) its queue
 * fills and the daemon would hang in the middle of its loop, deaf to
 * SIGTERM. Here a datagram that cannot be queued at once is dropped and the
 * caller told so: every state we send (READY, STATUS, WATCHDOG, RELOADING,
 * STOPPING) is either repeated or only informative.
 *
 * Values may carry text from AWS (the last error in STATUS=); a newline in
 * one would add an assignment of its own (WATCHDOG=trigger), so
 * notify_statusf() replaces control characters before sending. */
#pragma once

#include <stddef.h>

/* Sends state ("KEY=VALUE\n…") to $NOTIFY_SOCKET (a path or "@abstract").
 * Returns 0 when sent or when no socket is set, -EAGAIN when the socket's
 * queue is full (the datagram is dropped), another negative errno else. */
int notify_send(const char *state);
/* As notify_send() for a printf-built state. */
int notify_sendf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Sends "STATUS=" and the formatted text with every control character
 * (C0, DEL) replaced by a space, so it is exactly one assignment. */
int notify_statusf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Pure: replaces every C0 control character and DEL of s[0..len) with a
 * space, in place. */
void notify_flatten(char *s, size_t len);
