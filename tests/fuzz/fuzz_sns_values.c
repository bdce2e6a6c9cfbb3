/* fuzz_sns_values: values from an event → SNS message attributes, FIFO ids
 * and the size limit of a Publish and a PublishBatch.
 *
 * The input is read twice: as a message body (event_parse; a recognised
 * event supplies actor, event name, account, target and eventID as the relay
 * would send them) and as raw values split at NUL bytes (actor, event name,
 * subject, group id, dedup id, message), so values no JSON decoder lets
 * through reach the builders too. Checked besides crashes and sanitizer
 * reports: every attribute value is valid UTF-8 of at most
 * SNS_ATTRIBUTE_VALUE_MAX bytes with no control character and no U+FFFE or
 * U+FFFF; printable ASCII without '\\' that fits is kept as it is; FIFO ids
 * are valid, kept when valid and the same for the same input; a body is
 * refused as too large exactly when the counted size is above
 * SNS_PAYLOAD_MAX. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "event.h"
#include "fuzz_check.h"
#include "sns.h"
#include "sns_values.h"
#include "textsafe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { ACTOR, EVENT_NAME, SUBJECT, GROUP, DEDUP, MESSAGE, N_VALUES };

static bool plain_ascii(const char *s) {
        for (; *s; s++)
                if (*s < 0x20 || *s > 0x7e || *s == '\\')
                        return false;
        return true;
}

static void check_attribute(const char *s) {
        char v[SNS_ATTRIBUTE_VALUE_MAX + 1];
        if (sns_attribute_value(s, v) < 0)
                return;
        size_t n = strlen(v);
        CHECK(n <= SNS_ATTRIBUTE_VALUE_MAX);
        CHECK(textsafe_utf8_valid(v, n));
        for (size_t i = 0; i < n; i++)
                CHECK((unsigned char)v[i] >= 0x20 && v[i] != 0x7f);
        CHECK(!strstr(v, "\xef\xbf\xbe") && !strstr(v, "\xef\xbf\xbf"));
        if (strlen(s) <= SNS_ATTRIBUTE_VALUE_MAX && plain_ascii(s))
                CHECK(strcmp(v, s) == 0);
}

static void check_fifo_id(const char *s) {
        char a[SNS_FIFO_ID_MAX + 1], b[SNS_FIFO_ID_MAX + 1];
        if (sns_fifo_id(s, a) < 0)
                return;
        CHECK(sns_fifo_id_valid(a));
        CHECK(sns_fifo_id(s, b) == 0 && strcmp(a, b) == 0);
        if (sns_fifo_id_valid(s))
                CHECK(strcmp(a, s) == 0);
}

/* m alone, then `copies` of it in one batch: refused as too large exactly
 * when the counted bytes are above the limit. */
static void check_bodies(const struct sns_message *m, size_t copies) {
        struct sns_message batch[SNS_BATCH_MAX];
        struct buf body;
        size_t one = 0;
        int r = sns_message_size(m, &one);

        if (r == -ENOMEM || r == -EIO)
                return;
        /* the payload %-encoded, with room for every other parameter */
        buf_init(&body, 4 * SNS_PAYLOAD_MAX);
        CHECK(sns_publish_body(m, &body) == r);
        buf_free(&body);
        if (r < 0) {
                CHECK(r == -E2BIG);
                return;
        }
        CHECK(one <= SNS_PAYLOAD_MAX);
        for (size_t i = 0; i < copies; i++)
                batch[i] = *m;
        r = sns_publish_batch_body(batch, copies, &body);
        CHECK(r == 0 || r == -ENOMEM || r == -EIO || r == -E2BIG);
        if (r == 0 || r == -E2BIG)
                CHECK((r == -E2BIG) == (one * copies > SNS_PAYLOAD_MAX));
        buf_free(&body);
}

static void check_message(const char *const v[N_VALUES], const char *account, size_t copies) {
        const struct sns_attribute attrs[3] = { { "event_name", v[EVENT_NAME] }, { "actor", v[ACTOR] },
                                                { "account_id", account } };
        const struct sns_message m = {
                .topic_arn = "arn:aws:sns:us-east-1:123456789012:t.fifo",
                .subject = v[SUBJECT],
                .message = v[MESSAGE] ? v[MESSAGE] : "m",
                .attributes = attrs,
                .n_attributes = 3,
                .group_id = v[GROUP],
                .dedup_id = v[DEDUP],
        };
        for (size_t i = 0; i < N_VALUES; i++)
                if (v[i] && i != MESSAGE && i != SUBJECT)
                        (i == GROUP || i == DEDUP ? check_fifo_id : check_attribute)(v[i]);
        if (account)
                check_attribute(account);
        check_bodies(&m, copies);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *v[N_VALUES] = { 0 };
        struct ssm_event *ev = NULL;
        size_t copies = size ? (size_t)data[0] % SNS_BATCH_MAX + 1 : 1;
        char *copy = malloc(size + 1);

        if (!copy)
                return 0;
        memcpy(copy, data, size);
        copy[size] = '\0';

        if (event_parse(copy, size, &ev) == 0) {
                const char *from_event[N_VALUES] = { ev->actor, ev->event_name, NULL, ev->target, ev->event_id, NULL };
                check_message(from_event, ev->account_id, copies);
                event_free(ev);
        }
        /* the raw values: split at NUL bytes */
        for (size_t i = 0, at = 0; i < N_VALUES && at <= size; i++) {
                v[i] = copy + at;
                at += strlen(copy + at) + 1;
        }
        check_message(v, NULL, copies);
        free(copy);
        return 0;
}
