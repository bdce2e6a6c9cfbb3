#!/usr/bin/env python3
"""The credentials provider (common/credentials.c, common/imds.c) against imds_server.py.

tests/tools/creds_probe (path in $SSMN_CREDS_PROBE) holds one provider and
answers "get EPOCH" / "invalidate" lines; times are fake, derived from the
Expiration in the served body. Expected values come from the data files,
read here with Python's own json and calendar modules. Synchronisation is by
the server's request counters, never by sleeping.
"""
import calendar
import errno
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(os.environ.get("SSMN_TEST_DATA", os.path.join(HERE, "..", "data")), "imds")
PROBE = os.environ.get("SSMN_CREDS_PROBE")

TOKEN = "PUT /latest/api/token"
ROLES = "GET /latest/meta-data/iam/security-credentials/"
# The credentials path needs the role name, read from the data file below.

# Wall-clock bound on a failed fetch against a stalled service: the provider
# promises connect 1 s, total 2 s per request; leave room for a slow machine.
STALL_BOUND_SECONDS = 3.5


def iso_to_epoch(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def sha16(s):
    return hashlib.sha256(s.encode()).hexdigest()[:16]


with open(os.path.join(DATA, "imds-security-credentials-aemm.json")) as f:
    DOC = json.load(f)
with open(os.path.join(DATA, "imds-security-credentials-rolename-aemm.txt")) as f:
    ROLE = f.read().splitlines()[0]
CREDS = "GET /latest/meta-data/iam/security-credentials/" + ROLE
EXPIRATION = iso_to_epoch(DOC["Expiration"])


def clean_env(**extra):
    """The test's environment without AWS credentials or proxies, plus extra."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env.update(extra)
    return env


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Probe:
    def __init__(self, endpoint, env=None):
        self.proc = subprocess.Popen([PROBE, endpoint], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=env if env is not None else clean_env(), text=True, bufsize=1)

    def ask(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:
            raise AssertionError("creds_probe exited (status %s) on %r" % (self.proc.wait(), line))
        return answer.rstrip("\n")

    def invalidate(self):
        answer = self.ask("invalidate")
        if answer != "ok":
            raise AssertionError("creds_probe said %r to invalidate" % answer)

    def close(self):
        self.proc.stdin.close()
        rc = self.proc.wait(timeout=30)
        self.proc.stdout.close()
        return rc


def parse_ok(line):
    """'ok source=instance profile (r) akid=... secret_sha256=... ...' -> dict."""
    assert line.startswith("ok source="), line
    source, _, rest = line[len("ok source="):].partition(" akid=")
    fields = {"source": source}
    fields["akid"], _, rest = rest.partition(" ")
    for kv in rest.split(" "):
        k, _, v = kv.partition("=")
        fields[k] = v
    return fields


class ImdsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not PROBE:
            raise RuntimeError("SSMN_CREDS_PROBE is not set: run through ctest")
        cls.server = subprocess.Popen([sys.executable, os.path.join(HERE, "imds_server.py"), "--data", DATA],
                                      stdout=subprocess.PIPE, text=True)
        cls.port = int(cls.server.stdout.readline())
        cls.endpoint = "http://127.0.0.1:%d" % cls.port

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait(timeout=30)
        cls.server.stdout.close()

    def control(self, action, **kw):
        kw["action"] = action
        req = urllib.request.Request(self.endpoint + "/_control", data=json.dumps(kw).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with self.opener.open(req, timeout=10) as r:
            return json.load(r)

    def stats(self):
        with self.opener.open(self.endpoint + "/_control", timeout=10) as r:
            return json.load(r)

    def counts(self):
        return self.stats()["counts"]

    def setUp(self):
        # urllib must not go through a proxy to reach 127.0.0.1 either.
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.control("reset")
        self.probe = Probe(self.endpoint)

    def tearDown(self):
        self.control("unstall")
        self.assertEqual(self.probe.close(), 0)

    def get_ok(self, now):
        line = self.probe.ask("get %d" % now)
        self.assertTrue(line.startswith("ok "), line)
        return parse_ok(line)

    def get_err(self, now):
        line = self.probe.ask("get %d" % now)
        self.assertTrue(line.startswith("err errno="), line)
        code, _, detail = line[len("err errno="):].partition(" detail=")
        return int(code), detail

    def assert_served(self, got, doc):
        self.assertEqual(got["source"], "instance profile (%s)" % ROLE)
        self.assertEqual(got["akid"], doc["AccessKeyId"])
        self.assertEqual(got["secret_sha256"], sha16(doc["SecretAccessKey"]))
        self.assertEqual(got["token_sha256"], sha16(doc["Token"]))
        self.assertEqual(int(got["expiration"]), iso_to_epoch(doc["Expiration"]))

    # --- the double itself -------------------------------------------------

    def test_server_refuses_imdsv1(self):
        for path in ("/latest/meta-data/iam/security-credentials/", "/latest/meta-data/iam/security-credentials/" + ROLE):
            with self.assertRaises(urllib.error.HTTPError) as cm:
                self.opener.open(self.endpoint + path, timeout=10)
            self.assertEqual(cm.exception.code, 401)
        self.assertEqual(self.stats()["rejected_without_token"], 2)

    # --- the provider --------------------------------------------------------

    def test_fresh_fetch(self):
        got = self.get_ok(EXPIRATION - 3600)
        self.assert_served(got, DOC)
        st = self.stats()
        self.assertEqual(st["counts"], {TOKEN: 1, ROLES: 1, CREDS: 1})
        self.assertEqual(st["token_ttls"], ["21600"])
        # IMDSv2 only: never a GET without the token
        self.assertEqual(st["rejected_without_token"], 0)
        self.assertEqual(st["rejected_bad_token"], 0)

    def test_cached_far_from_expiry(self):
        self.get_ok(EXPIRATION - 3600)
        before = self.counts()
        for now in (EXPIRATION - 3000, EXPIRATION - 15 * 60 - 1):
            self.assert_served(self.get_ok(now), DOC)
        self.assertEqual(self.counts(), before)

    def test_refetch_within_15_minutes(self):
        self.get_ok(EXPIRATION - 3600)
        # IMDS rotated: new key, a later expiration
        rotated = dict(DOC, AccessKeyId="ASIAROTATED000000001", SecretAccessKey="rotated/secret",
                       Token="rotated-token", Expiration="2020-04-02T06:49:51Z")
        self.control("set_credentials", fields=rotated)
        self.assert_served(self.get_ok(EXPIRATION - 15 * 60 - 1), DOC)
        self.assertEqual(self.counts()[CREDS], 1)
        self.assert_served(self.get_ok(EXPIRATION - 15 * 60), rotated)
        c = self.counts()
        self.assertEqual(c[CREDS], 2)
        self.assertEqual(c[TOKEN], 1)  # the token is still good: reused
        # far from the new expiration: cached again
        self.assert_served(self.get_ok(EXPIRATION + 3600), rotated)
        self.assertEqual(self.counts()[CREDS], 2)

    def test_expiring_credentials_not_replaced_yet(self):
        # IMDS keeps serving the expiring credentials for a while: ask again at
        # most once a minute (CREDENTIALS_RETRY_INTERVAL), not on every get.
        self.get_ok(EXPIRATION - 3600)
        self.get_ok(EXPIRATION - 900)
        self.assertEqual(self.counts()[CREDS], 2)
        self.assert_served(self.get_ok(EXPIRATION - 900 + 59), DOC)
        self.assertEqual(self.counts()[CREDS], 2)
        self.get_ok(EXPIRATION - 900 + 60)
        self.assertEqual(self.counts()[CREDS], 3)

    def test_token_401_renewed_once(self):
        self.get_ok(EXPIRATION - 3600)
        self.control("expire_tokens")
        self.probe.invalidate()
        self.assert_served(self.get_ok(EXPIRATION - 3600), DOC)
        st = self.stats()
        self.assertEqual(st["counts"][TOKEN], 2)
        self.assertEqual(st["counts"][ROLES], 3)  # first, refused, retried
        self.assertEqual(st["counts"][CREDS], 2)
        self.assertEqual(st["rejected_bad_token"], 1)

    def test_token_refused_twice_gives_up(self):
        self.control("refuse_tokens", on=True)
        code, detail = self.get_err(EXPIRATION - 3600)
        self.assertEqual(code, errno.EACCES)
        self.assertIn("answered HTTP 401 to GET /latest/meta-data/iam/security-credentials/", detail)
        c = self.counts()
        self.assertEqual(c[TOKEN], 2)  # one renewal, no loop
        self.assertEqual(c[ROLES], 2)

    def test_token_renewed_before_ttl(self):
        t0 = EXPIRATION - 7 * 3600
        self.get_ok(t0)
        self.probe.invalidate()
        self.get_ok(t0 + 21600 - 300 - 1)
        self.assertEqual(self.counts()[TOKEN], 1)
        self.probe.invalidate()
        self.get_ok(t0 + 21600 - 300)
        st = self.stats()
        self.assertEqual(st["counts"][TOKEN], 2)
        self.assertEqual(st["rejected_bad_token"], 0)  # renewed before IMDS had to refuse it

    def test_rotation_after_invalidate(self):
        now = EXPIRATION - 3600
        self.assert_served(self.get_ok(now), DOC)
        rotated = dict(DOC, AccessKeyId="ASIAROTATED000000002", SecretAccessKey="rotated/secret/2",
                       Token="rotated-token-2")
        self.control("set_credentials", fields=rotated)
        self.assert_served(self.get_ok(now + 1), DOC)  # cached: the provider cannot know yet
        self.assertEqual(self.counts()[CREDS], 1)
        self.probe.invalidate()  # what the daemon does after ExpiredToken
        self.assert_served(self.get_ok(now + 2), rotated)
        self.assertEqual(self.counts()[CREDS], 2)

    def test_stall_fails_fast(self):
        self.control("stall")
        start = time.monotonic()
        code, detail = self.get_err(EXPIRATION - 3600)
        elapsed = time.monotonic() - start
        self.assertEqual(code, errno.ETIMEDOUT)
        self.assertLess(elapsed, STALL_BOUND_SECONDS)
        self.assertEqual(detail, "not in the config file, not in the environment, and the "
                                 "instance metadata service at %s did not answer (timeout)" % self.endpoint)
        st = self.stats()
        self.assertEqual(st["stalled"], 1)  # it reached the server and was held there
        self.assertEqual(st["counts"], {TOKEN: 1})

    def test_stall_keeps_valid_credentials(self):
        self.get_ok(EXPIRATION - 3600)
        self.control("stall")
        # refresh due but IMDS silent: the cached ones are still valid
        self.assert_served(self.get_ok(EXPIRATION - 600), DOC)
        self.assertEqual(self.stats()["stalled"], 1)
        # no second try within the retry interval
        self.assert_served(self.get_ok(EXPIRATION - 600 + 30), DOC)
        self.assertEqual(self.stats()["stalled"], 1)
        # expired and still silent: an error, not expired credentials
        code, detail = self.get_err(EXPIRATION)
        self.assertEqual(code, errno.ETIMEDOUT)
        self.assertIn("did not answer (timeout)", detail)
        self.assertEqual(self.stats()["stalled"], 2)
        for secret in (DOC["SecretAccessKey"], DOC["Token"]):
            self.assertNotIn(secret, detail)

    def test_no_role(self):
        self.control("no_role")
        code, detail = self.get_err(EXPIRATION - 3600)
        self.assertEqual(code, errno.ENOENT)
        self.assertIn("has no IAM role", detail)

    def test_code_not_success(self):
        self.control("set_credentials", fields={"Code": "AssumeRoleUnauthorizedAccess"})
        code, detail = self.get_err(EXPIRATION - 3600)
        self.assertEqual(code, errno.EACCES)
        self.assertIn('reported Code "AssumeRoleUnauthorizedAccess"', detail)
        for secret in (DOC["SecretAccessKey"], DOC["Token"]):
            self.assertNotIn(secret, detail)

    def test_refused(self):
        port = closed_port()
        probe = Probe("http://127.0.0.1:%d" % port)
        try:
            line = probe.ask("get %d" % (EXPIRATION - 3600))
        finally:
            self.assertEqual(probe.close(), 0)
        self.assertEqual(line, "err errno=%d detail=not in the config file, not in the "
                               "environment, and the instance metadata service at http://127.0.0.1:%d refused "
                               "the connection" % (errno.ECONNREFUSED, port))

    def test_name_that_does_not_resolve(self):
        # RFC 6761: .invalid resolves nowhere
        probe = Probe("http://imds.ssm-notifyd-test.invalid")
        try:
            line = probe.ask("get %d" % (EXPIRATION - 3600))
        finally:
            self.assertEqual(probe.close(), 0)
        self.assertEqual(line, "err errno=%d detail=not in the config file, not in the environment, and the "
                               "instance metadata service at http://imds.ssm-notifyd-test.invalid could not be "
                               "reached (cannot resolve imds.ssm-notifyd-test.invalid)" % errno.EHOSTUNREACH)

    def test_proxy_variables_bypassed(self):
        dead_proxy = "http://127.0.0.1:%d" % closed_port()
        probe = Probe(self.endpoint, clean_env(http_proxy=dead_proxy, HTTP_PROXY=dead_proxy, all_proxy=dead_proxy))
        try:
            line = probe.ask("get %d" % (EXPIRATION - 3600))
        finally:
            self.assertEqual(probe.close(), 0)
        self.assert_served(parse_ok(line), DOC)

    def test_environment_beats_imds(self):
        probe = Probe(self.endpoint, clean_env(AWS_ACCESS_KEY_ID="AKIDENV", AWS_SECRET_ACCESS_KEY="envsecret"))
        try:
            got = parse_ok(probe.ask("get %d" % (EXPIRATION - 3600)))
        finally:
            self.assertEqual(probe.close(), 0)
        self.assertEqual(got["source"], "environment")
        self.assertEqual(got["akid"], "AKIDENV")
        self.assertEqual(got["secret_sha256"], sha16("envsecret"))
        self.assertEqual(got["token_sha256"], "-")
        self.assertEqual(got["expiration"], "0")
        self.assertEqual(self.counts(), {})


if __name__ == "__main__":
    unittest.main(verbosity=2)
