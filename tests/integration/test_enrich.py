#!/usr/bin/env python3
"""Target names end to end: ssm-notifyd against moto_server with IAM auth on
(EC2, STS, a member account) and the SSM responder (managed nodes).

What the look-ups found is checked in what subscribers get: the subject
("alice -> web-prod-1 (i-…)"), the json fields target_name and target_tags,
and the "rule" message attribute, set by [rule NAME] conditions on
target_name and tag:KEY that only a found name can satisfy. Requests are counted at the
fault proxy (EC2, STS) and at the responder (SSM). Expected names come from
the instances the test made, not from the daemon's code.
"""
import copy
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import awsenv  # noqa: E402
from awsenv import (ACCOUNT, MEMBER_ROLE, REGION, Daemon, FaultProxy, MotoEnv,  # noqa: E402
                    eventbridge_envelope, record, wait_until)
from ssm_responder import SsmResponder  # noqa: E402

BINARY = os.environ["SSMN_BINARY"]
MEMBER = "111122223333"
NODE = "mi-0123456789abcdef0"
UNKNOWN = "i-0000000000000000f"
# A look-up is bounded (2 s) and there is one round per receive: with moto's
# one-second long polls, a notification is out well within this.
PROMPT_SECONDS = 12


def attrs(note):
    return {k: v["Value"] for k, v in note.get("MessageAttributes", {}).items()}


def rules_by_event(notes):
    return {json.loads(n["Message"])["event_id"]: attrs(n).get("rule") for n in notes}


def names_by_event(notes):
    return {m["event_id"]: (m["target_name"], m["target_tags"])
            for m in (json.loads(n["Message"]) for n in notes)}


def start_event(event_id, target, account=ACCOUNT):
    r = copy.deepcopy(record("startsession-iamuser-stratus-1.json"))
    r.update(eventID=event_id, recipientAccountId=account, awsRegion=REGION)
    r["userIdentity"]["accountId"] = account
    r["requestParameters"] = {"target": target}
    return eventbridge_envelope(r, event_id=event_id)


def run_instance(ec2, name, environment):
    ami = ec2.describe_images()["Images"][0]["ImageId"]
    tags = [{"Key": "Name", "Value": name}, {"Key": "Environment", "Value": environment}]
    r = ec2.run_instances(ImageId=ami, MinCount=1, MaxCount=1,
                          TagSpecifications=[{"ResourceType": "instance", "Tags": tags}])
    return r["Instances"][0]["InstanceId"]


# Each rule names what only a successful look-up can tell.
RULES = {
    "rule web": {"match": "target_name=web-prod-1, tag:Environment=production", "action": "notify"},
    "rule member": {"match": f"target_name=batch-*, account_id={MEMBER}", "action": "notify"},
    "rule onprem": {"match": "target_name=db-onprem-1.corp.example", "action": "notify"},
}


class EnrichTest(unittest.TestCase):
    def setUp(self):
        self.aws = MotoEnv(member_accounts=[MEMBER]).start().create_relay_resources()
        self.addCleanup(self.aws.stop)
        self.web = run_instance(self.aws.client("ec2"), "web-prod-1", "production")
        self.batch = run_instance(self.aws.member_client("ec2", MEMBER), "batch-7", "staging")
        self.ssm = SsmResponder({self.aws.key_id: (self.aws.secret, None, ACCOUNT)})
        self.ssm_url = self.ssm.start()
        self.addCleanup(self.ssm.stop)
        self.ssm.add_instance(ACCOUNT, REGION, NODE, "db-onprem-1.corp.example")
        self.proxy = FaultProxy(self.aws.url, self.aws.workdir, "--stall-s", "6")
        self.addCleanup(self.proxy.stop)

    def config(self, **enrich):
        return self.aws.write_config(extra={
            "aws": {"ec2_endpoint": self.proxy.url, "sts_endpoint": self.proxy.url, "ssm_endpoint": self.ssm_url},
            "notify": {"format": "json"},
            "enrich": {"role_arn": "arn:aws:iam::{account_id}:role/" + MEMBER_ROLE, **enrich},
            **RULES})

    def start(self, config):
        daemon = Daemon(BINARY, config, self.aws.workdir).start()
        self.addCleanup(lambda: daemon.proc.poll() is None and daemon.stop())
        return daemon

    def deliver(self, events, daemon=None):
        for e in events:
            self.aws.send(e)
        daemon = daemon or self.start(self.config())
        wait_until(lambda: self.aws.queue_depth() == 0, timeout=60, what="the source queue to drain")
        return daemon, self.aws.drain_sink(expected=len(events))

    def test_names_in_own_and_member_account_and_managed_node_then_cache(self):
        events = [start_event("e0000000-0000-4000-8000-000000000001", self.web),
                  start_event("e0000000-0000-4000-8000-000000000002", self.batch, account=MEMBER),
                  start_event("e0000000-0000-4000-8000-000000000003", NODE),
                  start_event("e0000000-0000-4000-8000-000000000004", UNKNOWN)]
        daemon, notes = self.deliver(events)
        self.assertEqual(rules_by_event(notes), {
            "e0000000-0000-4000-8000-000000000001": "web",
            "e0000000-0000-4000-8000-000000000002": "member",
            "e0000000-0000-4000-8000-000000000003": "onprem",
            "e0000000-0000-4000-8000-000000000004": None,
        })
        self.assertEqual(names_by_event(notes), {
            "e0000000-0000-4000-8000-000000000001": ("web-prod-1", {"Environment": "production"}),
            "e0000000-0000-4000-8000-000000000002": ("batch-7", {"Environment": "staging"}),
            "e0000000-0000-4000-8000-000000000003": ("db-onprem-1.corp.example", None),
            "e0000000-0000-4000-8000-000000000004": (None, None),
        })
        subjects = {json.loads(n["Message"])["event_id"]: n["Subject"] for n in notes}
        self.assertIn(f" -> web-prod-1 ({self.web}) ", subjects["e0000000-0000-4000-8000-000000000001"])
        self.assertIn(f" -> {UNKNOWN} ", subjects["e0000000-0000-4000-8000-000000000004"])
        # one receive: one DescribeInstances per account and region, one
        # AssumeRole for the member account, one DescribeInstanceInformation
        cold = self.proxy.stats()["by_action"]
        self.assertEqual(cold.get("DescribeInstances"), 2, cold)
        self.assertEqual(cold.get("AssumeRole"), 1, cold)
        self.assertEqual(self.ssm.requests, [("DescribeInstanceInformation", ACCOUNT, REGION)])

        # warm: the same targets (the unknown one too) cost no request at all
        again = [start_event("e0000000-0000-4000-8000-000000000011", self.web),
                 start_event("e0000000-0000-4000-8000-000000000012", self.batch, account=MEMBER),
                 start_event("e0000000-0000-4000-8000-000000000013", NODE),
                 start_event("e0000000-0000-4000-8000-000000000014", UNKNOWN)]
        _, notes = self.deliver(again, daemon)
        self.assertEqual(sorted(rules_by_event(notes).values(), key=str), [None, "member", "onprem", "web"])
        self.assertEqual(self.proxy.stats()["by_action"], cold)
        self.assertEqual(len(self.ssm.requests), 1)
        self.assertEqual(self.ssm.rejected, [])
        self.assertEqual(daemon.stop(), 0, daemon.log_text())

    def test_new_target_in_a_later_receive(self):
        """The look-up client made for the first receive's account and region
        serves the later ones: what it keeps must outlive that receive's events."""
        daemon, _ = self.deliver([start_event("e0000000-0000-4000-8000-000000000021", self.web)])
        later = run_instance(self.aws.client("ec2"), "web-prod-2", "staging")
        _, notes = self.deliver([start_event("e0000000-0000-4000-8000-000000000022", later)], daemon)
        self.assertEqual(names_by_event(notes),
                         {"e0000000-0000-4000-8000-000000000022": ("web-prod-2", {"Environment": "staging"})})
        self.assertEqual(self.proxy.stats()["by_action"].get("DescribeInstances"), 2)
        self.assertEqual(daemon.stop(), 0, daemon.log_text())

    def test_no_role_arn_no_lookups_in_other_accounts_logged_once(self):
        events = [start_event("e1000000-0000-4000-8000-00000000000%d" % i, self.batch, account=MEMBER)
                  for i in range(3)] + [start_event("e1000000-0000-4000-8000-000000000009", self.web)]
        config = self.aws.write_config(extra={
            "aws": {"ec2_endpoint": self.proxy.url, "sts_endpoint": self.proxy.url, "ssm_endpoint": self.ssm_url},
            "notify": {"format": "json"}, **RULES})
        daemon, notes = self.deliver(events, self.start(config))
        self.assertEqual(daemon.stop(), 0, daemon.log_text())
        got = rules_by_event(notes)
        self.assertEqual(len(got), 4)
        self.assertEqual(got.pop("e1000000-0000-4000-8000-000000000009"), "web")
        self.assertEqual(set(got.values()), {None})
        self.assertNotIn("AssumeRole", self.proxy.stats()["by_action"])
        self.assertEqual(daemon.log_text().count("look-ups in other accounts are off"), 1, daemon.log_text())

    def fault(self, kind, only, target, account=ACCOUNT, what="DescribeInstances"):
        self.proxy.plan(rates={kind: 1.0}, only=[only])
        if only == "DescribeInstanceInformation":
            # the responder sits behind the proxy for this one
            self.proxy.stop()
            self.proxy = FaultProxy(self.ssm_url, self.aws.workdir, "--stall-s", "6", "--rate", f"{kind}=1",
                                    "--only", only)
            self.addCleanup(self.proxy.stop)
            config = self.aws.write_config(extra={
                "aws": {"ec2_endpoint": self.aws.url, "sts_endpoint": self.aws.url, "ssm_endpoint": self.proxy.url},
                "notify": {"format": "json"},
                "enrich": {"role_arn": "arn:aws:iam::{account_id}:role/" + MEMBER_ROLE}, **RULES})
        else:
            config = self.config()
        ids = ["f0000000-0000-4000-8000-00000000000%d" % i for i in range(3)]
        daemon = self.start(config)
        started = time.monotonic()
        _, notes = self.deliver([start_event(i, target, account) for i in ids], daemon)
        took = time.monotonic() - started
        self.assertEqual(daemon.stop(), 0, daemon.log_text())
        log = daemon.log_text()
        # nothing lost, nothing doubled, out promptly, without the name
        self.assertEqual(sorted(rules_by_event(notes)), ids)
        self.assertEqual(set(rules_by_event(notes).values()), {None})
        self.assertEqual(set(names_by_event(notes).values()), {(None, None)})
        self.assertLess(took, PROMPT_SECONDS)
        self.assertGreaterEqual(self.proxy.stats()[kind], 1)
        # the cause, once, however many messages
        self.assertEqual(log.count(f"{what} in account {account}, region {REGION} failed"), 1, log)
        return log

    def test_lookup_stalls(self):
        log = self.fault("stall", "DescribeInstances", self.web)
        self.assertIn("after 2.0 s", log)  # ENRICH_CALL_TIMEOUT_MS

    def test_lookup_denied(self):
        self.assertIn("AccessDenied", self.fault("denied", "DescribeInstances", self.web))

    def test_lookup_throttled(self):
        self.assertIn("Throttling", self.fault("throttle", "DescribeInstances", self.web))

    def test_lookup_answer_malformed(self):
        self.assertIn("not of the documented shape", self.fault("malformed", "DescribeInstances", self.web))

    def test_assume_role_denied(self):
        log = self.fault("denied", "AssumeRole", self.batch, account=MEMBER, what="STS AssumeRole")
        self.assertIn("AccessDenied", log)

    def test_managed_node_lookup_denied(self):
        log = self.fault("denied", "DescribeInstanceInformation", NODE, what="SSM DescribeInstanceInformation")
        self.assertIn("AccessDeniedException", log)


if __name__ == "__main__":
    awsenv.main()
