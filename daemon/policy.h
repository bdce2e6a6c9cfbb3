/* policy: what becomes of one message from the queue, DESIGN.md's "Message
 * policy" as a pure function. The relay gathers the facts (receive count,
 * how the body parsed, the filter's and the dedupe memory's answers) and
 * carries out the verdict; the reason is a short phrase for its log line. */
#pragma once

#include <stdbool.h>

enum policy_action {
        POLICY_PUBLISH,   /* a notifiable event: publish, delete once SNS accepted it */
        POLICY_FILTER,    /* a valid event the filter drops: delete */
        POLICY_FALLBACK,  /* not an event: publish the fallback notification, then delete */
        POLICY_KEEP,      /* leave it in the queue; it returns after its visibility timeout */
        POLICY_POISON,    /* give up on it: the queue's redrive policy moves it to the DLQ */
        POLICY_DUPLICATE, /* its event was already published by this process: delete */
        POLICY_IGNORE,    /* a [rule NAME] with action = ignore matched it: delete, never publish */
};

struct policy_settings {
        int max_receive_count;
        bool unrecognized_keep; /* [notify] unrecognized = keep */
};

struct policy_facts {
        int receive_count; /* ApproximateReceiveCount */
        int parse_error;   /* event_parse(): 0 or its negative errno */
        bool notifiable;   /* parsed, and the filter passes it */
        bool duplicate;    /* parsed, and its eventID is one this process published */
        bool ignored;      /* notifiable, and the first rule that matches it says ignore */
};

struct policy_verdict {
        enum policy_action action;
        const char *reason; /* static */
};

struct policy_verdict policy_decide(const struct policy_facts *f, const struct policy_settings *s);

/* After a failed publish of a message received receive_count times:
 * POLICY_POISON on the last receive allowed, else POLICY_KEEP (retried). */
struct policy_verdict policy_after_publish_failure(int receive_count, const struct policy_settings *s);
