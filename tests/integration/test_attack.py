"""A queue writer attacks the relay (issue 16): hostile messages must not
silence the real event received with them.

ssm-notifyd runs against moto_server with IAM auth on, directly or through
faultproxy.py; what subscribers receive is read back from the sink queue.
Each test runs one poll cycle (--once) where it matters that everything is
handled on the first receive, with nothing left for a retry.
"""
import copy
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import awsenv  # noqa: E402
from awsenv import Daemon, FaultProxy, MotoEnv, eventbridge_envelope, record, wait_until  # noqa: E402

BINARY = os.environ["SSMN_BINARY"]
# Our cap on an attribute value (sns_values.h), and the SNS limit a message
# and a batch must stay under.
ATTRIBUTE_MAX = 256
MARK = "\u2026[truncated]"
REAL_USER = "christophe"


def attrs(note):
    return {k: v["Value"] for k, v in note.get("MessageAttributes", {}).items()}


def session(event_id, user_name=None):
    r = copy.deepcopy(record("startsession-iamuser-stratus-1.json"))
    r["eventID"] = event_id
    if user_name is not None:
        r["userIdentity"]["userName"] = user_name
    # Kept as UTF-8 on the wire, as EventBridge sends it: "é" is 2 bytes, not 6.
    return json.dumps(eventbridge_envelope(r, event_id=event_id), ensure_ascii=False)


HUGE_CONTROL = ("evil\x01\n" + "A" * 100) * 1900  # ~200 KB with control characters
ACCENTS = "\u00e9" * 125000                         # 250,000 bytes, 750,000 %-encoded


class AttackTest(unittest.TestCase):
    def setUp(self):
        self.aws = MotoEnv().start().create_relay_resources()
        self.addCleanup(self.aws.stop)

    def send_hostile_batch(self):
        """Three hostile events around one real one; returns (real, hostile) eventIDs."""
        ids = {"huge": "a77ac4e0-0000-4000-8000-000000000001", "e1": "a77ac4e0-0000-4000-8000-000000000002",
               "real": "a77ac4e0-0000-4000-8000-000000000003", "e2": "a77ac4e0-0000-4000-8000-000000000004"}
        self.aws.send(session(ids["huge"], HUGE_CONTROL))
        self.aws.send(session(ids["e1"], ACCENTS))
        self.aws.send(session(ids["real"]))
        self.aws.send(session(ids["e2"], ACCENTS + "2"))
        return ids["real"], [ids["huge"], ids["e1"], ids["e2"]]

    def assert_attributes_safe(self, note):
        for name, value in attrs(note).items():
            self.assertLessEqual(len(value.encode()), ATTRIBUTE_MAX, name)
            self.assertFalse(any(ord(c) < 0x20 or ord(c) == 0x7f for c in value), (name, value[:80]))

    def by_event_id(self, notes):
        seen = {}
        for n in notes:
            seen.setdefault(json.loads(n["Message"])["event_id"], []).append(n)
        return seen

    def test_hostile_batch_does_not_silence_the_real_event(self):
        real, hostile = self.send_hostile_batch()
        config = self.aws.write_config(extra={"notify": {"format": "json"}})
        result = Daemon(BINARY, config, self.aws.workdir).once()
        # One cycle, first receive: every message is published and deleted.
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertEqual(self.aws.queue_depth(), 0, "a message was left for a retry")
        seen = self.by_event_id(self.aws.drain_sink(expected=4))
        self.assertEqual(sorted(seen), sorted([real, *hostile]))
        self.assertTrue(all(len(v) == 1 for v in seen.values()), "published twice")
        self.assertEqual(attrs(seen[real][0])["actor"], REAL_USER)
        for note in (n for v in seen.values() for n in v):
            self.assert_attributes_safe(note)
        huge = attrs(seen[hostile[0]][0])["actor"]
        self.assertTrue(huge.startswith("evil\\x01\\nAAAA"), huge[:40])
        self.assertTrue(huge.endswith(MARK), huge[-40:])
        accents = attrs(seen[hostile[1]][0])["actor"]
        self.assertTrue(accents.endswith(MARK))
        self.assertEqual(set(accents[: -len(MARK)]), {"\u00e9"})
        self.assertNotIn("publish of message", result.stderr)  # no publish failed

    def test_batch_refused_as_a_whole_is_published_one_by_one(self):
        proxy = FaultProxy(self.aws.url, self.aws.workdir, "--only", "PublishBatch", "--rate", "batchtoolong=1")
        self.addCleanup(proxy.stop)
        real, hostile = self.send_hostile_batch()
        config = self.aws.write_config(extra={"aws": {"sqs_endpoint": proxy.url, "sns_endpoint": proxy.url},
                                              "notify": {"format": "json"}})
        result = Daemon(BINARY, config, self.aws.workdir).once()
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertEqual(self.aws.queue_depth(), 0, "a message was left for a retry")
        stats = proxy.stats()
        self.assertEqual(stats["batchtoolong"], 1, stats)
        self.assertEqual(stats["by_action"].get("Publish"), 4, stats)
        seen = self.by_event_id(self.aws.drain_sink(expected=4))
        # Nothing lost, nothing twice.
        self.assertEqual(sorted(seen), sorted([real, *hostile]))
        self.assertTrue(all(len(v) == 1 for v in seen.values()), {k: len(v) for k, v in seen.items()})
        self.assertIn("BatchRequestTooLong", result.stderr)

    def test_answers_above_the_cap_ask_for_fewer_messages(self):
        # moto's queues allow 1 MiB messages (MaximumMessageSize's new maximum).
        # Each body is ~1 MB of characters JSON escapes to 6 bytes ("\u00e9"
        # or "\u0009" style), so ten of them make an answer far above 16 MiB.
        big = "\u00e9" * 520000
        self.assertIn("\\u00e9", json.dumps("\u00e9"))  # how moto's JSON encoder writes it
        n_big = 6
        for _ in range(n_big):
            self.aws.send(big)
        real = "b16b16b1-0000-4000-8000-000000000001"
        self.aws.send(session(real))
        daemon = Daemon(BINARY, self.aws.write_config(extra={"notify": {"format": "json"}}),
                        self.aws.workdir).start()
        self.addCleanup(lambda: daemon.proc.poll() is None and daemon.proc.kill())
        wait_until(lambda: self.aws.queue_depth() == 0, timeout=120, interval=0.5, what="the queue to drain")
        notes = self.aws.drain_sink(expected=n_big + 1)
        self.assertEqual(daemon.stop(), 0)
        log = daemon.log_text()
        self.assertIn("asking for 5 at a time", log)
        names = sorted(attrs(n)["event_name"] for n in notes)
        self.assertEqual(names, ["StartSession"] + ["unrecognized"] * n_big)
        self.assertNotIn("giving up on it", log)
        self.assertNotIn("not retried, left for the dead-letter queue", log)


if __name__ == "__main__":
    awsenv.main()
