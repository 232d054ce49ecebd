"""Commonpot settings: one module, driven by environment variables.

Defaults give an embedded install (SQLite, django-q2's ORM broker, console email)
that runs from a fresh checkout. DATABASE_URL and REDIS_URL move it to PostgreSQL
and Redis; HTTPS=true turns on the production transport security. See
docs/deployment.md for every variable.
"""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from commonpot.env import data_dir, env_bool, env_int, env_list, env_str, env_url, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# This network's name, as partner networks see it (docs/federation.md).
NETWORK_NAME = env_str("NETWORK_NAME", "Commonpot network")[:120]

TIME_ZONE = env_str("TIME_ZONE", "UTC")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(f"TIME_ZONE {TIME_ZONE!r} is not a known time zone.")
USE_TZ = True
LANGUAGE_CODE = "en"
USE_I18N = True
# The languages Commonpot speaks, each named in itself (as the switcher shows them).
# Catalogs are in locale/ (docs/translating.md); a person's choice is on their
# profile, a site's default prints its sheets (commonpot.i18n).
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("pt-br", "Português (Brasil)"),
    ("fr", "Français"),
    ("ar", "العربية"),
    ("uk", "Українська"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "commonpot_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Dates are written one way per language, defined in commonpot/formats/.
FORMAT_MODULE_PATH = ["commonpot.formats"]

INSTALLED_APPS = [
    "commonpot",
    "pantry",
    "pantry.network",
    "pantry.federation",
    "kitchen",
    "volunteers",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tables2",
    "django_filters",
    "django_q",
    "axes",
]

MIDDLEWARE = [
    # First: the tables a kept page depends on include those read before its view.
    "commonpot.pagecache.NoteReadsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a person's own language comes before their browser's.
    "commonpot.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view or form looks at the request (see its docstring).
    "commonpot.middleware.RefuseNulMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "commonpot.middleware.SiteTimezoneMiddleware",
    "commonpot.middleware.SiteMeasuresMiddleware",
    "commonpot.middleware.SentFromThePhoneMiddleware",
    "commonpot.middleware.AlreadySentMiddleware",
    # Last, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "commonpot.urls"
WSGI_APPLICATION = "commonpot.wsgi.application"
AUTH_USER_MODEL = "commonpot.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "commonpot.auth.UsernameOrEmailBackend",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "commonpot.context_processors.navigation",
            ],
            "builtins": [
                "template_partials.templatetags.partials",
                # {% quick_url %}: {% url %} for links repeated down a page.
                "commonpot.templatetags.quick_urls",
                # |day, |long_day, |day_time: every date written one way.
                "commonpot.templatetags.dates",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------

DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "commonpot.sqlite3",
        }
    }
_on_sqlite = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
if _on_sqlite:
    # IMMEDIATE takes the write lock when a transaction starts, so two writers
    # queue on busy_timeout instead of one failing with "database is locked"
    # halfway through; WAL lets readers go on while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # SQLite cannot make the folder its file goes in; a fresh install (or a new
    # DATA_DIR) has none yet.
    data_dir(DATA_DIR)
    if str(DATABASES["default"]["NAME"]) not in ("", ":memory:"):
        data_dir(Path(DATABASES["default"]["NAME"]).parent, "The folder of DATABASE_URL's file")
    # A file, not memory, for the test database: concurrency tests open
    # several connections, which an in-memory database cannot share safely.
    # One per test run, so that two runs on one machine do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and background jobs -------------------------------------------

REDIS_URL = env_url("REDIS_URL", ("redis", "rediss", "unix"))
_ON_SQLITE = DATABASES["default"]["ENGINE"].endswith("sqlite3")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "commonpot.cache.RedisCache", "LOCATION": REDIS_URL}}
    # Every node reads sessions from the shared cache (no query a request) and writes
    # them through to the database, which keeps them when Redis restarts. Not without
    # Redis: each process's own memory would go on trusting a session ended in another.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif _ON_SQLITE:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Kept pages, in files every process on this machine shares.
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "page-cache",
            "TIMEOUT": 120,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Kept pages, in each process's own memory; the data version they are kept
        # under is in the database, which every node shares.
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": 120,
            "OPTIONS": {"MAX_ENTRIES": 500},
        },
    }

# Pages kept until the data changes (commonpot.pagecache), under a data version
# every node sees: with Redis, the version and the pages are in Redis; on SQLite
# without it (one machine by nature), the pages are in files under DATA_DIR with the
# version in a file beside them; on PostgreSQL without it (perhaps several nodes),
# the version is a sequence in the database and each process keeps its own pages.
PAGE_CACHE = True
PAGE_CACHE_ALIAS = "default" if REDIS_URL else "pages"
PAGE_CACHE_VERSION_FILE = (
    DATA_DIR / "page-cache" / "data-version" if not REDIS_URL and _ON_SQLITE else None
)
PAGE_CACHE_VERSION_SEQUENCE = "commonpot_page_version" if not REDIS_URL and not _ON_SQLITE else None

Q_CLUSTER = {
    "name": "commonpot",
    "workers": env_int("WORKERS", 2, minimum=1),
    "timeout": 120,
    "retry": 300,
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 1000,
    "label": "Background jobs",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    # How often each worker asks the database for new jobs: sooner starts cost a
    # query each time (Redis hands jobs over at once and needs no polling).
    Q_CLUSTER["poll"] = env_int("QUEUE_POLL_MS", 2000, minimum=100) / 1000

# --- Secret key -------------------------------------------------------------

# Shared servers mean there may be several web nodes, so none may make its own key.
_shared_by = []
if not _on_sqlite:
    _shared_by.append("DATABASE_URL points at PostgreSQL")
if REDIS_URL:
    _shared_by.append("REDIS_URL is set")
SECRET_KEY = secret_key(DATA_DIR / "secret_key", shared_by=_shared_by)

# --- Email ----------------------------------------------------------------

EMAIL_URL = env_url("EMAIL_URL", ("smtp", "smtps", "console"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Commonpot <noreply@commonpot.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if not EMAIL_URL or EMAIL_URL.startswith("console"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    from urllib.parse import unquote, urlsplit

    _email = urlsplit(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_TIMEOUT = 20

# --- Text messages ----------------------------------------------------------

# Which gateway sends text messages (commonpot.sms): console output by default.
SMS_URL = env_url("SMS_URL", ("console", "twilio", "twilio+http", "smsgate", "smsgate+http"))

# --- Security ---------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours: a locked-out person may try again after 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# Count failures per account, whatever case or email address is typed: the backend
# matches all of them to one account, so the throttle must too.
AXES_USERNAME_CALLABLE = "commonpot.auth.lockout_username"

HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Static files -----------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names once collectstatic has run (production); the
    # files as they are in static/ before that (tests, a first `make run`).
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if (STATIC_ROOT / "staticfiles.json").exists()
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- django-tables2 -------------------------------------------------------

DJANGO_TABLES2_TEMPLATE = "commonpot/_table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Region used to read phone numbers typed without a country code.
PHONE_REGION = env_str("PHONE_REGION", "GB").upper()

# Map background tiles for the public map ({z}/{x}/{y}); the map works without them.
MAP_TILES_URL = env_str("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")

# An OSRM server (its base URL, e.g. http://osrm:5000) for road travel times when
# ordering pickup runs; empty: straight-line distances at town speed.
ROUTING_URL = env_str("ROUTING_URL", "").rstrip("/")

# Content-Security-Policy (django-csp): pages load scripts, styles, fonts and images
# from Commonpot's own static files only (no inline script or style anywhere; htmx's
# indicator styles are in commonpot.css). Pages with a map add the tiles' server to
# img-src (commonpot.maps.allow_tiles). The admin is Django's own and still uses inline
# styles, so it is left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Murmurations index that the admin action submits public site profiles to.
MURMURATIONS_INDEX_URL = env_url("MURMURATIONS_INDEX_URL", ("https", "http")) or (
    "https://test-index.murmurations.network/v2"
)
