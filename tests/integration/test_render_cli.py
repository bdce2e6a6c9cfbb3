#!/usr/bin/env python3
"""ssm-notifyd --render as a user runs it: exit codes (DESIGN.md "Command line"), the JSON
object's fields, stdin input, and the reviewed golden outputs.

Environment: SSMN_BINARY (the daemon), SSMN_TEST_DATA (tests/data)."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from wrapper import command  # noqa: E402

BINARY = os.environ["SSMN_BINARY"]
DATA = os.environ["SSMN_TEST_DATA"]
EVENTS = os.path.join(DATA, "events")
GOLDEN = os.path.join(DATA, "golden")

# DESIGN.md, "--render --format json fields": every one present, null when unknown.
DESIGN_FIELDS = [
    "subject", "message", "event_name", "event_source", "event_time", "local_time", "region",
    "account_id", "actor_type", "actor", "actor_arn", "role", "source_ip", "user_agent", "target",
    "session_id", "document_name", "reason", "outcome", "error_code", "error_message", "severity", "rule",
]


def event(name):
    return os.path.join(EVENTS, name)


def render(*args, stdin=None):
    return subprocess.run(command(BINARY, "--render", *args), input=stdin, capture_output=True, timeout=60)


class ExitCodes(unittest.TestCase):
    def test_printed(self):
        p = render(event("startsession-iamuser-stratus-1.json"))
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout.decode()
        self.assertTrue(out.startswith("Subject: [SSM] StartSession christophe -> i-d3720C7af6fCfF2B2"))
        self.assertIn("\n\nchristophe が i-d3720C7af6fCfF2B2 へのセッションを開始しました。\n", out)
        self.assertEqual(p.stderr, b"")

    def test_filtered(self):
        for name, why in [("describeinstanceinformation-iamuser-stratus.json", b"eventName"),
                          ("createcontrolchannel-assumedrole-ec2instance-ssmmessages-panther.json",
                           b"eventSource ssmmessages.amazonaws.com"),
                          ("nonssm-consolelogin-root-panther.json", b"eventSource signin.amazonaws.com")]:
            with self.subTest(name=name):
                p = render(event(name))
                self.assertEqual(p.returncode, 1)
                self.assertEqual(p.stdout, b"")
                self.assertEqual(p.stderr.count(b"\n"), 1, p.stderr)
                self.assertIn(why, p.stderr)

    def test_bad_option_values(self):
        for args, word in [(["--format", "xml"], b"--format"), (["--language", "fr"], b"--language"),
                           (["--timezone", "Mars/Olympus"], b"--timezone"),
                           (["--timezone", "../../etc/passwd"], b"--timezone"), (["--bogus"], b"--bogus")]:
            with self.subTest(args=args):
                p = render(*args, event("startsession-iamuser-stratus-1.json"))
                self.assertEqual(p.returncode, 2)
                self.assertEqual(p.stdout, b"")
                self.assertIn(word, p.stderr)

    def test_not_json_or_not_event(self):
        cases = [
            (None, b"this is not JSON\n"),
            (None, b'{"eventName": "StartSession"'),
            (None, b"\xff\xfe{}"),
            (None, b"[]"),
            (None, b'{"Records": [{"eventName": "StartSession"}]}'),
            (event("nonct-eventbridge-aws.ssm-command-status-change-awsdocs.json"), None),
            (event("oddity-s3-logfile-records-wrapper-insight-awsdocs.json"), None),
            (event("oddity-insight-ssm-updateinstanceinformation-start-awsdocs.json"), None),
            (None, b" " * (256 * 1024 + 1)),  # larger than any SQS message
        ]
        for path, data in cases:
            with self.subTest(path=path, data=(data or b"")[:40]):
                p = render(path) if path else render("-", stdin=data)
                self.assertEqual(p.returncode, 65, p.stderr)
                self.assertEqual(p.stdout, b"")
                self.assertTrue(p.stderr.startswith(b"ssm-notifyd: "))

    def test_unreadable_input(self):
        p = render(os.path.join(DATA, "no-such-file.json"))
        self.assertEqual(p.returncode, 66)
        self.assertIn(b"no-such-file.json", p.stderr)

    def test_directory_input_says_so(self):
        p = render(EVENTS)
        self.assertEqual(p.returncode, 66)
        self.assertEqual(p.stdout, b"")
        self.assertEqual(p.stderr.decode(),
                         f"ssm-notifyd: cannot read {EVENTS}: it is a directory (--render reads one file)\n")


class CommandLine(unittest.TestCase):
    def test_options_after_the_file(self):
        p = render(event("startsession-iamuser-stratus-1.json"), "--language", "en", "--timezone", "UTC")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("christophe started a session on i-d3720C7af6fCfF2B2", p.stdout.decode())

    def test_extra_argument_is_named_as_extra(self):
        first, second = event("startsession-iamuser-stratus-1.json"), event("startsession-iamuser-stratus-2.json")
        p = render(first, second)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stdout, b"")
        self.assertIn(f"unexpected extra argument '{second}'".encode(), p.stderr)

    def test_config_with_only_what_rendering_uses(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "render.conf")
            with open(path, "w") as f:
                f.write("[notify]\nlanguage = en\ntimezone = UTC\nformat = json\n[log]\nlevel = debug\n")
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            p = subprocess.run(command(BINARY, "--render", event("startsession-iamuser-stratus-1.json"),
                                       "-c", path), capture_output=True, timeout=60, env=env)
            self.assertEqual(p.returncode, 0, p.stderr)
            obj = json.loads(p.stdout)
            self.assertTrue(obj["local_time"].endswith("+00:00"), obj["local_time"])
            # the daemon still needs every section
            p = subprocess.run(command(BINARY, "--check-config", "-c", path), capture_output=True,
                               timeout=60, env=env)
            self.assertEqual(p.returncode, 78, p.stderr)
            self.assertIn(b"queue_url", p.stderr)


class JsonObject(unittest.TestCase):
    def load(self, name, *args):
        p = render("--format", "json", *args, event(name))
        self.assertEqual(p.returncode, 0, p.stderr)
        obj = json.loads(p.stdout)
        for field in DESIGN_FIELDS:
            self.assertIn(field, obj)
        return obj

    def test_fields(self):
        obj = self.load("startsession-assumedrole-sso-panther.json", "--timezone", "UTC")
        self.assertEqual(obj["subject"], "[SSM] StartSession bobson.dugnutt -> i-047fce8bf4806e5ee (success)")
        self.assertEqual(obj["event_name"], "StartSession")
        self.assertEqual(obj["event_source"], "ssm.amazonaws.com")
        self.assertEqual(obj["event_time"], "2025-02-19 20:13:49")  # as in the record
        self.assertEqual(obj["local_time"], "2025-02-19T20:13:49+00:00")
        self.assertEqual(obj["actor_type"], "AssumedRole")
        self.assertEqual(obj["actor"], "bobson.dugnutt")
        self.assertEqual(obj["role"], "SampleRole")
        self.assertTrue(obj["actor_sso"])
        self.assertEqual(obj["account_id"], "111122223333")
        self.assertEqual(obj["region"], "us-west-2")
        self.assertEqual(obj["target"], "i-047fce8bf4806e5ee")
        self.assertEqual(obj["session_id"], "bobson.dugnutt-4njnyxxl8yn676nsla8j6l4bra")
        self.assertEqual(obj["outcome"], "success")
        for unknown in ("document_name", "reason", "error_code", "error_message"):
            self.assertIsNone(obj[unknown], unknown)
        # the message is what would be published in this format: the same fields
        message = json.loads(obj["message"])
        self.assertNotIn("subject", message)
        self.assertEqual(message["actor"], "bobson.dugnutt")

    def test_failure(self):
        p = render("--format", "json", os.path.join(GOLDEN, "startsession-iamuser-denied-synthetic.json"))
        self.assertEqual(p.returncode, 0, p.stderr)
        obj = json.loads(p.stdout)
        self.assertEqual(obj["outcome"], "failure")
        self.assertEqual(obj["error_code"], "AccessDenied")
        self.assertTrue(obj["subject"].startswith("[SSM] DENIED StartSession christophe"))
        self.assertIsNone(obj["session_id"])
        self.assertEqual(obj["local_time"], "2024-08-01T21:19:16+09:00")  # default zone Asia/Tokyo
        self.assertEqual(obj["severity"], "warning")
        self.assertIsNone(obj["rule"])

    def test_severity(self):
        self.assertEqual(self.load("startsession-iamuser-stratus-1.json")["severity"], "info")
        with open(event("startsession-iamuser-stratus-1.json")) as f:
            root = json.load(f)
        root["userIdentity"] = {"type": "Root", "principalId": "294599468799",
                                "arn": "arn:aws:iam::294599468799:root", "accountId": "294599468799"}
        p = render("--format", "json", "-", stdin=json.dumps(root).encode())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["severity"], "critical")

    def test_issue13_fields(self):
        """DESIGN.md's extension fields: what the record tells is set, what only the daemon's
        look-ups can tell is null (--render is pure)."""
        obj = self.load("startsession-assumedrole-sso-panther.json")
        for field in ("target_name", "target_tags", "session_start_time", "session_duration_seconds",
                      "session_status", "transcript_url", "command", "parameters"):
            with self.subTest(field=field):
                self.assertIn(field, obj)
                self.assertIsNone(obj[field])
        # from the record: "mfaAuthenticated": "false", user agent "sample-user-agent"
        self.assertIs(obj["mfa"], False)
        self.assertIs(obj["via_console"], False)
        self.assertEqual(obj["console_url"], "https://us-west-2.console.aws.amazon.com/ec2/home?region=us-west-2"
                                             "#InstanceDetails:instanceId=i-047fce8bf4806e5ee")
        with open(event("startsession-iamuser-stratus-1.json")) as f:
            rec = json.load(f)
        rec["requestParameters"] = {"target": "i-0123456789abcdef0", "documentName": "AWS-StartInteractiveCommand",
                                    "parameters": {"command": ["sudo -i"]}}
        p = render("--format", "json", "-", stdin=json.dumps(rec).encode())
        self.assertEqual(p.returncode, 0, p.stderr)
        obj = json.loads(p.stdout)
        self.assertEqual(obj["command"], "sudo -i")
        self.assertEqual(obj["parameters"], {"command": ["sudo -i"]})
        self.assertIsNone(obj["mfa"])  # an IAM user's access key: nothing recorded


class Rules(unittest.TestCase):
    """--render with -c: which rule matched, and exit 1 for an ignored event."""

    def render_with(self, rules, name):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "rules.conf")
            with open(path, "w") as f:
                f.write("[notify]\nformat = json\n" + rules)
            return render("-c", path, event(name))

    RULES = ("[rule ignore-sso]\nmatch = role=SampleRole, source_ip!=10.0.0.0/8\naction = ignore\n"
             "[rule people]\nmatch = actor_type=IAMUser|Root\naction = notify\n")

    def test_notify_rule_is_named(self):
        p = self.render_with(self.RULES, "startsession-iamuser-stratus-1.json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["rule"], "people")

    def test_ignored_event_exits_1_naming_the_rule(self):
        p = self.render_with(self.RULES, "startsession-assumedrole-sso-panther.json")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, b"")
        self.assertEqual(p.stderr, b"ssm-notifyd: not notified: ignored by rule ignore-sso (line 3)\n")

    def test_via(self):
        """via is api for the record's own user agent, console for a console session."""
        rules = "[rule from-console]\nmatch = via=console\naction = notify\n" \
                "[rule from-api]\nmatch = via=api\naction = notify\n"
        p = self.render_with(rules, "startsession-iamuser-stratus-1.json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["rule"], "from-api")
        with open(event("startsession-iamuser-stratus-1.json")) as f:
            rec = json.load(f)
        rec["sessionCredentialFromConsole"] = "true"
        with tempfile.TemporaryDirectory() as tmp:
            conf, body = os.path.join(tmp, "rules.conf"), os.path.join(tmp, "console.json")
            with open(conf, "w") as f:
                f.write("[notify]\nformat = json\n" + rules)
            with open(body, "w") as f:
                json.dump(rec, f)
            p = render("-c", conf, body)
        self.assertEqual(p.returncode, 0, p.stderr)
        obj = json.loads(p.stdout)
        self.assertEqual(obj["rule"], "from-console")
        self.assertIs(obj["via_console"], True)

    def test_no_rule_matched(self):
        p = self.render_with("[rule other]\nmatch = outcome=failure\naction = ignore\n",
                             "startsession-assumedrole-sso-panther.json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIsNone(json.loads(p.stdout)["rule"])


class Stdin(unittest.TestCase):
    def test_stdin(self):
        with open(event("terminatesession-iamuser-stratus-3.json"), "rb") as f:
            body = f.read()
        by_dash = render("--language", "en", "-", stdin=body)
        implicit = render("--language", "en", stdin=body)
        by_path = render("--language", "en", event("terminatesession-iamuser-stratus-3.json"))
        self.assertEqual(by_dash.returncode, 0, by_dash.stderr)
        self.assertEqual(by_dash.stdout, by_path.stdout)
        self.assertEqual(implicit.stdout, by_path.stdout)
        self.assertIn(b"christophe terminated session christophe-wzleysigzmbd6fmkefjqvt5w4u.", by_dash.stdout)

    def test_sns_wrapped_eventbridge_on_stdin(self):
        with open(event("startsession-iamuser-stratus-2.json")) as f:
            record = json.load(f)
        eb = {"version": "0", "id": "1", "detail-type": "AWS API Call via CloudTrail", "source": "aws.ssm",
              "account": "294599468799", "time": "2024-08-01T12:19:17Z", "region": "me-northwest-3r",
              "resources": [], "detail": record}
        sns = {"Type": "Notification", "MessageId": "m-1", "Message": json.dumps(eb)}
        p = render("--format", "json", stdin=json.dumps(sns).encode())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["target"], "i-eA1d1296c1dE3Aa1f")

    def test_hostile_values_cannot_forge_lines(self):
        with open(event("startsession-iamuser-stratus-1.json")) as f:
            record = json.load(f)
        record["userAgent"] = "curl\nSubject: forged\r\nX-Evil: 1\x1b[2J"
        record["userIdentity"]["userName"] = "eve\nSubject: forged"
        p = render("--language", "en", stdin=json.dumps(record).encode())
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.decode().split("\n")
        self.assertTrue(lines[0].startswith("Subject: [SSM] StartSession eve Subject: forged"))
        self.assertEqual([l for l in lines if l.startswith("Subject")], [lines[0]])
        self.assertFalse(any(l.startswith("X-Evil") for l in lines))
        self.assertNotIn("\x1b", p.stdout.decode())
        self.assertIn("User agent    : curl\\nSubject: forged\\r\\nX-Evil: 1\\x1b[2J\n", p.stdout.decode())
        # the session id names someone else: the second witness is shown
        self.assertIn("Session owner : christophe (from the session ID)\n", p.stdout.decode())


class Formats(unittest.TestCase):
    def test_chatbot_and_multi(self):
        for fmt in ("chatbot", "multi"):
            with self.subTest(fmt=fmt):
                p = render("--format", fmt, event("startsession-iamuser-stratus-3.json"))
                self.assertEqual(p.returncode, 0, p.stderr)
                head, _, body = p.stdout.decode().partition("\n\n")
                self.assertTrue(head.startswith("Subject: [SSM] StartSession christophe"))
                message = json.loads(body)
                if fmt == "chatbot":
                    self.assertEqual(message["version"], "1.0")
                    self.assertEqual(message["source"], "custom")
                    self.assertIn("title", message["content"])
                else:
                    for key in ("default", "email", "sqs", "https", "lambda"):
                        self.assertIsInstance(message[key], str)
                    self.assertEqual(json.loads(message["default"])["source"], "custom")

    def test_golden(self):
        """The reviewed outputs of tests/data/golden, through the command line."""
        variants = {"ja.txt": [], "en.txt": ["--language", "en", "--timezone", "America/New_York"],
                    "chatbot.txt": ["--format", "chatbot"]}
        compared = 0
        for name in sorted(os.listdir(GOLDEN)):
            stem, _, suffix = name.partition(".")
            if suffix not in variants:
                continue
            record = event(stem + ".json")
            if not os.path.exists(record):
                record = os.path.join(GOLDEN, stem + ".json")
            with self.subTest(golden=name):
                p = render(*variants[suffix], record)
                self.assertEqual(p.returncode, 0, p.stderr)
                with open(os.path.join(GOLDEN, name), "rb") as f:
                    self.assertEqual(p.stdout.decode(), f.read().decode())
                compared += 1
        self.assertEqual(compared, 12)


if __name__ == "__main__":
    unittest.main(verbosity=2)
