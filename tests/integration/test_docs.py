"""The man pages format without warnings and document every key; the example
configuration shows every key. The key list is written here by hand from
DESIGN.md ("Configuration"), so a key added to the parser without its
documentation, or documented without existing, fails a test."""
import pathlib
import re
import shutil
import subprocess
import unittest

CONF = pathlib.Path(__file__).resolve().parents[2] / "conf"

KEYS = {
    "aws": ["region", "access_key_id", "secret_access_key", "session_token", "sqs_endpoint",
            "sns_endpoint"],
    "sqs": ["queue_url", "wait_time_seconds", "max_messages", "visibility_timeout",
            "max_receive_count"],
    "sns": ["topic_arn"],
    "notify": ["format", "language", "timezone", "events", "subject", "unrecognized"],
    "accounts": [],
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
        text = (CONF / "ssm-notifyd.8").read_text()
        block = text.split(".SH EXIT STATUS", 1)[1].split("\n.SH ", 1)[0]
        self.assertEqual(re.findall(r"(?m)^\.TP\n\.B (\d+)$", block), ["0", "1", "2", "65", "69", "78"])


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
