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

# The page cache is on in the suite's process, every database: every test that
# changes data and reads a page again checks it. Without Redis its pages and data
# version are in this process's memory (the xdist workers' databases differ), so
# it is off in the servers and workers some tests start (manage.py in processes
# of their own, with these settings), which would not hear of this process's
# writes; tests/test_page_cache.py checks the files that share it between
# processes outside the suite.
if "pytest" in sys.modules:
    PAGE_CACHE = True
    if not REDIS_URL:  # noqa: F405 - from the project settings
        CACHES["pages"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}  # noqa: F405
        PAGE_CACHE_VERSION_FILE = None
else:
    PAGE_CACHE = bool(REDIS_URL)  # noqa: F405
