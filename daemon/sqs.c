#include "sqs.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "aws_error.h"
#include "json_tree.h"
#include "json_write.h"
#include "textsafe.h"

/* The long poll may last WaitTimeSeconds; the answer needs a little more. */
#define SQS_POLL_SLACK_MS 10000
#define SQS_CALL_TIMEOUT_MS 15000

/* Our requests are a queue URL and at most ten receipt handles: far below
 * this, which only bounds a URL or handle gone wrong. */
#define SQS_REQUEST_MAX (1024u * 1024)

/* The requests are written directly as JSON text (json_write.h): their
 * shape is fixed, and a json-c tree built to be printed once cost an
 * allocation per value and a copy of every receipt handle. */
static int request_start(struct aws_client *c, const char *action, const struct buf *body, long timeout_ms,
                         struct aws_error *err) {
        return aws_client_start(c, action, buf_str(body), body->len, timeout_ms, err);
}

static int request_call(struct aws_client *c, const char *action, const struct buf *body, long timeout_ms,
                        struct aws_answer *res, struct aws_error *err) {
        int r = request_start(c, action, body, timeout_ms, err);
        return r < 0 ? r : aws_client_finish(c, res, err);
}

/* "{\"QueueUrl\":...", the member every request starts with. */
static int put_queue_url(struct buf *b, const char *queue_url) {
        int r = buf_puts(b, "{\"QueueUrl\":");
        return r < 0 ? r : json_write_string(b, queue_url);
}

static const char *get_string(const struct json_node *o, const char *key) {
        const struct json_node *v = json_node_member(o, key);
        return json_node_kind(v) == JSON_STRING ? json_node_string(v, NULL) : NULL;
}

static void message_clear(struct sqs_message *m) {
        free(m->message_id);
        free(m->receipt_handle);
        free(m->body);
        *m = (struct sqs_message){ 0 };
}

void sqs_batch_clear(struct sqs_batch *b) {
        if (!b)
                return;
        for (size_t i = 0; i < b->n; i++)
                message_clear(&b->msg[i]);
        b->n = 0;
}

/* 0 and the tree; -EBADMSG for anything but one JSON object. */
static int parse_json(const char *body, size_t len, struct json_tree **ret) {
        struct json_tree *t;
        int r;

        /* Answers nest three levels; anything deeper is not an SQS answer.
         * JSON is UTF-8 (RFC 8259), and what SQS hands over goes into logs
         * and back into requests. */
        if (len > SQS_ANSWER_MAX || !textsafe_utf8_valid(body, len))
                return -EBADMSG;
        r = json_tree_parse(body, len, 8, &t);
        if (r < 0)
                return r == -ENOMEM ? r : -EBADMSG;
        if (json_node_kind(json_tree_root(t)) != JSON_OBJECT) {
                json_tree_free(t);
                return -EBADMSG;
        }
        *ret = t;
        return 0;
}

static int parse_message(const struct json_node *m, struct sqs_message *ret) {
        const char *id = get_string(m, "MessageId");
        const char *rh = get_string(m, "ReceiptHandle");
        const struct json_node *body = json_node_member(m, "Body");
        struct sqs_message out = { 0 };
        const char *text;
        const char *count;

        if (!id || !rh || json_node_kind(body) != JSON_STRING)
                return -EBADMSG;
        text = json_node_string(body, &out.body_len);
        out.message_id = strdup(id);
        out.receipt_handle = strdup(rh);
        out.body = malloc(out.body_len + 1);
        if (!out.message_id || !out.receipt_handle || !out.body) {
                message_clear(&out);
                return -ENOMEM;
        }
        memcpy(out.body, text, out.body_len + 1);
        count = get_string(json_node_member(m, "Attributes"), "ApproximateReceiveCount");
        if (count) {
                /* A count beyond INT_MAX is as good as "very many" for the poison rule. */
                long n = strtol(count, NULL, 10);
                out.receive_count = n < 0 ? 0 : n > INT_MAX ? INT_MAX : (int)n;
        }
        *ret = out;
        return 0;
}

int sqs_parse_receive(const char *body, size_t len, struct sqs_batch *ret) {
        struct json_tree *t = NULL;
        const struct json_node *msgs;
        struct sqs_batch out = { 0 };
        int r = parse_json(body, len, &t);

        if (r < 0)
                return r;
        /* An empty long poll answers {} with no Messages member. */
        msgs = json_node_member(json_tree_root(t), "Messages");
        if (msgs && (json_node_kind(msgs) != JSON_ARRAY || json_node_count(msgs) > SQS_BATCH_MAX)) {
                r = -EBADMSG;
                goto out;
        }
        for (const struct json_node *m = json_node_first(msgs); m; m = json_node_next(m)) {
                r = parse_message(m, &out.msg[out.n]);
                if (r < 0)
                        goto out;
                out.n++;
        }
        *ret = out;
        out.n = 0;
out:
        sqs_batch_clear(&out);
        json_tree_free(t);
        return r;
}

int sqs_receive_body(const struct sqs_receive_params *p, struct buf *out) {
        const size_t start = out->len;
        int r = put_queue_url(out, p->queue_url);

        if (r == 0)
                r = buf_printf(out,
                               ",\"MaxNumberOfMessages\":%d,\"WaitTimeSeconds\":%d,\"VisibilityTimeout\":%d,"
                               "\"MessageSystemAttributeNames\":[\"ApproximateReceiveCount\"]}",
                               p->max_messages, p->wait_time_seconds, p->visibility_timeout);
        if (r < 0)
                buf_truncate(out, start);
        return r;
}

int sqs_receive_start(struct aws_client *c, const struct sqs_receive_params *p, struct aws_error *err) {
        struct buf b;
        int r;

        buf_init(&b, SQS_REQUEST_MAX);
        r = sqs_receive_body(p, &b);
        if (r == 0)
                r = request_start(c, "ReceiveMessage", &b, p->wait_time_seconds * 1000L + SQS_POLL_SLACK_MS, err);
        buf_free(&b);
        return aws_error_return(r, err);
}

int sqs_receive_finish(struct aws_client *c, struct sqs_batch *ret, struct aws_error *err) {
        struct aws_answer res = { 0 };
        int r = aws_client_finish(c, &res, err);

        if (r == 0)
                r = sqs_parse_receive(res.body, res.body_len, ret);
        if (r == 0)
                ret->answer_len = res.body_len;
        aws_answer_clear(&res);
        return aws_error_return(r, err);
}

int sqs_next_max_messages(int asked, int max, bool too_large, size_t answer_len, size_t n) {
        if (too_large)
                return asked > 1 ? asked / 2 : 1;
        if (n == 0 || asked >= max)
                return asked;
        int more = 2 * asked < max ? 2 * asked : max;
        return answer_len / n * (size_t)more <= SQS_ANSWER_MAX / 2 ? more : asked;
}

int sqs_parse_delete_batch(const char *body, size_t len, unsigned *ret_deleted) {
        struct json_tree *t = NULL;
        const struct json_node *ok;
        unsigned deleted = 0;
        int r = parse_json(body, len, &t);

        if (r < 0)
                return r;
        ok = json_node_member(json_tree_root(t), "Successful");
        if (ok && json_node_kind(ok) != JSON_ARRAY) {
                r = -EBADMSG;
                goto out;
        }
        for (const struct json_node *e = json_node_first(ok); e; e = json_node_next(e)) {
                const char *id = get_string(e, "Id");
                char *end;
                unsigned long idx = id ? strtoul(id, &end, 10) : SQS_BATCH_MAX;
                if (!id || *end || idx >= SQS_BATCH_MAX) {
                        r = -EBADMSG;
                        goto out;
                }
                deleted |= 1u << idx;
        }
        *ret_deleted = deleted;
out:
        json_tree_free(t);
        return r;
}

int sqs_delete_batch_body(const char *queue_url, const struct sqs_batch *b, unsigned which, struct buf *out) {
        const size_t start = out->len;
        size_t entries = 0;
        int r = put_queue_url(out, queue_url);

        for (size_t i = 0; i < b->n && r == 0; i++) {
                /* Entry Ids are the batch indexes, so the answer maps back to msg[i]. */
                const char id[] = { (char)('0' + i), '\0' };
                if (!(which & (1u << i)))
                        continue;
                r = buf_cat(out, entries++ ? "," : ",\"Entries\":[", "{\"Id\":\"", id, "\",\"ReceiptHandle\":");
                if (r == 0)
                        r = json_write_string(out, b->msg[i].receipt_handle);
                if (r == 0)
                        r = buf_putc(out, '}');
        }
        if (r == 0 && entries == 0)
                r = -EINVAL;
        if (r == 0)
                r = buf_puts(out, "]}");
        if (r < 0)
                buf_truncate(out, start);
        return r;
}

int sqs_delete_batch_start(struct aws_client *c, const char *queue_url, const struct sqs_batch *b, unsigned which,
                           struct aws_error *err) {
        struct buf req;
        int r;

        buf_init(&req, SQS_REQUEST_MAX);
        r = sqs_delete_batch_body(queue_url, b, which, &req);
        if (r == 0)
                r = request_start(c, "DeleteMessageBatch", &req, SQS_CALL_TIMEOUT_MS, err);
        buf_free(&req);
        return aws_error_return(r, err);
}

int sqs_delete_batch_finish(struct aws_client *c, unsigned *ret_deleted, struct aws_error *err) {
        struct aws_answer res = { 0 };
        int r = aws_client_finish(c, &res, err);

        if (r == 0)
                r = sqs_parse_delete_batch(res.body, res.body_len, ret_deleted);
        aws_answer_clear(&res);
        return aws_error_return(r, err);
}

int sqs_change_visibility(struct aws_client *c, const char *queue_url, const char *receipt_handle,
                          int visibility_timeout, struct aws_error *err) {
        struct aws_answer res = { 0 };
        struct buf b;
        int r;

        buf_init(&b, SQS_REQUEST_MAX);
        r = put_queue_url(&b, queue_url);
        if (r == 0)
                r = buf_puts(&b, ",\"ReceiptHandle\":");
        if (r == 0)
                r = json_write_string(&b, receipt_handle);
        if (r == 0)
                r = buf_printf(&b, ",\"VisibilityTimeout\":%d}", visibility_timeout);
        if (r == 0)
                r = request_call(c, "ChangeMessageVisibility", &b, SQS_CALL_TIMEOUT_MS, &res, err);
        aws_answer_clear(&res);
        buf_free(&b);
        return aws_error_return(r, err);
}

int sqs_get_queue_depth(struct aws_client *c, const char *queue_url, long *ret_waiting, struct aws_error *err) {
        struct json_tree *t = NULL;
        struct aws_answer res = { 0 };
        const char *waiting;
        struct buf b;
        int r;

        buf_init(&b, SQS_REQUEST_MAX);
        r = put_queue_url(&b, queue_url);
        if (r == 0)
                r = buf_puts(&b, ",\"AttributeNames\":[\"ApproximateNumberOfMessages\"]}");
        if (r == 0)
                r = request_call(c, "GetQueueAttributes", &b, SQS_CALL_TIMEOUT_MS, &res, err);
        if (r < 0)
                goto out;
        r = parse_json(res.body, res.body_len, &t);
        if (r < 0)
                goto out;
        waiting = get_string(json_node_member(json_tree_root(t), "Attributes"), "ApproximateNumberOfMessages");
        if (!waiting) {
                r = -EBADMSG;
                goto out;
        }
        *ret_waiting = atol(waiting);
out:
        json_tree_free(t);
        aws_answer_clear(&res);
        buf_free(&b);
        return aws_error_return(r, err);
}
