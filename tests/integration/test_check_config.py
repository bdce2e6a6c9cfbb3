"""ssm-notifyd --check-config, run as a user would: exit codes, messages, secrets.

The expected messages are written by hand from DESIGN.md ("Configuration",
"Command line") and ssm-notifyd.conf(5).
"""
import os
import pathlib
import re
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import boto3  # noqa: E402
import awsenv  # noqa: E402
from awsenv import ACCOUNT, REGION, FaultProxy, MotoEnv  # noqa: E402
from ssm_responder import SsmResponder  # noqa: E402
from wrapper import command  # noqa: E402

BINARY = os.environ.get("SSMN_BINARY", "ssm-notifyd")
REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "conf" / "ssm-notifyd.conf"

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FQoGZXIvYXdzEBYaDHqa0AP1" + "x" * 600 + "=="

GOOD = """\
[aws]
region = ap-northeast-1
[sqs]
queue_url = https://sqs.ap-northeast-1.amazonaws.com/210987654321/ssm-events
[sns]
topic_arn = arn:aws:sns:ap-northeast-1:210987654321:ssm-alerts
"""


def clean_env(**extra):
    """The caller's environment without AWS settings, so that results do not
    depend on the machine the tests run on."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k != "CREDENTIALS_DIRECTORY"}
    env.update(extra)
    return env


class CheckConfig(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ssmn-check-")
        self.dir = pathlib.Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text, mode=0o600):
        path = self.dir / name
        path.write_text(text)
        path.chmod(mode)
        return path

    def run_cli(self, *args, env=None):
        return subprocess.run(command(BINARY, *args), capture_output=True, text=True,
                              env=env if env is not None else clean_env(), timeout=60)

    def assert_no_secret(self, res):
        for out in (res.stdout, res.stderr):
            self.assertNotIn(SECRET, out)
            self.assertNotIn(SECRET[:13], out)
            self.assertNotIn(TOKEN[:20], out)

    def test_good_config(self):
        path = self.write("good.conf", GOOD)
        res = self.run_cli("-c", str(path), "--check-config")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout, "configuration OK\n")
        self.assertEqual(res.stderr, "")

    def test_long_option_and_secrets_at_0600(self):
        path = self.write("creds.conf", GOOD + "[aws]\naccess_key_id = %s\nsecret_access_key = %s\n"
                          "session_token = %s\n" % (KEY_ID, SECRET, TOKEN))
        res = self.run_cli("--check-config", "--config=%s" % path)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout, "configuration OK\n")
        self.assert_no_secret(res)

    def test_every_error_with_file_and_line(self):
        path = self.write("bad.conf", """\
; a comment
[aws]
region = ap-northeast-1

[sqs]
queue_url = https://sqs.ap-northeast-1.amazonaws.com/210987654321/ssm-events
wait_time_seconds = 30
[sns]
topic_arn = arn:aws:sns:us-east-1:210987654321:ssm-alerts
[notify]
format = html
colour = blue
[logging]
level = debug
""")
        res = self.run_cli("-c", str(path), "--check-config")
        self.assertEqual(res.returncode, 78)
        self.assertEqual(res.stdout, "")
        self.assertEqual(res.stderr.splitlines(), [
            f'{path}:7: [sqs] wait_time_seconds: "30" is out of range (allowed: 1..20)',
            f'{path}:11: [notify] format: "html" is not a known value (allowed: text, json, chatbot, multi)',
            f"{path}:12: [notify] colour: unknown key (allowed: format, language, timezone, events, "
            "subject, unrecognized, burst_limit, burst_window)",
            f"{path}:13: [logging]: unknown section (allowed: aws, sqs, sns, notify, accounts, log, rule NAME)",
            f"{path}:9: [sns] topic_arn: topic is in region us-east-1, not in the configured region "
            "ap-northeast-1 (allowed: a topic in ap-northeast-1)",
        ])

    def test_rules_are_listed_in_order_and_checked(self):
        path = self.write("rules.conf", GOOD + """\
[rule everything]
match = event_name=*
action = notify
[rule shadowed]
match = source_ip=10.0.0.0/8|2001:db8::/32
action = ignore
""")
        res = self.run_cli("-c", str(path), "--check-config")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout, "configuration OK\n"
                                     "rule 1: everything: match event_name=*: notify\n"
                                     "rule 2: shadowed: match source_ip=10.0.0.0/8|2001:db8::/32: ignore\n")
        self.assertEqual(res.stderr, f"warning: {path}:10: [rule shadowed]: never matches: [rule everything] "
                                     "(line 7) before it matches every event\n")
        path = self.write("bad-rules.conf", GOOD + """\
[rule a]
match = source_ip=10.0.0.0/33
action = drop
[rule a]
""")
        res = self.run_cli("-c", str(path), "--check-config")
        self.assertEqual(res.returncode, 78)
        self.assertEqual(res.stderr.splitlines(), [
            f'{path}:8: [rule a] match: bad CIDR (allowed: ADDRESS/BITS, IPv4 or IPv6) "10.0.0.0/33"',
            f"{path}:9: [rule a] action: bad value (allowed: ignore, notify)",
            f"{path}:10: [rule a]: duplicate rule name (first on line 7)",
        ])

    def test_missing_required_keys_name_the_file(self):
        path = self.write("empty.conf", "; nothing\n")
        res = self.run_cli("-c", str(path), "--check-config")
        self.assertEqual(res.returncode, 78)
        lines = res.stderr.splitlines()
        self.assertEqual(len(lines), 3, res.stderr)
        self.assertTrue(lines[0].startswith(f"{path}: [aws] region: missing; AWS_REGION and "
                                            "AWS_DEFAULT_REGION are not set either (allowed: "))
        self.assertTrue(lines[1].startswith(f"{path}: [sqs] queue_url: missing (allowed: "))
        self.assertTrue(lines[2].startswith(f"{path}: [sns] topic_arn: missing (allowed: "))

    def test_region_from_environment(self):
        path = self.write("noregion.conf", GOOD.replace("region = ap-northeast-1\n", ""))
        res = self.run_cli("-c", str(path), "--check-config",
                           env=clean_env(AWS_REGION="ap-northeast-1", AWS_DEFAULT_REGION="us-east-1"))
        self.assertEqual(res.returncode, 0, res.stderr)
        res = self.run_cli("-c", str(path), "--check-config", env=clean_env(AWS_REGION="us-east-1"))
        self.assertEqual(res.returncode, 78)
        self.assertIn(f"{path}:3: [sqs] queue_url: queue is in region ap-northeast-1, not in the "
                      "configured region us-east-1", res.stderr)

    def test_unreadable_file(self):
        path = self.dir / "absent.conf"
        res = self.run_cli("-c", str(path), "--check-config")
        self.assertEqual(res.returncode, 78)
        self.assertEqual(res.stderr, f"{path}: cannot read: No such file or directory\n")

    def test_unknown_flag_is_a_usage_error(self):
        res = self.run_cli("--check-config", "--bogus")
        self.assertEqual(res.returncode, 2)
        self.assertEqual(res.stdout, "")
        self.assertIn("unknown option '--bogus'", res.stderr)
        self.assertIn("Usage: ssm-notifyd", res.stderr)

    def test_loose_permissions_refused_without_showing_secrets(self):
        path = self.write("loose.conf", GOOD + "[aws]\naccess_key_id = %s\nsecret_access_key = %s\n"
                          "session_token = %s\n" % (KEY_ID, SECRET, TOKEN), mode=0o644)
        res = self.run_cli("-c", str(path), "--check-config")
        self.assertEqual(res.returncode, 78)
        self.assertEqual(res.stderr, f"{path}: [aws] secret_access_key: the file's mode 0644 gives others "
                         "access (allowed: no access for others, read access for the group only when the daemon "
                         "reads the file through it, as with root:ssm-notifyd 0640 under the unit; "
                         f"or chmod 600 {path})\n")
        self.assert_no_secret(res)

    def test_secrets_never_printed(self):
        cases = [
            "[aws]\naccess_key_id = %s\nsecret_access_key = %s x\n" % (KEY_ID, SECRET),
            "[aws]\nsecret_access_key = %s\nsecret_access_key = %s\n" % (SECRET, SECRET),
            "[aws]\nsecret_key = %s\n" % SECRET,
            "[credentials]\nsecret_access_key = %s\n" % SECRET,
            "[aws]\n%s\n" % SECRET,
            "[aws]\naccess_key_id = %s\nsecret_access_key = %s\nsession_token = %s \x01\n" % (KEY_ID, SECRET, TOKEN),
            "[aws]\nsqs_endpoint = https://%s:%s@sqs.example.com\n" % (KEY_ID, SECRET),
        ]
        for i, text in enumerate(cases):
            for mode in (0o600, 0o644):
                with self.subTest(case=i, mode=oct(mode)):
                    path = self.write("secret%d.conf" % i, GOOD + text, mode=mode)
                    res = self.run_cli("-c", str(path), "--check-config")
                    self.assertEqual(res.returncode, 78, res.stderr)
                    self.assertRegex(res.stderr, re.escape(str(path)) + r":\d+: ")
                    self.assert_no_secret(res)

    def test_default_path_from_credentials_directory(self):
        self.write("ssm-notifyd.conf", GOOD)
        res = self.run_cli("--check-config", env=clean_env(CREDENTIALS_DIRECTORY=str(self.dir)))
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout, "configuration OK\n")

    def test_shipped_example_names_its_placeholders(self):
        # the unedited example must not run against AWS documentation's account
        lines = EXAMPLE.read_text().splitlines()
        queue = next(i for i, l in enumerate(lines, 1) if l.startswith("queue_url = "))
        topic = next(i for i, l in enumerate(lines, 1) if l.startswith("topic_arn = "))
        res = self.run_cli("-c", str(EXAMPLE), "--check-config")
        self.assertEqual(res.returncode, 78, res.stderr)
        self.assertEqual(res.stdout, "")
        self.assertEqual(res.stderr.splitlines(), [
            f"{EXAMPLE}:{queue}: [sqs] queue_url: still the example's placeholder (account 123456789012) "
            "(allowed: the URL of your queue)",
            f"{EXAMPLE}:{topic}: [sns] topic_arn: still the example's placeholder (account 123456789012) "
            "(allowed: the ARN of your topic)",
        ])
        # edited, it passes
        path = self.write("edited.conf", EXAMPLE.read_text().replace("123456789012", "210987654321"))
        res = self.run_cli("-c", str(path), "--check-config")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout, "configuration OK\n")

    def test_shipped_example_with_every_key_uncommented_passes(self):
        text = EXAMPLE.read_text()
        keys = re.findall(r"^;([a-z0-9_]+) = \S", text, flags=re.M)
        # every key of ssm-notifyd.conf(5) but the session token has an example value
        self.assertEqual(sorted(keys), sorted([
            "access_key_id", "secret_access_key", "sqs_endpoint", "sns_endpoint",
            "wait_time_seconds", "max_messages", "visibility_timeout", "max_receive_count",
            "format", "language", "timezone", "events", "subject", "unrecognized", "burst_limit",
            "burst_window", "123456789012", "level", "match", "action", "match", "action", "topics",
            "ec2_endpoint", "ssm_endpoint", "sts_endpoint", "instance_names", "tags", "role_arn", "external_id",
            "cache_seconds", "track", "check_interval", "long_session_alert"]))
        text = re.sub(r"^;([a-z0-9_]+ = \S)", r"\1", text, flags=re.M)
        text = re.sub(r"^;(\[rule [a-z-]+\])$", r"\1", text, flags=re.M)
        text = text.replace("/123456789012/", "/210987654321/").replace(":123456789012:", ":210987654321:")
        path = self.write("all.conf", text)
        res = self.run_cli("-c", str(path), "--check-config")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout, "configuration OK\nrule 1: ignore-automation: match "
                                     "role=AutomationRole*, document_name=AWS-StartPortForwardingSession: ignore\n"
                                     "rule 2: denied-to-security: match outcome=failure: notify to "
                                     "arn:aws:sns:ap-northeast-1:210987654321:security-alerts, "
                                     "arn:aws:sns:ap-northeast-1:210987654321:ssm-session-alerts\n")
        # with the region left to the environment, as the comment says
        path = self.write("env.conf", text.replace("\nregion = ap-northeast-1\n", "\n"))
        res = self.run_cli("-c", str(path), "--check-config", env=clean_env(AWS_REGION="ap-northeast-1"))
        self.assertEqual(res.returncode, 0, res.stderr)


    def test_online_check_is_not_dumpable(self):
        # --check-config --online holds the secret key while it waits on AWS:
        # hardened as the daemon is. Run as nobody, its /proc/PID files belong
        # to root only when PR_SET_DUMPABLE is 0; RLIMIT_CORE shows in limits.
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(listener.close)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        self.dir.chmod(0o755)
        path = self.write("stalled.conf", f"""\
[aws]
region = us-east-1
sqs_endpoint = http://127.0.0.1:{port}
sns_endpoint = http://127.0.0.1:{port}
[sqs]
queue_url = http://127.0.0.1:{port}/210987654321/q
[sns]
topic_arn = arn:aws:sns:us-east-1:210987654321:t
""", mode=0o644)
        env = clean_env(AWS_ACCESS_KEY_ID=KEY_ID, AWS_SECRET_ACCESS_KEY=SECRET,
                        AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:1")
        # the binary itself, not under SSMN_WRAPPER: valgrind could not write its log as nobody
        proc = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                 BINARY, "-c", str(path), "--check-config", "--online"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        listener.settimeout(60)
        conn, _ = listener.accept()  # the check is under way, secret in hand; never answered
        self.addCleanup(conn.close)
        status = os.stat(f"/proc/{proc.pid}/status")
        with open(f"/proc/{proc.pid}/limits") as f:
            core = [ln.split() for ln in f if ln.startswith("Max core file size")][0]
        self.assertIsNone(proc.poll(), "still waiting on the stalled endpoint")
        self.assertEqual(status.st_uid, 0, "dumpable: /proc/PID belongs to the process's user")
        self.assertEqual(core[4:6], ["0", "0"])
        proc.kill()
        proc.wait(timeout=10)


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Online(unittest.TestCase):
    """--check-config --online against real peers: each check names its URL and says what
    happened in words, and the credentials are OK only once AWS accepted a signed request."""

    @classmethod
    def setUpClass(cls):
        cls.aws = MotoEnv().start().create_relay_resources()

    @classmethod
    def tearDownClass(cls):
        cls.aws.stop()

    def online(self, enrich=None, sessions=None, **aws):
        """[enrich] instance_names and [sessions] track are off unless enrich
        and sessions say otherwise: the look-ups' and the session checks' own
        lines are tested by the tests below."""
        path = self.aws.write_config(name="online.conf", extra={
            "aws": aws, "enrich": enrich or {"instance_names": "off"}, "sessions": sessions or {"track": "off"}})
        env = {k: v for k, v in clean_env().items() if not k.lower().endswith("_proxy")}
        res = subprocess.run(command(BINARY, "-c", path, "--check-config", "--online"), capture_output=True,
                             text=True, env=env, timeout=120)
        self.assertNotIn(self.aws.secret, res.stdout + res.stderr)
        lines = res.stdout.splitlines()
        self.assertEqual(lines[:2], ["configuration OK",
                                     "credentials  found in the config file, not yet accepted by AWS"], res.stdout)
        return res, lines

    def test_accepted(self):
        res, lines = self.online()
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertEqual(lines[2:], [
            f"sqs          OK: GetQueueAttributes at {self.aws.url} on {self.aws.queue_url} (0 messages waiting)",
            f"sns          OK: GetTopicAttributes at {self.aws.url} on {self.aws.topic_arn}",
            "credentials  OK: AWS accepted a request signed with them (config file)",
        ])

    def test_host_that_does_not_resolve(self):
        # RFC 6761: .invalid resolves nowhere
        res, lines = self.online(sqs_endpoint="https://sqs.ssm-notifyd-test.invalid",
                                 sns_endpoint="https://sns.ssm-notifyd-test.invalid:8443")
        self.assertEqual(res.returncode, 69, res.stdout + res.stderr)
        self.assertEqual(lines[2:], [
            "sqs          FAILED: GetQueueAttributes at https://sqs.ssm-notifyd-test.invalid: "
            "cannot resolve sqs.ssm-notifyd-test.invalid (retryable)",
            "sns          FAILED: GetTopicAttributes at https://sns.ssm-notifyd-test.invalid:8443: "
            "cannot resolve sns.ssm-notifyd-test.invalid (retryable)",
            "credentials  NOT CHECKED: no answer from AWS (config file)",
        ])
        self.assertNotIn("EHOSTUNREACH", res.stdout)

    def test_closed_port(self):
        port = closed_port()
        res, lines = self.online(sqs_endpoint=f"http://127.0.0.1:{port}")
        self.assertEqual(res.returncode, 69, res.stdout + res.stderr)
        self.assertEqual(lines[2], f"sqs          FAILED: GetQueueAttributes at http://127.0.0.1:{port}: "
                                   f"connection refused by 127.0.0.1:{port} (retryable)")
        # SNS answered through the same credentials: they are accepted
        self.assertTrue(lines[3].startswith("sns          OK: "), lines)
        self.assertEqual(lines[4], "credentials  OK: AWS accepted a request signed with them (config file)")

    def test_rule_topics_each_checked_in_their_region(self):
        far = boto3.client("sns", endpoint_url=self.aws.url, region_name="eu-west-1",
                           aws_access_key_id=self.aws.key_id,
                           aws_secret_access_key=self.aws.secret).create_topic(Name="far")["TopicArn"]
        missing = self.aws.topic_arn.replace(":ssm-session-alerts", ":no-such-topic")
        path = self.aws.write_config(name="topics.conf", extra={
            "rule a": {"match": "outcome=failure", "action": "notify", "topics": f"{far}, {self.aws.topic_arn}"},
            "rule b": {"match": "event_name=*", "action": "notify", "topics": f"{missing}, {far}"},
            "enrich": {"instance_names": "off"}, "sessions": {"track": "off"}})
        res = subprocess.run(command(BINARY, "-c", path, "--check-config", "--online"), capture_output=True,
                             text=True, env=clean_env(), timeout=120)
        self.assertEqual(res.returncode, 69, res.stdout + res.stderr)
        lines = res.stdout.splitlines()
        # topic_arn, then each other topic once, through the client of its region
        self.assertEqual(lines[5:8], [
            f"sns          OK: GetTopicAttributes at {self.aws.url} on {self.aws.topic_arn}",
            f"sns          OK: GetTopicAttributes at {self.aws.url} on {far}",
            f"sns          FAILED: GetTopicAttributes at {self.aws.url}: HTTP 404 Not Found: NotFound: "
            "Topic does not exist (fatal)",
        ], res.stdout)
        self.assertEqual(lines[8], "credentials  OK: AWS accepted a request signed with them (config file)")

    def test_stalled_endpoint(self):
        proxy = FaultProxy(self.aws.url, self.aws.workdir, "--only", "GetQueueAttributes", "--rate", "stall=1",
                           "--stall-s", "40")
        self.addCleanup(proxy.stop)
        res, lines = self.online(sqs_endpoint=proxy.url)
        self.assertEqual(res.returncode, 69, res.stdout + res.stderr)
        host = proxy.url.split("://", 1)[1]
        self.assertRegex(lines[2], r"^sqs +FAILED: GetQueueAttributes at %s: no answer from %s after 1[45] s "
                                   r"\(retryable\)$" % (re.escape(proxy.url), re.escape(host)))
        self.assertEqual(proxy.stats()["stall"], 1)

    def test_refused_signature(self):
        wrong = "Wrong" + self.aws.secret[5:]
        path = self.aws.write_config(name="wrong.conf", secret=wrong, extra={"enrich": {"instance_names": "off"},
                                                                                  "sessions": {"track": "off"}})
        res = subprocess.run(command(BINARY, "-c", path, "--check-config", "--online"), capture_output=True,
                             text=True, env=clean_env(), timeout=120)
        self.assertEqual(res.returncode, 69, res.stdout + res.stderr)
        lines = res.stdout.splitlines()
        self.assertEqual(lines[1], "credentials  found in the config file, not yet accepted by AWS")
        self.assertRegex(lines[2], r"^sqs +FAILED: GetQueueAttributes at %s: HTTP 403 Forbidden: "
                                   r"SignatureDoesNotMatch: .+ \(fatal\)$" % re.escape(self.aws.url))
        self.assertRegex(lines[3], r"^sns +FAILED: GetTopicAttributes at %s: HTTP 403 Forbidden: "
                                   r"SignatureDoesNotMatch: .+ \(fatal\)$" % re.escape(self.aws.url))
        self.assertEqual(lines[4], "credentials  FAILED: AWS refused them (config file): see the answers above")
        self.assertNotIn("OK", "\n".join(lines[1:]))
        self.assertNotIn(wrong, res.stdout + res.stderr)

    def test_lookups_accepted(self):
        ssm = SsmResponder({self.aws.key_id: (self.aws.secret, None, ACCOUNT)})
        url = ssm.start()
        self.addCleanup(ssm.stop)
        res, lines = self.online(ec2_endpoint=self.aws.url, ssm_endpoint=url,
                                 enrich={"role_arn": "arn:aws:iam::{account_id}:role/ssm-notifyd-reader"})
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertEqual(lines[4:], [
            f"ec2          OK: DescribeInstances at {self.aws.url}",
            f"ssm          OK: DescribeInstanceInformation at {url}",
            "sts          NOT CHECKED: AssumeRole of arn:aws:iam::{account_id}:role/ssm-notifyd-reader happens "
            "per event's account; a denial is logged once and those events go out without names",
            "credentials  OK: AWS accepted a request signed with them (config file)",
        ])
        # the probe names no instance: SSM's MaxResults floor, no filter
        self.assertEqual(ssm.requests, [("DescribeInstanceInformation", ACCOUNT, REGION)])

    def test_lookup_denied_says_what_it_costs(self):
        proxy = FaultProxy(self.aws.url, self.aws.workdir, "--only", "DescribeInstances", "--rate", "denied=1")
        self.addCleanup(proxy.stop)
        ssm = SsmResponder({self.aws.key_id: (self.aws.secret, None, ACCOUNT)})
        url = ssm.start()
        self.addCleanup(ssm.stop)
        res, lines = self.online(ec2_endpoint=proxy.url, ssm_endpoint=url, enrich={"instance_names": "on"})
        self.assertEqual(res.returncode, 69, res.stdout + res.stderr)
        self.assertRegex(lines[4], r"^ec2 +FAILED: DescribeInstances at %s: HTTP 403 Forbidden: AccessDenied: "
                                   r".+ \(fatal\)$" % re.escape(proxy.url))
        self.assertEqual(lines[5], "             without it (ec2:DescribeInstances) notifications show i-… targets "
                                   "without their Name tag")
        self.assertEqual(lines[6], f"ssm          OK: DescribeInstanceInformation at {url}")
        # denied after authentication: the credentials themselves are fine
        self.assertEqual(lines[7], "credentials  OK: AWS accepted a request signed with them (config file)")


    def test_session_checks_accepted(self):
        ssm = SsmResponder({self.aws.key_id: (self.aws.secret, None, ACCOUNT)})
        url = ssm.start()
        self.addCleanup(ssm.stop)
        res, lines = self.online(ssm_endpoint=url, sessions={"track": "on", "check_interval": "300"})
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertEqual(lines[4:], [
            f"ssm          OK: DescribeSessions at {url}",
            "credentials  OK: AWS accepted a request signed with them (config file)",
        ])
        self.assertEqual(ssm.requests, [("DescribeSessions", ACCOUNT, REGION)])

    def test_session_checks_denied_says_what_it_costs(self):
        ssm = SsmResponder({self.aws.key_id: (self.aws.secret, None, ACCOUNT)})
        url = ssm.start()
        self.addCleanup(ssm.stop)
        proxy = FaultProxy(url, self.aws.workdir, "--only", "DescribeSessions", "--rate", "denied=1")
        self.addCleanup(proxy.stop)
        res, lines = self.online(ssm_endpoint=proxy.url, sessions={"track": "on"})
        self.assertEqual(res.returncode, 69, res.stdout + res.stderr)
        self.assertRegex(lines[4], r"^ssm +FAILED: DescribeSessions at %s: HTTP 403 Forbidden: AccessDeniedException: "
                                   r".+ \(fatal\)$" % re.escape(proxy.url))
        self.assertEqual(lines[5], "             without it (ssm:DescribeSessions) sessions that end without "
                                   "TerminateSession are not noticed")
        self.assertEqual(lines[6], "credentials  OK: AWS accepted a request signed with them (config file)")

    def test_session_checks_off_are_not_probed(self):
        ssm = SsmResponder({self.aws.key_id: (self.aws.secret, None, ACCOUNT)})
        url = ssm.start()
        self.addCleanup(ssm.stop)
        for sessions in ({"track": "on", "check_interval": "0"}, {"track": "off", "check_interval": "300"}):
            with self.subTest(**sessions):
                res, lines = self.online(ssm_endpoint=url, sessions=sessions)
                self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
                self.assertNotIn("DescribeSessions", res.stdout)
        self.assertEqual(ssm.requests, [])


if __name__ == "__main__":
    awsenv.main()
