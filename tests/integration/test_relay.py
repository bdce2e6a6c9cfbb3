"""The relay end to end: ssm-notifyd against moto_server with IAM auth on.

What a subscriber receives is read back from a sink queue subscribed to the
topic, so these tests see exactly what an e-mail or chat subscriber would get.
Expected values come from the CloudTrail records themselves and from Python's
own tz database conversion, not from the daemon's code.
"""
import json
import os
import subprocess
import sys
import unittest
from datetime import datetime
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))
import awsenv  # noqa: E402
from awsenv import Daemon, MotoEnv, eventbridge_envelope, record, wait_until  # noqa: E402

BINARY = os.environ["SSMN_BINARY"]



def sns_envelope(inner):
    """An SNS notification as SNS delivers it to a subscribed SQS queue."""
    return {"Type": "Notification", "MessageId": "0f9c7a0e-5a1b-4a8e-9a55-2f6f3c1a0b11",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:upstream", "Message": json.dumps(inner),
            "Timestamp": "2025-02-19T20:13:50.000Z", "SignatureVersion": "1"}


def attrs(note):
    return {k: v["Value"] for k, v in note.get("MessageAttributes", {}).items()}


def jst(event_time):
    t = datetime.fromisoformat(event_time.replace("Z", "+00:00"))
    return t.astimezone(ZoneInfo("Asia/Tokyo"))


class RelayTest(unittest.TestCase):
    def setUp(self):
        self.aws = MotoEnv().start().create_relay_resources()
        self.addCleanup(self.aws.stop)

    def assert_subject_ok(self, subject):
        self.assertLess(len(subject), 100)
        self.assertTrue(subject.isascii() and subject.isprintable(), subject)

    def test_session_events_are_published_once_and_deleted(self):
        start = record("startsession-iamuser-stratus-1.json")
        terminate = record("terminatesession-iamuser-stratus-1.json")
        sso = record("startsession-assumedrole-sso-panther.json")
        filtered = record("describeinstanceinformation-iamuser-stratus.json")
        not_event = record("nonct-eventbridge-ec2-instance-state-change-custodian.json")

        self.aws.send(eventbridge_envelope(start))
        self.aws.send(terminate)
        self.aws.send(sns_envelope(sso))
        self.aws.send(eventbridge_envelope(filtered))
        garbage_id = self.aws.send("this is not JSON {")
        not_event_id = self.aws.send(not_event)

        daemon = Daemon(BINARY, self.aws.write_config(), self.aws.workdir).start()
        wait_until(lambda: self.aws.queue_depth() == 0, timeout=60, what="the source queue to drain")
        notes = self.aws.drain_sink(expected=5)
        self.assertEqual(daemon.stop(), 0, daemon.log_text())

        by_name = {}
        for n in notes:
            by_name.setdefault(attrs(n).get("event_name"), []).append(n)
        self.assertEqual(sorted(by_name), ["StartSession", "TerminateSession", "unrecognized"], notes)
        self.assertEqual(len(by_name["StartSession"]), 2)
        self.assertEqual(len(by_name["TerminateSession"]), 1)
        self.assertEqual(len(by_name["unrecognized"]), 2)
        self.assertNotIn("DescribeInstanceInformation", json.dumps(notes))

        iam_start = [n for n in by_name["StartSession"] if attrs(n)["actor"] == "christophe"]
        self.assertEqual(len(iam_start), 1)
        n = iam_start[0]
        want = {"event_name": "StartSession", "actor": "christophe", "outcome": "success",
                "account_id": "294599468799", "severity": "info"}
        if (start.get("requestParameters") or {}).get("documentName"):
            want["document_name"] = start["requestParameters"]["documentName"]
        self.assertEqual(attrs(n), want)
        self.assert_subject_ok(n["Subject"])
        self.assertIn("StartSession", n["Subject"])
        self.assertIn("christophe", n["Subject"])
        self.assertIn("i-d3720C7af6fCfF2B2", n["Message"])
        self.assertIn("254.222.242.236", n["Message"])
        local = jst(start["eventTime"])  # 2024-08-01 21:19:16 JST
        self.assertIn(local.strftime("%Y-%m-%d %H:%M:%S"), n["Message"])

        sso_note = [x for x in by_name["StartSession"] if x is not n][0]
        self.assertEqual(attrs(sso_note)["actor"], "bobson.dugnutt")
        self.assertEqual(attrs(sso_note)["account_id"], "111122223333")
        self.assertIn("i-047fce8bf4806e5ee", sso_note["Message"])
        self.assertIn("2025-02-20 05:13:49", sso_note["Message"])  # 20:13:49Z is the next day in Tokyo

        t = by_name["TerminateSession"][0]
        self.assertIn("christophe-bkqs75qpcrtlxk5paaytrydm2e", t["Message"])
        self.assert_subject_ok(t["Subject"])

        fallback_text = json.dumps(by_name["unrecognized"])
        self.assertIn(garbage_id, fallback_text)
        self.assertIn(not_event_id, fallback_text)

        log = daemon.log_text()
        self.assertNotIn(self.aws.secret, log)
        self.assertIn("DescribeInstanceInformation", log)  # the filtered event is logged, not silently dropped
        # TerminateSession names only the session; its target comes from the StartSession when that was
        # handled first (the session tracker), and the line reads as a sentence either way
        self.assertRegex(log, r"published TerminateSession by christophe( on i-d3720C7af6fCfF2B2)? \(success\) "
                              r"as SNS message ")
        self.assertIn("published StartSession by christophe on i-d3720C7af6fCfF2B2 (success) as SNS message ", log)
        self.assertNotIn("no target", log)

    def test_wrong_secret_fails_clearly_and_deletes_nothing(self):
        self.aws.send(eventbridge_envelope(record("startsession-iamuser-stratus-1.json")))
        wrong = "Wrong" + self.aws.secret[5:]
        result = Daemon(BINARY, self.aws.write_config(secret=wrong), self.aws.workdir).once()
        self.assertEqual(result.returncode, 69, result.stderr)
        self.assertIn("SignatureDoesNotMatch", result.stderr)
        self.assertNotIn(wrong, result.stderr + result.stdout)
        self.assertNotIn(self.aws.secret, result.stderr + result.stdout)
        self.assertEqual(self.aws.queue_depth(), 1)
        self.assertEqual(self.aws.drain_sink(expected=0, timeout=2), [])

    def test_failed_publish_keeps_the_message_until_a_publish_succeeds(self):
        later_arn = self.aws.topic_arn.rsplit(":", 1)[0] + ":created-later"
        start = record("startsession-iamuser-stratus-2.json")
        self.aws.send(eventbridge_envelope(start))
        daemon = Daemon(BINARY, self.aws.write_config(topic_arn=later_arn), self.aws.workdir)

        first = daemon.once()
        self.assertIn("NotFound", first.stderr)
        self.assertEqual(self.aws.queue_depth(), 1, "a message was deleted without a successful publish")

        self.aws.sns.create_topic(Name="created-later")
        self.aws.subscribe_sink(later_arn)
        runs = []

        def published():
            runs.append(daemon.once())
            return self.aws.queue_depth() == 0 or len(runs) >= 15

        wait_until(published, timeout=90, interval=0, what="the message to come back and be published")
        self.assertEqual(self.aws.queue_depth(), 0, runs[-1].stderr)
        notes = self.aws.drain_sink(expected=1)
        self.assertEqual(len(notes), 1)
        self.assertEqual(attrs(notes[0])["actor"], start["userIdentity"]["userName"])

    def test_check_config_online(self):
        good = subprocess.run([BINARY, "-c", self.aws.write_config(), "--check-config", "--online"],
                              capture_output=True, text=True, timeout=60,
                              env=dict(os.environ, AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:1"))
        self.assertEqual(good.returncode, 0, good.stdout + good.stderr)
        self.assertIn("configuration OK", good.stdout)
        self.assertRegex(good.stdout, r"credentials +OK: AWS accepted a request signed with them \(config file\)")
        self.assertIn("GetQueueAttributes at %s on %s" % (self.aws.url, self.aws.queue_url), good.stdout)
        self.assertIn("GetTopicAttributes at %s on %s" % (self.aws.url, self.aws.topic_arn), good.stdout)

        wrong = "Wrong" + self.aws.secret[5:]
        bad = subprocess.run([BINARY, "-c", self.aws.write_config(secret=wrong), "--check-config", "--online"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(bad.returncode, 69, bad.stdout + bad.stderr)
        self.assertRegex(bad.stdout, r"sqs +FAILED: GetQueueAttributes at .+: HTTP 403 Forbidden: SignatureDoesNotMatch")
        self.assertRegex(bad.stdout, r"sns +FAILED: GetTopicAttributes at .+: HTTP 403 Forbidden: SignatureDoesNotMatch")
        self.assertNotIn(wrong, bad.stdout + bad.stderr)

    def test_fifo_topic_gets_group_and_deduplication_ids(self):
        fifo_arn = self.aws.sns.create_topic(Name="ssm-alerts.fifo", Attributes={
            "FifoTopic": "true", "ContentBasedDeduplication": "false"})["TopicArn"]
        sink = self.aws.sqs.create_queue(QueueName="sink.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        sink_arn = self.aws.sqs.get_queue_attributes(QueueUrl=sink, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.aws.sns.subscribe(TopicArn=fifo_arn, Protocol="sqs", Endpoint=sink_arn)
        start = record("startsession-iamuser-stratus-1.json")
        self.aws.send(eventbridge_envelope(start))
        result = Daemon(BINARY, self.aws.write_config(topic_arn=fifo_arn), self.aws.workdir).once()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.aws.queue_depth(), 0, result.stderr)
        got = self.aws.sqs.receive_message(QueueUrl=sink, WaitTimeSeconds=2,
                                           MessageSystemAttributeNames=["MessageGroupId", "MessageDeduplicationId"])
        msg = got["Messages"][0]
        self.assertEqual(msg["Attributes"]["MessageGroupId"], start["requestParameters"]["target"])
        self.assertEqual(msg["Attributes"]["MessageDeduplicationId"], start["eventID"])
        self.assertEqual(json.loads(msg["Body"])["MessageAttributes"]["event_name"]["Value"], "StartSession")


if __name__ == "__main__":
    awsenv.main()
