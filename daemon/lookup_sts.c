/* lookup_sts: STS AssumeRole of the [enrich] role_arn in an event's account
 * (lookup_wire.h). */
#include "lookup_wire.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "aws_service.h"
#include "datetime.h"
#include "urlenc.h"
#include "xmltext.h"

/* STS DurationSeconds: 900..43200, capped by the role's maximum (default
 * one hour); an hour is what every role allows. */
#define ASSUME_DURATION "3600"

int lookup_role_arn_for(const char *role_arn, const char *account, char *ret, size_t size) {
        static const char ph[] = LOOKUP_ACCOUNT_PLACEHOLDER;
        size_t out = 0;

        if (!role_arn || !account || strlen(account) != 12 || !ret || size == 0)
                return -EINVAL;
        for (const char *p = role_arn; *p;) {
                const char *piece = p;
                size_t n = 1;
                if (strncmp(p, ph, sizeof(ph) - 1) == 0) {
                        piece = account;
                        n = 12;
                        p += sizeof(ph) - 1;
                } else {
                        p++;
                }
                if (out + n >= size)
                        return -E2BIG;
                memcpy(ret + out, piece, n);
                out += n;
        }
        ret[out] = '\0';
        return 0;
}

int lookup_sts_request(const char *role_arn, const char *session_name, const char *external_id, struct buf *ret) {
        struct form_param p[] = {
                { "Action", "AssumeRole" },
                { "Version", aws_service_sts.api_version },
                { "RoleArn", role_arn },
                { "RoleSessionName", session_name },
                { "DurationSeconds", ASSUME_DURATION },
                { "ExternalId", external_id },
        };
        struct buf b;
        int r;

        if (!role_arn || !session_name || !ret)
                return -EINVAL;
        buf_init(&b, LOOKUP_BODY_MAX);
        r = form_encode(p, external_id ? 6 : 5, &b);
        if (r < 0) {
                buf_free(&b);
                return r;
        }
        *ret = b;
        return 0;
}

int lookup_sts_parse(const char *xml, size_t len, struct lookup_credentials *ret) {
        static const char *const names[] = { "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration" };
        const char *creds;
        size_t creds_len;
        char expiration[64];
        struct lookup_credentials c;
        int r;

        if (!xml || !ret)
                return -EINVAL;
        r = xml_find_element(xml, len, "AssumeRoleResult", &creds, &creds_len);
        if (r == 0)
                r = xml_find_element(creds, creds_len, "Credentials", &creds, &creds_len);
        if (r < 0)
                return r == -EINVAL ? r : -EBADMSG;
        char *fields[] = { c.access_key_id, c.secret_access_key, c.session_token, expiration };
        const size_t sizes[] = { sizeof(c.access_key_id), sizeof(c.secret_access_key), sizeof(c.session_token),
                                 sizeof(expiration) };
        for (size_t i = 0; i < 4 && r == 0; i++)
                r = xml_find_text(creds, creds_len, names[i], fields[i], sizes[i]);
        /* STS writes Expiration as an ISO 8601 UTC time, e.g. 2019-11-09T13:34:41Z */
        if (r == 0 && datetime_parse(expiration, DATETIME_RFC3339, &c.expiration) < 0)
                r = -EBADMSG;
        if (r == 0 && (!c.access_key_id[0] || !c.secret_access_key[0] || !c.session_token[0]))
                r = -EBADMSG;
        if (r == 0)
                *ret = c;
        OPENSSL_cleanse(&c, sizeof(c));
        return r < 0 && r != -ENOMEM ? -EBADMSG : r;
}
