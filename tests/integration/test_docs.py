"""The man pages format without warnings and document every key; the example
configuration shows every key. The key list is written here by hand from
DESIGN.md ("Configuration") and checked against the parser's table, so a key
added to the parser without its documentation, or documented without
existing, fails a test.

What README.md and the man pages claim about the program and a test can
check is checked against the program itself: the --render --format json
fields, the exit codes, the journal's MESSAGE_IDs and fields, the retry
policy's numbers, the quick start's output.

Environment: SSMN_BINARY (the daemon), SSMN_TEST_DATA (tests/data)."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONF = ROOT / "conf"
README = (ROOT / "README.md").read_text()
BINARY = os.environ.get("SSMN_BINARY")
EVENTS = pathlib.Path(os.environ.get("SSMN_TEST_DATA", ROOT / "tests" / "data")) / "events"
sys.path.insert(0, str(ROOT / "tests" / "tools"))
sys.path.insert(0, str(ROOT / "tests" / "integration"))


def man_text(page):
    """The page as a reader sees it, one paragraph per line (no fill, no hyphenation)."""
    res = subprocess.run(["groff", "-man", "-Tutf8", "-P-cbou", "-rLL=1000n", "-rHY=0", str(CONF / page)],
                         capture_output=True, text=True, timeout=60, check=True)
    return re.sub(r"[ \t]+", " ", res.stdout)


def one_line(text):
    return re.sub(r"\s+", " ", text)


def c_defines(path):
    return dict(re.findall(r"(?m)^#define (\w+) +(.+?)\s*(?:/\*.*)?$", (ROOT / path).read_text()))

KEYS = {
    "aws": ["region", "access_key_id", "secret_access_key", "session_token", "sqs_endpoint",
            "sns_endpoint", "ec2_endpoint", "ssm_endpoint", "sts_endpoint"],
    "sqs": ["queue_url", "wait_time_seconds", "max_messages", "visibility_timeout",
            "max_receive_count"],
    "sns": ["topic_arn"],
    "notify": ["format", "language", "timezone", "events", "subject", "unrecognized", "burst_limit",
               "burst_window"],
    "accounts": [],
    "enrich": ["instance_names", "tags", "role_arn", "external_id", "cache_seconds"],
    "sessions": ["track", "check_interval", "long_session_alert"],
    "log": ["level"],
}


class ManPages(unittest.TestCase):
    @unittest.skipUnless(shutil.which("groff"), "groff is not installed")
    def test_format_without_warnings(self):
        for page in ("ssm-notifyd.8", "ssm-notifyd.conf.5"):
            with self.subTest(page=page):
                res = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", str(CONF / page)],
                                     capture_output=True, text=True, timeout=60)
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertEqual(res.stderr, "")

    def test_every_key_in_section_5(self):
        text = (CONF / "ssm-notifyd.conf.5").read_text()
        for section, keys in KEYS.items():
            self.assertIn('.SH "[%s] SECTION"' % section, text)
            body = text.split('.SH "[%s] SECTION"' % section, 1)[1].split("\n.SH ", 1)[0]
            for key in keys:
                with self.subTest(key=key):
                    self.assertRegex(body, r"(?m)^\.(B|TQ\n\.B) %s$" % re.escape(key))

    def test_exit_codes_in_section_8(self):
        """Every exit code a command returns (daemon/*.c, the values of cli.h) is in the page, and
        only those."""
        values = {"EXIT_SUCCESS": 0, "EXIT_FAILURE": 1}
        values.update({k: int(v) for k, v in
                       re.findall(r"(?m)^\s+(EXIT_\w+) = (\d+),", (ROOT / "daemon" / "cli.h").read_text())})
        used = set()
        for src in (ROOT / "daemon").glob("*.c"):
            used |= set(re.findall(r"\b(EXIT_[A-Z_]+)\b", src.read_text()))
        self.assertLessEqual(used, set(values), "an exit code the test does not know")
        text = (CONF / "ssm-notifyd.8").read_text()
        block = text.split(".SH EXIT STATUS", 1)[1].split("\n.SH ", 1)[0]
        documented = [int(c) for c in re.findall(r"(?m)^\.TP\n\.B (\d+)$", block)]
        self.assertEqual(documented, sorted({values[name] for name in used}))

    @unittest.skipUnless(shutil.which("groff"), "groff is not installed")
    def test_json_fields_are_the_output_fields(self):
        """The page's --format json field list is the full list, in the order the program prints it."""
        self.assertTrue(BINARY, "SSMN_BINARY is not set")
        text = one_line(man_text("ssm-notifyd.8"))
        listed = re.search(r"json prints one object with the fields (.+?), in that order; an unknown value is null",
                           text)
        self.assertIsNotNone(listed, "the --format json field list is missing")
        fields = re.split(r", | and ", listed.group(1))
        for name in ("startsession-iamuser-stratus-1.json", "startsession-assumedrole-sso-panther.json"):
            with self.subTest(event=name):
                res = subprocess.run([BINARY, "--render", "--format", "json", str(EVENTS / name)],
                                     capture_output=True, timeout=60)
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertEqual(fields, list(json.loads(res.stdout)))

    @unittest.skipUnless(shutil.which("groff"), "groff is not installed")
    def test_message_ids_in_section_8(self):
        ids = {v.strip('"') for k, v in c_defines("common/log.h").items() if k.startswith("LOG_MSGID_")}
        text = (CONF / "ssm-notifyd.8").read_text()
        block = text.split(".SH LOGGING", 1)[1].split("\n.SH ", 1)[0]
        self.assertEqual(set(re.findall(r"(?m)^\.TP\n\.B ([0-9a-f]{32})$", block)), ids)


class Parser(unittest.TestCase):
    def test_keys_are_the_parsers(self):
        """KEYS above is the parser's table (common/config_keys.c), so the checks of the docs cover every key."""
        text = (ROOT / "common" / "config_keys.c").read_text()
        table = text.split("\nconst struct key_def config_keys[] = {", 1)[1].split("\n};", 1)[0]
        parsed = {}
        for section, key in re.findall(r'\{ "(\w+)", (?:"(\w+)"|NULL),', table):
            parsed.setdefault(section, [])
            if key:
                parsed[section].append(key)
        self.assertEqual(parsed, KEYS)


class Readme(unittest.TestCase):
    def test_message_ids_and_fields(self):
        defines = c_defines("common/log.h")
        ids = {k: v.strip('"') for k, v in defines.items() if k.startswith("LOG_MSGID_")}
        example = re.search(r"journalctl -u ssm-notifyd MESSAGE_ID=([0-9a-f]{32}) +# every failed publish", README)
        self.assertIsNotNone(example)
        self.assertEqual(example.group(1), ids["LOG_MSGID_PUBLISH_FAILED"])
        text = one_line(README)
        kinds = re.search(r"fixed `MESSAGE_ID`s \(([^:]+): `common/log.h`\)", text)
        self.assertIsNotNone(kinds)
        self.assertEqual(len(re.split(r", ", kinds.group(1))), len(ids))
        # every field the daemon attaches to a journal entry, and only those
        fields = set()
        for src in list((ROOT / "daemon").glob("*.c")) + list((ROOT / "common").glob("*.c")):
            for block in re.findall(r"struct log_field \w+\[\w*\] = \{(.*?)\};", src.read_text(), re.S):
                fields |= set(re.findall(r'\{ *"([A-Z][A-Z0-9_]*)",', block))
        listed = re.search(r"and the fields (`.+?`)\. ", text)
        self.assertIsNotNone(listed)
        self.assertEqual(set(re.findall(r"`([A-Z_]+)`", listed.group(1))), fields)

    def test_retry_policy_in_readme_and_both_pages(self):
        """The backoff numbers the docs state are the ones the daemon uses (common/backoff.h)."""
        d = c_defines("common/backoff.h")
        base = int(d["BACKOFF_RETRY_BASE_MS"]) // 1000
        cap = eval(d["BACKOFF_RETRY_CAP_MS"].replace("(", "").replace(")", "")) // 1000  # "(30 * 1000)"
        windows = []
        while base << len(windows) < cap:
            windows.append(base << len(windows))
        want = (f"waits a random time of up to {', '.join(map(str, windows[:-1]))} and {windows[-1]} seconds, "
                f"then up to {cap} seconds before each further try (exponential backoff with full jitter), "
                "so notifications resume within a minute after AWS is reachable again")
        redelivery = "2, 4, 8… seconds with ChangeMessageVisibility, capped by the visibility timeout"
        texts = {"README.md": one_line(README)}
        if shutil.which("groff"):
            texts.update({page: one_line(man_text(page)) for page in ("ssm-notifyd.8", "ssm-notifyd.conf.5")})
        for name, text in texts.items():
            with self.subTest(doc=name):
                self.assertIn(want, text.replace("-\n", ""))
                self.assertIn(redelivery, text.replace("8...", "8…"))

    def test_quick_start_output(self):
        """The notification the quick start shows is what --render prints for the demo's denied record."""
        self.assertTrue(BINARY, "SSMN_BINARY is not set")
        import demo  # tests/tools/demo.py: the records `make demo` sends
        from awsenv import record
        names = [record(n).get("eventName") for n in demo.SAMPLES] + [demo.denied_attempt()["eventName"]]
        self.assertEqual(sorted(names), sorted(["StartSession", "StartSession", "TerminateSession",
                                                "StartSession", "DescribeInstanceInformation"]))
        self.assertIn("sends five real CloudTrail records (two StartSession, a TerminateSession, a denied "
                      "StartSession", one_line(README))
        sample = README.split("```\nSubject: ", 1)[1].split("```", 1)[0]
        shown = ["Subject: " + line if i == 0 else line for i, line in enumerate(sample.splitlines())
                 if not line.startswith(("Attributes: ", "-----", "..."))]
        res = subprocess.run([BINARY, "--render", "--language", "ja", "--timezone", "Asia/Tokyo", "-"],
                             input=json.dumps(demo.denied_attempt()).encode(), capture_output=True, timeout=60)
        self.assertEqual(res.returncode, 0, res.stderr)
        out = res.stdout.decode().splitlines()
        for line in shown:
            with self.subTest(line=line):
                self.assertIn(line, out)


class Example(unittest.TestCase):
    def test_every_key_and_section(self):
        text = (CONF / "ssm-notifyd.conf").read_text()
        self.assertEqual(re.findall(r"(?m)^\[(\w+)\]$", text), list(KEYS))
        for keys in KEYS.values():
            for key in keys:
                with self.subTest(key=key):
                    self.assertRegex(text, r"(?m)^;?%s =" % re.escape(key))


if __name__ == "__main__":
    unittest.main()
