#include "localtime.h"

#include "tz.h"

void event_local_time(const struct ssm_event *ev, const char *zone, struct render_local_time *ret) {
        struct render_local_time lt = { 0 };
        struct render_instant *start = &lt.session_start, *end = &lt.session_end;

        if (ev->has_time && zone)
                lt.valid = tz_localtime(zone, ev->event_epoch, &lt.tm, &lt.gmtoff, lt.abbr) == 0;
        if (ev->has_session_start && zone)
                start->valid = tz_localtime(zone, ev->session_start, &start->tm, &start->gmtoff, start->abbr) == 0;
        if (ev->has_session_end && zone)
                end->valid = tz_localtime(zone, ev->session_end, &end->tm, &end->gmtoff, end->abbr) == 0;
        *ret = lt;
}
