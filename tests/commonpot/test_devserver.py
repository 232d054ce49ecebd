"""`make run` (manage.py devserver) stops everything it started on Ctrl-C or TERM."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import fresh_data_dir
from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
CLEARED = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "RUN_MAIN"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("subprocess"),
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc"),
]


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def stat(pid: int) -> list[str]:
    """State, parent, process group, session... of a process; empty once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return []


def alive(pid: int) -> bool:
    return stat(pid)[:1] not in ([], ["Z"])


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        fields = stat(int(entry.name))
        if fields:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.fixture(scope="module")
def environment(migrated_data_dir, tmp_path_factory):
    """`make run`'s environment, with a migrated data folder of its own."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    data = fresh_data_dir(migrated_data_dir, tmp_path_factory.mktemp("devserver"))
    env.update(DEBUG="true", DATA_DIR=str(data))
    return env


GRACE = 2  # seconds; `make run` waits 10 before killing what did not stop


@pytest.fixture
def devserver(environment, tmp_path):
    """A devserver on a free port, as `make run` starts it (with a shorter grace)."""
    port = free_port()
    log_path = tmp_path / "devserver.log"
    log = log_path.open("w+")
    # Its own session, as a terminal gives `make run` its own process group.
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "devserver",
            "--addrport",
            f"127.0.0.1:{port}",
            "--grace",
            str(GRACE),
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    started: set[int] = set()
    try:
        assert wait_for(lambda: answers(port) or process.poll() is not None, 90)
        assert wait_for(lambda: "running." in log_path.read_text(), 60), log_path.read_text()
        assert process.poll() is None, log_path.read_text()
        # The web server's autoreloader child, the worker and its processes.
        started = descendants(process.pid)
        yield process, port, started, log_path
    finally:
        # Whatever a failed test left behind; only processes in the sessions this
        # test started, in case a pid has since been reused.
        ours = {process.pid, *started}
        for pid in ours | descendants(process.pid):
            if alive(pid) and int(stat(pid)[3]) in ours:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)
        log.close()


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def assert_all_stopped(process, port, started, log, *, seconds: float = 15) -> None:
    assert wait_for(lambda: process.poll() is not None, seconds), "devserver is still running"
    assert wait_for(lambda: not any(alive(pid) for pid in started), 5), [
        pid for pid in started if alive(pid)
    ]
    assert not answers(port), f"port {port} still answers"
    assert "Web server and worker stopped." in log.read_text()


def test_ctrl_c_stops_the_web_server_and_the_worker_and_frees_the_port(devserver):
    process, port, started, log = devserver
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    assert_all_stopped(process, port, started, log)


def test_a_term_stops_even_a_frozen_web_server_with_its_child_and_frees_the_port(devserver):
    process, port, started, log = devserver
    # Frozen, the autoreloader and the server it runs cannot answer: after the
    # grace period they must be killed, the child as well as its parent. A TERM
    # (a process manager, `timeout`) starts the stop as Ctrl-C does.
    web = [pid for pid in started if " runserver " in f"{command_line(pid)} "]
    assert len(web) == 2, [command_line(pid) for pid in started]
    for pid in web:
        os.kill(pid, signal.SIGSTOP)
    process.terminate()
    assert_all_stopped(process, port, started, log, seconds=GRACE + 15)
