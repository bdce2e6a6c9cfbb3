/* lookup_wire: the look-ups' requests as AWS documents them, and real
 * answers (botocore's test data, moto 5.2's, the AWS CLI's example) read
 * for exactly the facts the notifications show. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lookup_wire.h"
#include "testdata.h"

#define MAX_FOUND 8

struct found {
        size_t n;
        char id[MAX_FOUND][LOOKUP_ID_MAX];
        char name[MAX_FOUND][LOOKUP_VALUE_MAX];
        bool has_name[MAX_FOUND];
        char tag[MAX_FOUND][2][LOOKUP_VALUE_MAX];
        bool has_tag[MAX_FOUND][2];
        int fail_at; /* 1-based: that call fails with -ECANCELED */
};

static int record(void *userdata, const char *id, const char *name, const char *const *tags) {
        struct found *f = userdata;
        assert_true(f->n < MAX_FOUND);
        if (f->fail_at && (size_t)f->fail_at == f->n + 1)
                return -ECANCELED;
        snprintf(f->id[f->n], LOOKUP_ID_MAX, "%s", id);
        f->has_name[f->n] = name != NULL;
        if (name)
                snprintf(f->name[f->n], LOOKUP_VALUE_MAX, "%s", name);
        for (size_t k = 0; tags && k < 2; k++) {
                f->has_tag[f->n][k] = tags[k] != NULL;
                if (tags[k])
                        snprintf(f->tag[f->n][k], LOOKUP_VALUE_MAX, "%s", tags[k]);
        }
        f->n++;
        return 0;
}

static void test_kind(void **state) {
        (void)state;
        assert_int_equal(lookup_kind_of("i-0123456789abcdef0"), LOOKUP_EC2);
        assert_int_equal(lookup_kind_of("i-78f1b94a"), LOOKUP_EC2);
        assert_int_equal(lookup_kind_of("mi-0123456789abcdef0"), LOOKUP_SSM);
        assert_int_equal(lookup_kind_of("i-0123456789ABCDEF0"), LOOKUP_NONE);
        assert_int_equal(lookup_kind_of("i-0123456789abcdef"), LOOKUP_NONE);
        assert_int_equal(lookup_kind_of("mi-78f1b94a"), LOOKUP_NONE);
        assert_int_equal(lookup_kind_of("ecs:cluster_task_container"), LOOKUP_NONE);
        assert_int_equal(lookup_kind_of("i-0123456789abcdef0&Action=x"), LOOKUP_NONE);
        assert_int_equal(lookup_kind_of(NULL), LOOKUP_NONE);
}

static void test_ec2_request(void **state) {
        (void)state;
        const char *ids[] = { "i-0123456789abcdef0", "i-78f1b94a" };
        struct buf b;
        assert_int_equal(lookup_ec2_request(ids, 2, &b), 0);
        /* EC2 API reference, "Filter.N": Name and Value.N of a filter */
        assert_string_equal(buf_str(&b), "Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=instance-id"
                                         "&Filter.1.Value.1=i-0123456789abcdef0&Filter.1.Value.2=i-78f1b94a");
        buf_free(&b);
        const char *bad[] = { "i-0123456789abcdef0", "mi-0123456789abcdef0" };
        assert_int_equal(lookup_ec2_request(bad, 2, &b), -EINVAL);
        const char *eleven[11] = { 0 };
        for (size_t i = 0; i < 11; i++)
                eleven[i] = ids[0];
        assert_int_equal(lookup_ec2_request(eleven, 11, &b), -EINVAL);
        assert_int_equal(lookup_ec2_request(ids, 0, &b), -EINVAL);
}

static void test_ec2_moto(void **state) {
        (void)state;
        size_t len = 0;
        char *xml = testdata_read("aws-responses/ec2-describeinstances-moto.xml", &len);
        const char *keys[] = { "Environment", "Owner" };
        struct found f = { 0 };
        assert_non_null(xml);
        assert_int_equal(lookup_ec2_parse(xml, len, keys, 2, record, &f), 0);
        assert_int_equal(f.n, 1);
        /* the instance's own ID, not the attachment's or a volume's */
        assert_string_equal(f.id[0], "i-db250527ee300deb4");
        assert_true(f.has_name[0]);
        assert_string_equal(f.name[0], "web-prod-1");
        assert_true(f.has_tag[0][0]);
        assert_string_equal(f.tag[0][0], "production");
        assert_false(f.has_tag[0][1]);
        free(xml);
}

static void test_ec2_botocore(void **state) {
        (void)state;
        size_t len = 0;
        char *xml = testdata_read("aws-responses/ec2-describeinstances-botocore.xml", &len);
        const char *keys[] = { "notebook" };
        struct found f = { 0 };
        assert_non_null(xml);
        assert_int_equal(lookup_ec2_parse(xml, len, keys, 1, record, &f), 0);
        /* two reservations, one instance each; no Name tag; an empty tag value is no value */
        assert_int_equal(f.n, 2);
        assert_string_equal(f.id[0], "i-fde9cece");
        assert_string_equal(f.id[1], "i-78f1b94a");
        assert_false(f.has_name[0]);
        assert_false(f.has_name[1]);
        assert_false(f.has_tag[0][0]);
        free(xml);
}

static void test_ec2_shapes(void **state) {
        (void)state;
        static const char empty[] = "<DescribeInstancesResponse><requestId>r</requestId><reservationSet/>"
                                    "</DescribeInstancesResponse>";
        static const char escaped[] =
                "<DescribeInstancesResponse><reservationSet><item><instancesSet><item>"
                "<networkInterfaceSet><item><tagSet><item><key>Name</key><value>nic</value></item></tagSet></item>"
                "</networkInterfaceSet><!-- a comment --><instanceId>i-0123456789abcdef0</instanceId>"
                "<tagSet><item><key>Name</key><value>a &amp; &lt;b&gt;</value></item></tagSet>"
                "</item></instancesSet></item></reservationSet></DescribeInstancesResponse>";
        static const char *const bad[] = {
                "",
                "<ErrorResponse/>",
                "<DescribeInstancesResponse></DescribeInstancesResponse>",
                "<DescribeInstancesResponse><reservationSet><item><instancesSet><item><tagSet/></item>"
                "</instancesSet></item></reservationSet></DescribeInstancesResponse>",
                "<DescribeInstancesResponse><reservationSet><item><instancesSet><item><instanceId>i-1"
                "</instanceId></item></instancesSet></item></reservationSet>",
                "<DescribeInstancesResponse><reservationSet><thing/></reservationSet></DescribeInstancesResponse>",
                "<DescribeInstancesResponse><reservationSet><item><instancesSet><item><instanceId>"
                "i-0123456789abcdef0123456789</instanceId></item></instancesSet></item></reservationSet>"
                "</DescribeInstancesResponse>",
        };
        struct found f = { 0 };

        assert_int_equal(lookup_ec2_parse(empty, strlen(empty), NULL, 0, record, &f), 0);
        assert_int_equal(f.n, 0);
        /* the instance's tagSet, not a network interface's */
        assert_int_equal(lookup_ec2_parse(escaped, strlen(escaped), NULL, 0, record, &f), 0);
        assert_int_equal(f.n, 1);
        assert_string_equal(f.name[0], "a & <b>");
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                f = (struct found){ 0 };
                print_message("bad %zu\n", i);
                char *copy = testdata_dup(bad[i], strlen(bad[i]));
                assert_int_equal(lookup_ec2_parse(copy, strlen(bad[i]), NULL, 0, record, &f), -EBADMSG);
                free(copy);
        }
        f = (struct found){ .fail_at = 1 };
        assert_int_equal(lookup_ec2_parse(escaped, strlen(escaped), NULL, 0, record, &f), -ECANCELED);
}

static void test_ssm(void **state) {
        (void)state;
        const char *ids[] = { "mi-0123456789abcdef0", "mi-0123456789abcdef1" };
        struct buf b;
        assert_int_equal(lookup_ssm_request(ids, 2, &b), 0);
        assert_string_equal(buf_str(&b), "{\"Filters\":[{\"Key\":\"InstanceIds\",\"Values\":[\"mi-0123456789abcdef0\","
                                         "\"mi-0123456789abcdef1\"]}],\"MaxResults\":50}");
        buf_free(&b);
        const char *bad[] = { "i-0123456789abcdef0" };
        assert_int_equal(lookup_ssm_request(bad, 1, &b), -EINVAL);

        size_t len = 0;
        char *json = testdata_read("aws-responses/ssm-describeinstanceinformation-awscli.json", &len);
        struct found f = { 0 };
        assert_non_null(json);
        assert_int_equal(lookup_ssm_parse(json, len, record, &f), 0);
        assert_int_equal(f.n, 1);
        assert_string_equal(f.id[0], "i-1234567890abcdef0");
        assert_string_equal(f.name[0], "ip-172-16-0-154.ec2.internal");
        free(json);

        static const char name_only[] = "{\"InstanceInformationList\":[{\"InstanceId\":\"mi-0123456789abcdef0\","
                                        "\"Name\":\"db-onprem\"},{\"InstanceId\":\"mi-0123456789abcdef1\"}]}";
        f = (struct found){ 0 };
        assert_int_equal(lookup_ssm_parse(name_only, strlen(name_only), record, &f), 0);
        assert_int_equal(f.n, 2);
        assert_string_equal(f.name[0], "db-onprem");
        assert_false(f.has_name[1]);
        static const char *const malformed[] = {
                "", "[]", "{}", "{\"InstanceInformationList\":{}}", "{\"InstanceInformationList\":[1]}",
                "{\"InstanceInformationList\":[{\"ComputerName\":\"x\"}]}",
                "{\"InstanceInformationList\":[{\"InstanceId\":\"mi-0123456789abcdef0\"}]} x",
        };
        for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
                char *copy = testdata_dup(malformed[i], strlen(malformed[i]));
                f = (struct found){ 0 };
                assert_int_equal(lookup_ssm_parse(copy, strlen(malformed[i]), record, &f), -EBADMSG);
                free(copy);
        }
}

static void test_sts(void **state) {
        (void)state;
        char arn[LOOKUP_ROLE_ARN_MAX + 1];
        assert_int_equal(lookup_role_arn_for("arn:aws:iam::{account_id}:role/r", "111122223333", arn, sizeof(arn)), 0);
        assert_string_equal(arn, "arn:aws:iam::111122223333:role/r");
        assert_int_equal(lookup_role_arn_for("arn:aws:iam::210987654321:role/r", "111122223333", arn, sizeof(arn)), 0);
        assert_string_equal(arn, "arn:aws:iam::210987654321:role/r");
        assert_int_equal(lookup_role_arn_for("arn:aws:iam::{account_id}:role/r", "1", arn, sizeof(arn)), -EINVAL);
        assert_int_equal(lookup_role_arn_for("arn:aws:iam::{account_id}:role/r", "111122223333", arn, 20), -E2BIG);

        struct buf b;
        assert_int_equal(lookup_sts_request(arn, "ssm-notifyd", "ext:1/2", &b), 0);
        assert_string_equal(buf_str(&b), "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A2109876"
                                         "54321%3Arole%2Fr&RoleSessionName=ssm-notifyd&DurationSeconds=3600"
                                         "&ExternalId=ext%3A1%2F2");
        buf_free(&b);
        assert_int_equal(lookup_sts_request(arn, "ssm-notifyd", NULL, &b), 0);
        assert_null(strstr(buf_str(&b), "ExternalId"));
        buf_free(&b);

        size_t len = 0;
        char *xml = testdata_read("aws-responses/sts-assumerole-moto.xml", &len);
        struct lookup_credentials *c = calloc(1, sizeof(*c));
        assert_non_null(xml);
        assert_int_equal(lookup_sts_parse(xml, len, c), 0);
        assert_string_equal(c->access_key_id, "ASIARTX3GSDS47V5AJQH");
        assert_string_equal(c->secret_access_key, "fgTkudSelZqfwOYkPdCiTLzxBZN1iA/FqYBxgdBw");
        assert_int_equal(strncmp(c->session_token, "FQoGZXIvYXdzEBYaDQ", 18), 0);
        assert_int_equal(c->expiration, 1796152134); /* 2026-12-01T19:08:54Z */
        free(xml);

        /* an error document, no Credentials, a bad Expiration */
        static const char *const bad[] = {
                "<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>",
                "<AssumeRoleResponse><AssumeRoleResult></AssumeRoleResult></AssumeRoleResponse>",
                "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>"
                "S</SecretAccessKey><SessionToken>T</SessionToken><Expiration>soon</Expiration></Credentials>"
                "</AssumeRoleResult></AssumeRoleResponse>",
                "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId><SessionToken>"
                "T</SessionToken><Expiration>2026-12-01T19:08:54Z</Expiration></Credentials></AssumeRoleResult>"
                "</AssumeRoleResponse>",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char *copy = testdata_dup(bad[i], strlen(bad[i]));
                memset(c, 'x', sizeof(*c));
                assert_int_equal(lookup_sts_parse(copy, strlen(bad[i]), c), -EBADMSG);
                assert_int_equal(c->access_key_id[0], 'x'); /* untouched */
                free(copy);
        }
        free(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kind),      cmocka_unit_test(test_ec2_request), cmocka_unit_test(test_ec2_moto),
                cmocka_unit_test(test_ec2_botocore), cmocka_unit_test(test_ec2_shapes), cmocka_unit_test(test_ssm),
                cmocka_unit_test(test_sts),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
