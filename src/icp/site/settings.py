"""Django settings, all from the environment.

Safe defaults for production: DEBUG is off unless `ICP_DEBUG=1` (the demo sets it); a production
server (`ICP_SERVE=1`, set by `icp serve` and the WSGI entry point) without `ICP_DEBUG=1` demands an
explicit SECRET_KEY, while batch commands and the demo without one use a random key made on first
use and kept owner-only in the data folder (icp.config.key_in_data_dir); cookies are HTTP-only and
same-site, and passwords are hashed with Argon2. `DATABASE_URL` chooses the app database (SQLite
file in ICP_DATA_DIR by default, PostgreSQL in production).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from icp.config import data_dir, key_in_data_dir

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

DEBUG = os.environ.get("ICP_DEBUG", "") == "1"
_TESTING = os.environ.get("ICP_TESTING", "") == "1"

# Set by `icp serve` and the WSGI entry point before Django starts: this process serves requests.
SERVING = os.environ.get("ICP_SERVE", "") == "1"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a key

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if SERVING and not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. A production server needs an explicit key: set the SECRET_KEY "
            "environment variable (or ICP_DEBUG=1 for a local demo)."
        )
    # Batch commands (migrate, ingest, stratify …), the demo and the tests: a random key made on
    # first use and kept in the data folder, owner-only; never a fixed one.
    SECRET_KEY = key_in_data_dir(SECRET_KEY_FILE, folder=DATA_DIR)

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Two-factor sign-in: TOTP devices (icp.site.two_factor).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "icp.site",
    "icp.audit",
    "icp.partnership",
    "icp.patients",
    "icp.governance",
    "icp.sharing",
    "icp.care",
    "icp.evaluation",
    "icp.fhir",
    "icp.jobs",
    # The background-job queue behind `icp worker` (docs/adr/0155-background-jobs.md).
    "django_q",
    # django-ninja as an app: /api/docs then renders Swagger UI from ninja's own static files (its
    # fallback loads them from a CDN, which our content security policy and offline rule forbid).
    # After icp.site, so that icp.site's copy of the docs template (with a page language) wins.
    "ninja",
    # Django's own widget templates, found after icp.site's NHS-styled ones (FORM_RENDERER below).
    "django.forms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # End idle sessions first, then hold a user who owes a second factor at the two-factor pages.
    "icp.site.idle.IdleSessionMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "icp.site.two_factor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "icp.site.security.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "icp.site.urls"
# Every form field is drawn with the NHS design system's markup: icp/webforms.py, whose templates
# are in icp/site/templates (nhsuk/forms/ and django/forms/widgets/).
FORM_RENDERER = "icp.webforms.NhsFormRenderer"
WSGI_APPLICATION = "icp.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "icp.site.context.site_context",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'icp.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several server workers and batch commands share one SQLite file: write-ahead logging lets reads
    # go on beside a write, a busy timeout makes a writer wait for the lock instead of failing with
    # "database is locked", and BEGIN IMMEDIATE takes the write lock when a transaction starts, so two
    # transactions never deadlock upgrading read locks (docs/adr/0130-sqlite-concurrency.md).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "partnership.User"
# Django's model backend behind a login throttle (icp.sharing.throttle): failures are counted per
# account from one address and per address, never per account alone (which would let anyone lock
# everyone out).
AUTHENTICATION_BACKENDS = ["icp.sharing.throttle.ThrottledModelBackend"]
ICP_LOGIN_FAILURE_LIMIT = int(os.environ.get("ICP_LOGIN_FAILURE_LIMIT", "5"))
ICP_LOGIN_ADDRESS_LIMIT = int(os.environ.get("ICP_LOGIN_ADDRESS_LIMIT", "20"))
ICP_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("ICP_LOGIN_LOCKOUT_MINUTES", "15"))
# The reverse proxies in front of icp (addresses or networks, comma-separated): only from them is
# X-Forwarded-For believed when the throttle asks who the client is. Empty: the peer address.
ICP_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("ICP_TRUSTED_PROXIES", "").split(",") if p.strip()]
# API tokens live this many days unless issued with --expires (at most a year).
ICP_API_TOKEN_DAYS = int(os.environ.get("ICP_API_TOKEN_DAYS", "90"))
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after ICP_SESSION_IDLE_MINUTES without a request (default 30; icp.site.idle), 8 hours
# after sign-in however busy, and when the browser closes.
SESSION_COOKIE_AGE = 8 * 60 * 60
ICP_SESSION_IDLE_MINUTES = int(os.environ.get("ICP_SESSION_IDLE_MINUTES", "30"))
# Two-factor sign-in (icp.site.two_factor): the name authenticator apps show beside the account.
OTP_TOTP_ISSUER = os.environ.get("ICP_TOTP_ISSUER", "icp")
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG and not _TESTING
CSRF_COOKIE_SECURE = not DEBUG and not _TESTING
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Addresses hold only opaque ids, but search pages carry names in query strings: no referrer leaves icp.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Served over HTTPS (ICP_HTTPS=1, normally behind a proxy that terminates TLS and says so in
# X-Forwarded-Proto): redirect plain HTTP to HTTPS, tell browsers to use HTTPS only for a year, and
# send cookies over HTTPS only. The health check answers on plain HTTP for the container's probe.
HTTPS = os.environ.get("ICP_HTTPS", "") == "1"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^health$"]
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Collected static files: in the data folder, or where ICP_STATIC_ROOT says (a container image keeps
# them in the image, so an upgrade never serves the last release's files from a volume).
STATIC_ROOT = Path(os.environ.get("ICP_STATIC_ROOT", "") or DATA_DIR / "staticfiles")
# Collected static files get content-hashed names and gzip/brotli copies, served by WhiteNoise with
# far-future caching; a file missing from the manifest falls back to its plain name rather than failing.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "icp.site.storage.StaticFilesStorage"},
}
WHITENOISE_MANIFEST_STRICT = False
MEDIA_ROOT = DATA_DIR / "media"
# Uploaded papers are served only through views that check access, never as public media.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Structured logging to stderr. Log records carry ids and counts, never a person's details:
# code that logs about a patient logs the opaque id only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "format": "time=%(asctime)s level=%(levelname)s logger=%(name)s message=%(message)s",
        }
    },
    "filters": {"no_query_strings": {"()": "icp.site.logfilters.StripQueryStrings"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "structured",
            "filters": ["no_query_strings"],
        }
    },
    "root": {"handlers": ["stderr"], "level": os.environ.get("ICP_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The development server's access log: through the same handler, so query strings are cut.
        "django.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}

NINJA_PAGINATION_PER_PAGE = 100

# The audit chain's signed checkpoints live outside the database: by default beside it in the data
# folder; point ICP_AUDIT_CHECKPOINTS at append-only or write-once storage in production
# (docs/deployment.md). The audit key is never a setting: icp.audit.keys reads it.
AUDIT_CHECKPOINT_LOG = os.environ.get("ICP_AUDIT_CHECKPOINTS", "") or str(DATA_DIR / "audit-checkpoints.log")

# Background jobs (`icp worker`, docs/adr/0155-background-jobs.md): django-q2 with its ORM broker, so
# the queue lives in the app database (SQLite or PostgreSQL) and needs no other service. A refresh is
# never retried half-way (max_attempts 1: the job row says it failed and why); `retry` must exceed
# `timeout`. The broker polls the database every `poll` seconds when idle.
_JOB_TIMEOUT = int(os.environ.get("ICP_JOB_TIMEOUT", str(4 * 60 * 60)))
Q_CLUSTER = {
    "name": "icp",
    "orm": "default",
    "workers": int(os.environ.get("ICP_WORKER_PROCESSES", "1")),
    "timeout": _JOB_TIMEOUT,
    "retry": _JOB_TIMEOUT + 600,
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    "poll": float(os.environ.get("ICP_WORKER_POLL", "2")),
    "save_limit": 500,
    "label": "Background jobs (queue)",
}
