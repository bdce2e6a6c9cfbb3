/* fuzz_aws_error: AWS answers → error classification, XML text extraction,
 * HTTP dates, and the SQS/SNS answer parsers.
 *
 * The same bytes are read as a JSON-protocol error body, as a Query XML body,
 * as header values (cut at the first NUL) and as SQS/SNS answers. Besides
 * crashes, leaks and undefined behaviour it checks the contracts of the
 * headers: fields stay NUL-terminated inside their arrays, the class is
 * one of the enum's, extracted text fits and is trimmed, element extents lie
 * inside the input, and parsed batches stay within SQS_BATCH_MAX. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws_error.h"
#include "sns.h"
#include "sqs.h"
#include "xmltext.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


/* A fixed "now" (2024-08-01T12:19:16Z) and a Date header 10 minutes
 * later, so that signature errors are also read as clock skew. */
#define FUZZ_NOW ((time_t)1722514756)
#define FUZZ_SERVER_DATE (FUZZ_NOW + 600)

/* Header values come from curl's header callback, which sees one header
 * line at a time; 8 KiB is beyond any line an AWS endpoint sends. */
#define FUZZ_HEADER_MAX 8192

static void check_error(const struct aws_error *e, long status) {
        CHECK(e->cls >= AWS_ERR_NONE && e->cls <= AWS_ERR_FATAL);
        CHECK(e->http_status == status);
        CHECK(memchr(e->code, '\0', sizeof(e->code)));
        CHECK(memchr(e->query_code, '\0', sizeof(e->query_code)));
        CHECK(memchr(e->message, '\0', sizeof(e->message)));
        CHECK(memchr(e->request_id, '\0', sizeof(e->request_id)));
        CHECK((e->cls == AWS_ERR_NONE) == (status >= 200 && status <= 299));
        CHECK(e->cls == AWS_ERR_NONE || e->code[0]);
        CHECK(strcmp(aws_error_class_name(e->cls), "unknown") != 0);
}

static void check_text(int r, const char *text, size_t size) {
        size_t n;

        if (r != 0)
                return;
        n = strnlen(text, size);
        CHECK(n < size);
        CHECK(n == 0 || !strchr(" \t\r\n", text[0]));
        CHECK(n == 0 || !strchr(" \t\r\n", text[n - 1]));
}

static void xml_texts(const char *xml, size_t len) {
        static const char *const names[] = { "Code", "Message", "RequestId", "MessageId", "Id" };
        /* one buffer that always fits and one that often does not (E2BIG) */
        char big[4096], small[8];

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                check_text(xml_find_text(xml, len, names[i], big, sizeof(big)), big, sizeof(big));
                check_text(xml_find_text(xml, len, names[i], small, sizeof(small)), small, sizeof(small));
        }
        check_text(xml_find_text_in(xml, len, "Error", "Code", big, sizeof(big)), big, sizeof(big));
        check_text(xml_find_text_in(xml, len, "ResponseMetadata", "RequestId", big, sizeof(big)), big,
                   sizeof(big));
}

/* As sns.c walks PublishBatch lists: each <member> extent, then on after it. */
static void xml_elements(const char *xml, size_t len) {
        const char *p = xml, *end = xml + len, *el;
        size_t el_len;

        /* a bound on the walk, in case an extent ever failed to advance */
        for (int i = 0; i < 1024 && p < end; i++) {
                if (xml_find_element(p, (size_t)(end - p), "member", &el, &el_len) < 0)
                        break;
                CHECK(el >= p && el_len >= 3 && el_len <= (size_t)(end - el));
                CHECK(el[0] == '<' && el[el_len - 1] == '>');
                p = el + el_len;
        }
}

static void answers(const char *body, size_t len) {
        struct sqs_batch batch = { 0 };
        struct sns_entry_result results[SNS_BATCH_MAX];
        unsigned deleted;

        if (sqs_parse_receive(body, len, &batch) == 0) {
                CHECK(batch.n <= SQS_BATCH_MAX);
                for (size_t i = 0; i < batch.n; i++) {
                        const struct sqs_message *m = &batch.msg[i];
                        CHECK(m->message_id && m->receipt_handle && m->body);
                        CHECK(m->body[m->body_len] == '\0');
                }
                sqs_batch_clear(&batch);
        }
        if (sqs_parse_delete_batch(body, len, &deleted) == 0)
                CHECK(deleted < 1u << SQS_BATCH_MAX);
        for (size_t n = 1; n <= SNS_BATCH_MAX; n += SNS_BATCH_MAX - 1) {
                if (sns_parse_publish_batch(body, len, n, results) != 0)
                        continue;
                for (size_t i = 0; i < n; i++) {
                        if (results[i].ok)
                                CHECK(memchr(results[i].message_id, '\0', sizeof(results[i].message_id)));
                        else
                                CHECK(results[i].error.cls != AWS_ERR_NONE && results[i].error.code[0]);
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* the body as AWS sends it: not NUL-terminated (libFuzzer's copy is
         * exactly size bytes, so an over-read is caught) */
        const char *body = (const char *)data;
        static const long statuses[] = { 400, 403, 429, 503, 200 };
        long status = statuses[size % (sizeof(statuses) / sizeof(statuses[0]))];
        size_t hlen = strnlen(body, size < FUZZ_HEADER_MAX ? size : FUZZ_HEADER_MAX);
        char *header = malloc(hlen + 1);
        struct aws_error e;
        time_t t;

        if (!header)
                return 0;
        memcpy(header, body, hlen);
        header[hlen] = '\0';

        CHECK(aws_error_from_json(status, body, size, NULL, FUZZ_SERVER_DATE, FUZZ_NOW, &e) == 0);
        check_error(&e, status);
        CHECK(aws_error_from_json(status, body, size, header, 0, FUZZ_NOW, &e) == 0);
        check_error(&e, status);
        const struct aws_json_error_headers h = { header, header, header };
        CHECK(aws_error_from_json_headers(status, body, size, &h, FUZZ_SERVER_DATE, FUZZ_NOW, &e) == 0);
        check_error(&e, status);
        CHECK(aws_error_from_xml(status, body, size, FUZZ_SERVER_DATE, FUZZ_NOW, &e) == 0);
        check_error(&e, status);

        /* any 4-digit year is accepted, so any time_t is a valid answer */
        (void)http_date_parse(header, &t);

        xml_texts(body, size);
        xml_elements(body, size);
        answers(body, size);
        free(header);
        return 0;
}
