#include "sns.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sns_values.h"
#include "urlenc.h"
#include "xmltext.h"

/* The form body: the payload %-encoded (up to 3 bytes per byte) plus the
 * other parameters. */
#define SNS_BODY_MAX (3 * SNS_PAYLOAD_MAX + 64 * 1024)
#define SNS_CALL_TIMEOUT_MS 15000
/* "PublishBatchRequestEntries.member.10.MessageAttributes.entry.10.Value.StringValue" */
#define SNS_PARAM_NAME_MAX 96
/* Per message: Subject, Message, MessageStructure, group, dedup, Id + 3 per attribute. */
#define SNS_PARAMS_PER_MESSAGE (6 + 3 * SNS_ATTRIBUTES_MAX)
#define SNS_PARAMS_MAX (3 + SNS_BATCH_MAX * SNS_PARAMS_PER_MESSAGE)

/* Values made SNS-safe (sns_values.h): the attributes and FIFO ids of each
 * message. */
#define SNS_VALUES_MAX (SNS_BATCH_MAX * (SNS_ATTRIBUTES_MAX + 2))

/* About 70 KiB, of which a batch fills a part: allocated by form_new() without
 * clearing (each slot is written before it is read, up to n and n_values). */
struct form {
        struct form_param p[SNS_PARAMS_MAX];
        char names[SNS_PARAMS_MAX][SNS_PARAM_NAME_MAX];
        char values[SNS_VALUES_MAX][SNS_ATTRIBUTE_VALUE_MAX + 1];
        size_t n, n_values;
};

static struct form *form_new(void) {
        struct form *f = malloc(sizeof(*f));
        if (f)
                f->n = f->n_values = 0;
        return f;
}

_Static_assert(SNS_FIFO_ID_MAX <= SNS_ATTRIBUTE_VALUE_MAX, "a FIFO id fits a value slot");

/* Names are copied: callers build them in short-lived buffers. Joined by
 * hand, not with snprintf: a batch has a few hundred of them. */
static void form_add(struct form *f, const char *prefix, const char *name, const char *value) {
        char *out = f->names[f->n];
        size_t a = strnlen(prefix, SNS_PARAM_NAME_MAX - 1), b = strnlen(name, SNS_PARAM_NAME_MAX - 1 - a);
        memcpy(out, prefix, a);
        memcpy(out + a, name, b);
        out[a + b] = '\0';
        f->p[f->n] = (struct form_param){ out, value };
        f->n++;
}

/* "<a><b><i>." into out (SNS_PARAM_NAME_MAX bytes), for the members'
 * and attributes' prefixes, numbered from 1 (at most two digits). */
_Static_assert(SNS_BATCH_MAX < 100 && SNS_ATTRIBUTES_MAX < 100, "indexes of two digits");
static void indexed_prefix(char *out, const char *a, const char *b, size_t i) {
        size_t n = strnlen(a, SNS_PARAM_NAME_MAX - 4), m = strnlen(b, SNS_PARAM_NAME_MAX - 4 - n);
        memcpy(out, a, n);
        memcpy(out + n, b, m);
        n += m;
        if (i >= 10)
                out[n++] = (char)('0' + i / 10);
        out[n++] = (char)('0' + i % 10);
        out[n++] = '.';
        out[n] = '\0';
}

/* The parameters of one message, each name behind prefix ("" for Publish).
 * *size grows by the bytes SNS counts against SNS_PAYLOAD_MAX: subject,
 * message, each attribute's name, type and value, and (beyond what SNS
 * counts, to be safe) the FIFO ids. */
static int form_add_message(struct form *f, const char *prefix, const struct sns_message *m, size_t *size) {
        static const char type[] = "String";
        char entry_prefix[SNS_PARAM_NAME_MAX];
        size_t entry = 0, total = strlen(m->message);
        int r;

        if (m->n_attributes > SNS_ATTRIBUTES_MAX)
                return -E2BIG;
        if (m->subject) {
                form_add(f, prefix, "Subject", m->subject);
                total += strlen(m->subject);
        }
        form_add(f, prefix, "Message", m->message);
        if (m->message_structure_json)
                form_add(f, prefix, "MessageStructure", "json");
        for (size_t i = 0; i < m->n_attributes; i++) {
                const char *value = m->attributes[i].value;
                char *safe = f->values[f->n_values];
                if (!value || !value[0])
                        continue;
                r = sns_attribute_value(value, safe);
                if (r < 0)
                        return r;
                f->n_values++;
                entry++;
                indexed_prefix(entry_prefix, prefix, "MessageAttributes.entry.", entry);
                form_add(f, entry_prefix, "Name", m->attributes[i].name);
                form_add(f, entry_prefix, "Value.DataType", type);
                form_add(f, entry_prefix, "Value.StringValue", safe);
                total += strlen(m->attributes[i].name) + strlen(type) + strlen(safe);
        }
        const char *const fifo[2][2] = { { "MessageGroupId", m->group_id },
                                         { "MessageDeduplicationId", m->dedup_id } };
        for (size_t i = 0; i < 2; i++) {
                char *safe = f->values[f->n_values];
                if (!fifo[i][1])
                        continue;
                r = sns_fifo_id(fifo[i][1], safe);
                if (r < 0)
                        return r;
                f->n_values++;
                form_add(f, prefix, fifo[i][0], safe);
                total += strlen(safe);
        }
        if (total > SNS_PAYLOAD_MAX)
                return -E2BIG;
        *size += total;
        return 0;
}

int sns_message_size(const struct sns_message *m, size_t *ret) {
        struct form *f = form_new();
        size_t size = 0;
        int r;
        if (!f)
                return -ENOMEM;
        r = form_add_message(f, "", m, &size);
        if (r == 0)
                *ret = size;
        free(f);
        return r;
}

int sns_publish_body(const struct sns_message *m, struct buf *out) {
        struct form *f = form_new();
        size_t size = 0;
        int r;
        if (!f)
                return -ENOMEM;
        form_add(f, "", "Action", "Publish");
        form_add(f, "", "Version", aws_service_sns.api_version);
        form_add(f, "", "TopicArn", m->topic_arn);
        r = form_add_message(f, "", m, &size);
        if (r == 0)
                r = form_encode(f->p, f->n, out);
        free(f);
        return r;
}

/* Entry Ids are the indexes "0".."9", so an answer maps back to msgs[i]. */
static const char *const entry_ids[SNS_BATCH_MAX] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" };

int sns_publish_batch_body(const struct sns_message *msgs, size_t n, struct buf *out) {
        struct form *f;
        char prefix[SNS_PARAM_NAME_MAX];
        size_t payload = 0;
        int r = 0;

        if (n == 0 || n > SNS_BATCH_MAX)
                return -EINVAL;
        f = form_new();
        if (!f)
                return -ENOMEM;
        form_add(f, "", "Action", "PublishBatch");
        form_add(f, "", "Version", aws_service_sns.api_version);
        form_add(f, "", "TopicArn", msgs[0].topic_arn);
        for (size_t i = 0; i < n && r == 0; i++) {
                indexed_prefix(prefix, "", "PublishBatchRequestEntries.member.", i + 1);
                form_add(f, prefix, "Id", entry_ids[i]);
                r = form_add_message(f, prefix, &msgs[i], &payload);
        }
        /* SNS: the limit holds for "the total aggregate size of all messages"
         * of a batch too. */
        if (r == 0 && payload > SNS_PAYLOAD_MAX)
                r = -E2BIG;
        if (r == 0)
                r = form_encode(f->p, f->n, out);
        free(f);
        return r;
}

static int entry_index(const char *member, size_t len, size_t n) {
        char id[8];
        if (xml_find_text(member, len, "Id", id, sizeof(id)) < 0)
                return -EBADMSG;
        for (size_t i = 0; i < n; i++)
                if (strcmp(id, entry_ids[i]) == 0)
                        return (int)i;
        return -EBADMSG;
}

/* Fills results from each <member> of the first <list> element of xml, and
 * sets the bit of each entry filled in *mentioned. */
static int for_each_member(const char *xml, size_t len, const char *list, size_t n,
                           struct sns_entry_result *results, bool ok, unsigned *mentioned) {
        const char *el, *member;
        size_t el_len, member_len;

        if (xml_find_element(xml, len, list, &el, &el_len) < 0)
                return 0; /* an empty list may be left out */
        /* step over the list's own start tag so the search finds its children */
        const char *p = memchr(el, '>', el_len);
        const char *end = el + el_len;
        if (!p)
                return -EBADMSG;
        for (p++; p < end && xml_find_element(p, (size_t)(end - p), "member", &member, &member_len) == 0;
             p = member + member_len) {
                int i = entry_index(member, member_len, n);
                if (i < 0)
                        return i;
                struct sns_entry_result *res = &results[i];
                *res = (struct sns_entry_result){ .ok = ok };
                *mentioned |= 1u << i;
                if (ok) {
                        if (xml_find_text(member, member_len, "MessageId", res->message_id,
                                          sizeof(res->message_id)) < 0)
                                return -EBADMSG;
                        continue;
                }
                char fault[8] = "";
                /* SNS: BatchResultErrorEntry's Code is required. Without it the
                 * entry would fail with no reason to log. */
                if (xml_find_text(member, member_len, "Code", res->error.code, sizeof(res->error.code)) < 0 ||
                    !res->error.code[0])
                        return -EBADMSG;
                xml_find_text(member, member_len, "Message", res->error.message, sizeof(res->error.message));
                xml_find_text(member, member_len, "SenderFault", fault, sizeof(fault));
                /* SNS: SenderFault "Specifies whether the error happened due to the
                 * caller of the batch API action" — then a retry cannot help. */
                res->error.cls = strcmp(fault, "true") == 0 ? AWS_ERR_FATAL : AWS_ERR_RETRYABLE;
                res->error.http_status = 200;
        }
        return 0;
}

_Static_assert(SNS_BATCH_MAX <= sizeof(unsigned) * CHAR_BIT, "a bit for each entry");

int sns_parse_publish_batch(const char *xml, size_t len, size_t n, struct sns_entry_result *results) {
        struct sns_entry_result *out;
        unsigned mentioned = 0;
        int r;
        if (n > SNS_BATCH_MAX)
                return -EINVAL;
        /* not cleared: each entry is written whole, by for_each_member or below */
        out = malloc((n ? n : 1) * sizeof(*out));
        if (!out)
                return -ENOMEM;
        r = for_each_member(xml, len, "Successful", n, out, true, &mentioned);
        if (r == 0)
                r = for_each_member(xml, len, "Failed", n, out, false, &mentioned);
        /* An entry the answer does not mention was not published. */
        for (size_t i = 0; i < n && r == 0; i++) {
                if (mentioned & (1u << i))
                        continue;
                out[i] = (struct sns_entry_result){ .ok = false };
                aws_error_local(&out[i].error, AWS_ERR_RETRYABLE, -EBADMSG,
                                "the PublishBatch answer does not mention this entry");
        }
        if (r == 0)
                memcpy(results, out, n * sizeof(*out));
        free(out);
        return r;
}

static int call(struct aws_client *c, const char *action, const struct buf *body, struct aws_answer *res,
                struct aws_error *err) {
        return aws_client_call(c, action, body->data, body->len, SNS_CALL_TIMEOUT_MS, res, err);
}

int sns_publish(struct aws_client *c, const struct sns_message *m, char *ret_message_id, size_t id_size,
                struct aws_error *err) {
        struct aws_answer res = { 0 };
        struct buf body;
        char id[128];
        int r;

        buf_init(&body, SNS_BODY_MAX);
        r = sns_publish_body(m, &body);
        if (r == 0)
                r = call(c, "Publish", &body, &res, err);
        if (r == 0 && xml_find_text_in(res.body, res.body_len, "PublishResult", "MessageId", id, sizeof(id)) < 0)
                r = -EBADMSG;
        if (r == 0)
                snprintf(ret_message_id, id_size, "%s", id);
        aws_answer_clear(&res);
        buf_free(&body);
        return aws_error_return(r, err);
}

int sns_publish_batch_start(struct aws_client *c, const struct sns_message *msgs, size_t n, struct aws_error *err) {
        struct buf body;
        int r;

        buf_init(&body, SNS_BODY_MAX);
        r = sns_publish_batch_body(msgs, n, &body);
        if (r == 0)
                r = aws_client_start(c, "PublishBatch", body.data, body.len, SNS_CALL_TIMEOUT_MS, err);
        buf_free(&body);
        return aws_error_return(r, err);
}

int sns_publish_batch_finish(struct aws_client *c, size_t n, struct sns_entry_result *results,
                             struct aws_error *err) {
        struct aws_answer res = { 0 };
        int r = aws_client_finish(c, &res, err);

        if (r == 0)
                r = sns_parse_publish_batch(res.body, res.body_len, n, results);
        aws_answer_clear(&res);
        return aws_error_return(r, err);
}

int sns_check_topic(struct aws_client *c, const char *topic_arn, struct aws_error *err) {
        const struct form_param p[] = {
                { "Action", "GetTopicAttributes" },
                { "Version", aws_service_sns.api_version },
                { "TopicArn", topic_arn },
        };
        struct aws_answer res = { 0 };
        struct buf body;
        int r;

        buf_init(&body, SNS_BODY_MAX);
        r = form_encode(p, 3, &body);
        if (r == 0)
                r = call(c, "GetTopicAttributes", &body, &res, err);
        aws_answer_clear(&res);
        buf_free(&body);
        return aws_error_return(r, err);
}
