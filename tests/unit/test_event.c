/* event_parse over every record in tests/data/events (expectations written
 * by hand from each file; epochs computed with Python's calendar.timegm),
 * over envelopes built here around real records, and over hostile input. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "buf.h"
#include "event.h"
#include "event_internal.h"
#include "json_tree.h"
#include "testdata.h"

#define EVENTS_DIR TEST_DATA_DIR "/events"
#define NO_TIME INT64_MIN

struct expect {
        const char *file;
        int parse;              /* 0 or the negative errno */
        const char *actor_type; /* NULL: must be NULL */
        const char *actor;
        const char *role;
        bool sso, generated;
        int64_t epoch;          /* NO_TIME: has_time must be false */
        bool failure;
        bool notifiable;        /* with the default event names */
        const char *account;
        const char *region;
};

#define NOT_EVENT(f) { f, -ENOMSG, NULL, NULL, NULL, false, false, NO_TIME, false, false, NULL, NULL }

static const struct expect EXPECT[] = {
        { "createcontrolchannel-assumedrole-ec2instance-ssmmessages-panther.json", 0, "AssumedRole",
          "i-0abcdef1234567890", "MyAppRole", false, true, 1705314600, false, false, "123456789012", "us-east-1" },
        { "deletedocument-assumedrole-awsdocs.json", 0, "AssumedRole", "203.0.113.11", "example-role", false,
          false, 1520368212, false, false, "123456789012", "us-east-2" },
        { "describeinstanceinformation-iamuser-stratus.json", 0, "IAMUser", "christophe", NULL, false, false,
          1722514756, false, false, "294599468799", "me-northwest-3r" },
        { "describeparameters-iamuser-stratus.json", 0, "IAMUser", "christophe", NULL, false, false, 1722526017,
          false, false, "933175858973", "cn-west-3r" },
        { "getcommandinvocation-iamuser-stratus.json", 0, "IAMUser", "christophe", NULL, false, false, 1722589742,
          false, false, "056392974792", "sagov-westsouth-1r" },
        { "getparameter-assumedrole-sso-panther.json", 0, "AssumedRole", "bobson.dugnutt", "SampleRole", true,
          false, 1739562189, false, false, "111122223333", "us-west-2" },
        { "getparameters-iamuser-stratus.json", 0, "IAMUser", "christophe", NULL, false, false, 1722526017, false,
          false, "933175858973", "cn-west-3r" },
        NOT_EVENT("nonct-eventbridge-aws.ssm-automation-execution-status-awsdocs.json"),
        NOT_EVENT("nonct-eventbridge-aws.ssm-command-status-change-awsdocs.json"),
        NOT_EVENT("nonct-eventbridge-aws.ssm-parameter-store-change-awsdocs.json"),
        NOT_EVENT("nonct-eventbridge-ec2-instance-state-change-custodian.json"),
        { "nonssm-assumerole-awsservice-panther.json", 0, "AWSService", "lambda.amazonaws.com", NULL, false,
          false, 1717360032, false, false, "123456789123", "us-west-2" },
        { "nonssm-assumerole-iamuser-accessdenied-stratus.json", 0, "IAMUser", "christophe", NULL, false, false,
          1722375072, true, false, "457448411975", "apiso-northsouth-3r" },
        { "nonssm-assumerole-iamuser-expiredtoken-panther.json", 0, "IAMUser", "example-user", NULL, false, false,
          1546300800, true, false, "123456789012", "us-east-1" },
        { "nonssm-assumerole-iamuser-stratus.json", 0, "IAMUser", "christophe", NULL, false, false, 1722375075,
          false, false, "457448411975", "apiso-northsouth-3r" },
        /* failed sign-in: errorMessage without errorCode is still a failure */
        { "nonssm-consolelogin-iamuser-failed-awsdocs.json", 0, "IAMUser", "anaya", NULL, false, false,
          1668097474, true, false, "111122223333", "us-east-1" },
        { "nonssm-consolelogin-iamuser-stratus.json", 0, "IAMUser", "stratus-red-team-nmfalu-jfzdtsvchl", NULL,
          false, false, 1722588804, false, false, "562283505220", "eu-west-2r" },
        { "nonssm-consolelogin-root-failed-awsdocs.json", 0, "Root", "root", NULL, false, false, 1668097474, true,
          false, "111122223333", "us-east-1" },
        { "nonssm-consolelogin-root-panther.json", 0, "Root", "root", NULL, false, false, 1546300800, false,
          false, "123456789012", "us-east-1" },
        { "nonssm-createtoken-unknown-sso-panther.json", 0, "Unknown", "<victim display name>", NULL, false,
          false, NO_TIME, false, false, "<organization master account ID>", NULL },
        { "nonssm-eventbridge-createbucket-assumedrole-custodian.json", 0, "AssumedRole", "user", "Sandbox_Dev",
          false, false, 1448264725, false, false, "101010101111", "us-east-1" },
        { "nonssm-eventbridge-createbucket-root-awsdocs.json", 0, "Root", "root", NULL, false, false, 1455930553,
          false, false, "123456789012", "us-east-1" },
        { "nonssm-eventbridge-putresourcepolicy-iamuser-custodian.json", 0, "IAMUser", "fake@fakeemail.com",
          NULL, false, false, 1591283908, false, false, "644160558196", "us-east-1" },
        { "nonssm-getcalleridentity-assumedrole-ec2instance-stratus.json", 0, "AssumedRole",
          "i-786a3A8B5C0d92eF4", "stratus-red-team-ec2-steal-credentials-role", false, true, 1722587035, false,
          false, "017622104382", "us-north-2r" },
        { "nonssm-getcalleridentity-federateduser-stratus.json", 0, "FederatedUser", "stratus_red_team", NULL,
          false, false, 1732956198, false, false, "742491224508", "ap-isob-east-1r" },
        { "nonssm-getfederationtoken-iamuser-stratus.json", 0, "IAMUser", "stratus-red-team-user-federation-user",
          NULL, false, false, 1732956197, false, false, "742491224508", "ap-isob-east-1r" },
        { "nonssm-getobject-awsaccount-vpceaccessdenied-panther.json", 0, "AWSAccount", "111111111111", NULL,
          false, false, 1677628800, true, false, "222222222222", "us-east-1" },
        { "nonssm-getpassworddata-assumedrole-unauthorized-stratus.json", 0, "AssumedRole",
          "aws-go-sdk-1722375070115152000", "stratus-red-team-ec2-get-password-data-role", false, true, 1722375081,
          true, false, "457448411975", "apiso-northsouth-3r" },
        { "nonssm-leaveorganization-assumedrole-accessdenied-stratus.json", 0, "AssumedRole",
          "aws-go-sdk-1722587398902687000", "stratus-red-team-leave-org-role", false, true, 1722587400, true,
          false, "307578594326", "euiso-south-3r" },
        { "nonssm-runinstances-root-long-custodian.json", 0, "Root", "root", NULL, false, false, 1463847074,
          false, false, "619193117841", "us-west-1" },
        /* eventVersion 1.0: no recipientAccountId, the account is the caller's */
        { "nonssm-startinstances-iamuser-eventversion1.0-awsdocs.json", 0, "IAMUser", "Alice", NULL, false, false,
          1394140974, false, false, "123456789012", "us-east-2" },
        { "nonssm-updatefunctioncode-federateduser-panther.json", 0, "FederatedUser", "federated-user", NULL,
          false, false, 1546300800, false, false, "123456789012", "us-west-2" },
        { "nonssm-updatetrail-iamuser-trailnotfound-awsdocs.json", 0, "IAMUser", "Alice", NULL, false, false,
          1468523745, true, false, "123456789012", "us-east-2" },
        /* userIdentity {} and no eventSource: an event, actor unknown, never notified */
        { "oddity-deletebucket-no-eventsource-no-useridentity-panther.json", 0, NULL, NULL, NULL, false, false,
          NO_TIME, true, false, "123456789012", "us-east-2" },
        /* detail-type "..." is not a CloudTrail detail type */
        NOT_EVENT("oddity-eventbridge-placeholders-root-streamalert.json"),
        NOT_EVENT("oddity-insight-ssm-updateinstanceinformation-end-awsdocs.json"),
        NOT_EVENT("oddity-insight-ssm-updateinstanceinformation-start-awsdocs.json"),
        { "oddity-minimal-no-useridentity-no-eventtime-custodian.json", 0, NULL, NULL, NULL, false, false, NO_TIME,
          false, false, "644160558196", "us-east-1" },
        NOT_EVENT("oddity-s3-logfile-records-wrapper-insight-awsdocs.json"),
        { "sendcommand-assumedrole-sso-panther.json", 0, "AssumedRole", "bobson.dugnutt", "SampleRole", true,
          false, 1739982759, false, false, "111122223333", "us-west-2" },
        { "sendcommand-iamuser-stratus-2.json", 0, "IAMUser", "christophe", NULL, false, false, 1722587004, false,
          false, "017622104382", "us-north-2r" },
        { "sendcommand-iamuser-stratus.json", 0, "IAMUser", "christophe", NULL, false, false, 1722589736, false,
          false, "056392974792", "sagov-westsouth-1r" },
        { "sendheartbeat-assumedrole-ec2instance-panther.json", 0, "AssumedRole", "i-0abcdef1234567890",
          "MyAppRole", false, true, 1705314600, false, false, "123456789012", "us-east-1" },
        /* the ARN has no session segment and principalId no ':': the role names the principal */
        { "startconnection-assumedrole-ssmguiconnect-awsdocs.json", 0, "AssumedRole", "exampleRole",
          "exampleRole", false, false, 1639414241, false, false, "123456789012", "us-east-2" },
        { "startsession-assumedrole-sso-panther.json", 0, "AssumedRole", "bobson.dugnutt", "SampleRole", true,
          false, 1739996029, false, true, "111122223333", "us-west-2" },
        { "startsession-iamuser-stratus-1.json", 0, "IAMUser", "christophe", NULL, false, false, 1722514756,
          false, true, "294599468799", "me-northwest-3r" },
        { "startsession-iamuser-stratus-2.json", 0, "IAMUser", "christophe", NULL, false, false, 1722514757,
          false, true, "294599468799", "me-northwest-3r" },
        { "startsession-iamuser-stratus-3.json", 0, "IAMUser", "christophe", NULL, false, false, 1722514757,
          false, true, "294599468799", "me-northwest-3r" },
        { "terminatesession-iamuser-stratus-1.json", 0, "IAMUser", "christophe", NULL, false, false, 1722514756,
          false, true, "294599468799", "me-northwest-3r" },
        { "terminatesession-iamuser-stratus-2.json", 0, "IAMUser", "christophe", NULL, false, false, 1722514757,
          false, true, "294599468799", "me-northwest-3r" },
        { "terminatesession-iamuser-stratus-3.json", 0, "IAMUser", "christophe", NULL, false, false, 1722514758,
          false, true, "294599468799", "me-northwest-3r" },
        { "updateinstanceinformation-assumedrole-ec2instance-panther.json", 0, "AssumedRole",
          "i-0abcdef1234567890", "MyAppRole", false, true, 1705314600, false, false, "123456789012", "us-east-1" },
};

#define N_EXPECT (sizeof(EXPECT) / sizeof(EXPECT[0]))


static char *read_event(const char *name, size_t *ret_len) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", EVENTS_DIR, name);
        return testdata_read_file(path, ret_len);
}

static void assert_str_or_null(const char *actual, const char *expected, const char *what, const char *file) {
        if (!expected) {
                if (actual)
                        fail_msg("%s: %s is '%s', expected NULL", file, what, actual);
                return;
        }
        if (!actual || strcmp(actual, expected) != 0)
                fail_msg("%s: %s is '%s', expected '%s'", file, what, actual ? actual : "(null)", expected);
}

static void check_record(const struct expect *x) {
        size_t len = 0;
        char *body = read_event(x->file, &len);
        struct ssm_event *ev = NULL;
        int r = event_parse(body, len, &ev);

        if (r != x->parse)
                fail_msg("%s: event_parse = %d, expected %d", x->file, r, x->parse);
        if (r == 0) {
                assert_str_or_null(ev->actor_type, x->actor_type, "actor_type", x->file);
                assert_str_or_null(ev->actor, x->actor, "actor", x->file);
                assert_str_or_null(ev->role, x->role, "role", x->file);
                assert_str_or_null(ev->account_id, x->account, "account_id", x->file);
                assert_str_or_null(ev->region, x->region, "region", x->file);
                if (ev->actor_sso != x->sso || ev->actor_generated != x->generated)
                        fail_msg("%s: sso=%d generated=%d", x->file, ev->actor_sso, ev->actor_generated);
                if (x->epoch == NO_TIME)
                        assert_false(ev->has_time);
                else if (!ev->has_time || (int64_t)ev->event_epoch != x->epoch)
                        fail_msg("%s: epoch %lld (has_time %d), expected %lld", x->file,
                                 (long long)ev->event_epoch, ev->has_time, (long long)x->epoch);
                if (ev->failure != x->failure)
                        fail_msg("%s: failure=%d", x->file, ev->failure);
                if (event_is_notifiable(ev, NULL, 0) != x->notifiable)
                        fail_msg("%s: notifiable=%d", x->file, !x->notifiable);
                assert_non_null(ev->event_name);
        }
        event_free(ev);
        free(body);
}

/* Every file of the directory has an expectation, and every expectation a file. */
static void test_every_record(void **state) {
        (void)state;
        bool seen[N_EXPECT] = { false };
        DIR *d = opendir(EVENTS_DIR);
        struct dirent *de;
        size_t files = 0;

        assert_non_null(d);
        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name), i;
                if (n < 5 || strcmp(de->d_name + n - 5, ".json") != 0)
                        continue;
                for (i = 0; i < N_EXPECT && strcmp(EXPECT[i].file, de->d_name) != 0; i++)
                        ;
                if (i == N_EXPECT)
                        fail_msg("no expectation for %s", de->d_name);
                check_record(&EXPECT[i]);
                seen[i] = true;
                files++;
        }
        closedir(d);
        for (size_t i = 0; i < N_EXPECT; i++)
                if (!seen[i])
                        fail_msg("expected file missing: %s", EXPECT[i].file);
        assert_int_equal(files, N_EXPECT);
}

static struct ssm_event *parse_ok(const char *json) {
        struct ssm_event *ev = NULL;
        int r = event_parse(json, strlen(json), &ev);
        if (r != 0)
                fail_msg("event_parse = %d for %s", r, json);
        return ev;
}

static struct ssm_event *parse_identity(const char *user_identity) {
        char body[4096];
        snprintf(body, sizeof(body),
                 "{\"eventName\":\"StartSession\",\"eventSource\":\"ssm.amazonaws.com\",\"userIdentity\":%s}",
                 user_identity);
        return parse_ok(body);
}

static void expect_identity(const char *ui, const char *type, const char *actor, const char *role, bool sso,
                            bool generated) {
        struct ssm_event *ev = parse_identity(ui);
        assert_str_or_null(ev->actor_type, type, "actor_type", ui);
        assert_str_or_null(ev->actor, actor, "actor", ui);
        assert_str_or_null(ev->role, role, "role", ui);
        if (ev->actor_sso != sso || ev->actor_generated != generated)
                fail_msg("%s: sso=%d generated=%d", ui, ev->actor_sso, ev->actor_generated);
        event_free(ev);
}

static void test_identity_types(void **state) {
        (void)state;
        /* IAMUser without userName: the ARN's last segment (user paths included) */
        expect_identity("{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::111122223333:user/ops/alice\"}", "IAMUser",
                        "alice", NULL, false, false);
        /* AssumedRole with only principalId: session after ':', role from the ARN-less issuer */
        expect_identity("{\"type\":\"AssumedRole\",\"principalId\":\"AROAEXAMPLE:bob\","
                        "\"sessionContext\":{\"sessionIssuer\":{\"userName\":\"Admin\"}}}",
                        "AssumedRole", "bob", "Admin", false, false);
        /* IAM Identity Center by role name, the issuer path absent */
        expect_identity("{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::111122223333:assumed-role/"
                        "AWSReservedSSO_ReadOnly_0123456789abcdef/carol@example.com\"}",
                        "AssumedRole", "carol@example.com", "AWSReservedSSO_ReadOnly_0123456789abcdef", true, false);
        /* IAM Identity Center by issuer path (with and without a region) */
        expect_identity("{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::1:assumed-role/Ops/dave\","
                        "\"sessionContext\":{\"sessionIssuer\":{\"arn\":"
                        "\"arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/Ops\",\"userName\":\"Ops\"}}}",
                        "AssumedRole", "dave", "Ops", true, false);
        /* generated session names, and near misses that are people */
        expect_identity("{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::1:assumed-role/R/botocore-session-1700000000\"}",
                        "AssumedRole", "botocore-session-1700000000", "R", false, true);
        expect_identity("{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::1:assumed-role/R/i-0123abcd\"}",
                        "AssumedRole", "i-0123abcd", "R", false, true);
        expect_identity("{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::1:assumed-role/R/aws-sdk-java-1700000000000\"}",
                        "AssumedRole", "aws-sdk-java-1700000000000", "R", false, true);
        expect_identity("{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::1:assumed-role/R/awslambda_55_20240602202712548\"}",
                        "AssumedRole", "awslambda_55_20240602202712548", "R", false, true);
        expect_identity("{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::1:assumed-role/R/i-dontknow\"}",
                        "AssumedRole", "i-dontknow", "R", false, false);
        expect_identity("{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::1:assumed-role/R/botocore-session-x1\"}",
                        "AssumedRole", "botocore-session-x1", "R", false, false);
        expect_identity("{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::1:assumed-role/R/i-0123456789abcdef01\"}",
                        "AssumedRole", "i-0123456789abcdef01", "R", false, false); /* 18 hex digits */
        expect_identity("{\"type\":\"Root\",\"arn\":\"arn:aws:iam::111122223333:root\"}", "Root", "root", NULL,
                        false, false);
        expect_identity("{\"type\":\"FederatedUser\",\"principalId\":\"111122223333:erin\"}", "FederatedUser",
                        "erin", NULL, false, false);
        expect_identity("{\"type\":\"AWSService\",\"invokedBy\":\"ssm.amazonaws.com\"}", "AWSService",
                        "ssm.amazonaws.com", NULL, false, false);
        expect_identity("{\"type\":\"AWSAccount\",\"principalId\":\"AIDAEXAMPLE\"}", "AWSAccount", "AIDAEXAMPLE",
                        NULL, false, false);
        expect_identity("{\"type\":\"Unknown\",\"principalId\":\"p-1\"}", "Unknown", "p-1", NULL, false, false);
        expect_identity("{\"type\":\"Unknown\"}", "Unknown", "unknown", NULL, false, false);
        /* the CloudTrail user guide's IdentityCenterUser: onBehalfOf.userId, else credentialId */
        expect_identity("{\"type\":\"IdentityCenterUser\",\"accountId\":\"111122223333\",\"onBehalfOf\":"
                        "{\"userId\":\"544894e8-80c1-707f-60e3-3ba6510dfac1\",\"identityStoreArn\":"
                        "\"arn:aws:identitystore::111122223333:identitystore/d-9067642ac7\"},"
                        "\"credentialId\":\"EXAMPLEcred\"}",
                        "IdentityCenterUser", "544894e8-80c1-707f-60e3-3ba6510dfac1", NULL, false, false);
        expect_identity("{\"type\":\"IdentityCenterUser\",\"credentialId\":\"EXAMPLEcred\"}", "IdentityCenterUser",
                        "EXAMPLEcred", NULL, false, false);
        expect_identity("{\"type\":\"SAMLUser\",\"userName\":\"frank@corp.example\"}", "SAMLUser",
                        "frank@corp.example", NULL, false, false);
        expect_identity("{}", NULL, NULL, NULL, false, false);
        expect_identity("null", NULL, NULL, NULL, false, false);
}

static void test_session_fields(void **state) {
        (void)state;
        struct ssm_event *ev;
        size_t len = 0;
        char *body = read_event("startsession-iamuser-stratus-1.json", &len);

        assert_int_equal(event_parse(body, len, &ev), 0);
        assert_string_equal(ev->target, "i-d3720C7af6fCfF2B2");
        assert_string_equal(ev->session_id, "christophe-bkqs75qpcrtlxk5paaytrydm2e");
        assert_string_equal(ev->session_owner, "christophe");
        assert_string_equal(ev->event_id, "32e8a07f-4751-4081-882e-958a25231c56");
        assert_string_equal(ev->source_ip, "254.222.242.236");
        assert_null(ev->error_code);
        event_free(ev);
        free(body);

        /* TerminateSession: the session id is in requestParameters too */
        ev = parse_ok("{\"eventName\":\"TerminateSession\",\"requestParameters\":{\"sessionId\":\"root-0a1b\"}}");
        assert_string_equal(ev->session_id, "root-0a1b");
        assert_string_equal(ev->session_owner, "root");
        event_free(ev);

        /* port forwarding to a remote host: parameters are arrays */
        ev = parse_ok("{\"eventName\":\"StartSession\",\"requestParameters\":{\"target\":\"i-0123456789abcdef0\","
                      "\"documentName\":\"AWS-StartPortForwardingSessionToRemoteHost\",\"reason\":\"db fix\","
                      "\"parameters\":{\"portNumber\":[\"5432\"],\"localPortNumber\":[\"15432\"],"
                      "\"host\":[\"db.internal\"]}},\"responseElements\":{\"sessionId\":"
                      "\"botocore-session-1700000000-0abc\"},\"userIdentity\":{\"type\":\"AssumedRole\","
                      "\"arn\":\"arn:aws:sts::1:assumed-role/Dev/botocore-session-1700000000\"}}");
        assert_string_equal(ev->document_name, "AWS-StartPortForwardingSessionToRemoteHost");
        assert_string_equal(ev->port_number, "5432");
        assert_string_equal(ev->local_port_number, "15432");
        assert_string_equal(ev->remote_host, "db.internal");
        assert_string_equal(ev->reason, "db fix");
        assert_true(ev->actor_generated);
        assert_string_equal(ev->session_owner, "botocore-session-1700000000");
        event_free(ev);

        /* a JSON "\u0000" cannot hide the rest of a value */
        ev = parse_ok("{\"eventName\":\"StartSession\",\"userIdentity\":{\"type\":\"IAMUser\","
                      "\"userName\":\"ali\\u0000ce\"}}");
        assert_string_equal(ev->actor, "ali\xef\xbf\xbd" "ce");
        event_free(ev);
}

static const struct event_param *param(const struct ssm_event *ev, const char *name) {
        for (size_t i = 0; i < ev->n_parameters; i++)
                if (strcmp(ev->parameters[i].name, name) == 0)
                        return &ev->parameters[i];
        fail_msg("no parameter %s", name);
        return NULL;
}

static void test_parameters(void **state) {
        (void)state;
        struct ssm_event *ev;

        /* AWS-StartInteractiveCommand: the command, as recorded */
        ev = parse_ok("{\"eventName\":\"StartSession\",\"requestParameters\":{\"target\":\"i-0123456789abcdef0\","
                      "\"documentName\":\"AWS-StartInteractiveCommand\",\"parameters\":{\"command\":"
                      "[\"sudo journalctl -u nginx\"]}}}");
        assert_int_equal(ev->n_parameters, 1);
        assert_string_equal(ev->parameters[0].name, "command");
        assert_int_equal(ev->parameters[0].n_values, 1);
        assert_string_equal(ev->parameters[0].values[0], "sudo journalctl -u nginx");
        assert_string_equal(ev->command, "sudo journalctl -u nginx");
        assert_false(ev->parameters_hidden);
        assert_false(ev->parameters_truncated);
        event_free(ev);

        /* a custom document: every parameter in record order, numbers as text,
         * empty values left out, a lone scalar as one value; commands are lines */
        ev = parse_ok("{\"eventName\":\"StartSession\",\"requestParameters\":{\"documentName\":\"Custom-Doc\","
                      "\"parameters\":{\"commands\":[\"cd /srv\",\"./deploy.sh\"],\"retries\":[3],"
                      "\"workingDirectory\":[\"\"],\"mode\":\"fast\",\"nested\":[{\"x\":1}],\"\":[\"anon\"]}}}");
        assert_int_equal(ev->n_parameters, 5);
        assert_string_equal(ev->parameters[0].name, "commands");
        assert_int_equal(ev->parameters[0].n_values, 2);
        assert_string_equal(ev->parameters[0].values[1], "./deploy.sh");
        assert_string_equal(param(ev, "retries")->values[0], "3");
        assert_int_equal(param(ev, "workingDirectory")->n_values, 0);
        assert_string_equal(param(ev, "mode")->values[0], "fast");
        assert_int_equal(param(ev, "nested")->n_values, 0);
        assert_string_equal(ev->command, "cd /srv\n./deploy.sh");
        event_free(ev);

        /* SendCommand: AWS withholds the values */
        size_t len = 0;
        char *body = read_event("sendcommand-iamuser-stratus.json", &len);
        assert_int_equal(event_parse(body, len, &ev), 0);
        assert_true(ev->parameters_hidden);
        assert_int_equal(ev->n_parameters, 0);
        assert_null(ev->command);
        event_free(ev);
        free(body);

        /* bounded: more parameters or values than any document has are dropped */
        struct buf b;
        buf_init(&b, TESTDATA_MAX);
        assert_int_equal(buf_puts(&b, "{\"eventName\":\"StartSession\",\"requestParameters\":{\"parameters\":{"), 0);
        for (int i = 0; i < EVENT_PARAMS_MAX + 5; i++) {
                assert_int_equal(buf_printf(&b, "%s\"p%d\":[", i ? "," : "", i), 0);
                for (int j = 0; j < EVENT_PARAM_VALUES_MAX + 3; j++)
                        assert_int_equal(buf_printf(&b, "%s\"v%d\"", j ? "," : "", j), 0);
                assert_int_equal(buf_putc(&b, ']'), 0);
        }
        assert_int_equal(buf_puts(&b, "}}}"), 0);
        ev = parse_ok(buf_str(&b));
        assert_int_equal(ev->n_parameters, EVENT_PARAMS_MAX);
        assert_int_equal(ev->parameters[EVENT_PARAMS_MAX - 1].n_values, EVENT_PARAM_VALUES_MAX);
        assert_string_equal(ev->parameters[EVENT_PARAMS_MAX - 1].name, "p31");
        assert_true(ev->parameters_truncated);
        event_free(ev);
        buf_free(&b);

        /* none, or not an object */
        ev = parse_ok("{\"eventName\":\"StartSession\",\"requestParameters\":{\"parameters\":{}}}");
        assert_int_equal(ev->n_parameters, 0);
        assert_false(ev->parameters_hidden);
        event_free(ev);
        ev = parse_ok("{\"eventName\":\"StartSession\",\"requestParameters\":{\"parameters\":[\"x\"]}}");
        assert_int_equal(ev->n_parameters, 0);
        assert_false(ev->parameters_hidden);
        event_free(ev);
}

static struct ssm_event *parse_with(const char *members) {
        char body[4096];
        snprintf(body, sizeof(body), "{\"eventName\":\"StartSession\",\"eventSource\":\"ssm.amazonaws.com\"%s}",
                 members);
        return parse_ok(body);
}

static void expect_via(const char *members, bool known, bool console) {
        struct ssm_event *ev = parse_with(members);
        if (ev->has_via_console != known || (known && ev->via_console != console))
                fail_msg("%s: has_via_console=%d via_console=%d", members, ev->has_via_console, ev->via_console);
        event_free(ev);
}

static void test_mfa_via_source(void **state) {
        (void)state;
        struct ssm_event *ev;
        size_t len = 0;
        char *body;

        /* the real records: SSO without MFA; an IAM user's keys say nothing */
        body = read_event("startsession-assumedrole-sso-panther.json", &len);
        assert_int_equal(event_parse(body, len, &ev), 0);
        assert_true(ev->has_mfa);
        assert_false(ev->mfa);
        assert_true(ev->has_via_console);
        assert_false(ev->via_console);
        assert_false(ev->source_aws);
        event_free(ev);
        free(body);
        body = read_event("startsession-iamuser-stratus-1.json", &len);
        assert_int_equal(event_parse(body, len, &ev), 0);
        assert_false(ev->has_mfa);
        event_free(ev);
        free(body);

        ev = parse_with(",\"userIdentity\":{\"type\":\"AssumedRole\",\"sessionContext\":{\"attributes\":"
                        "{\"mfaAuthenticated\":\"true\"}}}");
        assert_true(ev->has_mfa && ev->mfa);
        event_free(ev);
        ev = parse_with(",\"userIdentity\":{\"sessionContext\":{\"attributes\":{\"mfaAuthenticated\":true}}}");
        assert_true(ev->has_mfa && ev->mfa);
        event_free(ev);
        ev = parse_with(",\"userIdentity\":{\"sessionContext\":{\"attributes\":{\"mfaAuthenticated\":\"maybe\"}}}");
        assert_false(ev->has_mfa);
        event_free(ev);

        expect_via(",\"sessionCredentialFromConsole\":\"true\"", true, true);
        expect_via(",\"sessionCredentialFromConsole\":\"true\",\"userAgent\":\"aws-cli/2.15.0\"", true, true);
        expect_via(",\"userAgent\":\"aws-internal/3 aws-sdk-java/1.12.720 Linux/5.10\"", true, true);
        expect_via(",\"userAgent\":\"console.amazonaws.com\"", true, true);
        expect_via(",\"userAgent\":\"aws-cli/2.15.0 Python/3.11.6\"", true, false);
        expect_via(",\"userAgent\":\"my-console.amazonaws.com\"", true, false);
        expect_via(",\"sessionCredentialFromConsole\":\"false\"", false, false);
        expect_via("", false, false);

        static const struct {
                const char *ip;
                bool aws;
        } sources[] = {
                { "AWS Internal", true }, { "ssm.amazonaws.com", true }, { "autoscaling.amazonaws.com", true },
                { "203.0.113.7", false }, { "2001:db8::1", false }, { "amazonaws.com", false },
                { "evil.example", false },
        };
        for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
                char members[256];
                snprintf(members, sizeof(members), ",\"sourceIPAddress\":\"%s\"", sources[i].ip);
                ev = parse_with(members);
                if (ev->source_aws != sources[i].aws)
                        fail_msg("%s: source_aws=%d", sources[i].ip, ev->source_aws);
                event_free(ev);
        }
}

static void expect_permission_set(const char *role_arn_resource, const char *role, const char *set) {
        char ui[512];
        snprintf(ui, sizeof(ui), "{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::111122223333:%s\"}",
                 role_arn_resource);
        struct ssm_event *ev = parse_identity(ui);
        assert_str_or_null(ev->role, role, "role", ui);
        assert_str_or_null(ev->permission_set, set, "permission_set", ui);
        event_free(ev);
}

static void test_permission_set(void **state) {
        (void)state;
        expect_permission_set("assumed-role/AWSReservedSSO_ReadOnly_0123456789abcdef/carol@example.com",
                              "AWSReservedSSO_ReadOnly_0123456789abcdef", "ReadOnly");
        /* a set's name may hold '_': the hash is after the last one */
        expect_permission_set("assumed-role/AWSReservedSSO_DB_Admin_Prod_fedcba9876543210/dave",
                              "AWSReservedSSO_DB_Admin_Prod_fedcba9876543210", "DB_Admin_Prod");
        /* not of that form: no set */
        expect_permission_set("assumed-role/AWSReservedSSO_NoHash/erin", "AWSReservedSSO_NoHash", NULL);
        expect_permission_set("assumed-role/AWSReservedSSO__abc/erin", "AWSReservedSSO__abc", NULL);
        expect_permission_set("assumed-role/AWSReservedSSO_Trailing_/erin", "AWSReservedSSO_Trailing_", NULL);
        expect_permission_set("assumed-role/Admin/frank", "Admin", NULL);
}

/* Returns the body of a real record with the JSON wrapper built around it. */
static char *wrap_eventbridge(json_object *record, const char *detail_type, json_object *account) {
        json_object *env = json_object_new_object();
        json_object_object_add(env, "version", json_object_new_string("0"));
        json_object_object_add(env, "id", json_object_new_string("6a7e8feb-b491-4cf7-a9f1-bf3703467718"));
        json_object_object_add(env, "detail-type", json_object_new_string(detail_type));
        json_object_object_add(env, "source", json_object_new_string("aws.ssm"));
        json_object_object_add(env, "account", account);
        json_object_object_add(env, "time", json_object_new_string("2024-08-01T12:19:16Z"));
        json_object_object_add(env, "region", json_object_new_string("ap-northeast-1"));
        json_object_object_add(env, "resources", json_object_new_array());
        json_object_object_add(env, "detail", json_object_get(record));
        char *s = strdup(json_object_to_json_string_ext(env, JSON_C_TO_STRING_PLAIN));
        json_object_put(env);
        return s;
}

static char *wrap_sns(const char *message) {
        json_object *env = json_object_new_object();
        json_object_object_add(env, "Type", json_object_new_string("Notification"));
        json_object_object_add(env, "MessageId", json_object_new_string("22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324"));
        json_object_object_add(env, "TopicArn",
                               json_object_new_string("arn:aws:sns:ap-northeast-1:111122223333:ssm-events"));
        json_object_object_add(env, "Message", json_object_new_string(message));
        json_object_object_add(env, "Timestamp", json_object_new_string("2024-08-01T12:19:17.000Z"));
        char *s = strdup(json_object_to_json_string_ext(env, JSON_C_TO_STRING_PLAIN));
        json_object_put(env);
        return s;
}

static json_object *load_record(const char *name) {
        size_t len = 0;
        char *body = read_event(name, &len);
        json_object *o = json_tokener_parse(body);
        free(body);
        assert_non_null(o);
        return o;
}

static void assert_startsession_1(const struct ssm_event *ev) {
        assert_string_equal(ev->event_name, "StartSession");
        assert_string_equal(ev->actor, "christophe");
        assert_string_equal(ev->target, "i-d3720C7af6fCfF2B2");
        assert_true(ev->has_time);
        assert_int_equal((int64_t)ev->event_epoch, 1722514756);
        assert_true(event_is_notifiable(ev, NULL, 0));
}

static void test_eventbridge_envelope(void **state) {
        (void)state;
        json_object *rec = load_record("startsession-iamuser-stratus-1.json");
        struct ssm_event *ev;
        char *body;

        body = wrap_eventbridge(rec, "AWS API Call via CloudTrail", json_object_new_string("999999999999"));
        ev = parse_ok(body);
        assert_startsession_1(ev);
        /* the record's own region and account win over the envelope's */
        assert_string_equal(ev->region, "me-northwest-3r");
        assert_string_equal(ev->account_id, "294599468799");
        event_free(ev);
        free(body);

        /* a record without them: the envelope fills in, its account an integer in one sample */
        json_object_object_del(rec, "awsRegion");
        json_object_object_del(rec, "recipientAccountId");
        json_object_object_del(json_object_object_get(rec, "userIdentity"), "accountId");
        body = wrap_eventbridge(rec, "AWS API Call via CloudTrail", json_object_new_int64(123456789012));
        ev = parse_ok(body);
        assert_string_equal(ev->region, "ap-northeast-1");
        assert_string_equal(ev->account_id, "123456789012");
        event_free(ev);
        free(body);

        /* the other CloudTrail detail types carry records too */
        body = wrap_eventbridge(rec, "AWS Console Sign In via CloudTrail", json_object_new_string("1"));
        ev = parse_ok(body);
        event_free(ev);
        free(body);

        /* other detail types do not, even around a record */
        body = wrap_eventbridge(rec, "EC2 Command Status-change Notification", json_object_new_string("1"));
        assert_int_equal(event_parse(body, strlen(body), &ev), -ENOMSG);
        free(body);
        json_object_put(rec);
}

static void test_sns_envelope(void **state) {
        (void)state;
        json_object *rec = load_record("startsession-iamuser-stratus-1.json");
        const char *bare = json_object_to_json_string_ext(rec, JSON_C_TO_STRING_PLAIN);
        struct ssm_event *ev;
        char *body, *eb, *inner;

        /* SNS around a bare record */
        body = wrap_sns(bare);
        ev = parse_ok(body);
        assert_startsession_1(ev);
        event_free(ev);
        free(body);

        /* SNS around an EventBridge event */
        eb = wrap_eventbridge(rec, "AWS API Call via CloudTrail", json_object_new_string("294599468799"));
        body = wrap_sns(eb);
        ev = parse_ok(body);
        assert_startsession_1(ev);
        event_free(ev);

        /* SNS around SNS is not something any subscription delivers */
        inner = body;
        body = wrap_sns(inner);
        assert_int_equal(event_parse(body, strlen(body), &ev), -ENOMSG);
        free(body);
        free(inner);
        free(eb);

        /* an SNS notification whose Message is not JSON is JSON, but not an event */
        body = wrap_sns("Hello from the console's Publish button");
        assert_int_equal(event_parse(body, strlen(body), &ev), -ENOMSG);
        free(body);
        json_object_put(rec);
}

static void expect_parse(const char *body, size_t len, int expected) {
        struct ssm_event *ev = (struct ssm_event *)0x1; /* must stay untouched on failure */
        int r = event_parse(body, len, &ev);
        if (r != expected)
                fail_msg("event_parse = %d, expected %d, for '%.*s'", r, expected, (int)(len > 60 ? 60 : len), body);
        assert_ptr_equal(ev, (struct ssm_event *)0x1);
}

/* Dotted paths: each step a member of an object, null read as missing. */
static void test_json_path(void **state) {
        static const char TEXT[] = "{\"a\":{\"b\":{\"c\":\"x\",\"n\":null},\"s\":\"y\"},\"a.b\":1,"
                                   "\"aKeyLongerThanSixtyFourBytesWhichTheOldCopyingLookupCouldNotHaveFound\":2}";
        struct json_tree *t;
        const struct json_node *root;

        (void)state;
        assert_int_equal(json_tree_parse(TEXT, strlen(TEXT), 8, &t), 0);
        root = json_tree_root(t);
        assert_string_equal(json_node_string(event_json_path(root, "a.b.c"), NULL), "x");
        assert_string_equal(json_node_string(event_json_path(root, "a.s"), NULL), "y");
        assert_int_equal(json_node_kind(event_json_path(root, "a.b")), JSON_OBJECT);
        assert_ptr_equal(event_json_path(root, ""), root);
        assert_null(event_json_path(root, "a.b.n"));   /* null */
        assert_null(event_json_path(root, "a.s.c"));   /* through a string */
        assert_null(event_json_path(root, "a.x"));     /* missing */
        assert_null(event_json_path(root, "a.b.cc"));  /* a longer name */
        assert_null(event_json_path(NULL, "a"));
        assert_string_equal(
                json_node_string(event_json_path(root, "aKeyLongerThanSixtyFourBytesWhichTheOldCopyingLookupCouldNotHaveFound"),
                                 NULL),
                "2");
        json_tree_free(t);
}

static void test_not_json(void **state) {
        (void)state;
        const char *bad[] = {
                "", "   ", "{", "not json", "{}x", "{} {}", "{\"eventName\":\"StartSession\",}",
                "{\"eventName\":\"StartSession\xff\"}", /* invalid UTF-8 */
                /* invalid UTF-8 that json-c 0.16 lets through (found by
                 * fuzz_event_render): overlong NUL and '/', a surrogate,
                 * U+110000 */
                "{\"eventName\":\"StartSession\",\"userAgent\":\"a\xc0\x80\"}",
                "{\"eventName\":\"StartSession\",\"userAgent\":\"a\xe0\x80\xaf\"}",
                "{\"eventName\":\"StartSession\",\"userAgent\":\"a\xed\xa0\x80\"}",
                "{\"eventName\":\"StartSession\",\"userAgent\":\"a\xf4\x90\x80\x80\"}",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                expect_parse(bad[i], strlen(bad[i]), -EBADMSG);
        /* a NUL after the object is trailing garbage, not the end of the text */
        expect_parse("{\"eventName\":\"StartSession\"}\0", 29, -EBADMSG);

        /* nesting deeper than any CloudTrail record */
        char deep[1024];
        size_t n = 0;
        n += (size_t)snprintf(deep, sizeof(deep), "{\"eventName\":\"StartSession\",\"x\":");
        for (int i = 0; i < 100; i++)
                deep[n++] = '[';
        for (int i = 0; i < 100; i++)
                deep[n++] = ']';
        deep[n++] = '}';
        expect_parse(deep, n, -EBADMSG);
}

static void test_not_event(void **state) {
        (void)state;
        const char *json_not_event[] = {
                "[]", "42", "\"StartSession\"", "null", "{}", "{\"eventName\":\"\"}", "{\"eventName\":42}",
                "{\"Records\":[{\"eventName\":\"StartSession\"}]}",
                "{\"detail-type\":\"AWS API Call via CloudTrail\",\"detail\":\"not an object\"}",
                "{\"eventName\":\"UpdateInstanceInformation\",\"eventType\":\"AwsCloudTrailInsight\"}",
        };
        for (size_t i = 0; i < sizeof(json_not_event) / sizeof(json_not_event[0]); i++)
                expect_parse(json_not_event[i], strlen(json_not_event[i]), -ENOMSG);
}

static void test_oversize(void **state) {
        (void)state;
        const char *rec = "{\"eventName\":\"StartSession\",\"eventSource\":\"ssm.amazonaws.com\"}";
        char *body = malloc(EVENT_BODY_MAX + 2);
        struct ssm_event *ev;

        assert_non_null(body);
        /* exactly the SQS maximum (whitespace after the record) is accepted */
        memset(body, ' ', EVENT_BODY_MAX + 1);
        memcpy(body, rec, strlen(rec));
        assert_int_equal(event_parse(body, EVENT_BODY_MAX, &ev), 0);
        event_free(ev);
        /* one byte more is refused before parsing */
        expect_parse(body, EVENT_BODY_MAX + 1, -E2BIG);
        free(body);
}

static void test_notifiable(void **state) {
        (void)state;
        json_object *rec = load_record("startsession-iamuser-stratus-1.json");
        char *const only_terminate[] = { "TerminateSession" };
        char *const with_send[] = { "StartSession", "SendCommand" };
        struct ssm_event *ev;
        const char *body;

        /* a denied StartSession passes the filter: it is the point */
        json_object_object_add(rec, "errorCode", json_object_new_string("AccessDenied"));
        json_object_object_add(rec, "errorMessage", json_object_new_string("User: arn:aws:iam::294599468799:user/"
                                                                           "christophe is not authorized"));
        body = json_object_to_json_string(rec);
        ev = parse_ok(body);
        assert_true(ev->failure);
        assert_string_equal(ev->error_code, "AccessDenied");
        assert_true(event_is_notifiable(ev, NULL, 0));
        assert_false(event_is_notifiable(ev, only_terminate, 1));
        assert_true(event_is_notifiable(ev, with_send, 2));
        event_free(ev);

        /* the name alone is not enough: the source must be SSM */
        json_object_object_add(rec, "eventSource", json_object_new_string("ssmmessages.amazonaws.com"));
        ev = parse_ok(json_object_to_json_string(rec));
        assert_false(event_is_notifiable(ev, NULL, 0));
        event_free(ev);
        json_object_put(rec);

        size_t len = 0;
        char *send = read_event("sendcommand-iamuser-stratus.json", &len);
        assert_int_equal(event_parse(send, len, &ev), 0);
        assert_false(event_is_notifiable(ev, NULL, 0));
        assert_true(event_is_notifiable(ev, with_send, 2));
        event_free(ev);
        free(send);
        event_free(NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_record),
                cmocka_unit_test(test_identity_types),
                cmocka_unit_test(test_session_fields),
                cmocka_unit_test(test_parameters),
                cmocka_unit_test(test_mfa_via_source),
                cmocka_unit_test(test_permission_set),
                cmocka_unit_test(test_eventbridge_envelope),
                cmocka_unit_test(test_sns_envelope),
                cmocka_unit_test(test_json_path),
                cmocka_unit_test(test_not_json),
                cmocka_unit_test(test_not_event),
                cmocka_unit_test(test_oversize),
                cmocka_unit_test(test_notifiable),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
