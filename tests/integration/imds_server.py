#!/usr/bin/env python3
"""A small EC2 instance metadata service (IMDSv2 only) for the tests.

Binds 127.0.0.1 on the given port (0: any) and prints the port as the first
line of stdout. It serves the real bodies in tests/data/imds/:

  PUT /latest/api/token                      token; needs X-aws-ec2-metadata-token-ttl-seconds (1..21600)
  GET /latest/meta-data/iam/security-credentials/        role list   } need X-aws-ec2-metadata-token
  GET /latest/meta-data/iam/security-credentials/ROLE    credentials } with a token it issued, else 401
  GET /latest/meta-data/iam/info                         instance profile info }

A GET without a token (IMDSv1) is refused with 401, as on an instance whose
metadata options say HttpTokens=required.

Control, over POST /_control with a JSON object {"action": ..., ...}:
  reset                       fresh state: bodies from the files, no tokens, counters zero
  expire_tokens               forget every token issued so far (their next GET gets 401)
  refuse_tokens  {"on": bool} answer 401 to every GET, even with a fresh token
  set_credentials {"fields": {...}}  merge fields (AccessKeyId, Expiration, Code...) into the document
  no_role                     the role list answers 404, as without an instance profile
  stall                       hold every IMDS request without answering until unstall
  unstall
GET /_control answers the state: {"counts": {"PUT /latest/api/token": n, ...},
"token_ttls": [...], "rejected_without_token": n, "rejected_bad_token": n, "stalled": n, "tokens_issued": n}.
"""
import argparse
import json
import os
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN_PATH = "/latest/api/token"
CREDS_PREFIX = "/latest/meta-data/iam/security-credentials/"
INFO_PATH = "/latest/meta-data/iam/info"
CONTROL_PATH = "/_control"
# A stalled request is released by "unstall"; this bound only keeps a forgotten
# stall from holding a thread for ever.
STALL_MAX_SECONDS = 30
# IMDS: the token TTL header must be 1 to 21600 seconds.
TTL_MIN, TTL_MAX = 1, 21600
CONTROL_BODY_MAX = 65536


def read_data(data_dir, name):
    with open(os.path.join(data_dir, name), "rb") as f:
        return f.read()


class State:
    def __init__(self, data_dir):
        self.lock = threading.Lock()
        self.data_dir = data_dir
        self.unstall = threading.Event()
        self.reset()

    def reset(self):
        with self.lock:
            self.role_body = read_data(self.data_dir, "imds-security-credentials-rolename-aemm.txt")
            self.role = self.role_body.decode().splitlines()[0]
            # Served byte for byte until a control action changes a field.
            self.creds_body = read_data(self.data_dir, "imds-security-credentials-aemm.json")
            self.info_body = read_data(self.data_dir, "imds-iam-info-aemm.json")
            self.tokens = set()
            self.refuse = False
            self.has_role = True
            self.stall = False
            self.counts = {}
            self.token_ttls = []
            self.rejected_without_token = 0
            self.rejected_bad_token = 0
            self.stalled = 0
            self.tokens_issued = 0
            self.unstall.set()

    def snapshot(self):
        with self.lock:
            return {
                "counts": dict(self.counts),
                "token_ttls": list(self.token_ttls),
                "rejected_without_token": self.rejected_without_token,
                "rejected_bad_token": self.rejected_bad_token,
                "stalled": self.stalled,
                "tokens_issued": self.tokens_issued,
            }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the client reuses its connection
    server_version = "EC2ws"
    sys_version = ""

    def log_message(self, format, *args):
        if self.server.verbose:
            sys.stderr.write("imds_server: " + (format % args) + "\n")

    @property
    def state(self):
        return self.server.state

    def reply(self, status, body=b"", content_type="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0 or n > CONTROL_BODY_MAX:
            raise ValueError("body too large")
        return self.rfile.read(n) if n else b""

    def count(self):
        key = "%s %s" % (self.command, self.path)
        with self.state.lock:
            self.state.counts[key] = self.state.counts.get(key, 0) + 1
            stall = self.state.stall
            if stall:
                self.state.stalled += 1
        if stall:
            # Say nothing; the client's timeout is what is being tested.
            self.state.unstall.wait(STALL_MAX_SECONDS)
            self.close_connection = True
        return not stall

    def do_PUT(self):
        self.read_body()
        if self.path != TOKEN_PATH:
            self.reply(404)
            return
        if not self.count():
            return
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
        try:
            ttl_value = int(ttl)
        except (TypeError, ValueError):
            ttl_value = None
        with self.state.lock:
            self.state.token_ttls.append(ttl)
            if ttl_value is None or not TTL_MIN <= ttl_value <= TTL_MAX:
                ok = False
            else:
                token = secrets.token_urlsafe(42)
                self.state.tokens.add(token)
                self.state.tokens_issued += 1
                ok = True
        if not ok:
            self.reply(400)
            return
        self.send_response(200)
        self.send_header("X-aws-ec2-metadata-token-ttl-seconds", str(ttl_value))
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(token)))
        self.end_headers()
        self.wfile.write(token.encode())

    def do_GET(self):
        if self.path == CONTROL_PATH:
            self.reply(200, json.dumps(self.state.snapshot()).encode(), "application/json")
            return
        if not self.count():
            return
        token = self.headers.get("X-aws-ec2-metadata-token")
        with self.state.lock:
            if token is None:
                self.state.rejected_without_token += 1
                status = 401
            elif token not in self.state.tokens or self.state.refuse:
                self.state.rejected_bad_token += 1
                status = 401
            else:
                status = 200
            role, role_body, creds_body = self.state.role, self.state.role_body, self.state.creds_body
            has_role, info_body = self.state.has_role, self.state.info_body
        if status != 200:
            self.reply(status)
        elif self.path == CREDS_PREFIX and has_role:
            self.reply(200, role_body)
        elif self.path == CREDS_PREFIX + role and has_role:
            self.reply(200, creds_body)
        elif self.path == INFO_PATH and has_role:
            self.reply(200, info_body)
        else:
            self.reply(404)

    def do_POST(self):
        if self.path != CONTROL_PATH:
            self.read_body()
            self.reply(405)
            return
        try:
            req = json.loads(self.read_body())
            self.control(req)
        except (ValueError, KeyError, TypeError) as e:
            self.reply(400, str(e).encode())
            return
        self.reply(200, json.dumps(self.state.snapshot()).encode(), "application/json")

    def control(self, req):
        action = req["action"]
        st = self.state
        if action == "reset":
            st.reset()
            return
        with st.lock:
            if action == "expire_tokens":
                st.tokens.clear()
            elif action == "refuse_tokens":
                st.refuse = bool(req["on"])
            elif action == "set_credentials":
                doc = json.loads(st.creds_body)
                doc.update(req["fields"])
                st.creds_body = (json.dumps(doc, indent=2) + "\n").encode()
            elif action == "no_role":
                st.has_role = False
            elif action == "stall":
                st.stall = True
                st.unstall.clear()
            elif action == "unstall":
                st.stall = False
                st.unstall.set()
            else:
                raise ValueError("unknown action %r" % action)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--data", default=os.path.join(here, "..", "data", "imds"))
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args.data)
    server.verbose = args.verbose
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.state.unstall.set()
        server.server_close()


if __name__ == "__main__":
    main()
