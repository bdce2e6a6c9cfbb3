#!/usr/bin/env python3
"""A fault-injecting HTTP proxy between ssm-notifyd and the AWS emulator.

It forwards each request's bytes exactly as received (the Host header is
signed, so it must reach the emulator unchanged) and, on a seeded schedule,
injects: AWS-shaped 5xx answers, throttling errors, expired-token errors,
AccessDenied, 200 answers of the wrong shape (malformed), connection resets, stalls longer than the client's timeout, added latency,
truncated bodies and SNS's BatchRequestTooLong (a PublishBatch refused as a
whole). With --clock-offset-s it also plays a server whose clock
differs from ours, answering RequestTimeTooSkewed as AWS does.

Faults that lose an answer after the emulator acted (truncate) are never
applied to SNS Publish or PublishBatch: the daemon could not know the publish happened, so a
second publish would be correct at-least-once behaviour, not a bug, and the
tests count duplicates to prove there are none.

    faultproxy.py --upstream http://127.0.0.1:PORT [--seed N] [--rate KIND=P ...]
                  [--only ACTION ...] [--match TEXT] [--latency-ms MS] [--stall-s S]
                  [--serialize ACTION ...]

--serialize forwards that action's requests one at a time. moto 5.2 lets two
ReceiveMessage calls at the same moment take the same message (its
receive_message checks that a message is visible, then marks it received,
with no lock between), which SQS does not do; several daemons on one queue
need the emulator to answer their receives one at a time.

prints the port it listens on (127.0.0.1) as its first line. Control:
    GET  /_proxy/stats            counters as JSON
    POST /_proxy/plan  {"rates": {...}, "down": bool, "latency_ms": N, "only": [ACTION, ...],
                        "match": TEXT or null}
With a match, faults go only to requests whose body holds TEXT, as is or
form-encoded (e.g. one topic's ARN: only the publishes to that topic fail).
"""
import argparse
import calendar
import contextlib
import email.utils
import http.client
import json
import random
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse

KINDS = ("error5xx", "throttle", "expired", "reset", "stall", "latency", "truncate", "batchtoolong", "hostileerror",
         "denied", "malformed")


def match_forms(text):
    """TEXT as it appears in a JSON or a form-encoded (SNS Query) body."""
    if not text:
        return None
    return (text.encode(), urllib.parse.quote(text, safe="-_.~").encode())


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.rng = random.Random(args.seed)
        self.rates = dict.fromkeys(KINDS, 0.0)
        for spec in args.rate or []:
            kind, p = spec.split("=")
            if kind not in KINDS:
                raise SystemExit(f"unknown fault kind {kind}")
            self.rates[kind] = float(p)
        self.latency_ms = args.latency_ms
        self.always_latency_ms = args.always_latency_ms
        self.stall_s = args.stall_s
        self.clock_offset_s = args.clock_offset_s
        self.only = set(args.only or [])  # faults only on these actions; empty: all
        self.serialize = set(args.serialize or [])
        self.serial_lock = threading.Lock()
        self.match = match_forms(args.match)  # faults only on bodies holding one of these; None: all
        self.down = False
        self.stats = {"requests": 0, "forwarded": 0, **{k: 0 for k in KINDS}, "down": 0, "by_action": {}}

    def choose(self, action, body=b""):
        with self.lock:
            self.stats["requests"] += 1
            self.stats["by_action"][action] = self.stats["by_action"].get(action, 0) + 1
            if self.down:
                self.stats["down"] += 1
                return "reset"
            if (self.only and action not in self.only) or (self.match and not any(m in body for m in self.match)):
                self.stats["forwarded"] += 1
                return None
            x = self.rng.random()
            for kind in KINDS:
                if kind == "truncate" and action in ("Publish", "PublishBatch"):
                    continue
                if kind == "batchtoolong" and action != "PublishBatch":
                    continue
                if x < self.rates[kind]:
                    self.stats[kind] += 1
                    return kind
                x -= self.rates[kind]
            self.stats["forwarded"] += 1
            return None


def read_request(rfile):
    line = rfile.readline(65537)
    if not line:
        return None
    head = [line]
    length = 0
    while True:
        h = rfile.readline(65537)
        if not h:
            return None
        head.append(h)
        if h in (b"\r\n", b"\n"):
            break
        name, _, value = h.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    body = rfile.read(length) if length else b""
    return b"".join(head), body


def action_of(head, body):
    text = head.decode("latin-1")
    for line in text.split("\r\n"):
        if line.lower().startswith("x-amz-target:"):
            return line.split(":", 1)[1].strip().split(".")[-1]
    if body.startswith(b"Action="):
        return body.split(b"&", 1)[0][7:].decode()
    return text.split(" ", 2)[1] if " " in text else "?"


def aws_error(head, status, code, message, date_offset=0):
    if b"x-amz-target" in head.lower():
        body = json.dumps({"__type": "com.amazonaws.sqs#" + code, "message": message}).encode()
        ctype = b"application/x-amz-json-1.0"
    else:
        body = (f"<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error>"
                f"<Type>{'Receiver' if status >= 500 else 'Sender'}</Type><Code>{code}</Code>"
                f"<Message>{message}</Message></Error><RequestId>faultproxy</RequestId>"
                f"</ErrorResponse>").encode()
        ctype = b"text/xml"
    reason = {500: b"Internal Server Error", 503: b"Service Unavailable", 400: b"Bad Request",
              403: b"Forbidden"}[status]
    date = email.utils.formatdate(time.time() + date_offset, usegmt=True).encode()
    return (b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nx-amzn-RequestId: faultproxy\r\n"
            b"Date: %s\r\n\r\n" % (status, reason, ctype, len(body), date) + body)


class Handler(socketserver.StreamRequestHandler):
    def reset(self):
        # SO_LINGER 0: close with RST, as a dropped connection looks to the client.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def skewed(self, head):
        """True when X-Amz-Date is more than 5 minutes from the proxy's shifted clock."""
        for line in head.decode("latin-1").split("\r\n"):
            if line.lower().startswith("x-amz-date:"):
                t = calendar.timegm(time.strptime(line.split(":", 1)[1].strip(), "%Y%m%dT%H%M%SZ"))
                return abs(t - (time.time() + self.server.state.clock_offset_s)) > 300
        return True

    def control(self, head, body):
        st = self.server.state
        if head.startswith(b"POST /_proxy/plan"):
            plan = json.loads(body or b"{}")
            with st.lock:
                st.rates.update(plan.get("rates", {}))
                st.down = plan.get("down", st.down)
                st.latency_ms = plan.get("latency_ms", st.latency_ms)
                st.only = set(plan.get("only", st.only))
                if "match" in plan:
                    st.match = match_forms(plan["match"])
        with st.lock:
            out = json.dumps(st.stats).encode()
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                         % len(out) + out)

    def forward(self, head, body):
        """Sends the request's bytes upstream on this client's own upstream
        connection, kept alive while the upstream allows it (a new TCP
        connection per request would add its own latency to every measurement)."""
        for attempt in (0, 1):
            if self.up is None:
                self.up = socket.create_connection(self.server.upstream, timeout=60)
                self.up.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                self.up.sendall(head + body)
                resp = http.client.HTTPResponse(self.up)
                resp.begin()
                data = resp.read()
                break
            except (OSError, http.client.HTTPException):
                # The upstream closed a kept-alive connection: once more on a fresh one.
                self.up.close()
                self.up = None
                if attempt:
                    raise
        if resp.will_close:
            self.up.close()
            self.up = None
        lines = [b"HTTP/1.1 %d %s\r\n" % (resp.status, resp.reason.encode("latin-1"))]
        for k, v in resp.getheaders():
            if k.lower() in ("transfer-encoding", "connection", "content-length"):
                continue
            lines.append(f"{k}: {v}\r\n".encode("latin-1"))
        lines.append(b"Content-Length: %d\r\n\r\n" % len(data))
        return b"".join(lines), data

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.up = None

    def finish(self):
        if self.up is not None:
            self.up.close()
        super().finish()

    def handle(self):
        st = self.server.state
        while True:
            req = read_request(self.rfile)
            if req is None:
                return
            head, body = req
            if head.startswith((b"GET /_proxy/", b"POST /_proxy/")):
                self.control(head, body)
                continue
            if st.clock_offset_s and self.skewed(head):
                with st.lock:
                    st.stats["skew_rejected"] = st.stats.get("skew_rejected", 0) + 1
                self.wfile.write(aws_error(head, 403, "RequestTimeTooSkewed",
                                           "The difference between the request time and the current time "
                                           "is too large.", st.clock_offset_s))
                continue
            if st.always_latency_ms:
                time.sleep(st.always_latency_ms / 1000)
            action = action_of(head, body)
            fault = st.choose(action, body)
            if fault == "reset":
                return self.reset()
            if fault == "stall":
                time.sleep(st.stall_s)
                return self.reset()
            if fault == "error5xx":
                self.wfile.write(aws_error(head, 500, "InternalError", "injected by faultproxy"))
                continue
            if fault == "expired":
                self.wfile.write(aws_error(head, 403, "ExpiredToken", "The security token included in the "
                                           "request is expired (injected by faultproxy)"))
                continue
            if fault == "throttle":
                self.wfile.write(aws_error(head, 400, "ThrottlingException" if b"x-amz-target" in head.lower()
                                           else "Throttling", "Rate exceeded (injected by faultproxy)"))
                continue
            if fault == "hostileerror":
                # An error message is AWS's (or a man in the middle's) text: here
                # with encoded newlines that would add sd_notify assignments.
                self.wfile.write(aws_error(head, 500, "InternalError", "injected&#10;WATCHDOG=trigger&#10;"
                                           "STATUS=forged&#13;&#10;READY=1"))
                continue
            if fault == "denied":
                self.wfile.write(aws_error(head, 403, "AccessDenied" if b"x-amz-target" not in head.lower()
                                           else "AccessDeniedException", "not authorized to perform this action "
                                           "(injected by faultproxy)"))
                continue
            if fault == "malformed":
                # A 200 whose body is not the action's answer (a captive portal, a
                # proxy's page): the client must not take it for one.
                body = b"<html><body>Sign in to continue</body></html>"
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n"
                                 % len(body) + body)
                continue
            if fault == "batchtoolong":
                # SNS's answer to a PublishBatch whose messages together exceed
                # 256 KiB: the whole batch is refused (HTTP 400, Sender fault).
                self.wfile.write(aws_error(head, 400, "BatchRequestTooLong", "The length of all the messages "
                                           "put together is more than the limit."))
                continue
            if fault == "latency":
                time.sleep(st.latency_ms / 1000)
            with st.serial_lock if action in st.serialize else contextlib.nullcontext():
                resp_head, data = self.forward(head, body)
            if fault == "truncate":
                self.wfile.write(resp_head + data[: len(data) // 2])
                self.wfile.flush()
                return self.reset()
            self.wfile.write(resp_head + data)
            self.wfile.flush()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rate", action="append", help="KIND=P, KIND in " + ", ".join(KINDS))
    ap.add_argument("--only", action="append", help="inject faults only into this action (repeatable)")
    ap.add_argument("--serialize", action="append", help="forward this action's requests one at a time (repeatable)")
    ap.add_argument("--match", help="inject faults only into requests whose body holds this text")
    ap.add_argument("--latency-ms", type=int, default=200)
    ap.add_argument("--always-latency-ms", type=int, default=0, help="added to every request")
    ap.add_argument("--stall-s", type=float, default=20.0)
    ap.add_argument("--clock-offset-s", type=int, default=0,
                    help="act as a server whose clock is this far ahead: requests signed with another time get "
                         "403 RequestTimeTooSkewed and a Date header of the shifted clock")
    args = ap.parse_args()
    host, port = args.upstream.split("//", 1)[1].rstrip("/").split(":")
    srv = Server(("127.0.0.1", 0), Handler)
    srv.upstream = (host, int(port))
    srv.state = State(args)
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
