#include "awsid.h"
#include "macro.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

/* SQS CreateQueue: "up to 80 characters ... alphanumeric characters, hyphens
 * (-), and underscores (_)"; a FIFO queue's name ends in ".fifo", counted in
 * the 80. SNS CreateTopic: the same rule with 256. */
#define QUEUE_NAME_MAX 80
#define TOPIC_NAME_MAX 256

static bool is_lower(char c) {
        return c >= 'a' && c <= 'z';
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_alnum(char c) {
        return is_lower((char)(c | 0x20)) || is_digit(c);
}

static bool is_name_char(char c) {
        return is_alnum(c) || c == '-' || c == '_';
}

static bool is_host_char(char c) {
        return is_alnum(c) || c == '-' || c == '.';
}

static bool region_valid_n(const char *s, size_t n) {
        size_t i = 0, words = 0;

        if (n < 4 || n > AWS_REGION_MAX || !is_lower(s[0]) || !is_lower(s[1]) || s[2] != '-')
                return false;
        i = 2;
        /* "-word" groups, then a final "-digits" */
        while (i < n && s[i] == '-' && i + 1 < n && is_lower(s[i + 1])) {
                i++;
                while (i < n && is_lower(s[i]))
                        i++;
                words++;
        }
        if (words == 0 || i >= n || s[i] != '-' || i + 1 >= n)
                return false;
        for (i++; i < n; i++)
                if (!is_digit(s[i]))
                        return false;
        return true;
}

bool aws_region_valid(const char *s) {
        return region_valid_n(s, strlen(s));
}

bool aws_account_id_valid(const char *s, size_t n) {
        if (n != 12)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_digit(s[i]))
                        return false;
        return true;
}

bool aws_host_is_loopback(const char *host) {
        struct in_addr a4;
        struct in6_addr a6;

        if (strcasecmp(host, "localhost") == 0)
                return true;
        if (inet_pton(AF_INET, host, &a4) == 1)
                return (ntohl(a4.s_addr) >> 24) == 127;
        if (inet_pton(AF_INET6, host, &a6) == 1)
                return IN6_IS_ADDR_LOOPBACK(&a6);
        return false;
}

bool aws_host_is_link_local(const char *host) {
        /* fd00:ec2::254: the instance metadata service on IPv6 (Nitro) */
        static const struct in6_addr imds6 = { .s6_addr = { 0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                             0x02, 0x54 } };
        struct in_addr a4;
        struct in6_addr a6;

        if (inet_pton(AF_INET, host, &a4) == 1)
                return (ntohl(a4.s_addr) >> 16) == 0xa9fe; /* 169.254.0.0/16 */
        if (inet_pton(AF_INET6, host, &a6) == 1)
                return IN6_IS_ADDR_LINKLOCAL(&a6) || memcmp(&a6, &imds6, sizeof(a6)) == 0;
        return false;
}

static int fail(const char **why, const char *reason) {
        if (why)
                *why = reason;
        return -EINVAL;
}

int aws_url_parse(const char *s, struct aws_url *ret, const char **why) {
        struct aws_url u = {};
        const char *p, *end, *host, *host_end;
        bool bracketed = false;
        size_t n;

        if (strncmp(s, "https://", 8) == 0) {
                u.https = true;
                p = s + 8;
        } else if (strncmp(s, "http://", 7) == 0) {
                p = s + 7;
        } else {
                return fail(why, "is not an http:// or https:// URL");
        }
        end = p + strcspn(p, "/?#");
        if (memchr(p, '@', (size_t)(end - p)))
                return fail(why, "contains user information (not shown)");
        if (*p == '[') {
                bracketed = true;
                host = p + 1;
                host_end = memchr(host, ']', (size_t)(end - host));
                if (!host_end)
                        return fail(why, "has a bad host name");
                p = host_end + 1;
        } else {
                host = p;
                host_end = p + strcspn(p, ":/?#");
                for (const char *c = host; c < host_end; c++)
                        if (!is_host_char(*c))
                                return fail(why, "has a bad host name");
                p = host_end;
        }
        n = (size_t)(host_end - host);
        if (n == 0 || n > AWS_HOST_MAX)
                return fail(why, "has a bad host name");
        memcpy(u.host, host, n);
        u.host[n] = '\0';
        if (bracketed) {
                struct in6_addr a6;
                if (inet_pton(AF_INET6, u.host, &a6) != 1)
                        return fail(why, "has a bad host name");
        }
        if (*p == ':') {
                unsigned port = 0;
                size_t digits = 0;
                for (p++; p < end && is_digit(*p) && digits < 5; p++, digits++)
                        port = port * 10 + (unsigned)(*p - '0');
                if (digits == 0 || p != end || port == 0 || port > 65535)
                        return fail(why, "has a bad port");
                u.port = port;
        } else if (p != end) {
                return fail(why, "has a bad host name");
        }
        u.rest = end;
        *ret = u;
        return 0;
}

/* A queue or topic name: 1..max of [A-Za-z0-9_-], or that plus ".fifo". */
static bool resource_name_valid(const char *s, size_t max) {
        size_t n = strlen(s), base = n;

        if (n > max)
                return false;
        if (n > 5 && strcmp(s + n - 5, ".fifo") == 0)
                base = n - 5;
        if (base == 0)
                return false;
        for (size_t i = 0; i < base; i++)
                if (!is_name_char(s[i]))
                        return false;
        return true;
}

/* Copies the region that host starts with when host is prefix REGION suffix. */
static bool host_region(const char *host, const char *prefix, const char *suffix, char *ret_region) {
        size_t hn = strlen(host), pn = strlen(prefix), sn = strlen(suffix);

        if (hn <= pn + sn || strncmp(host, prefix, pn) != 0 || strcmp(host + hn - sn, suffix) != 0)
                return false;
        if (!region_valid_n(host + pn, hn - pn - sn))
                return false;
        memcpy(ret_region, host + pn, hn - pn - sn);
        ret_region[hn - pn - sn] = '\0';
        return true;
}

int aws_queue_url_parse(const char *url, char *ret_region) {
        char region[AWS_REGION_MAX + 1] = "";
        struct aws_url u;
        const char *account, *name;

        if (aws_url_parse(url, &u, NULL) < 0)
                return -EINVAL;
        /* A loopback host is an emulator: any port, http allowed, no region. */
        if (!aws_host_is_loopback(u.host)) {
                if (!u.https)
                        return -EINVAL;
                if (!host_region(u.host, "sqs.", ".amazonaws.com", region) &&
                    !host_region(u.host, "sqs.", ".amazonaws.com.cn", region) &&
                    !host_region(u.host, "", ".queue.amazonaws.com", region))
                        return -EINVAL;
        }
        if (u.rest[0] != '/')
                return -EINVAL;
        account = u.rest + 1;
        name = strchr(account, '/');
        if (!name || !aws_account_id_valid(account, (size_t)(name - account)))
                return -EINVAL;
        name++;
        if (strpbrk(name, "/?#") || !resource_name_valid(name, QUEUE_NAME_MAX))
                return -EINVAL;
        strcpy(ret_region, region);
        return 0;
}

int aws_topic_arn_parse(const char *arn, char *ret_region) {
        static const char *const partitions[] = { "arn:aws:sns:", "arn:aws-cn:sns:",
                                                  "arn:aws-us-gov:sns:" };
        const char *p = NULL, *region, *colon;
        size_t n;

        for (size_t i = 0; i < ELEMENTSOF(partitions); i++)
                if (strncmp(arn, partitions[i], strlen(partitions[i])) == 0)
                        p = arn + strlen(partitions[i]);
        if (!p)
                return -EINVAL;
        region = p;
        colon = strchr(region, ':');
        if (!colon || !region_valid_n(region, (size_t)(colon - region)))
                return -EINVAL;
        n = (size_t)(colon - region);
        p = colon + 1;
        colon = strchr(p, ':');
        if (!colon || !aws_account_id_valid(p, (size_t)(colon - p)))
                return -EINVAL;
        if (!resource_name_valid(colon + 1, TOPIC_NAME_MAX))
                return -EINVAL;
        memcpy(ret_region, region, n);
        ret_region[n] = '\0';
        return 0;
}
