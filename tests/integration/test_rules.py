"""Rules end to end: ssm-notifyd against moto_server with IAM auth on.

An ignore rule deletes its events unpublished and says so in the log and in
STATUS=; a notify rule's name and the event's severity travel as SNS message
attributes, so a subscription with a FilterPolicy receives only what it asked
for. What subscribers get is read back from queues subscribed to the topic.
Expected values come from the CloudTrail records, not from the daemon's code.
"""
import copy
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import awsenv  # noqa: E402
from awsenv import Daemon, Datagrams, MotoEnv, eventbridge_envelope, record, wait_until  # noqa: E402

BINARY = os.environ["SSMN_BINARY"]


def attrs(note):
    return {k: v["Value"] for k, v in note.get("MessageAttributes", {}).items()}


def event_ids(notes):
    return sorted(json.loads(n["Message"])["event_id"] for n in notes)


class RulesTest(unittest.TestCase):
    def setUp(self):
        self.aws = MotoEnv().start().create_relay_resources()
        self.addCleanup(self.aws.stop)

    def test_ignore_rule_deletes_unpublished_and_counts(self):
        # the SSO user's session comes through the role SampleRole: the "automation" here
        automation = record("startsession-assumedrole-sso-panther.json")
        person = record("startsession-iamuser-stratus-1.json")
        self.assertEqual(automation["userIdentity"]["sessionContext"]["sessionIssuer"]["userName"], "SampleRole")
        self.aws.send(eventbridge_envelope(automation, event_id="a0000000-0000-4000-8000-000000000001"))
        self.aws.send(eventbridge_envelope(person, event_id="a0000000-0000-4000-8000-000000000002"))

        notify = Datagrams(os.path.join(self.aws.workdir, "notify.sock"))
        self.addCleanup(notify.close)
        config = self.aws.write_config(extra={
            "notify": {"format": "json"},
            "rule ignore-automation": {"match": "role=Sample*, event_name=StartSession", "action": "ignore"},
            "rule people": {"match": "actor_type=IAMUser", "action": "notify"},
        })
        daemon = Daemon(BINARY, config, self.aws.workdir, env={"NOTIFY_SOCKET": notify.path}).start()
        wait_until(lambda: self.aws.queue_depth() == 0, timeout=60, what="the source queue to drain")
        wait_until(lambda: any(b"rules: ignore-automation 1, people 1" in d for d in notify.received()),
                   timeout=30, what="STATUS= with the per-rule counts")
        notes = self.aws.drain_sink(expected=1)
        self.assertEqual(daemon.stop(), 0, daemon.log_text())
        log = daemon.log_text()

        self.assertEqual(event_ids(notes), [person["eventID"]], notes)
        self.assertEqual(attrs(notes[0])["rule"], "people")
        self.assertEqual(json.loads(notes[0]["Message"])["rule"], "people")
        self.assertNotIn(automation["eventID"], json.dumps(notes))
        self.assertIn("is ignored by rule ignore-automation; deleted", log)
        self.assertIn("RULE=ignore-automation", log)
        self.assertIn("ssm-notifyd stopped; rules: ignore-automation 1, people 1", log)

    def test_filter_policy_subscriber_gets_only_failures(self):
        """A security team's queue subscribed with FilterPolicy on outcome (and
        one on severity) receives only the denied attempt; the main sink gets both."""
        ok = record("startsession-iamuser-stratus-1.json")
        denied = copy.deepcopy(record("startsession-iamuser-stratus-2.json"))
        denied["errorCode"] = "AccessDenied"
        denied["errorMessage"] = "User is not authorized to perform: ssm:StartSession"
        denied["responseElements"] = None

        sqs, sns = self.aws.sqs, self.aws.sns
        subscribers = {}
        for name, policy in (("security", {"outcome": ["failure"]}),
                             ("warnings", {"severity": ["warning", "critical"]})):
            url = sqs.create_queue(QueueName=name)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            sub = sns.subscribe(TopicArn=self.aws.topic_arn, Protocol="sqs", Endpoint=arn)["SubscriptionArn"]
            sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy",
                                            AttributeValue=json.dumps(policy))
            got = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
            self.assertEqual(json.loads(got["FilterPolicy"]), policy)
            subscribers[name] = url

        self.aws.send(eventbridge_envelope(ok, event_id="b0000000-0000-4000-8000-000000000001"))
        self.aws.send(eventbridge_envelope(denied, event_id="b0000000-0000-4000-8000-000000000002"))
        config = self.aws.write_config(extra={
            "notify": {"format": "json"},
            "rule denied": {"match": "outcome=failure", "action": "notify"},
        })
        daemon = Daemon(BINARY, config, self.aws.workdir).start()
        wait_until(lambda: self.aws.queue_depth() == 0, timeout=60, what="the source queue to drain")
        everything = self.aws.drain_sink(expected=2)
        self.assertEqual(daemon.stop(), 0, daemon.log_text())
        self.assertEqual(event_ids(everything), sorted([ok["eventID"], denied["eventID"]]))

        for name, url in subscribers.items():
            with self.subTest(subscriber=name):
                self.aws.sink_url = url
                notes = self.aws.drain_sink(expected=1, timeout=15)
                self.assertEqual(event_ids(notes), [denied["eventID"]], notes)
                a = attrs(notes[0])
                self.assertEqual((a["outcome"], a["severity"], a["rule"]), ("failure", "warning", "denied"))
                self.assertEqual(a["document_name"] if "document_name" in a else None,
                                 (denied.get("requestParameters") or {}).get("documentName"))


if __name__ == "__main__":
    awsenv.main()
