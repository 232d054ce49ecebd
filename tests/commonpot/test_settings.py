"""Settings come from the environment, strictly; production passes check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


CLEARED = {"DEBUG", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in CLEARED}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "false",
    "HTTPS": "true",
    "SECRET_KEY": "x" * 20 + "production-secret-key-with-plenty-of-entropy-0123456789",
    "ALLOWED_HOSTS": "commonpot.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
}


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must look like"),
        ({"WORKERS": "lots"}, "WORKERS must be a whole number"),
        ({"TIME_ZONE": "Atlantis/Capital"}, "not a known time zone"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 50 characters"),
    ],
)
def test_a_bad_setting_stops_start_up_with_a_clear_message(env, message):
    result = manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr
