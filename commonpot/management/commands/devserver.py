"""Run the web server and the background worker together, for `make run`.

Ctrl-C, a TERM, or either process ending stops both and everything they started
(the web server's autoreloader child, the worker's processes), so nothing is left
serving the port for the next `make run` to trip over.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

# Seconds the web server and the worker get to stop on their own before the
# rest of their process groups is killed (--grace).
GRACE_SECONDS = 10.0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _start(*args: str) -> subprocess.Popen:
    # A session (so a process group) of its own: the terminal's Ctrl-C reaches
    # only this command, which then stops each child together with whatever
    # that child started, and waits for them, instead of each process handling
    # its own copy of the signal with nobody waiting for the stragglers.
    return subprocess.Popen([sys.executable, "manage.py", *args], start_new_session=True)  # noqa: S603


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def _stop(processes: list[subprocess.Popen], grace: float) -> None:
    """Ask every group to stop as Ctrl-C would, wait a while, then kill what is left."""
    for process in processes:
        _signal_group(process, signal.SIGINT)
    deadline = time.monotonic() + grace
    try:
        while time.monotonic() < deadline and any(p.poll() is None for p in processes):
            time.sleep(0.1)
    except KeyboardInterrupt:
        pass  # A second Ctrl-C: stop waiting.
    # Also any child that outlived its parent: the autoreloader's server when the
    # autoreloader itself did not stop in time, a worker process of the cluster.
    for process in processes:
        _signal_group(process, signal.SIGKILL)
    for process in processes:
        process.wait()


class Command(BaseCommand):
    help = "Start the web server and the django-q2 worker together; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument(
            "--grace",
            type=float,
            default=GRACE_SECONDS,
            help="seconds to wait for both to stop on their own before killing them",
        )

    def handle(self, *args, addrport: str, grace: float, **options):
        # A TERM (from a process manager, or `timeout`) stops both, as Ctrl-C does.
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGINT, _interrupt)
        processes: list[subprocess.Popen] = []
        try:
            processes.append(_start("qcluster"))
            processes.append(_start("runserver", addrport))
            self.stdout.write(self.style.SUCCESS(f"Commonpot is starting on http://{addrport}/"))
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            _stop(processes, grace)
        self.stdout.write("Web server and worker stopped.")
