#include "localtime.h"

#include "tz.h"

void event_local_time(const struct ssm_event *ev, const char *zone, struct render_local_time *ret) {
        struct render_local_time lt = { 0 };
        if (ev->has_time && zone)
                lt.valid = tz_localtime(zone, ev->event_epoch, &lt.tm, &lt.gmtoff, lt.abbr) == 0;
        *ret = lt;
}
