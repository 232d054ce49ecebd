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
    ("env", "engine"),
    [
        ({}, "django.contrib.sessions.backends.db"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/15"}, "django.contrib.sessions.backends.cached_db"),
    ],
)
def test_sessions_are_read_from_the_cache_only_when_the_cache_is_shared(env, engine):
    secret = {"SECRET_KEY": PRODUCTION["SECRET_KEY"]} if env else {}
    shown = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SESSION_ENGINE)",
        **env,
        **secret,
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert shown.stdout.strip().splitlines()[-1] == engine


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must look like"),
        ({"WORKERS": "lots"}, "WORKERS must be a whole number"),
        ({"QUEUE_POLL_MS": "10"}, "QUEUE_POLL_MS must be at least 100"),
        ({"TIME_ZONE": "Atlantis/Capital"}, "not a known time zone"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 50 characters"),
    ],
)
def test_a_bad_setting_stops_start_up_with_a_clear_message(env, message):
    result = manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


A_SECRET_KEY = "a-key-for-this-test-only-" + "0123456789" * 4


def test_a_first_migrate_makes_the_data_folder_when_the_secret_key_is_given(tmp_path):
    # One app's migrations are enough to need the folder (and quicker than all of
    # them); a migrate of one app before the worker's tables exist must not fail
    # on the background schedules either.
    data = tmp_path / "not-made-yet" / "var"
    result = manage(
        "migrate", "--noinput", "contenttypes", SECRET_KEY=A_SECRET_KEY, DATA_DIR=str(data)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (data / "commonpot.sqlite3").is_file()
    assert not (data / "secret_key").exists()


def test_a_data_folder_that_cannot_be_made_stops_start_up_with_a_clear_message(tmp_path):
    (tmp_path / "a-file").write_text("")
    result = manage("check", DATA_DIR=str(tmp_path / "a-file" / "var"))
    assert result.returncode != 0
    assert "DATA_DIR" in result.stderr
    assert "cannot be made" in result.stderr


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test"}, "DATABASE_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/15"}, "REDIS_URL"),
    ],
)
def test_shared_servers_without_a_secret_key_stop_start_up_saying_what_to_set(
    tmp_path, env, reason
):
    # An empty SECRET_KEY is no key: the suite's own is not passed on here.
    result = manage("check", SECRET_KEY="", DATA_DIR=str(tmp_path / "var"), **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when" in result.stderr
    assert reason in result.stderr
    assert "every web node" in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()
