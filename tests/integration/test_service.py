"""ssm-notifyd as a systemd service: the sd_notify protocol and journald.

A datagram socket stands in for systemd's NOTIFY_SOCKET. For journald, the
daemon runs in a private mount namespace (unshare) where a socket of the test
is mounted at /run/systemd/journal/socket, and JOURNAL_STREAM names its
stderr, exactly as systemd would set it; the test parses journald's native
protocol datagrams.
"""
import json
import os
import pty
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import awsenv  # noqa: E402
from awsenv import Daemon, Datagrams, MotoEnv, eventbridge_envelope, record, wait_until  # noqa: E402

BINARY = os.environ["SSMN_BINARY"]

# common/log.h and log_entry.h
MSGID_STARTED = "aa0bb447dbbb4ef1b97479f038cb1e38"
MSGID_PUBLISHED = "7fa207e32b3a4f5c8169cb3320119b3a"
MSGID_CONFIG_ERROR = "abac79a1f673420e8cf68cbfc86c0335"
MSGID_FILTERED = "5a943ffdb66e48678638f5bd7c7dea63"
MARK = "\u2026[truncated]"
FORGED = "x\n<0>FORGED by the queue writer "
HOSTILE_EVENT_ID = "0bad0bad-0000-4000-8000-000000000000"



def notify_fields(datagram):
    return dict(line.split("=", 1) for line in datagram.decode().split("\n") if "=" in line)


def journal_fields(datagram):
    """Parses journald's native protocol: KEY=value lines, or KEY\\n<le64 size>value\\n."""
    fields, i = {}, 0
    while i < len(datagram):
        nl = datagram.index(b"\n", i)
        line = datagram[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            i = nl + 1
        else:
            k = line
            (size,) = struct.unpack("<Q", datagram[nl + 1:nl + 9])
            v = datagram[nl + 9:nl + 9 + size]
            i = nl + 9 + size + 1
        fields[k.decode()] = v.decode()
    return fields


class ServiceTest(unittest.TestCase):
    def setUp(self):
        self.aws = MotoEnv().start().create_relay_resources()
        self.addCleanup(self.aws.stop)
        self.notify = Datagrams(os.path.join(self.aws.workdir, "notify.sock"))
        self.addCleanup(self.notify.close)

    def notifications(self):
        return [notify_fields(d) for d in self.notify.received()]

    def wait_notify(self, key, value=None, timeout=30):
        def seen():
            return [n for n in self.notifications() if key in n and (value is None or n[key] == value)]
        return wait_until(seen, timeout=timeout, interval=0.05, what=f"{key}={value} on NOTIFY_SOCKET")

    def start(self, config, **env):
        env.setdefault("NOTIFY_SOCKET", self.notify.path)
        return Daemon(BINARY, config, self.aws.workdir, env=env).start()

    def test_ready_status_watchdog_reload_stop(self):
        config = self.aws.write_config(extra={"sqs": {"wait_time_seconds": "20"}})
        # systemd pings are due every WATCHDOG_USEC/2; 2 s here, so within a
        # single 20 s long poll several pings must arrive.
        daemon = self.start(config, WATCHDOG_USEC="2000000")
        self.wait_notify("READY", "1")
        status = self.wait_notify("STATUS")[-1]["STATUS"]
        self.assertIn("published 0", status)

        pings = lambda: [n for n in self.notify.received() if b"WATCHDOG=1" in n]  # noqa: E731
        wait_until(lambda: len(pings()) >= 3, timeout=15, interval=0.05,
                   what="three watchdog pings during one long poll")

        self.aws.send(eventbridge_envelope(record("startsession-iamuser-stratus-1.json")))
        status = wait_until(lambda: [n["STATUS"] for n in self.notifications()
                                     if "published 1" in n.get("STATUS", "")], timeout=60, interval=0.05,
                            what="STATUS to count the publish")
        self.assertIn("failed 0", status[-1])

        # SIGHUP with a broken file: RELOADING=1 + MONOTONIC_USEC, the old config stays, READY=1 again.
        with open(config, "a") as f:
            f.write("[bogus]\n")
        self.notify.clear()
        daemon.proc.send_signal(signal.SIGHUP)
        reloading = self.wait_notify("RELOADING", "1")[0]
        self.assertGreater(int(reloading["MONOTONIC_USEC"]), 0)
        self.wait_notify("READY", "1")
        self.assertIsNone(daemon.proc.poll(), "the daemon must survive an invalid reload")
        wait_until(lambda: "keeping the running one" in daemon.log_text(), timeout=10,
                   what="the rejected reload to be logged")
        self.assertIn("[bogus]", daemon.log_text())

        # SIGTERM in the middle of a 20 s long poll: STOPPING=1 and exit 0 promptly.
        started = time.monotonic()
        self.assertEqual(daemon.stop(timeout=10), 0)
        self.assertLess(time.monotonic() - started, 5)
        # sent before the exit; the draining thread may pick it up just after
        self.wait_notify("STOPPING", "1", timeout=5)

    def test_reload_applies_the_edited_file(self):
        # systemctl reload is SIGHUP: the file the operator edited, re-read in
        # place, decides the next notification.
        config = self.aws.write_config(extra={"notify": {"format": "text", "language": "en"}})
        daemon = self.start(config)
        self.addCleanup(lambda: daemon.proc.poll() is None and daemon.proc.kill())
        self.wait_notify("READY", "1")
        self.aws.send(eventbridge_envelope(record("startsession-iamuser-stratus-1.json")))
        before = self.aws.drain_sink(expected=1, timeout=60)
        self.assertEqual(len(before), 1)
        self.assertIn("StartSession", before[0]["Message"])
        with self.assertRaises(ValueError, msg="format = text publishes plain text"):
            json.loads(before[0]["Message"])

        # the operator edits the same file (same inode, as an editor saving in place or not)
        self.assertEqual(self.aws.write_config(extra={"notify": {"format": "json", "language": "en"}}), config)
        self.notify.clear()
        daemon.proc.send_signal(signal.SIGHUP)
        self.wait_notify("RELOADING", "1")
        self.wait_notify("READY", "1")
        wait_until(lambda: "configuration reloaded" in daemon.log_text(), timeout=10,
                   what="the reload to be logged")
        self.aws.send(eventbridge_envelope(record("terminatesession-iamuser-stratus-1.json"),
                                           event_id="7c1b5a7e-0000-4000-8000-000000000002"))
        after = self.aws.drain_sink(expected=1, timeout=60)
        self.assertEqual(len(after), 1)
        rendered = json.loads(after[0]["Message"])
        self.assertEqual(rendered["event_name"], "TerminateSession")
        self.assertEqual(daemon.stop(timeout=10), 0)

    def test_unedited_example_config_refused(self):
        # The example as installed: exit 78 (the unit's RestartPreventExitStatus=)
        # at once, naming each placeholder with file:line, never READY=1.
        example = os.path.join(os.path.dirname(__file__), "..", "..", "conf", "ssm-notifyd.conf")
        daemon = self.start(os.path.abspath(example))
        self.addCleanup(lambda: daemon.proc.poll() is None and daemon.proc.kill())
        self.assertEqual(daemon.proc.wait(timeout=30), 78)
        daemon.stderr.close()
        log = daemon.log_text()
        self.assertRegex(log, r"ssm-notifyd\.conf:\d+: \[sqs\] queue_url: still the example's placeholder "
                              r"\(account 123456789012\)")
        self.assertRegex(log, r"ssm-notifyd\.conf:\d+: \[sns\] topic_arn: still the example's placeholder "
                              r"\(account 123456789012\)")
        # and one line that says what follows: not started, what to do
        self.assertEqual(log.count("not started: the configuration has errors"), 1, log)
        self.assertFalse(any(n.get("READY") == "1" for n in self.notifications()))

    def test_unread_notify_socket_never_blocks_the_daemon(self):
        # A manager that stops reading: the socket's queue fills with watchdog
        # pings. The daemon must drop what does not fit, say so once, keep
        # relaying and act on SIGTERM at once. Deliberately never read.
        unread = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        unread.bind(os.path.join(self.aws.workdir, "unread.sock"))
        self.addCleanup(unread.close)
        daemon = self.start(self.aws.write_config(extra={"sqs": {"wait_time_seconds": "20"}}),
                            NOTIFY_SOCKET=os.path.join(self.aws.workdir, "unread.sock"), WATCHDOG_USEC="20000")
        self.addCleanup(lambda: daemon.proc.poll() is None and daemon.proc.kill())
        wait_until(lambda: "to NOTIFY_SOCKET (its queue is full)" in daemon.log_text(), timeout=30,
                   what="the full notify socket to be noticed")
        self.aws.send(eventbridge_envelope(record("startsession-iamuser-stratus-1.json")))
        self.assertEqual(len(self.aws.drain_sink(expected=1, timeout=60)), 1, "relaying must go on")
        started = time.monotonic()
        self.assertEqual(daemon.stop(timeout=10), 0)
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(daemon.log_text().count("to NOTIFY_SOCKET"), 1, "said once, not per ping")

    def start_under_journald(self, config, sockdir, err):
        """The daemon with JOURNAL_STREAM naming err, as systemd starts it, in a
        mount namespace where sockdir (a journal socket of the test) is
        /run/systemd/journal; sockdir None: journald's socket is absent."""
        if not shutil.which("unshare"):
            self.fail("unshare (util-linux) is needed to stand in for journald")
        st = os.fstat(err.fileno())
        env = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}",
                   AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:1")
        for var in ("NOTIFY_SOCKET", "WATCHDOG_USEC"):
            env.pop(var, None)
        script = 'mount -t tmpfs tmpfs /run && exec "$@"'
        if sockdir:
            script = ('mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/journal && '
                      'mount --bind "$0" /run/systemd/journal && exec "$@"')
        return subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                                 sockdir or "-", BINARY, "-c", config], env=env, stderr=err,
                                stdout=subprocess.DEVNULL)

    def journal(self):
        sockdir = os.path.join(self.aws.workdir, "journal")
        os.mkdir(sockdir)
        journal = Datagrams(os.path.join(sockdir, "socket"))
        self.addCleanup(journal.close)
        return sockdir, journal

    def send_hostile_and_real(self):
        """A queue writer's event whose eventSource tries to forge a priority-0
        journal line and whose other values are far over any field limit, then
        a real event."""
        hostile = record("startsession-iamuser-stratus-1.json")
        hostile["eventID"] = HOSTILE_EVENT_ID
        # each value far over the 16 KiB that used to empty the entry; the body
        # under SQS's 256 KiB, so the event is parsed
        hostile["eventSource"] = FORGED + "y" * 60000
        hostile["userIdentity"]["userName"] = "u" * 60000
        hostile["requestParameters"]["target"] = "t\n<1>" + "i" * 60000
        self.aws.send(eventbridge_envelope(hostile, event_id="7c1b5a7e-0000-4000-8000-00000000000f"))
        self.aws.send(eventbridge_envelope(record("startsession-iamuser-stratus-1.json")))

    def test_journal_hostile_values(self):
        sockdir, journal = self.journal()
        self.send_hostile_and_real()
        config = self.aws.write_config()
        stderr_path = os.path.join(self.aws.workdir, "stderr")
        with open(stderr_path, "w") as err:
            proc = self.start_under_journald(config, sockdir, err)
            try:
                entries = lambda: [journal_fields(d) for d in journal.received()]  # noqa: E731
                wait_until(lambda: [e for e in entries() if e.get("SNS_MESSAGE_ID")], timeout=60,
                           what="a journal entry for the real event's publish")
                filtered = wait_until(lambda: [e for e in entries() if e.get("MESSAGE_ID") == MSGID_FILTERED],
                                      timeout=60, what="the hostile event's entry")[0]
            finally:
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(timeout=30), 0)
        # the entry is there, with its priority, MESSAGE_ID and fields, each escaped and cut
        self.assertEqual(filtered["PRIORITY"], "6")
        self.assertIn("from x\\x0a<0>FORGED by the queue writer yyy", filtered["MESSAGE"])
        self.assertTrue(filtered["MESSAGE"].endswith(MARK), filtered["MESSAGE"][-40:])
        self.assertLess(len(filtered["MESSAGE"].encode()), 8 * 1024)
        self.assertTrue(filtered["ACTOR"].startswith("uuuu") and filtered["ACTOR"].endswith(MARK))
        self.assertTrue(filtered["TARGET"].startswith("t\\x0a<1>iii") and filtered["TARGET"].endswith(MARK))
        self.assertEqual(filtered["EVENT_ID"], HOSTILE_EVENT_ID)
        for e in (journal_fields(d) for d in journal.settle()):
            for k, v in e.items():
                self.assertFalse(any(ord(c) < 0x20 for c in v), f"control character in {k}")
        with open(stderr_path) as f:
            self.assertEqual(f.read(), "", "under journald nothing should fall back to the stream")

    def test_journal_socket_absent_falls_back_escaped(self):
        # JOURNAL_STREAM says journal, but journald's socket is not there
        # (sd_journal_sendv() would report success and drop the entry): every
        # entry goes to the stream, one escaped line each, MESSAGE_ID in the text.
        self.check_fallback(None)

    def test_journal_socket_dead_falls_back_escaped(self):
        # journald's socket is there but nobody listens (sd_journal_sendv() fails)
        sockdir = os.path.join(self.aws.workdir, "journal")
        os.mkdir(sockdir)
        stale = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        stale.bind(os.path.join(sockdir, "socket"))
        stale.close()
        self.check_fallback(sockdir)

    def check_fallback(self, sockdir):
        self.send_hostile_and_real()
        config = self.aws.write_config()
        stderr_path = os.path.join(self.aws.workdir, "stderr")

        def lines():
            with open(stderr_path, encoding="utf-8", errors="replace") as f:
                return f.read().splitlines()
        with open(stderr_path, "w") as err:
            proc = self.start_under_journald(config, sockdir, err)
            try:
                wait_until(lambda: [ln for ln in lines() if "MESSAGE_ID=" + MSGID_PUBLISHED in ln], timeout=60,
                           what="the real event's publish on the stream")
                wait_until(lambda: [ln for ln in lines() if "MESSAGE_ID=" + MSGID_FILTERED in ln], timeout=60,
                           what="the hostile event's line on the stream")
            finally:
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(timeout=30), 0)
        for ln in lines():
            # journald reads "<N>" at the start of each line: only ours, never the event's
            self.assertRegex(ln, r"^<[3-7]>")
            self.assertNotIn("FORGED", ln.split(" ", 1)[0])
            # under journald's LineMax= (48 KiB), so no line is split into a new entry
            self.assertLess(len(ln.encode()), 24 * 1024)
        hostile = [ln for ln in lines() if "MESSAGE_ID=" + MSGID_FILTERED in ln]
        self.assertEqual(len(hostile), 1)
        self.assertTrue(hostile[0].startswith("<6>"))
        self.assertIn("from x\\x0a<0>FORGED by the queue writer", hostile[0])
        self.assertIn(" ACTOR=uuu", hostile[0])

    def test_config_errors_are_journal_entries(self):
        sockdir, journal = self.journal()
        bad = os.path.join(self.aws.workdir, "bad.conf")
        with open(self.aws.write_config()) as f:
            good = f.read()
        with open(bad, "w") as f:
            f.write(good + "[notify]\nloudness = 11\n[bogus]\n")
        os.chmod(bad, 0o600)
        entries = lambda: [journal_fields(d) for d in journal.received()]  # noqa: E731
        with open(os.path.join(self.aws.workdir, "stderr"), "w") as err:
            proc = self.start_under_journald(bad, sockdir, err)
            self.assertEqual(proc.wait(timeout=30), 78)
        errors = [e for e in (journal_fields(d) for d in journal.settle()) if e.get("MESSAGE_ID") == MSGID_CONFIG_ERROR]
        lines = [e["MESSAGE"] for e in errors if e["MESSAGE"].startswith(bad + ":")]
        # each error its own entry, at LOG_ERR, in the file:line: form --check-config prints,
        # then one that says the daemon did not start
        self.assertEqual(len(lines), 2, errors)
        self.assertEqual(len([e for e in errors if e["MESSAGE"].startswith("not started:")]), 1, errors)
        self.assertTrue(all(e["PRIORITY"] == "3" for e in errors))
        self.assertTrue(any(re.match(re.escape(bad) + r":\d+: \[notify\] loudness: unknown key", m) for m in lines),
                        lines)
        self.assertTrue(any(re.match(re.escape(bad) + r":\d+: \[bogus\]", m) for m in lines), lines)

        # and on SIGHUP, while the daemon keeps running
        config = self.aws.write_config()
        journal.clear()
        with open(os.path.join(self.aws.workdir, "stderr2"), "w") as err:
            proc = self.start_under_journald(config, sockdir, err)
            try:
                wait_until(lambda: [e for e in entries() if e.get("MESSAGE_ID") == MSGID_STARTED], timeout=60,
                           what="the daemon to start")
                with open(config, "a") as f:
                    f.write("[bogus]\n")
                proc.send_signal(signal.SIGHUP)
                reload_errors = wait_until(
                    lambda: [e for e in entries() if e.get("MESSAGE_ID") == MSGID_CONFIG_ERROR
                             and e["MESSAGE"].startswith(config + ":")],
                    timeout=30, what="the reload's error as an entry of its own")
                self.assertEqual(reload_errors[0]["PRIORITY"], "3")
                self.assertIn("[bogus]", reload_errors[0]["MESSAGE"])
            finally:
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(timeout=30), 0)

    def test_terminal_lines_are_plain(self):
        # stderr a terminal (not journald): no "<N>", no fields appended.
        master, slave = pty.openpty()
        out = []

        def drain():
            while True:
                try:
                    d = os.read(master, 65536)
                except OSError:
                    return  # EIO: the last writer closed the terminal
                if not d:
                    return
                out.append(d)
        reader = threading.Thread(target=drain, daemon=True)
        text = lambda: b"".join(out).decode(errors="replace")  # noqa: E731
        env = dict(os.environ, AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:1")
        for var in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "JOURNAL_STREAM"):
            env.pop(var, None)
        proc = subprocess.Popen([BINARY, "-c", self.aws.write_config()], env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        reader.start()
        try:
            wait_until(lambda: "relaying" in text(), timeout=60, what="the start line on the terminal")
        finally:
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=30), 0)
            reader.join(timeout=10)
            os.close(master)
        started = [ln for ln in text().splitlines() if "relaying" in ln]
        self.assertEqual(len(started), 1, text())
        self.assertTrue(started[0].startswith("ssm-notifyd "), started[0])
        self.assertNotIn("SQS_QUEUE_URL=", text())
        self.assertNotIn("SNS_TOPIC_ARN=", text())
        self.assertFalse(re.search(r"(^|\n)<\d>", text()), text())

    def test_journal_fields(self):
        sockdir, journal = self.journal()
        self.aws.send(eventbridge_envelope(record("startsession-iamuser-stratus-1.json")))
        config = self.aws.write_config()
        stderr_path = os.path.join(self.aws.workdir, "stderr")
        with open(stderr_path, "w") as err:
            proc = self.start_under_journald(config, sockdir, err)
            try:
                entries = lambda: [journal_fields(d) for d in journal.received()]  # noqa: E731
                published = wait_until(lambda: [e for e in entries() if e.get("SNS_MESSAGE_ID")], timeout=60,
                                       interval=0.05, what="a journal entry for the publish")[0]
            finally:
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(timeout=30), 0)
        all_entries = [journal_fields(d) for d in journal.settle()]
        self.assertEqual(published["MESSAGE_ID"], "7fa207e32b3a4f5c8169cb3320119b3a")
        self.assertEqual(published["PRIORITY"], "6")
        self.assertEqual(published["EVENT_NAME"], "StartSession")
        self.assertEqual(published["ACTOR"], "christophe")
        self.assertEqual(published["TARGET"], "i-d3720C7af6fCfF2B2")
        self.assertEqual(published["EVENT_ID"], "32e8a07f-4751-4081-882e-958a25231c56")
        self.assertTrue(published["SQS_MESSAGE_ID"])
        started = [e for e in all_entries if e.get("MESSAGE_ID") == "aa0bb447dbbb4ef1b97479f038cb1e38"]
        self.assertEqual(len(started), 1)
        with open(stderr_path) as f:
            self.assertEqual(f.read(), "", "under journald nothing should go to the stream")
        for e in all_entries:
            self.assertNotIn(self.aws.secret, json.dumps(e))


if __name__ == "__main__":
    awsenv.main()
