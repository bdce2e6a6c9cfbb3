#!/usr/bin/env python3
"""Checks the AWS-side setup in packaging/aws/.

- every JSON file parses, the CloudFormation template parses (PyYAML with
  constructors for the !Ref/!GetAtt/!Sub... short forms) and cfn-lint finds
  nothing in it;
- the instance role gets exactly the actions the daemon calls, on the queue and
  the topic only (the look-ups' Describe calls on "*", which is all they
  take, and AssumeRole only of the member-account role), in iam-policy.json
  and in the template alike;
- member-account-role.yaml makes one read-only role that only the daemon's
  role may assume, named as the daemon's policy expects;
- the template's rule pattern is eventbridge-rule-pattern.json, the queue
  policy lets only that rule send, the redrive policy matches the daemon's
  max_receive_count, the outputs are what ssm-notifyd.conf needs;
- the pattern, evaluated with EventBridge's exact-match rules, selects real
  StartSession/TerminateSession records and rejects other real SSM and
  non-SSM events (tests/data/aws/, see its SOURCES.md).

PyYAML and cfn-lint come with tests/tools/install-deps.sh (pip, into the
python3 the tests run with); without them this test fails, it does not skip.
"""
import copy
import json
import os
import pathlib
import subprocess
import sys
import unittest

import yaml

SRC = pathlib.Path(__file__).resolve().parents[2]
AWS = SRC / "packaging" / "aws"
DATA = pathlib.Path(os.environ.get("SSMN_TEST_DATA", SRC / "tests" / "data")) / "aws"

# What the daemon calls (DESIGN.md; the brief of packaging/aws): ReceiveMessage,
# DeleteMessage(Batch), ChangeMessageVisibility(Batch), Publish(Batch), and
# GetQueueAttributes/GetTopicAttributes for `--check-config --online`. The batch
# calls are authorised by the single-message actions; nothing else is needed.
EXPECTED_ACTIONS = {
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
    "sns:Publish",
    "sns:GetTopicAttributes",
    # issue 13: name targets (EC2, SSM), follow sessions (SSM), other accounts (STS)
    "ec2:DescribeInstances",
    "ssm:DescribeInstanceInformation",
    "ssm:DescribeSessions",
    "sts:AssumeRole",
}
# What the member-account role may do: the same look-ups, nothing else.
MEMBER_ACTIONS = {"ec2:DescribeInstances", "ssm:DescribeInstanceInformation", "ssm:DescribeSessions"}
MEMBER_ROLE = "ssm-notifyd-reader"
SESSION_EVENTS = ["StartSession", "ResumeSession", "TerminateSession"]


class CfnLoader(yaml.SafeLoader):
    """SafeLoader that reads CloudFormation's short-form intrinsic functions
    (!Ref X, !GetAtt A.B, !Sub ..., !Not [...]) as their long JSON forms."""


def _cfn_short_form(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {"Fn::" + suffix: value}


CfnLoader.add_multi_constructor("!", _cfn_short_form)


def load_json(name):
    with open(AWS / name, encoding="utf-8") as f:
        return json.load(f)


def load_template(name="cloudformation.yaml"):
    with open(AWS / name, encoding="utf-8") as f:
        return yaml.load(f, Loader=CfnLoader)


def as_list(v):
    return v if isinstance(v, list) else [v]


def pattern_matches(pattern, event):
    """EventBridge matching for patterns made of exact string values only:
    every pattern key must be in the event; a nested object recurses; a list
    matches when the event's value (or one of its values, for an array) is in
    it. Anything else in a pattern (prefix, anything-but, ...) is refused, so a
    pattern this cannot evaluate fails the test instead of passing it."""
    for key, want in pattern.items():
        if key not in event:
            return False
        got = event[key]
        if isinstance(want, dict):
            if not isinstance(got, dict) or not pattern_matches(want, got):
                return False
            continue
        if not (isinstance(want, list) and want and all(isinstance(w, str) for w in want)):
            raise AssertionError(f"pattern value for {key!r} is not a list of strings: {want!r}")
        if not any(v in want for v in as_list(got)):
            return False
    return True


class AwsSideTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.template = load_template()
        cls.resources = cls.template["Resources"]

    def resources_of(self, cfn_type):
        return {k: r for k, r in self.resources.items() if r["Type"] == cfn_type}

    def one_resource(self, cfn_type):
        found = self.resources_of(cfn_type)
        self.assertEqual(len(found), 1, f"expected one {cfn_type}, got {sorted(found)}")
        return next(iter(found.items()))

    def session_queue(self):
        """The queue the rule targets (not the dead-letter queue)."""
        _, rule = self.one_resource("AWS::Events::Rule")
        targets = rule["Properties"]["Targets"]
        self.assertEqual(len(targets), 1)
        arn = targets[0]["Arn"]
        self.assertIn("Fn::GetAtt", arn)
        name, attr = arn["Fn::GetAtt"]
        self.assertEqual(attr, "Arn")
        self.assertEqual(self.resources[name]["Type"], "AWS::SQS::Queue")
        return name

    # --- parsing ------------------------------------------------------------

    def test_json_files_parse(self):
        names = sorted(p.name for p in AWS.glob("*.json"))
        self.assertEqual(names, ["eventbridge-rule-pattern.json", "iam-policy.json",
                                 "sqs-queue-policy.json"])
        for name in names:
            with self.subTest(name=name):
                self.assertIsInstance(load_json(name), dict)

    def test_template_parses(self):
        self.assertEqual(self.template["AWSTemplateFormatVersion"], "2010-09-09")
        self.assertEqual(set(self.template["Parameters"]),
                         {"QueueName", "TopicName", "NotificationEmail", "InstanceRoleName", "MemberRoleName"})
        self.assertEqual(self.template["Parameters"]["MemberRoleName"]["Default"], MEMBER_ROLE)

    def test_cfn_lint_finds_nothing(self):
        run = subprocess.run(
            [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())",
             "--", str(AWS / "cloudformation.yaml"), str(AWS / "member-account-role.yaml")],
            capture_output=True, text=True, timeout=240)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)

    # --- least privilege ----------------------------------------------------

    def check_policy(self, doc, queue_resource, topic_resource, role_resource):
        """Actions exactly EXPECTED_ACTIONS; SQS ones on the queue, SNS ones on
        the topic, the Describe calls on "*" (they take no resource-level
        permissions), AssumeRole on the member role; no wildcard action, no
        Deny/Not* trickery. Returns {Sid: actions}."""
        self.assertEqual(doc["Version"], "2012-10-17")
        granted = []
        by_sid = {}
        for st in doc["Statement"]:
            self.assertEqual(st["Effect"], "Allow")
            self.assertFalse({"NotAction", "NotResource", "Principal"} & set(st), st)
            actions = as_list(st["Action"])
            services = {a.split(":", 1)[0] for a in actions}
            self.assertEqual(len(services), 1, f"one service per statement: {actions}")
            self.assertTrue(all("*" not in a for a in actions), actions)
            want = {"sqs": queue_resource, "sns": topic_resource, "ec2": "*", "ssm": "*",
                    "sts": role_resource}[services.pop()]
            self.assertEqual(as_list(st["Resource"]), [want])
            granted += actions
            by_sid[st["Sid"]] = set(actions)
        self.assertEqual(len(granted), len(set(granted)), "an action is granted twice")
        self.assertEqual(set(granted), EXPECTED_ACTIONS)
        return by_sid

    def test_iam_policy_is_exactly_what_the_daemon_needs(self):
        self.check_policy(load_json("iam-policy.json"),
                          "arn:aws:sqs:ap-northeast-1:123456789012:ssm-session-events",
                          "arn:aws:sns:ap-northeast-1:123456789012:ssm-session-alerts",
                          f"arn:aws:iam::*:role/{MEMBER_ROLE}")

    def test_template_grants_the_same_to_the_instance_role(self):
        policies = {k: r for k, r in self.resources.items()
                    if r["Type"] in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy",
                                     "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")}
        self.assertEqual(list(policies), ["InstancePolicy"])
        props = policies["InstancePolicy"]["Properties"]
        self.assertEqual(policies["InstancePolicy"]["Type"], "AWS::IAM::ManagedPolicy")
        self.assertEqual(props["Roles"], [{"Ref": "InstanceRoleName"}])
        topic, _ = self.one_resource("AWS::SNS::Topic")
        queue = self.session_queue()
        in_template = self.check_policy(props["PolicyDocument"],
                                        {"Fn::GetAtt": [queue, "Arn"]}, {"Ref": topic},
                                        {"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"})
        in_json = self.check_policy(load_json("iam-policy.json"),
                                    "arn:aws:sqs:ap-northeast-1:123456789012:ssm-session-events",
                                    "arn:aws:sns:ap-northeast-1:123456789012:ssm-session-alerts",
                                    f"arn:aws:iam::*:role/{MEMBER_ROLE}")
        self.assertEqual(in_template, in_json)

    def test_member_account_role_is_read_only_and_only_for_the_daemon(self):
        member = load_template("member-account-role.yaml")
        self.assertEqual(member["AWSTemplateFormatVersion"], "2010-09-09")
        params = member["Parameters"]
        self.assertEqual(set(params), {"DaemonAccountId", "DaemonRoleName", "RoleName", "ExternalId"})
        self.assertEqual(params["RoleName"]["Default"], MEMBER_ROLE)
        self.assertEqual(params["ExternalId"]["Default"], "")
        self.assertEqual([r["Type"] for r in member["Resources"].values()], ["AWS::IAM::Role"])
        role = next(iter(member["Resources"].values()))["Properties"]
        self.assertEqual(role["RoleName"], {"Ref": "RoleName"})
        self.assertLessEqual(role["MaxSessionDuration"], 3600 * 12)
        self.assertNotIn("ManagedPolicyArns", role)
        trust = role["AssumeRolePolicyDocument"]["Statement"]
        self.assertEqual(len(trust), 1)
        self.assertEqual(trust[0]["Effect"], "Allow")
        self.assertEqual(trust[0]["Action"], "sts:AssumeRole")
        # the daemon's role, not its whole account
        self.assertEqual(trust[0]["Principal"], {"AWS": {
            "Fn::Sub": "arn:${AWS::Partition}:iam::${DaemonAccountId}:role/${DaemonRoleName}"}})
        cond = trust[0]["Condition"]["Fn::If"]
        self.assertEqual(cond[0], "HasExternalId")
        self.assertEqual(cond[1], {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}})
        granted = []
        for policy in role["Policies"]:
            for st in policy["PolicyDocument"]["Statement"]:
                self.assertEqual(st["Effect"], "Allow")
                self.assertFalse({"NotAction", "NotResource", "Principal"} & set(st), st)
                self.assertEqual(as_list(st["Resource"]), ["*"])
                granted += as_list(st["Action"])
        self.assertEqual(sorted(granted), sorted(MEMBER_ACTIONS))
        self.assertTrue(MEMBER_ACTIONS < EXPECTED_ACTIONS)

    # --- the rule, the queue policy, the queues, the outputs ----------------

    def test_rule_pattern_is_the_json_one(self):
        pattern = load_json("eventbridge-rule-pattern.json")
        self.assertEqual(pattern, {
            "source": ["aws.ssm"],
            "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {"eventSource": ["ssm.amazonaws.com"], "eventName": SESSION_EVENTS},
        })
        _, rule = self.one_resource("AWS::Events::Rule")
        self.assertEqual(rule["Properties"]["EventPattern"], pattern)
        self.assertEqual(rule["Properties"]["State"], "ENABLED")

    def check_queue_policy(self, doc, queue_resource, rule_arn):
        self.assertEqual(doc["Version"], "2012-10-17")
        self.assertEqual(len(doc["Statement"]), 1)
        st = doc["Statement"][0]
        self.assertEqual(st["Effect"], "Allow")
        self.assertEqual(st["Principal"], {"Service": "events.amazonaws.com"})
        self.assertEqual(as_list(st["Action"]), ["sqs:SendMessage"])
        self.assertEqual(st["Resource"], queue_resource)
        self.assertEqual(st["Condition"], {"ArnEquals": {"aws:SourceArn": rule_arn}})

    def test_queue_policy_lets_only_the_rule_send(self):
        self.check_queue_policy(
            load_json("sqs-queue-policy.json"),
            "arn:aws:sqs:ap-northeast-1:123456789012:ssm-session-events",
            "arn:aws:events:ap-northeast-1:123456789012:rule/ssm-session-events")
        rule, _ = self.one_resource("AWS::Events::Rule")
        queue = self.session_queue()
        _, qp = self.one_resource("AWS::SQS::QueuePolicy")
        self.assertEqual(qp["Properties"]["Queues"], [{"Ref": queue}])
        self.check_queue_policy(qp["Properties"]["PolicyDocument"],
                                {"Fn::GetAtt": [queue, "Arn"]}, {"Fn::GetAtt": [rule, "Arn"]})

    def test_redrive_to_dead_letter_queue_after_5_receives(self):
        queue = self.session_queue()
        redrive = self.resources[queue]["Properties"]["RedrivePolicy"]
        self.assertEqual(redrive["maxReceiveCount"], 5)  # DESIGN.md: max_receive_count = 5
        dlq, _ = redrive["deadLetterTargetArn"]["Fn::GetAtt"]
        self.assertNotEqual(dlq, queue)
        self.assertEqual(self.resources[dlq]["Type"], "AWS::SQS::Queue")
        self.assertEqual(len(self.resources_of("AWS::SQS::Queue")), 2)

    def test_email_subscription_is_optional(self):
        name, sub = self.one_resource("AWS::SNS::Subscription")
        self.assertEqual(sub.get("Condition"), "HasEmail", name)
        self.assertEqual(self.template["Conditions"]["HasEmail"],
                         {"Fn::Not": [{"Fn::Equals": [{"Ref": "NotificationEmail"}, ""]}]})
        self.assertEqual(sub["Properties"]["Endpoint"], {"Ref": "NotificationEmail"})

    def test_outputs_feed_the_config(self):
        topic, _ = self.one_resource("AWS::SNS::Topic")
        outputs = self.template["Outputs"]
        self.assertEqual(outputs["QueueUrl"]["Value"], {"Ref": self.session_queue()})
        self.assertEqual(outputs["TopicArn"]["Value"], {"Ref": topic})
        self.assertEqual(outputs["Region"]["Value"], {"Ref": "AWS::Region"})

    # --- the pattern against real events ------------------------------------

    def envelope(self, record, source):
        """A CloudTrail record as EventBridge delivers it: the envelope of the
        real "AWS API Call via CloudTrail" event in tests/data/aws, with this
        record as detail and the given source."""
        with open(DATA / "nonssm-eventbridge-createbucket-root-awsdocs.json", encoding="utf-8") as f:
            event = json.load(f)
        self.assertEqual(event["detail-type"], "AWS API Call via CloudTrail")
        event = copy.deepcopy(event)
        event["source"] = source
        event["detail"] = record
        return event

    def data(self, name):
        with open(DATA / name, encoding="utf-8") as f:
            return json.load(f)

    def test_pattern_selects_session_events(self):
        pattern = load_json("eventbridge-rule-pattern.json")
        for name in ("startsession-iamuser-stratus-1.json",
                     "startsession-assumedrole-sso-panther.json",
                     "terminatesession-iamuser-stratus-1.json"):
            with self.subTest(name=name):
                self.assertTrue(pattern_matches(pattern, self.envelope(self.data(name), "aws.ssm")))

    def test_pattern_rejects_other_events(self):
        pattern = load_json("eventbridge-rule-pattern.json")
        cases = {
            # another SSM API call
            "sendcommand-iamuser-stratus.json":
                self.envelope(self.data("sendcommand-iamuser-stratus.json"), "aws.ssm"),
            # another eventSource, even if it arrived with source aws.ssm
            "startconnection-assumedrole-ssmguiconnect-awsdocs.json":
                self.envelope(self.data("startconnection-assumedrole-ssmguiconnect-awsdocs.json"),
                              "aws.ssm"),
            # real envelopes: a native SSM event, and a CloudTrail call of S3
            "nonct-eventbridge-aws.ssm-command-status-change-awsdocs.json":
                self.data("nonct-eventbridge-aws.ssm-command-status-change-awsdocs.json"),
            "nonssm-eventbridge-createbucket-root-awsdocs.json":
                self.data("nonssm-eventbridge-createbucket-root-awsdocs.json"),
        }
        for name, event in cases.items():
            with self.subTest(name=name):
                self.assertFalse(pattern_matches(pattern, event))

    def test_pattern_needs_source_and_detail_type(self):
        pattern = load_json("eventbridge-rule-pattern.json")
        record = self.data("startsession-iamuser-stratus-1.json")
        self.assertFalse(pattern_matches(pattern, self.envelope(record, "aws.s3")))
        event = self.envelope(record, "aws.ssm")
        event["detail-type"] = "AWS Service Event via CloudTrail"
        self.assertFalse(pattern_matches(pattern, event))


if __name__ == "__main__":
    unittest.main(verbosity=2)
