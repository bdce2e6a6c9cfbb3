/* burst: per-actor windows for [notify] burst_limit and burst_window. Pure:
 * the time is passed in (seconds of a monotonic clock).
 *
 * An actor's window opens at its first notification and lasts `window`
 * seconds; in it the first `limit` notifications pass and the rest are held
 * (the relay sends them as one digest when the window ends). Memory is
 * bounded: BURST_ACTORS_MAX actors at once; when every slot holds an open
 * window, a new actor's notification passes untracked, so a shortage never
 * holds anything back. */
#pragma once

#include <stdint.h>

#define BURST_ACTORS_MAX 1024

enum burst_verdict { BURST_PASS, BURST_HOLD };

struct burst;

int burst_new(unsigned limit, unsigned window, struct burst **ret);
void burst_free(struct burst *b);
/* One notification of key (NULL: passes, untracked) at now. On BURST_HOLD,
 * *ret_window_end is when the key's window ends (its digest is due). */
enum burst_verdict burst_note(struct burst *b, const char *key, int64_t now, int64_t *ret_window_end);
