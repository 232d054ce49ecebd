"""Local stand-ins for the SMS gateways Commonpot speaks to, each in a thread.

Each speaks its gateway's HTTP API as documented (Twilio's Messages.json with
basic auth and a form body; SMS Gateway for Android's POST /message with basic
auth and JSON) and can be told to answer the next requests with an error: a
500, a 429 with Retry-After, a 400 with the provider's error body, or no answer
in time. `handed` lists what the gateway accepted to send, so a test sees
whether a phone would get a text once or twice.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


class FakeGateway:
    user = "user"
    password = "secret"

    def __init__(self):
        self.requests: list[dict] = []
        self.handed: list[dict] = []
        self.script: list[tuple] = []  # what to answer the next requests with
        self.stall_seconds = 2.0
        self._ids = itertools.count(1)
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                gateway.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                status, payload, headers = gateway.answer(self.path, self.headers, body)
                if status is None:
                    return
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def start(self) -> FakeGateway:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, *answers: tuple) -> None:
        """("500",), ("429", seconds), ("400", code, message), ("timeout",)"""
        self.script.extend(answers)

    def authorised(self, headers) -> bool:
        expected = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        return headers.get("Authorization") == f"Basic {expected}"

    def answer(self, path, headers, body):
        if not self.authorised(headers):
            return 401, {"code": 20003, "message": "Authenticate"}, {}
        if self.script:
            step = self.script.pop(0)
            if step[0] == "500":
                return 500, {"message": "Internal error"}, {}
            if step[0] == "429":
                return (
                    429,
                    {"code": 20429, "message": "Too Many Requests"},
                    {"Retry-After": str(step[1])},
                )
            if step[0] == "400":
                return 400, {"code": step[1], "message": step[2]}, {}
            if step[0] == "timeout":
                # The request arrived (and, for the gateway, is kept), but the
                # answer comes too late for the client.
                self.accept(path, body)
                time.sleep(self.stall_seconds)
                return None, None, None
        return self.accept(path, body)


class FakeTwilio(FakeGateway):
    user = "AC0123456789abcdef0123456789abcdef"
    password = "twilio-auth-token"

    @property
    def sms_url(self) -> str:
        return (
            f"twilio+http://{self.user}:{self.password}@127.0.0.1:{self.port}/?from=%2B447700900001"
        )

    def accept(self, path, body):
        if path != f"/2010-04-01/Accounts/{self.user}/Messages.json":
            return 404, {"code": 20404, "message": "Not found"}, {}
        fields = dict(parse_qsl(body.decode()))
        sid = f"SM{next(self._ids):032d}"
        self.handed.append({"sid": sid, **fields})
        return 201, {"sid": sid, "status": "queued", "to": fields.get("To")}, {}


class FakeSmsGate(FakeGateway):
    """SMS Gateway for Android's local server. A message id it has seen is the same
    message: answered again, not sent again (its documented idempotency)."""

    @property
    def sms_url(self) -> str:
        return f"smsgate+http://{self.user}:{self.password}@127.0.0.1:{self.port}/"

    def accept(self, path, body):
        if path != "/message":
            return 404, {"message": "Not found"}, {}
        data = json.loads(body)
        if not data.get("id") or not any(m["id"] == data["id"] for m in self.handed):
            self.handed.append(data)
        return 202, {"id": data.get("id"), "state": "Pending"}, {}
