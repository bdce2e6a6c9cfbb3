#include "sns.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "urlenc.h"
#include "xmltext.h"

/* SNS: "Maximum … message size is 262,144 bytes (256 KiB)"; the form body
 * adds encoding (up to 3x) and the other parameters. */
#define SNS_BODY_MAX (3 * 256 * 1024 + 16 * 1024)
/* A Publish answer is a few hundred bytes. */
#define SNS_CALL_TIMEOUT_MS 15000
/* "MessageAttributes.entry.10.Value.StringValue" */
#define SNS_PARAM_NAME_MAX 64
/* Action, Version, TopicArn, Subject, Message, MessageStructure, group, dedup + 3 per attribute. */
#define SNS_PARAMS_MAX (8 + 3 * SNS_ATTRIBUTES_MAX)

int sns_publish_body(const struct sns_message *m, struct buf *out) {
        struct form_param p[SNS_PARAMS_MAX];
        char names[3 * SNS_ATTRIBUTES_MAX][SNS_PARAM_NAME_MAX];
        size_t n = 0, k = 0, entry = 0;

        if (m->n_attributes > SNS_ATTRIBUTES_MAX)
                return -E2BIG;
        p[n++] = (struct form_param){ "Action", "Publish" };
        p[n++] = (struct form_param){ "Version", "2010-03-31" };
        p[n++] = (struct form_param){ "TopicArn", m->topic_arn };
        if (m->subject)
                p[n++] = (struct form_param){ "Subject", m->subject };
        p[n++] = (struct form_param){ "Message", m->message };
        if (m->message_structure_json)
                p[n++] = (struct form_param){ "MessageStructure", "json" };
        for (size_t i = 0; i < m->n_attributes; i++) {
                if (!m->attributes[i].value || !m->attributes[i].value[0])
                        continue;
                entry++;
                snprintf(names[k], SNS_PARAM_NAME_MAX, "MessageAttributes.entry.%zu.Name", entry);
                p[n++] = (struct form_param){ names[k++], m->attributes[i].name };
                snprintf(names[k], SNS_PARAM_NAME_MAX, "MessageAttributes.entry.%zu.Value.DataType", entry);
                p[n++] = (struct form_param){ names[k++], "String" };
                snprintf(names[k], SNS_PARAM_NAME_MAX, "MessageAttributes.entry.%zu.Value.StringValue", entry);
                p[n++] = (struct form_param){ names[k++], m->attributes[i].value };
        }
        if (m->group_id)
                p[n++] = (struct form_param){ "MessageGroupId", m->group_id };
        if (m->dedup_id)
                p[n++] = (struct form_param){ "MessageDeduplicationId", m->dedup_id };
        return form_encode(p, n, out);
}

int sns_publish(struct aws_client *c, const struct sns_message *m, char *ret_message_id, size_t id_size,
                struct aws_error *err) {
        struct aws_result res = { 0 };
        struct buf body;
        char id[128];
        int r;

        buf_init(&body, SNS_BODY_MAX);
        r = sns_publish_body(m, &body);
        if (r < 0)
                goto out;
        r = aws_client_call(c, "Publish", body.data, body.len, SNS_CALL_TIMEOUT_MS, &res);
        if (r < 0)
                goto out;
        if (res.error.cls != AWS_ERR_NONE) {
                *err = res.error;
                r = -EIO;
                goto out;
        }
        r = xml_find_text_in(res.body, res.body_len, "PublishResult", "MessageId", id, sizeof(id));
        if (r < 0) {
                r = -EBADMSG;
                goto out;
        }
        snprintf(ret_message_id, id_size, "%s", id);
out:
        aws_result_clear(&res);
        buf_free(&body);
        return r;
}
