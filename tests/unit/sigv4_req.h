/* The request files of the SigV4 test suites (.req, request.txt), parsed in
 * place: shared by test_sigv4 and the sigv4 fuzz target, whose inputs have
 * the same format so that the suites seed it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "sigv4.h"

/* More than sigv4 accepts, so that its limit can be reached too. */
#define SIGV4_REQ_HEADERS_MAX (SIGV4_MAX_HEADERS + 8)

struct sigv4_req {
        const char *method, *path, *query;
        struct sigv4_header headers[SIGV4_REQ_HEADERS_MAX];
        size_t n_headers;
        const char *body;
        size_t body_len;
};

/* Request line, "Name:value" headers (a line starting with a space or tab
 * continues the previous value, which then holds the line break as sent),
 * a blank line, the body. Cuts text (NUL-terminated, len bytes before the
 * NUL) in place; false for a text of another shape. */
static inline bool sigv4_req_parse(char *text, size_t len, struct sigv4_req *p) {
        char *blank = strstr(text, "\n\n");

        *p = (struct sigv4_req){ .body = "" };
        if (blank) {
                *blank = '\0';
                p->body = blank + 2;
                p->body_len = len - (size_t)(blank + 2 - text);
        } else if (len > 0 && text[len - 1] == '\n') {
                text[len - 1] = '\0';
        }
        char *line_end = strchr(text, '\n');
        if (line_end)
                *line_end = '\0';
        char *sp1 = strchr(text, ' '), *sp2 = strrchr(text, ' ');
        if (!sp1 || sp2 == sp1)
                return false;
        *sp1 = *sp2 = '\0';
        p->method = text;
        p->path = sp1 + 1;
        char *q = strchr(sp1 + 1, '?');
        if (q) {
                *q = '\0';
                p->query = q + 1;
        }
        for (char *s = line_end ? line_end + 1 : NULL; s && *s;) {
                char *colon = strchr(s, ':');
                if (!colon || p->n_headers == SIGV4_REQ_HEADERS_MAX || *s == ' ' || *s == '\t')
                        return false;
                *colon = '\0';
                char *e = strchr(colon + 1, '\n');
                while (e && (e[1] == ' ' || e[1] == '\t'))
                        e = strchr(e + 1, '\n');
                if (e)
                        *e = '\0';
                p->headers[p->n_headers++] = (struct sigv4_header){ s, colon + 1 };
                s = e ? e + 1 : NULL;
        }
        return true;
}
