"""With REDIS_URL set, the job queue and the cache move to Redis (a real server)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")

PROBE = """
import json
from django.core.cache import caches
from django_q.brokers import get_broker
from django_q.conf import Conf

broker = get_broker()
broker.purge_queue()
broker.enqueue("a-signed-task")
task = broker.dequeue()
cache = caches["default"]
cache.set("commonpot-probe", "hello", 30)
print(json.dumps({
    "broker": type(broker).__name__,
    "dequeued": task[0][1].decode() if task else None,
    "cache": cache.get("commonpot-probe"),
    "cache_backend": type(cache).__name__,
}))
broker.purge_queue()
"""


def test_redis_carries_the_job_queue_and_the_cache():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=ROOT,
        env={**env, "REDIS_URL": REDIS_URL},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe == {
        "broker": "Redis",
        "dequeued": "a-signed-task",
        "cache": "hello",
        "cache_backend": "RedisCache",
    }


def test_a_redis_url_that_is_not_one_stops_start_up():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**os.environ, "REDIS_URL": "localhost:6379"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "REDIS_URL must look like redis://" in result.stderr
