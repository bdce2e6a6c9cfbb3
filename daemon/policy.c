#include "policy.h"

#include <errno.h>

static const char *unrecognized_reason(int parse_error) {
        switch (parse_error) {
        case -EBADMSG:
                return "not JSON";
        case -E2BIG:
                return "too large";
        default:
                return "not a CloudTrail event";
        }
}

struct policy_verdict policy_decide(const struct policy_facts *f, const struct policy_settings *s) {
        /* Before anything else: a message past the limit is not retried,
         * whatever it holds. */
        if (f->receive_count > s->max_receive_count)
                return (struct policy_verdict){ POLICY_POISON, "received more than max_receive_count times" };
        /* Not the body's fault: it may parse on a later receive. */
        if (f->parse_error == -ENOMEM)
                return (struct policy_verdict){ POLICY_KEEP, "out of memory while parsing it" };
        if (f->parse_error < 0)
                return (struct policy_verdict){ s->unrecognized_keep ? POLICY_KEEP : POLICY_FALLBACK,
                                                unrecognized_reason(f->parse_error) };
        if (!f->notifiable)
                return (struct policy_verdict){ POLICY_FILTER, "not notified" };
        if (f->ignored)
                return (struct policy_verdict){ POLICY_IGNORE, "ignored by a rule" };
        if (f->duplicate)
                return (struct policy_verdict){ POLICY_DUPLICATE, "already published by this process" };
        return (struct policy_verdict){ POLICY_PUBLISH, "notified" };
}

struct policy_verdict policy_after_publish_failure(int receive_count, const struct policy_settings *s) {
        if (receive_count >= s->max_receive_count)
                return (struct policy_verdict){ POLICY_POISON, "failed on the last receive allowed" };
        return (struct policy_verdict){ POLICY_KEEP, "left in the queue for a retry" };
}
