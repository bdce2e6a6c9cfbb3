#include "aws_error.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "datetime.h"
#include "json_parse.h"
#include "xmltext.h"

/* awsJson1_0 error bodies are flat objects (botocore's "ComplexError" test
 * case nests two levels); deeper input is refused rather than walked. */
#define JSON_DEPTH_MAX 16

/* Header values are read up to this many bytes, more than any field holds;
 * the HTTP layer caps whole header lines. */
#define HEADER_MAX 1024

struct code_rule {
        const char *code;
        enum aws_error_class cls;
        bool only_if_skewed; /* a signature error that clock skew may explain */
};

/* The table documented in aws_error.h, in the order it is applied. */
static const struct code_rule code_rules[] = {
        { "Throttling", AWS_ERR_THROTTLED, false },
        { "ThrottlingException", AWS_ERR_THROTTLED, false },
        { "ThrottledException", AWS_ERR_THROTTLED, false },
        { "Throttled", AWS_ERR_THROTTLED, false },
        { "RequestThrottled", AWS_ERR_THROTTLED, false },
        { "RequestThrottledException", AWS_ERR_THROTTLED, false },
        { "TooManyRequestsException", AWS_ERR_THROTTLED, false },
        { "ProvisionedThroughputExceededException", AWS_ERR_THROTTLED, false },
        { "RequestLimitExceeded", AWS_ERR_THROTTLED, false },
        { "BandwidthLimitExceeded", AWS_ERR_THROTTLED, false },
        { "SlowDown", AWS_ERR_THROTTLED, false },
        { "EC2ThrottledException", AWS_ERR_THROTTLED, false },
        { "KMSThrottling", AWS_ERR_THROTTLED, false },
        { "KmsThrottled", AWS_ERR_THROTTLED, false },
        { "KMS.ThrottlingException", AWS_ERR_THROTTLED, false },
        { "OverLimit", AWS_ERR_THROTTLED, false },
        { "RequestTimeTooSkewed", AWS_ERR_CLOCK_SKEW, false },
        { "RequestExpired", AWS_ERR_CLOCK_SKEW, false },
        { "RequestInTheFuture", AWS_ERR_CLOCK_SKEW, false },
        { "InvalidSignatureException", AWS_ERR_CLOCK_SKEW, true },
        { "SignatureDoesNotMatch", AWS_ERR_CLOCK_SKEW, true },
        { "AuthFailure", AWS_ERR_CLOCK_SKEW, true },
        { "ExpiredToken", AWS_ERR_CREDENTIALS_EXPIRED, false },
        { "ExpiredTokenException", AWS_ERR_CREDENTIALS_EXPIRED, false },
        { "TokenRefreshRequired", AWS_ERR_CREDENTIALS_EXPIRED, false },
        { "InternalError", AWS_ERR_RETRYABLE, false },
        { "InternalFailure", AWS_ERR_RETRYABLE, false },
        { "InternalServerError", AWS_ERR_RETRYABLE, false },
        { "ServiceUnavailable", AWS_ERR_RETRYABLE, false },
        { "ServiceUnavailableException", AWS_ERR_RETRYABLE, false },
        { "RequestTimeout", AWS_ERR_RETRYABLE, false },
        { "RequestTimeoutException", AWS_ERR_RETRYABLE, false },
        { "PriorRequestNotComplete", AWS_ERR_RETRYABLE, false },
};

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Copies n bytes of s, trimmed, up to an embedded NUL (JSON may hold
 * \u0000). A value that does not fit is cut before a whole UTF-8 character
 * and marked with "...". */
static void set_field(char *dst, size_t size, const char *s, size_t n) {
        const char *nul = memchr(s, '\0', n);
        if (nul)
                n = (size_t)(nul - s);
        while (n && is_space(*s)) {
                s++;
                n--;
        }
        while (n && is_space(s[n - 1]))
                n--;
        if (n < size) {
                memcpy(dst, s, n);
                dst[n] = '\0';
                return;
        }
        size_t keep = size - sizeof("...");
        while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
                keep--;
        memcpy(dst, s, keep);
        memcpy(dst + keep, "...", sizeof("..."));
}

/* "aws.protocoltests.json10#FooError:http://internal.amazon.com/…" → "FooError":
 * cut at the first ':', then keep what follows the last '#' (as botocore). */
static void set_code(char *dst, size_t size, const char *s, size_t n) {
        const char *colon = memchr(s, ':', n);
        if (colon)
                n = (size_t)(colon - s);
        const char *hash = memrchr(s, '#', n);
        if (hash) {
                n -= (size_t)(hash + 1 - s);
                s = hash + 1;
        }
        set_field(dst, size, s, n);
}

/* "AWS.SimpleQueueService.NonExistentQueue;Sender": as botocore, used only
 * when it has exactly two parts and the first is not empty. */
static void set_query_code(struct aws_error *e, const char *header) {
        size_t n = strnlen(header, HEADER_MAX);
        const char *semi = memchr(header, ';', n);
        if (!semi || semi == header)
                return;
        size_t rest = n - (size_t)(semi + 1 - header);
        if (memchr(semi + 1, ';', rest))
                return;
        set_field(e->query_code, sizeof(e->query_code), header, (size_t)(semi - header));
}

static bool clock_skewed(time_t server_date, time_t now) {
        time_t d;
        if (server_date == 0)
                return false;
        if (__builtin_sub_overflow(server_date, now, &d))
                return true;
        return d > AWS_CLOCK_SKEW_SECONDS || d < -AWS_CLOCK_SKEW_SECONDS;
}

static enum aws_error_class classify(const struct aws_error *e, time_t server_date, time_t now) {
        for (size_t i = 0; i < sizeof(code_rules) / sizeof(code_rules[0]); i++) {
                const struct code_rule *rule = &code_rules[i];
                if (strcmp(rule->code, e->code) != 0 && strcmp(rule->code, e->query_code) != 0)
                        continue;
                if (rule->only_if_skewed && !clock_skewed(server_date, now))
                        continue;
                return rule->cls;
        }
        if (e->http_status == 429)
                return AWS_ERR_THROTTLED;
        if (e->http_status >= 500 && e->http_status <= 599)
                return AWS_ERR_RETRYABLE;
        return AWS_ERR_FATAL;
}

static bool is_success(long status) {
        return status >= 200 && status <= 299;
}

static void finish(struct aws_error *e, time_t server_date, time_t now) {
        if (!e->code[0])
                snprintf(e->code, sizeof(e->code), "HTTP %ld", e->http_status);
        e->cls = classify(e, server_date, now);
}

/* The body as a JSON object, or NULL (and 0) when it is not one. */
static int parse_json_object(const char *body, size_t len, struct json_object **ret_obj) {
        struct json_object *obj = NULL;
        int r;

        *ret_obj = NULL;
        if (len == 0)
                return 0;
        r = json_parse_whole(body, len, JSON_DEPTH_MAX, &obj);
        if (r == -ENOMEM)
                return r;
        if (r == 0 && json_object_is_type(obj, json_type_object))
                *ret_obj = obj;
        else
                json_object_put(obj);
        return 0;
}

static bool json_string_member(struct json_object *obj, const char *key, const char **ret_s,
                               size_t *ret_n) {
        struct json_object *v;
        if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
                return false;
        *ret_s = json_object_get_string(v);
        *ret_n = (size_t)json_object_get_string_len(v);
        return true;
}

int aws_error_from_json_headers(long status, const char *body, size_t len,
                                const struct aws_json_error_headers *h, time_t server_date,
                                time_t now, struct aws_error *ret) {
        struct aws_error e = { .http_status = status };
        struct json_object *obj;
        const char *s;
        size_t n;
        int r;

        if ((!body && len) || !ret)
                return -EINVAL;
        if (is_success(status)) {
                *ret = e;
                return 0;
        }
        if (len > AWS_ERROR_BODY_MAX)
                len = AWS_ERROR_BODY_MAX;
        r = parse_json_object(body, len, &obj);
        if (r < 0)
                return r;
        /* Error type: header, then "code", then "__type" (smithy awsJson1_0). */
        if (h && h->error_type)
                set_code(e.code, sizeof(e.code), h->error_type, strnlen(h->error_type, HEADER_MAX));
        if (h && h->query_error)
                set_query_code(&e, h->query_error);
        if (h && h->request_id)
                set_field(e.request_id, sizeof(e.request_id), h->request_id,
                          strnlen(h->request_id, HEADER_MAX));
        if (obj) {
                if (!e.code[0] && json_string_member(obj, "code", &s, &n))
                        set_code(e.code, sizeof(e.code), s, n);
                if (!e.code[0] && json_string_member(obj, "__type", &s, &n))
                        set_code(e.code, sizeof(e.code), s, n);
                if (json_string_member(obj, "message", &s, &n) ||
                    json_string_member(obj, "Message", &s, &n))
                        set_field(e.message, sizeof(e.message), s, n);
                json_object_put(obj);
        }
        finish(&e, server_date, now);
        *ret = e;
        return 0;
}

int aws_error_from_json(long status, const char *body, size_t len, const char *query_error_header,
                        time_t server_date, time_t now, struct aws_error *ret) {
        const struct aws_json_error_headers h = { .query_error = query_error_header };
        return aws_error_from_json_headers(status, body, len, &h, server_date, now, ret);
}

int aws_error_from_xml(long status, const char *body, size_t len, time_t server_date, time_t now,
                       struct aws_error *ret) {
        struct aws_error e = { .http_status = status };
        char *text;

        if ((!body && len) || !ret)
                return -EINVAL;
        if (is_success(status)) {
                *ret = e;
                return 0;
        }
        if (len > AWS_ERROR_BODY_MAX)
                len = AWS_ERROR_BODY_MAX;
        /* Decoding never lengthens text, so len + 1 bytes hold any field and
         * a long message can be cut here rather than refused by xmltext. */
        text = malloc(len + 1);
        if (!text)
                return -ENOMEM;
        /* <Error> is the first such element in both the ErrorResponse and
         * the EC2 <Response><Errors> shapes. */
        if (xml_find_text_in(body, len, "Error", "Code", text, len + 1) == 0)
                set_code(e.code, sizeof(e.code), text, strlen(text));
        if (xml_find_text_in(body, len, "Error", "Message", text, len + 1) == 0)
                set_field(e.message, sizeof(e.message), text, strlen(text));
        if (xml_find_text(body, len, "RequestId", text, len + 1) == 0 ||
            xml_find_text(body, len, "RequestID", text, len + 1) == 0)
                set_field(e.request_id, sizeof(e.request_id), text, strlen(text));
        free(text);
        finish(&e, server_date, now);
        *ret = e;
        return 0;
}

/* code and, when message is NULL, message from the errno err. */
static void set_errno(struct aws_error *e, int err, const char *message) {
        int errnum = err < 0 && err != INT_MIN ? -err : EIO;
        const char *name = strerrorname_np(errnum);
        const char *desc = message ? message : strerrordesc_np(errnum);

        if (name)
                set_field(e->code, sizeof(e->code), name, strlen(name));
        else
                snprintf(e->code, sizeof(e->code), "errno %d", errnum);
        if (desc)
                set_field(e->message, sizeof(e->message), desc, strlen(desc));
}

void aws_error_from_transport(int err, struct aws_error *ret) {
        struct aws_error e = { .cls = AWS_ERR_RETRYABLE, .source = AWS_SOURCE_TRANSPORT };

        if (!ret)
                return;
        set_errno(&e, err, NULL);
        if (err == -EINVAL || err == -ENOTSUP || err == -EPROTONOSUPPORT)
                e.cls = AWS_ERR_FATAL;
        *ret = e;
}

void aws_error_from_errno(int err, struct aws_error *ret) {
        aws_error_local(ret, err == -E2BIG ? AWS_ERR_FATAL : AWS_ERR_RETRYABLE, err, NULL);
}

int aws_error_return(int r, struct aws_error *err) {
        if (r < 0 && r != -EIO)
                aws_error_from_errno(r, err);
        return r;
}

void aws_error_local(struct aws_error *ret, enum aws_error_class cls, int err, const char *fmt, ...) {
        struct aws_error e = { .cls = cls, .source = AWS_SOURCE_LOCAL };
        char words[sizeof(e.message)];

        if (!ret)
                return;
        if (fmt) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(words, sizeof(words), fmt, ap);
                va_end(ap);
        }
        set_errno(&e, err, fmt ? words : NULL);
        *ret = e;
}

const char *aws_error_class_name(enum aws_error_class cls) {
        switch (cls) {
        case AWS_ERR_NONE:
                return "none";
        case AWS_ERR_RETRYABLE:
                return "retryable";
        case AWS_ERR_THROTTLED:
                return "throttled";
        case AWS_ERR_CLOCK_SKEW:
                return "clock-skew";
        case AWS_ERR_CREDENTIALS_EXPIRED:
                return "credentials-expired";
        case AWS_ERR_FATAL:
                return "fatal";
        }
        return "unknown";
}

bool aws_error_is_retryable(const struct aws_error *e) {
        if (!e)
                return false;
        switch (e->cls) {
        case AWS_ERR_RETRYABLE:
        case AWS_ERR_THROTTLED:
        case AWS_ERR_CLOCK_SKEW:
        case AWS_ERR_CREDENTIALS_EXPIRED:
                return true;
        case AWS_ERR_NONE:
        case AWS_ERR_FATAL:
                break;
        }
        return false;
}

static const char *const short_days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const long_days[] = { "Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Index of the letters at *pp in words (whole word only), or -1. */
static int match_word(const char **pp, const char *const *words, int count) {
        const char *p = *pp, *q = p;
        while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z'))
                q++;
        for (int i = 0; i < count; i++) {
                if (strlen(words[i]) == (size_t)(q - p) && memcmp(words[i], p, (size_t)(q - p)) == 0) {
                        *pp = q;
                        return i;
                }
        }
        return -1;
}

static bool expect(const char **pp, const char *lit) {
        size_t n = strlen(lit);
        if (strncmp(*pp, lit, n) != 0)
                return false;
        *pp += n;
        return true;
}

/* Exactly n decimal digits. */
static bool digits(const char **pp, int n, int *ret) {
        int v = 0;
        for (int i = 0; i < n; i++) {
                char c = (*pp)[i];
                if (c < '0' || c > '9')
                        return false;
                v = v * 10 + (c - '0');
        }
        *pp += n;
        *ret = v;
        return true;
}

static bool parse_clock(const char **pp, struct tm *tm) {
        return digits(pp, 2, &tm->tm_hour) && expect(pp, ":") && digits(pp, 2, &tm->tm_min) &&
               expect(pp, ":") && digits(pp, 2, &tm->tm_sec);
}

int http_date_parse(const char *s, time_t *ret) {
        struct tm tm = { 0 };
        int year = 0, mon = -1, day = 0;
        bool ok = false;

        if (!s || !ret)
                return -EINVAL;
        const char *p = s;
        while (*p == ' ' || *p == '\t')
                p++;
        if (match_word(&p, short_days, 7) >= 0) {
                if (expect(&p, ", "))
                        ok = digits(&p, 2, &day) && expect(&p, " ") &&
                             (mon = match_word(&p, months, 12)) >= 0 && expect(&p, " ") &&
                             digits(&p, 4, &year) && expect(&p, " ") && parse_clock(&p, &tm) &&
                             expect(&p, " GMT");
                else /* asctime: day is 2DIGIT or SP DIGIT */
                        ok = expect(&p, " ") && (mon = match_word(&p, months, 12)) >= 0 &&
                             expect(&p, " ") &&
                             (expect(&p, " ") ? digits(&p, 1, &day) : digits(&p, 2, &day)) &&
                             expect(&p, " ") && parse_clock(&p, &tm) && expect(&p, " ") &&
                             digits(&p, 4, &year);
        } else if (match_word(&p, long_days, 7) >= 0) {
                ok = expect(&p, ", ") && digits(&p, 2, &day) && expect(&p, "-") &&
                     (mon = match_word(&p, months, 12)) >= 0 && expect(&p, "-") &&
                     digits(&p, 2, &year) && expect(&p, " ") && parse_clock(&p, &tm) &&
                     expect(&p, " GMT");
                /* RFC 7231 would pivot on the current year; a pure function
                 * has none, so a fixed pivot as curl's parsedate uses. */
                year += year < 70 ? 2000 : 1900;
        }
        while (*p == ' ' || *p == '\t')
                p++;
        if (!ok || *p != '\0')
                return -EINVAL;
        /* second 60 is a leap second (RFC 5322) */
        return datetime_from_civil(year, mon + 1, day, tm.tm_hour, tm.tm_min, tm.tm_sec, ret);
}

/* RFC 9110 reason phrases of the statuses AWS answers errors with. */
static const char *status_text(long status) {
        switch (status) {
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 408: return "Request Timeout";
        case 409: return "Conflict";
        case 413: return "Content Too Large";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        case 504: return "Gateway Timeout";
        default: return "";
        }
}

void aws_error_describe(const struct aws_error *e, char *out, size_t size) {
        const char *cls = aws_error_class_name(e->cls);
        const char *phrase = status_text(e->http_status);
        /* an answer without an error code has "HTTP <status>" as its code: said once */
        bool own_code = e->code[0] && strncmp(e->code, "HTTP ", 5) != 0;

        if (e->http_status == 0) {
                /* no answer: what happened, in the transport's words when it had some */
                snprintf(out, size, "%s (%s)", e->message[0] ? e->message : e->code[0] ? e->code : "error", cls);
                return;
        }
        snprintf(out, size, "HTTP %ld%s%s%s%s%s%s (%s)", e->http_status, phrase[0] ? " " : "", phrase,
                 own_code ? ": " : "", own_code ? e->code : "", e->message[0] ? ": " : "", e->message, cls);
}
