"""What the tests that start other processes share: a free port, a mail server on
loopback that keeps what it is given, and waiting for something to happen."""

from __future__ import annotations

import contextlib
import email
import socket
import threading
import time
from collections.abc import Iterator
from email.message import Message as EmailMessage

from aiosmtpd.controller import Controller

WAIT = 90  # seconds; generous, for a busy two-core machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    port: int

    def __init__(self):
        self.received: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.received.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.received if m["To"] == address]

    def __len__(self) -> int:
        with self._lock:
            return len(self.received)


@contextlib.contextmanager
def mail_server() -> Iterator[Inbox]:
    """An SMTP server on a free loopback port; its inbox knows the port."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


def wait_for(condition, what: str, process=None, timeout: float = WAIT) -> None:
    """Until `condition()` holds; else fail naming `what`, with the end of the
    log of `process` (anything with an `output()`), if given."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    log = process.output() if process else ""
    raise AssertionError(f"Timed out waiting for {what}.\n{log}")
