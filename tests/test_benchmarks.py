"""Every benchmark runs, prints `name: value` lines, and keeps its promises.

Run at a small scale on a scratch SQLite database in a separate process, so
the commands that docs/performance.md quotes cannot quietly rot.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import fresh_data_dir

pytestmark = [pytest.mark.benchmark, pytest.mark.xdist_group("subprocess")]

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^[a-z0-9_]+: \S.*$")
CLEARED = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG"}

PROMISES = {
    "pantry": {"stock_page_queries_equal": "yes", "trace_queries_equal": "yes", "trace_sites": "2"},
    "shifts": {"board_queries_equal": "yes", "confirmed_on_10_place_shift": "10"},
    "kitchen": {"week_view_queries_equal": "yes"},
    "network": {
        "board_queries_equal": "yes",
        "dashboard_queries_equal": "yes",
        "claim_race_winners": "1",
        "run_12_stops_unplaced": "0",
        "run_50_stops_unplaced": "0",
        "run_50_stops_no_longer_than_entered": "yes",
    },
    "reminders": {
        "second_run_decided": "0",
        "channels_target_seconds": None,
        # The same queries for every batch (one figure, not several joined by "/").
        "queries_per_batch": re.compile(r"\d+"),
        "channels_queries_per_batch": re.compile(r"\d+"),
    },
    "reports": {"report_sections": None},
    # Every page answers and is timed; no figure is promised, the lines are.
    "pages": {"bare_cpu_ms": None, "board_site_day_queries": None, "targets_missed": None},
}
# Beyond --scale: the pages benchmark times 20 requests a page rather than 200.
EXTRA_ARGS = {"pages": ["--requests", "20"]}


@pytest.fixture(scope="module")
def scratch(migrated_data_dir, tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env["DATA_DIR"] = str(fresh_data_dir(migrated_data_dir, tmp_path_factory.mktemp("bench")))
    return env


@pytest.mark.parametrize("area", sorted(PROMISES))
def test_each_benchmark_prints_figures_and_keeps_its_promises(scratch, area):
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "benchmark",
            area,
            "--scale",
            "0.01",
            *EXTRA_ARGS.get(area, []),
        ],
        cwd=ROOT,
        env=scratch,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines and all(LINE.match(line) for line in lines), result.stdout
    figures = dict(line.split(": ", 1) for line in lines)
    for name, wanted in PROMISES[area].items():
        assert name in figures, f"{area} printed no {name}"
        if isinstance(wanted, re.Pattern):
            assert wanted.fullmatch(figures[name]), f"{area}: {name} is {figures[name]}"
        elif wanted is not None:
            assert figures[name] == wanted, f"{area}: {name} is {figures[name]}"
    if area == "reminders":
        # Its own sign-ups only, whatever an earlier benchmark left in the database.
        assert figures["reminders_decided"] == figures["sign_ups_due"], result.stdout
