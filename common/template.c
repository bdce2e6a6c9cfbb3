#include "template.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *const SUBJECT_PLACEHOLDERS[] = {
        "event_name", "event_source", "actor", "actor_type", "role", "target",
        "target_name", "outcome", "account_id", "account_name", "region", "source_ip",
        "session_id", "local_time", "event_time", NULL,
};

static size_t placeholder_len(const char *p) {
        size_t n = 0;
        while ((p[n] >= 'a' && p[n] <= 'z') || p[n] == '_')
                n++;
        return n;
}

static int allowed_name(const char *name, size_t len, const char *const *allowed) {
        for (; *allowed; allowed++)
                if (strlen(*allowed) == len && memcmp(*allowed, name, len) == 0)
                        return 1;
        return 0;
}

static int report_bad(const char *start, size_t len, char *bad, size_t bad_size) {
        if (bad && bad_size)
                snprintf(bad, bad_size, "%.*s", (int)len, start);
        return -EINVAL;
}

int template_validate(const char *tmpl, const char *const *allowed, char *bad, size_t bad_size) {
        for (const char *p = tmpl; *p; p++) {
                if (*p == '}')
                        return report_bad(p, 1, bad, bad_size);
                if (*p != '{')
                        continue;
                size_t n = placeholder_len(p + 1);
                if (n == 0 || p[1 + n] != '}')
                        return report_bad(p, n + 1 + (p[1 + n] != '\0'), bad, bad_size);
                if (!allowed_name(p + 1, n, allowed))
                        return report_bad(p, n + 2, bad, bad_size);
                p += n + 1;
        }
        return 0;
}

int template_expand(const char *tmpl, template_lookup_fn lookup, void *userdata, struct buf *out) {
        int r;
        for (const char *p = tmpl; *p;) {
                const char *open = strchr(p, '{');
                size_t lit = open ? (size_t)(open - p) : strlen(p);
                r = buf_append(out, p, lit);
                if (r < 0)
                        return r;
                if (!open)
                        break;
                size_t n = placeholder_len(open + 1);
                if (open[1 + n] != '}')
                        return -EINVAL;
                const char *v = lookup(open + 1, n, userdata);
                if (v) {
                        r = buf_puts(out, v);
                        if (r < 0)
                                return r;
                }
                p = open + n + 2;
        }
        return 0;
}
