"""Run the web server and the background worker together, for `make run`.

Ctrl-C (or either process ending) stops both, so nothing is left running.
"""

import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Start the web server and the django-q2 worker together; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        # A TERM (from a process manager, or `timeout`) stops both, as Ctrl-C does.
        signal.signal(signal.SIGTERM, _interrupt)
        python = sys.executable
        processes = [
            subprocess.Popen([python, "manage.py", "qcluster"]),  # noqa: S603
            subprocess.Popen([python, "manage.py", "runserver", addrport]),  # noqa: S603
        ]
        self.stdout.write(self.style.SUCCESS(f"Commonpot is starting on http://{addrport}/"))
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for p in processes:
                if p.poll() is None:
                    p.send_signal(signal.SIGINT)
            deadline = time.monotonic() + 10
            for p in processes:
                try:
                    p.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    p.kill()
        self.stdout.write("Web server and worker stopped.")
