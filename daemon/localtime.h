/* localtime: an event's time in the configured IANA zone, as the renderer
 * takes it. An edge: the conversion reads the system tz database. */
#pragma once

#include "event.h"
#include "render.h"

/* Never fails: an event without a time, or a zone that cannot be read,
 * gives lt.valid = false and the renderer shows UTC only; likewise for the
 * session's start and end. Call it after the look-ups filled the event. */
void event_local_time(const struct ssm_event *ev, const char *zone, struct render_local_time *ret);
