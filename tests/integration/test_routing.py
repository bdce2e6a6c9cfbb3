"""Routing end to end: ssm-notifyd against moto_server with IAM auth on.

A rule's topics replace [sns] topic_arn: each topic gets the event (a FIFO
topic and a standard one side by side), and the message leaves the queue only
when every topic accepted it. With one topic failing (faultproxy refuses the
publishes that name its ARN) the message stays and comes back; the topic that
accepted it does not get it again, the other gets it once the fault clears. A
topic in another region is reached signed for that region (moto keeps topics
per region, so a publish signed for ours finds no such topic). What each
topic delivered is read back from a queue subscribed to it, by eventID.
"""
import collections
import copy
import json
import os
import signal
import sys
import unittest

import boto3
import botocore.exceptions

sys.path.insert(0, os.path.dirname(__file__))
import awsenv  # noqa: E402
from awsenv import REGION, Daemon, FaultProxy, MotoEnv, eventbridge_envelope, record, wait_until  # noqa: E402

BINARY = os.environ["SSMN_BINARY"]
OTHER_REGION = "eu-west-1"


def denied_record():
    r = copy.deepcopy(record("startsession-iamuser-stratus-2.json"))
    r["errorCode"] = "AccessDenied"
    r["errorMessage"] = "User is not authorized to perform: ssm:StartSession"
    r["responseElements"] = None
    return r


class MotoCase(unittest.TestCase):
    def setUp(self):
        self.aws = MotoEnv().start().create_relay_resources()
        self.addCleanup(self.aws.stop)

    def subscribed_queue(self, topic_arn, name, fifo=False, sns=None):
        sqs = self.aws.sqs
        attrs = {"FifoQueue": "true"} if fifo else {}
        url = sqs.create_queue(QueueName=name + (".fifo" if fifo else ""), Attributes=attrs)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        (sns or self.aws.sns).subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
        return url

    def event_ids_in(self, url, expected, timeout=20):
        """eventID -> how many notifications carried it, read until `expected`
        arrived and then a little longer, so duplicates are seen too."""
        self.aws.sink_url = url
        notes = self.aws.drain_sink(expected=expected, timeout=timeout)
        return collections.Counter(json.loads(n["Message"])["event_id"] for n in notes)


class RoutingTest(MotoCase):
    def test_rule_routes_to_a_fifo_and_a_standard_topic(self):
        sns = self.aws.sns
        security = sns.create_topic(Name="security")["TopicArn"]
        ops = sns.create_topic(Name="ops.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
        security_q = self.subscribed_queue(security, "security-q")
        ops_q = self.subscribed_queue(ops, "ops-q", fifo=True)
        ok = record("startsession-iamuser-stratus-1.json")
        denied = denied_record()
        self.aws.send(eventbridge_envelope(ok, event_id="c0000000-0000-4000-8000-000000000001"))
        self.aws.send(eventbridge_envelope(denied, event_id="c0000000-0000-4000-8000-000000000002"))

        config = self.aws.write_config(extra={
            "notify": {"format": "json"},
            "rule denied": {"match": "outcome=failure", "action": "notify", "topics": f"{security}, {ops}"},
        })
        daemon = Daemon(BINARY, config, self.aws.workdir).start()
        self.addCleanup(lambda: daemon.proc.poll() is None and daemon.proc.kill())
        wait_until(lambda: self.aws.queue_depth() == 0, timeout=60, what="the source queue to drain")
        main = self.event_ids_in(self.aws.sink_url, 1)
        self.assertEqual(daemon.stop(), 0, daemon.log_text())
        log = daemon.log_text()

        # the rule's topics replace topic_arn: the main topic has only the other event
        self.assertEqual(main, {ok["eventID"]: 1})
        self.assertEqual(self.event_ids_in(security_q, 1), {denied["eventID"]: 1})
        self.assertEqual(self.event_ids_in(ops_q, 1), {denied["eventID"]: 1})
        self.assertIn(f"to {security}", log)
        self.assertIn(f"to {ops}", log)
        self.assertNotIn("failed", log)

    def test_one_topic_failing_keeps_the_message_and_the_other_gets_it_once(self):
        sns = self.aws.sns
        security = sns.create_topic(Name="security")["TopicArn"]
        ops = sns.create_topic(Name="ops")["TopicArn"]
        security_q = self.subscribed_queue(security, "security-q")
        ops_q = self.subscribed_queue(ops, "ops-q")
        denied = denied_record()
        self.aws.send(eventbridge_envelope(denied, event_id="d0000000-0000-4000-8000-000000000001"))

        proxy = FaultProxy(self.aws.url, self.aws.workdir, "--only", "Publish", "--only", "PublishBatch",
                           "--match", security, "--rate", "error5xx=1")
        self.addCleanup(proxy.stop)
        config = self.aws.write_config(extra={
            "aws": {"sns_endpoint": proxy.url},
            "notify": {"format": "json"},
            "rule denied": {"match": "outcome=failure", "action": "notify", "topics": f"{ops}, {security}"},
        })
        daemon = Daemon(BINARY, config, self.aws.workdir).start()
        self.addCleanup(lambda: daemon.proc.poll() is None and daemon.proc.kill())
        # the message comes back at least twice while security keeps failing
        wait_until(lambda: daemon.log_text().count(f"(to {security})") >= 3, timeout=60,
                   what="three failed publishes to the failing topic")
        self.assertEqual(self.aws.queue_depth(), 1)
        self.assertIn(f"was already accepted by {ops}", daemon.log_text())
        proxy.plan(rates={"error5xx": 0})
        wait_until(lambda: self.aws.queue_depth() == 0, timeout=60, what="the message to be deleted")
        self.assertEqual(daemon.stop(), 0, daemon.log_text())

        self.assertEqual(self.event_ids_in(ops_q, 1), {denied["eventID"]: 1})
        self.assertEqual(self.event_ids_in(security_q, 1), {denied["eventID"]: 1})
        self.assertEqual(self.event_ids_in(self.aws.sink_url, 0, timeout=3), {})
        self.assertGreaterEqual(proxy.stats()["error5xx"], 3)

    def test_topic_in_another_region_is_signed_for_that_region(self):
        other_sns = boto3.client("sns", endpoint_url=self.aws.url, region_name=OTHER_REGION,
                                 aws_access_key_id=self.aws.key_id, aws_secret_access_key=self.aws.secret)
        far = other_sns.create_topic(Name="far-alerts")["TopicArn"]
        self.assertIn(f":{OTHER_REGION}:", far)
        far_q = self.subscribed_queue(far, "far-q", sns=other_sns)
        # the check can fail: moto has no such topic in our region
        with self.assertRaises(botocore.exceptions.ClientError):
            self.aws.sns.publish(TopicArn=far, Message="signed for " + REGION)
        denied = denied_record()
        self.aws.send(eventbridge_envelope(denied, event_id="e0000000-0000-4000-8000-000000000001"))

        config = self.aws.write_config(extra={
            "notify": {"format": "json"},
            "rule denied": {"match": "outcome=failure", "action": "notify", "topics": far},
        })
        daemon = Daemon(BINARY, config, self.aws.workdir).start()
        self.addCleanup(lambda: daemon.proc.poll() is None and daemon.proc.kill())
        wait_until(lambda: self.aws.queue_depth() == 0, timeout=60, what="the source queue to drain")
        self.assertEqual(daemon.stop(), 0, daemon.log_text())
        self.assertEqual(self.event_ids_in(far_q, 1), {denied["eventID"]: 1})
        self.assertNotIn("failed", daemon.log_text())


def burst_records(n, prefix):
    """n StartSession records of one IAM user, eventIDs PREFIX-0000-4000-8000-00000000000i."""
    base = record("startsession-iamuser-stratus-1.json")
    out = []
    for i in range(n):
        r = copy.deepcopy(base)
        r["eventID"] = f"{prefix}-0000-4000-8000-{i:012d}"
        out.append(r)
    return out


def delivered(notes):
    """eventID -> how often it reached this subscriber, single or in a digest;
    and the digests themselves."""
    count, digests = collections.Counter(), []
    for n in notes:
        m = json.loads(n["Message"])
        if m.get("kind") == "digest":
            digests.append((m, {k: v["Value"] for k, v in n.get("MessageAttributes", {}).items()}))
            count.update(e["event_id"] for e in m["events"])
        else:
            count[m["event_id"]] += 1
    return count, digests


class BurstTest(MotoCase):
    def send_burst(self, n, prefix):
        records = burst_records(n, prefix)
        for i, r in enumerate(records):
            self.aws.send(eventbridge_envelope(r, event_id=f"{prefix}-1111-4000-8000-{i:012d}"))
        return [r["eventID"] for r in records]

    def burst_config(self, limit, window, **extra):
        return self.aws.write_config(extra={
            "notify": {"format": "json", "burst_limit": str(limit), "burst_window": str(window)}, **extra})

    def test_burst_past_the_limit_is_one_digest(self):
        ids = self.send_burst(5, "f0000000")
        config = self.burst_config(2, 5)
        daemon = Daemon(BINARY, config, self.aws.workdir).start()
        self.addCleanup(lambda: daemon.proc.poll() is None and daemon.proc.kill())
        wait_until(lambda: self.aws.queue_depth() == 0, timeout=60, what="every message deleted")
        count, digests = delivered(self.aws.drain_sink(expected=3))
        self.assertEqual(daemon.stop(), 0, daemon.log_text())
        log = daemon.log_text()

        self.assertEqual(count, {i: 1 for i in ids})
        self.assertEqual(len(digests), 1, digests)
        digest, attrs = digests[0]
        self.assertEqual(digest["count"], 3)
        self.assertEqual(digest["omitted"], 0)
        self.assertEqual(attrs["event_name"], "Digest")
        self.assertEqual(attrs["severity"], "info")
        self.assertEqual(attrs["actor"], digest["actor"])
        self.assertEqual(log.count("held for the digest"), 3)
        self.assertIn("published the digest of 3 events by", log)

    def test_digest_under_a_publish_fault_comes_back_and_is_sent_once(self):
        ids = self.send_burst(5, "f1000000")
        proxy = FaultProxy(self.aws.url, self.aws.workdir, "--only", "Publish", "--match", '"kind":"digest"',
                           "--rate", "error5xx=1")
        self.addCleanup(proxy.stop)
        config = self.burst_config(2, 3, aws={"sns_endpoint": proxy.url},
                                   sqs={"max_receive_count": "20"})
        daemon = Daemon(BINARY, config, self.aws.workdir).start()
        self.addCleanup(lambda: daemon.proc.poll() is None and daemon.proc.kill())
        wait_until(lambda: "publish of the digest of" in daemon.log_text(), timeout=60,
                   what="a digest refused by the proxy")
        self.assertGreaterEqual(self.aws.queue_depth(), 1)  # its members were not deleted
        proxy.plan(rates={"error5xx": 0})
        wait_until(lambda: self.aws.queue_depth() == 0, timeout=90, what="every message deleted")
        # moto delivers to subscribers within Publish: all is there by now
        count, digests = delivered(self.aws.drain_sink(expected=1))
        self.assertEqual(daemon.stop(), 0, daemon.log_text())
        self.assertEqual(count, {i: 1 for i in ids})  # nothing lost, nothing twice
        self.assertGreaterEqual(proxy.stats()["error5xx"], 1)

    def test_sigterm_inside_a_window_sends_the_digest_and_deletes(self):
        ids = self.send_burst(4, "f2000000")
        config = self.burst_config(2, 600)
        daemon = Daemon(BINARY, config, self.aws.workdir).start()
        self.addCleanup(lambda: daemon.proc.poll() is None and daemon.proc.kill())
        wait_until(lambda: daemon.log_text().count("held for the digest") == 2, timeout=60,
                   what="two messages held")
        self.assertEqual(daemon.stop(timeout=30), 0, daemon.log_text())  # long before the window's end
        self.assertEqual(self.aws.queue_depth(), 0)
        count, digests = delivered(self.aws.drain_sink(expected=3))
        self.assertEqual(count, {i: 1 for i in ids})
        self.assertEqual([d["count"] for d, _ in digests], [2])

    def test_kill_inside_a_window_then_restart_loses_and_repeats_nothing(self):
        """Two topics per event: each subscriber queue gets every eventID once."""
        sns = self.aws.sns
        security = sns.create_topic(Name="security")["TopicArn"]
        ops = sns.create_topic(Name="ops")["TopicArn"]
        queues = {"security": self.subscribed_queue(security, "security-q"),
                  "ops": self.subscribed_queue(ops, "ops-q")}
        ids = self.send_burst(6, "f3000000")
        config = self.burst_config(2, 6, **{
            "rule both": {"match": "event_name=StartSession", "action": "notify", "topics": f"{ops}, {security}"}})
        first = Daemon(BINARY, config, self.aws.workdir).start()
        self.addCleanup(lambda: first.proc.poll() is None and first.proc.kill())
        # inside the window: two sent and deleted, four held (a kill between a
        # publish and its delete is a repeat at-least-once allows, not this case)
        wait_until(lambda: first.log_text().count("held for the digest") == 4 and self.aws.queue_depth() == 4,
                   timeout=60, what="two messages deleted, four held")
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(timeout=10)
        first.stderr.close()
        self.assertEqual(self.aws.queue_depth(), 4)  # in flight, not lost
        self.assertNotIn("published the digest", first.log_text())

        second = Daemon(BINARY, config, self.aws.workdir).start()
        self.addCleanup(lambda: second.proc.poll() is None and second.proc.kill())
        wait_until(lambda: self.aws.queue_depth() == 0, timeout=90, what="every message deleted after the restart")
        self.assertEqual(second.stop(), 0, second.log_text())
        for name, url in queues.items():
            with self.subTest(topic=name):
                self.aws.sink_url = url
                count, _ = delivered(self.aws.drain_sink(expected=1))
                self.assertEqual(count, {i: 1 for i in ids})


if __name__ == "__main__":
    awsenv.main()
