"""Session lifecycle end to end: ssm-notifyd against moto_server (SQS, SNS, IAM
auth on) and the project's SSM responder (DescribeSessions, every signature
recomputed with botocore's signer).

The open sessions live in the state file under STATE_DIRECTORY; a session
that ends without a TerminateSession gets SessionEnded, one open too long
one SessionStillOpen; a TerminateSession is completed from the state, or from
DescribeSessions when another daemon saw the start. Expected values come from
the records and the responder's sessions the tests set up, not from the
daemon's code.
"""
import copy
import json
import os
import sys
import time
import unittest
import uuid
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(__file__))
import awsenv  # noqa: E402
from awsenv import (ACCOUNT, MEMBER_ROLE, REGION, Daemon, FaultProxy, MotoEnv, eventbridge_envelope,  # noqa: E402
                    record, wait_until)
from ssm_responder import SsmResponder  # noqa: E402

BINARY = os.environ["SSMN_BINARY"]
TARGET = "i-0123456789abcdef0"
TRANSCRIPT = "https://s3.amazonaws.com/ssm-transcripts/christophe-session.log"
MEMBER = "111122223333"      # an organisation's member account
MEMBER_REGION = "eu-west-1"  # not the daemon's


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def start_record(session_id, when):
    r = copy.deepcopy(record("startsession-iamuser-stratus-1.json"))
    r.update(eventTime=iso(when), awsRegion=REGION, eventID=str(uuid.uuid4()), recipientAccountId=ACCOUNT)
    r["requestParameters"]["target"] = TARGET
    r["responseElements"]["sessionId"] = session_id
    return r


def terminate_record(session_id, when):
    r = copy.deepcopy(record("terminatesession-iamuser-stratus-1.json"))
    r.update(eventTime=iso(when), awsRegion=REGION, eventID=str(uuid.uuid4()), recipientAccountId=ACCOUNT)
    r["requestParameters"] = {"sessionId": session_id}
    r["responseElements"] = {"sessionId": session_id}
    return r  # names no target, as CloudTrail records it: the state or DescribeSessions must give it


def resume_record(session_id, when):
    """ResumeSession as CloudTrail records it: the session ID, no target (no
    sample in tests/data: the TerminateSession record with its name changed)."""
    r = terminate_record(session_id, when)
    r["eventName"] = "ResumeSession"
    return r


def attrs(note):
    return {k: v["Value"] for k, v in note.get("MessageAttributes", {}).items()}


def named(notes, name):
    return [n for n in notes if attrs(n).get("event_name") == name]


class SessionsTest(unittest.TestCase):
    def setUp(self):
        self.aws = MotoEnv().start().create_relay_resources()
        self.addCleanup(self.aws.stop)
        self.ssm = SsmResponder({self.aws.key_id: (self.aws.secret, None, ACCOUNT)})
        self.ssm_url = self.ssm.start()
        self.addCleanup(self.ssm.stop)
        self.now = int(time.time())
        self.sid = "christophe-" + uuid.uuid4().hex[:17]

    def config(self, aws=None, **sessions):
        values = {"check_interval": "1", "long_session_alert": "0"}
        values.update({k: str(v) for k, v in sessions.items()})
        return self.aws.write_config(extra={"aws": {"ssm_endpoint": self.ssm_url, **(aws or {})},
                                            "sessions": values, "notify": {"format": "json"}})

    def daemon(self, state_dir=None, config=None):
        env = {"STATE_DIRECTORY": state_dir} if state_dir else None
        if state_dir:
            os.makedirs(state_dir, exist_ok=True)
        d = Daemon(BINARY, config or self.config(), self.aws.workdir, env=env)
        self.addCleanup(lambda: d.proc and d.proc.poll() is None and d.stop())
        return d

    def state(self, state_dir=None):
        path = os.path.join(state_dir or os.path.join(self.aws.workdir, "state"), "sessions.json")
        with open(path) as f:
            return {s["session_id"]: s for s in json.load(f)["sessions"]}

    def saved(self, state_dir=None):
        """state() for wait_until: {} while no state file is saved yet (the
        daemon saves once per cycle, after the notification went out)."""
        try:
            return self.state(state_dir)
        except FileNotFoundError:
            return {}

    def assert_signatures_held(self):
        self.assertEqual(self.ssm.rejected, [])
        self.assertGreater(self.ssm.count("DescribeSessions"), 0)

    def test_terminate_is_completed_from_the_state(self):
        start = self.now - 754
        self.ssm.add_session(ACCOUNT, REGION, self.sid, TARGET, "christophe", start)  # open, so no SessionEnded
        d = self.daemon().start()
        self.aws.send(eventbridge_envelope(start_record(self.sid, start)))
        self.assertEqual(len(named(self.aws.drain_sink(expected=1), "StartSession")), 1)
        opened = wait_until(lambda: self.saved().get(self.sid), what="the session in the state file")
        self.assertEqual(opened["target"], TARGET)
        self.assertEqual(opened["start"], start)
        self.assertEqual(opened["owner"], "christophe")
        self.assertEqual(opened["resumes"], 0)

        self.aws.send(eventbridge_envelope(resume_record(self.sid, start + 100)))
        notes = named(self.aws.drain_sink(expected=1), "ResumeSession")
        self.assertEqual(len(notes), 1)
        body = json.loads(notes[0]["Message"])
        self.assertEqual(body["target"], TARGET)
        self.assertEqual(body["session_start_time"], iso(start))
        self.assertEqual(body["session_resumes"], 1)
        wait_until(lambda: self.saved()[self.sid]["resumes"] == 1, what="the resume in the state file")

        self.aws.send(eventbridge_envelope(terminate_record(self.sid, start + 754)))
        notes = named(self.aws.drain_sink(expected=1), "TerminateSession")
        self.assertEqual(len(notes), 1)
        body = json.loads(notes[0]["Message"])
        self.assertEqual(body["target"], TARGET)
        self.assertEqual(body["session_start_time"], iso(start))
        self.assertEqual(body["session_duration_seconds"], 754)
        self.assertEqual(body["session_resumes"], 1)
        wait_until(lambda: self.sid not in self.saved(), what="the session to leave the state file")
        self.assertEqual(d.stop(), 0)
        self.assertIn(f"session {self.sid} on {TARGET} ended after 754 s", d.log_text())
        self.assertEqual(self.ssm.rejected, [])

    def test_start_and_end_in_one_receive_in_either_order(self):
        start = self.now - 90
        later = "christophe-" + uuid.uuid4().hex[:17]
        # SSM knows neither session: what the ends show comes from the receive itself
        # queued before the daemon starts: one receive holds them all
        self.aws.send(eventbridge_envelope(start_record(self.sid, start)))
        self.aws.send(eventbridge_envelope(terminate_record(self.sid, start + 42)))
        self.aws.send(eventbridge_envelope(terminate_record(later, start + 42)))  # its end first
        self.aws.send(eventbridge_envelope(start_record(later, start)))
        d = self.daemon().start()
        notes = self.aws.drain_sink(expected=4)
        self.assertEqual(len(named(notes, "StartSession")), 2, notes)
        ends = {json.loads(n["Message"])["session_id"]: json.loads(n["Message"])
                for n in named(notes, "TerminateSession")}
        self.assertEqual(set(ends), {self.sid, later}, notes)
        # the start came just before: the end shows it
        self.assertEqual(ends[self.sid]["target"], TARGET)
        self.assertEqual(ends[self.sid]["session_start_time"], iso(start))
        self.assertEqual(ends[self.sid]["session_duration_seconds"], 42)
        # the end came first: its start is not opened after it, nothing is left open
        wait_until(lambda: os.path.exists(os.path.join(self.aws.workdir, "state", "sessions.json")),
                   what="the state file")
        self.assertEqual(d.stop(), 0)
        self.assertEqual(self.state(), {})

    def test_session_that_ends_without_terminate_gets_session_ended(self):
        start = self.now - 30
        self.ssm.add_session(ACCOUNT, REGION, self.sid, TARGET, "christophe", start,
                             output_url={"S3OutputUrl": TRANSCRIPT, "CloudWatchOutputUrl": ""})
        # a second session stays open throughout, so the checks go on after the first ended
        other = "christophe-" + uuid.uuid4().hex[:17]
        self.ssm.add_session(ACCOUNT, REGION, other, TARGET, "christophe", start)
        d = self.daemon().start()
        self.aws.send(eventbridge_envelope(start_record(self.sid, start)))
        self.aws.send(eventbridge_envelope(start_record(other, start)))
        self.assertEqual(len(named(self.aws.drain_sink(expected=2), "StartSession")), 2)
        wait_until(lambda: {self.sid, other} <= set(self.saved()), what="the sessions in the state file")
        # still active: a few checks say nothing
        wait_until(lambda: self.ssm.count("DescribeSessions") >= 2, what="two checks")
        self.assertEqual(self.aws.drain_sink(expected=0, timeout=1), [])

        self.ssm.end_session(ACCOUNT, REGION, self.sid, start + 600, status="Terminated")
        notes = self.aws.drain_sink(expected=1)
        ended = named(notes, "SessionEnded")
        self.assertEqual(len(ended), 1, notes)
        self.assertEqual(attrs(ended[0])["actor"], "christophe")
        body = json.loads(ended[0]["Message"])
        self.assertEqual(body["event_source"], "ssm-notifyd")
        self.assertEqual(body["event_name"], "SessionEnded")
        self.assertEqual(body["target"], TARGET)
        self.assertEqual(body["session_id"], self.sid)
        self.assertEqual(body["event_time"], iso(start + 600))
        self.assertEqual(body["session_start_time"], iso(start))
        self.assertEqual(body["session_duration_seconds"], 600)
        self.assertEqual(body["session_status"], "Terminated")
        self.assertEqual(body["transcript_url"], TRANSCRIPT)
        wait_until(lambda: set(self.saved()) == {other}, what="the session to leave the state file")
        # once: later checks publish nothing more
        checks = self.ssm.count("DescribeSessions")
        wait_until(lambda: self.ssm.count("DescribeSessions") >= checks + 2, what="two more checks")
        self.assertEqual(self.aws.drain_sink(expected=0, timeout=1), [])
        self.assertEqual(d.stop(), 0)
        self.assertIn(f"session {self.sid} on {TARGET} ended without a TerminateSession after 600 s (Terminated); "
                      f"transcript {TRANSCRIPT}", d.log_text())
        self.assert_signatures_held()

    def test_long_session_gets_one_still_open(self):
        start = self.now - 100
        self.ssm.add_session(ACCOUNT, REGION, self.sid, TARGET, "christophe", start)
        d = self.daemon(config=self.config(long_session_alert=60)).start()
        self.aws.send(eventbridge_envelope(start_record(self.sid, start)))
        notes = self.aws.drain_sink(expected=2)
        self.assertEqual(len(named(notes, "StartSession")), 1, notes)
        still = named(notes, "SessionStillOpen")
        self.assertEqual(len(still), 1, notes)
        body = json.loads(still[0]["Message"])
        self.assertEqual(body["event_id"], f"{self.sid}:open")
        self.assertEqual(body["target"], TARGET)
        self.assertEqual(body["session_start_time"], iso(start))
        # open so far: from the start to the check that found it still active, past the alert
        at = int(datetime.strptime(body["event_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())
        self.assertEqual(body["session_duration_seconds"], at - start)
        self.assertGreaterEqual(at - start, 60)
        self.assertEqual(attrs(still[0])["actor"], "christophe")
        wait_until(lambda: self.saved().get(self.sid, {}).get("still_open_sent"), what="the alert in the state")
        checks = self.ssm.count("DescribeSessions")
        wait_until(lambda: self.ssm.count("DescribeSessions") >= checks + 2, what="two more checks")
        self.assertEqual(named(self.aws.drain_sink(expected=0, timeout=1), "SessionStillOpen"), [])
        self.assertEqual(d.stop(), 0)
        self.assert_signatures_held()

    def test_open_sessions_survive_a_restart(self):
        start = self.now - 60
        self.ssm.add_session(ACCOUNT, REGION, self.sid, TARGET, "christophe", start)
        first = self.daemon().start()
        self.aws.send(eventbridge_envelope(start_record(self.sid, start)))
        self.assertEqual(len(named(self.aws.drain_sink(expected=1), "StartSession")), 1)
        wait_until(lambda: self.sid in self.saved(), what="the session in the state file")
        self.assertEqual(first.stop(), 0)

        # the session ends while no daemon runs
        self.ssm.end_session(ACCOUNT, REGION, self.sid, start + 45)
        second = self.daemon().start()
        ended = named(self.aws.drain_sink(expected=1), "SessionEnded")
        self.assertEqual(len(ended), 1, second.log_text())
        body = json.loads(ended[0]["Message"])
        self.assertEqual(body["target"], TARGET)
        self.assertEqual(body["session_duration_seconds"], 45)
        self.assertEqual(second.stop(), 0)
        self.assertIn("1 open sessions", second.log_text())
        self.assertIn(f"ended without a TerminateSession after 45 s", second.log_text())
        self.assertEqual(self.state(), {})

    def test_corrupt_state_file_is_set_aside(self):
        state_dir = os.path.join(self.aws.workdir, "state")
        os.makedirs(state_dir, exist_ok=True)
        garbage = b'{"version": 1, "sessions": [{"session_id": 42}]}'
        with open(os.path.join(state_dir, "sessions.json"), "wb") as f:
            f.write(garbage)
        start = self.now - 10
        self.ssm.add_session(ACCOUNT, REGION, self.sid, TARGET, "christophe", start)
        d = self.daemon().start()
        self.aws.send(eventbridge_envelope(start_record(self.sid, start)))
        self.assertEqual(len(named(self.aws.drain_sink(expected=1), "StartSession")), 1)
        wait_until(lambda: self.sid in self.saved(), what="a fresh state file")
        self.assertEqual(d.stop(), 0)
        aside = [n for n in os.listdir(state_dir) if n.startswith("sessions.json.corrupt-")]
        self.assertEqual(len(aside), 1)
        with open(os.path.join(state_dir, aside[0]), "rb") as f:
            self.assertEqual(f.read(), garbage)
        log = d.log_text()
        self.assertIn("cannot be used (it is not a state file of ssm-notifyd", log)
        self.assertIn("set aside as " + os.path.join(state_dir, aside[0]), log)

    def test_end_handled_by_another_daemon_is_completed_from_describe_sessions(self):
        start = self.now - 300
        a_dir = os.path.join(self.aws.workdir, "state-a")
        b_dir = os.path.join(self.aws.workdir, "state-b")
        self.ssm.add_session(ACCOUNT, REGION, self.sid, TARGET, "christophe", start,
                             output_url={"S3OutputUrl": TRANSCRIPT, "CloudWatchOutputUrl": ""})
        # A alone on the queue gets the start ...
        a = self.daemon(a_dir).start()
        self.aws.send(eventbridge_envelope(start_record(self.sid, start)))
        self.assertEqual(len(named(self.aws.drain_sink(expected=1), "StartSession")), 1)
        wait_until(lambda: self.sid in self.saved(a_dir), what="the session in A's state")
        # ... B joins, A leaves, and B gets the end it never saw the start of
        b = self.daemon(b_dir).start()
        self.assertEqual(a.stop(), 0)
        self.ssm.end_session(ACCOUNT, REGION, self.sid, start + 290)
        self.aws.send(eventbridge_envelope(terminate_record(self.sid, start + 290)))
        notes = named(self.aws.drain_sink(expected=1), "TerminateSession")
        self.assertEqual(len(notes), 1)
        body = json.loads(notes[0]["Message"])  # all from DescribeSessions
        self.assertEqual(body["target"], TARGET)
        self.assertEqual(body["session_start_time"], iso(start))
        self.assertEqual(body["session_duration_seconds"], 290)
        self.assertEqual(body["transcript_url"], TRANSCRIPT)
        self.assertEqual(b.stop(), 0)
        self.assertIn(f"session {self.sid} on {TARGET} ended after 290 s", b.log_text())
        self.assertNotIn(self.sid, self.state(b_dir) if os.path.exists(os.path.join(b_dir, "sessions.json")) else {})
        self.assert_signatures_held()

    def test_failures_are_tried_again_at_the_next_check(self):
        sns = FaultProxy(self.aws.url, self.aws.workdir, "--only", "Publish")
        self.addCleanup(sns.stop)
        ssm = FaultProxy(self.ssm_url, self.aws.workdir)
        self.addCleanup(ssm.stop)
        start = self.now - 120
        self.ssm.add_session(ACCOUNT, REGION, self.sid, TARGET, "christophe", start)
        d = self.daemon(config=self.config(aws={"sns_endpoint": sns.url, "ssm_endpoint": ssm.url})).start()
        self.aws.send(eventbridge_envelope(start_record(self.sid, start)))
        self.assertEqual(len(named(self.aws.drain_sink(expected=1), "StartSession")), 1)
        wait_until(lambda: self.sid in self.saved(), what="the session in the state file")

        # SSM fails: the check is logged and nothing else happens
        ssm.plan(rates={"error5xx": 1.0})
        self.ssm.end_session(ACCOUNT, REGION, self.sid, start + 100)
        wait_until(lambda: "DescribeSessions for the active sessions failed" in d.log_text(), what="a failed check")
        # SSM back, SNS down: SessionEnded is not accepted, the session stays
        sns.plan(down=True)
        ssm.plan(rates={"error5xx": 0.0})
        wait_until(lambda: f"publish of {self.sid}:ended failed, tried again at the next check" in d.log_text(),
                   what="a failed SessionEnded")
        self.assertIn(self.sid, self.state())
        # SNS back: the next check publishes it, once
        sns.plan(down=False)
        ended = named(self.aws.drain_sink(expected=1), "SessionEnded")
        self.assertEqual(len(ended), 1)
        self.assertEqual(json.loads(ended[0]["Message"])["event_id"], f"{self.sid}:ended")
        wait_until(lambda: self.sid not in self.saved(), what="the session to leave the state file")
        self.assertEqual(d.stop(), 0)
        self.assertEqual(self.ssm.rejected, [])

    def test_tracking_off_touches_no_state_and_calls_no_ssm(self):
        d = self.daemon(config=self.config(track="off")).start()
        self.aws.send(eventbridge_envelope(start_record(self.sid, self.now - 5)))
        self.aws.send(eventbridge_envelope(terminate_record(self.sid, self.now)))
        self.assertEqual(len(self.aws.drain_sink(expected=2)), 2)
        self.assertEqual(d.stop(), 0)
        self.assertFalse(os.path.exists(os.path.join(self.aws.workdir, "state", "sessions.json")))
        self.assertEqual(self.ssm.count(), 0)



class OrganisationTest(unittest.TestCase):
    """Sessions of a member account in another region (an organisation-wide
    queue) are checked there, with the role [enrich] role_arn names."""

    def setUp(self):
        self.aws = MotoEnv(member_accounts=[MEMBER]).start().create_relay_resources()
        self.addCleanup(self.aws.stop)
        self.ssm = self.aws.ssm  # knows the keys moto's STS issues
        self.now = int(time.time())
        self.sid = "christophe-" + uuid.uuid4().hex[:17]

    def daemon(self, role_arn):
        config = self.aws.write_config(extra={
            "enrich": {"instance_names": "off", "role_arn": role_arn},
            "sessions": {"check_interval": "1", "long_session_alert": "0"}, "notify": {"format": "json"}})
        d = Daemon(BINARY, config, self.aws.workdir).start()
        self.addCleanup(lambda: d.proc and d.proc.poll() is None and d.stop())
        return d

    def member_start(self, start):
        r = start_record(self.sid, start)
        r.update(awsRegion=MEMBER_REGION, recipientAccountId=MEMBER)
        r["userIdentity"]["accountId"] = MEMBER
        return r

    def session_checks(self):
        return [r for r in self.ssm.requests if r[0] == "DescribeSessions"]

    def test_member_session_is_checked_in_its_account_and_region(self):
        start = self.now - 30
        self.ssm.add_session(MEMBER, MEMBER_REGION, self.sid, TARGET, "christophe", start)
        d = self.daemon("arn:aws:iam::{account_id}:role/" + MEMBER_ROLE)
        self.aws.send(eventbridge_envelope(self.member_start(start)))
        self.assertEqual(len(named(self.aws.drain_sink(expected=1), "StartSession")), 1)
        wait_until(lambda: len(self.session_checks()) >= 2, what="two checks of the member's session")

        self.ssm.end_session(MEMBER, MEMBER_REGION, self.sid, start + 600, status="Terminated")
        notes = self.aws.drain_sink(expected=1)
        ended = named(notes, "SessionEnded")
        self.assertEqual(len(ended), 1, notes)
        body = json.loads(ended[0]["Message"])
        self.assertEqual(body["session_id"], self.sid)
        self.assertEqual(body["target"], TARGET)
        self.assertEqual(body["session_duration_seconds"], 600)
        self.assertEqual(d.stop(), 0)
        # every check was signed with the member role's credentials, for its region
        self.assertEqual(set(self.session_checks()), {("DescribeSessions", MEMBER, MEMBER_REGION)})
        self.assertEqual(self.ssm.rejected, [])

    def test_without_role_arn_member_sessions_are_not_checked(self):
        start = self.now - 30
        own = "christophe-" + uuid.uuid4().hex[:17]
        self.ssm.add_session(MEMBER, MEMBER_REGION, self.sid, TARGET, "christophe", start)
        self.ssm.add_session(ACCOUNT, REGION, own, TARGET, "christophe", start)  # checked throughout
        d = self.daemon("")
        self.aws.send(eventbridge_envelope(self.member_start(start)))
        self.aws.send(eventbridge_envelope(start_record(own, start)))
        self.assertEqual(len(named(self.aws.drain_sink(expected=2), "StartSession")), 2)
        wait_until(lambda: len(self.session_checks()) >= 3, what="three checks of the own account's session")
        self.assertEqual(d.stop(), 0)
        self.assertEqual(set(self.session_checks()), {("DescribeSessions", ACCOUNT, REGION)})
        self.assertEqual(d.log_text().count(f"a session of account {MEMBER} is open and [enrich] role_arn is "
                                            "empty: sessions of accounts other than the queue's are not checked"),
                         1)


if __name__ == "__main__":
    awsenv.main()
