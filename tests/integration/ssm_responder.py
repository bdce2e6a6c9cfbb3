"""A small SSM for the tests: moto has no SSM inventory or session APIs.

It answers two actions of the SSM API (JSON 1.1, `X-Amz-Target: AmazonSSM.<Action>`)
with the shapes of the API reference, per account and region:

  DescribeInstanceInformation  Filters [{"Key": "InstanceIds", "Values": [...]}]
                               (or InstanceInformationFilterList [{"key": "InstanceIds",
                               "valueSet": [...]}]) -> InstanceInformationList
  DescribeSessions             State Active|History, Filters [{"key": "SessionId", "value": ...}]
                               -> Sessions (SessionId, Target, Status, StartDate, EndDate as epoch
                               seconds, Owner, OutputUrl {S3OutputUrl, CloudWatchOutputUrl})

Every request's SigV4 signature is recomputed with botocore's signer (an
implementation independent of the daemon's) from the request as received and
the secret of its access key; a mismatch answers 403 SignatureDoesNotMatch, an
unknown key 403 UnrecognizedClientException. The key decides the account, the
credential scope the region.

    r = SsmResponder({"AKID": ("secret", None, "210987654321")})
    url = r.start()
    r.add_instance("210987654321", "us-east-1", "mi-0123456789abcdef0", "db-onprem-1")
    ... r.requests -> [("DescribeInstanceInformation", "210987654321", "us-east-1"), ...]
    r.stop()
"""
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

BODY_MAX = 1 << 20
# SSM: MaxResults of DescribeInstanceInformation is 5..50, of DescribeSessions 1..200.
PAGE_MAX = {"DescribeInstanceInformation": 50, "DescribeSessions": 200}
AUTH_RE = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/,]+)/(\d{8})/([^/,]+)/([^/,]+)/aws4_request, "
                     r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$")


class SsmResponder:
    def __init__(self, keys, resolve=None):
        """keys: {access_key_id: (secret_access_key, session_token or None, account_id)};
        resolve(access_key_id): the same triple for a key not in keys (credentials STS
        issued, say), or None."""
        self.keys = dict(keys)
        self.resolve = resolve
        self.lock = threading.Lock()
        self.instances = {}  # (account, region) -> {instance_id: info}
        self.sessions = {}   # (account, region) -> {session_id: session}
        self.requests = []   # (action, account, region) of every request whose signature held
        self.rejected = []   # (code, detail) of every refused request
        self.server = None

    def start(self):
        responder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                responder._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                       daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=5)
            self.server = None

    def add_key(self, access_key_id, secret, session_token, account):
        with self.lock:
            self.keys[access_key_id] = (secret, session_token, account)

    def add_instance(self, account, region, instance_id, computer_name, name=None):
        with self.lock:
            self.instances.setdefault((account, region), {})[instance_id] = {
                "InstanceId": instance_id,
                "PingStatus": "Online",
                "LastPingDateTime": 1700000000.0,
                "AgentVersion": "3.3.40.0",
                "IsLatestVersion": False,
                "PlatformType": "Linux",
                "PlatformName": "Ubuntu",
                "PlatformVersion": "22.04",
                "ActivationId": "2fa1e3f1-0000-4000-8000-000000000001",
                "IamRole": "SSMServiceRole",
                "RegistrationDate": 1690000000.0,
                "ResourceType": "ManagedInstance",
                "Name": name or computer_name.split(".")[0],
                "IPAddress": "192.0.2.10",
                "ComputerName": computer_name,
                "AssociationStatus": "Success",
            }

    def add_session(self, account, region, session_id, target, owner, start, end=None, status="Connected",
                    output_url=None):
        s = {"SessionId": session_id, "Target": target, "Status": status, "StartDate": float(start),
             "DocumentName": "SSM-SessionManagerRunShell", "Owner": owner, "Details": "",
             "OutputUrl": output_url or {"S3OutputUrl": "", "CloudWatchOutputUrl": ""},
             "MaxSessionDuration": "", "AccessType": "Standard"}
        if end is not None:
            s["EndDate"] = float(end)
        with self.lock:
            self.sessions.setdefault((account, region), {})[session_id] = s

    def end_session(self, account, region, session_id, end, status="Terminated"):
        with self.lock:
            s = self.sessions[(account, region)][session_id]
            s["EndDate"] = float(end)
            s["Status"] = status

    def count(self, action=None, account=None):
        with self.lock:
            return sum(1 for a, acc, _ in self.requests
                       if (action is None or a == action) and (account is None or acc == account))

    # The request side.

    def _answer(self, h, status, obj, error_type=None):
        body = json.dumps(obj).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/x-amz-json-1.1")
        h.send_header("Content-Length", str(len(body)))
        h.send_header("x-amzn-RequestId", "ssm-responder-0000")
        if error_type:
            h.send_header("x-amzn-ErrorType", error_type)
        h.end_headers()
        h.wfile.write(body)

    def _error(self, h, status, code, message):
        with self.lock:
            self.rejected.append((code, message))
        self._answer(h, status, {"__type": code, "message": message}, code)

    def _verify(self, h, body):
        """(account, region) when the signature holds, else None with the error sent."""
        m = AUTH_RE.match(h.headers.get("Authorization", ""))
        if not m:
            self._error(h, 403, "MissingAuthenticationTokenException", "Missing or malformed Authorization")
            return None
        key_id, day, region, service, signed, signature = m.groups()
        with self.lock:
            known = self.keys.get(key_id)
        if known is None and self.resolve:
            known = self.resolve(key_id)
            if known is not None:
                with self.lock:
                    self.keys[key_id] = known
        if known is None:
            self._error(h, 403, "UnrecognizedClientException", "The security token included in the request is invalid.")
            return None
        secret, token, account = known
        amz_date = h.headers.get("X-Amz-Date", "")
        if service != "ssm" or not amz_date.startswith(day):
            self._error(h, 403, "SignatureDoesNotMatch", "credential scope does not match the request")
            return None
        if token is not None and h.headers.get("X-Amz-Security-Token") != token:
            self._error(h, 403, "UnrecognizedClientException", "The security token included in the request is invalid.")
            return None
        names = signed.split(";")
        if "host" not in names or "x-amz-date" not in names:
            self._error(h, 403, "SignatureDoesNotMatch", "host and x-amz-date must be signed")
            return None
        headers = {}
        for name in names:
            value = h.headers.get_all(name)
            if value is None:
                self._error(h, 403, "SignatureDoesNotMatch", f"signed header {name} is missing")
                return None
            headers[name] = ",".join(value)
        req = AWSRequest(method="POST", url=f"http://{headers['host']}{h.path}", data=body, headers=headers)
        req.context["timestamp"] = amz_date
        auth = SigV4Auth(Credentials(key_id, secret, token), "ssm", region)
        expected = auth.signature(auth.string_to_sign(req, auth.canonical_request(req)), req)
        if expected != signature:
            self._error(h, 403, "SignatureDoesNotMatch",
                        "The request signature we calculated does not match the signature you provided.")
            return None
        return account, region

    def _handle(self, h):
        length = int(h.headers.get("Content-Length") or 0)
        if length > BODY_MAX:
            self._error(h, 413, "RequestEntityTooLarge", "body too large")
            return
        body = h.rfile.read(length)
        where = self._verify(h, body)
        if where is None:
            return
        account, region = where
        target = h.headers.get("X-Amz-Target", "")
        action = target[len("AmazonSSM."):] if target.startswith("AmazonSSM.") else ""
        if h.headers.get("Content-Type", "").split(";")[0].strip() != "application/x-amz-json-1.1":
            self._error(h, 400, "SerializationException", "expected application/x-amz-json-1.1")
            return
        try:
            params = json.loads(body or b"{}")
            if not isinstance(params, dict):
                raise ValueError("not an object")
        except ValueError:
            self._error(h, 400, "SerializationException", "body is not a JSON object")
            return
        with self.lock:
            self.requests.append((action, account, region))
        if action == "DescribeInstanceInformation":
            self._describe_instance_information(h, account, region, params)
        elif action == "DescribeSessions":
            self._describe_sessions(h, account, region, params)
        else:
            self._error(h, 400, "UnknownOperationException", f"unknown operation {action!r}")

    def _page(self, h, action, items, params, key):
        limit = params.get("MaxResults", PAGE_MAX[action])
        if not isinstance(limit, int) or not 1 <= limit <= PAGE_MAX[action]:
            self._error(h, 400, "ValidationException", f"MaxResults must be 1..{PAGE_MAX[action]}")
            return
        start = int(params.get("NextToken") or 0)
        out = {key: items[start:start + limit]}
        if start + limit < len(items):
            out["NextToken"] = str(start + limit)
        self._answer(h, 200, out)

    def _describe_instance_information(self, h, account, region, params):
        wanted = None
        for f in params.get("Filters") or []:
            if f.get("Key") == "InstanceIds":
                wanted = set(f.get("Values") or [])
            else:
                self._error(h, 400, "InvalidFilterKey", f"filter key {f.get('Key')!r} not supported here")
                return
        for f in params.get("InstanceInformationFilterList") or []:
            if f.get("key") == "InstanceIds":
                wanted = set(f.get("valueSet") or [])
        if wanted is not None and not 1 <= len(wanted) <= 50:
            self._error(h, 400, "InvalidInstanceInformationFilterValue", "InstanceIds takes 1..50 values")
            return
        with self.lock:
            known = self.instances.get((account, region), {})
            items = [dict(v) for k, v in sorted(known.items()) if wanted is None or k in wanted]
        self._page(h, "DescribeInstanceInformation", items, params, "InstanceInformationList")

    def _describe_sessions(self, h, account, region, params):
        state = params.get("State")
        if state not in ("Active", "History"):
            self._error(h, 400, "ValidationException", "State must be Active or History")
            return
        session_id = None
        for f in params.get("Filters") or []:
            if f.get("key") == "SessionId":
                session_id = f.get("value")
            else:
                self._error(h, 400, "InvalidFilterKey", f"filter key {f.get('key')!r} not supported here")
                return
        with self.lock:
            known = self.sessions.get((account, region), {})
            items = [json.loads(json.dumps(s)) for k, s in sorted(known.items())
                     if (session_id is None or k == session_id)
                     and (("EndDate" in s) == (state == "History"))]
        self._page(h, "DescribeSessions", items, params, "Sessions")
