"""The project's settings, for the test suite, with a secret key of the suite's own.

Start-up refuses PostgreSQL or Redis without an explicit SECRET_KEY, and the suite
runs on PostgreSQL too (DATABASE_URL), from a fresh clone with nothing set by hand.
The key goes into the environment, so the manage.py processes that some tests
start get it as well.
"""

import os
import sys

os.environ.setdefault("SECRET_KEY", "commonpot-test-suite-only-" + "not-secret-" * 4)

from commonpot.settings import *  # noqa: E402, F403

# Hashing is slow on purpose; a test's passwords need no protection. Set here rather
# than per test, so fixtures shared by a module or the session are quick as well.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The suite runs in one process with one cache, so the page cache is correct here
# without Redis; on, every test that changes data and reads a page again checks it.
# Not in the servers and workers some tests start (manage.py in processes of their
# own, with these settings): those share no cache unless REDIS_URL says so.
PAGE_CACHE = PAGE_CACHE or "pytest" in sys.modules  # noqa: F405 - from the project settings
