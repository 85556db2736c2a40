"""Settings for shopadmin, read from the environment (django-environ).

A `.env` file beside manage.py is read when present (development only; see `.env.example`).
Production sets real environment variables and has no secret defaults: a missing
DJANGO_SECRET_KEY stops start-up with a clear error.

Shopee settings (SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY, ...) are read here as plain text and
validated only when a Shopee action runs (`shopee.config`), so a missing partner key
never breaks an unrelated page.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from shopadmin.log_config import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
ENV_FILE = BASE_DIR / ".env"
if ENV_FILE.exists():
    env.read_env(str(ENV_FILE), overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set. Set it in the environment (or in .env for development; "
        "bin/demo and bin/test write one for you)."
    )

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    # One app per subject (README: Architecture), lowest first.
    "audit",
    "shops",
    "dispatch",
    "vouchers",
    "promotions",
    "notifications",
    "runs",
    "jobs",
    # Before django_tasks_db: our `manage.py db_worker` (reconnects, beats) takes the place of its.
    "ops",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (SECURE_CSP below).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the picker's choice (cookie), else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Locks out repeated failed logins (django-axes); keep it last.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After 5 failed logins for a username from one address, that pair is locked for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address: behind N trusted proxies (DJANGO_TRUSTED_PROXY_COUNT), the Nth entry from
# the right of X-Forwarded-For; with 0 (no proxy) REMOTE_ADDR. See shopadmin/security.py.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("DJANGO_TRUSTED_PROXY_COUNT must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "shopadmin.security.client_ip_address"
# Logins land on the admin (shopadmin.security.admin_login keeps `next` to admin pages).
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

ROOT_URLCONF = "shopadmin.urls"

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
                # csp_nonce for {% csp_nonce_attr %} (Django's admin uses it for inline code).
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "shopadmin.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads and processes (web, workers) share the file: wait for a writer instead of
    # failing with "database is locked", take the write lock when a transaction begins, and let
    # readers run beside the writer (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Tests use a file too (not shared-cache memory), so threads and processes see one database;
    # one per test session, so that concurrent sessions do not collide.
    DATABASES["default"]["TEST"] = {
        "NAME": str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Django's admin speaks all of these; our own strings come from locale/ (compiled in setup).
LANGUAGES = [
    ("en", _("English")),
    ("vi", _("Vietnamese")),
    ("th", _("Thai")),
    ("id", _("Indonesian")),
    ("ms", _("Malay")),
    ("zh-hant", _("Traditional Chinese")),
    ("pt-br", _("Brazilian Portuguese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Static files are served by WhiteNoise; in production from `collectstatic`'s hashed, compressed
# copies (run collectstatic before starting), in development from the apps' folders.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# HTTPS: on by default outside development. Behind a proxy that terminates TLS, set
# DJANGO_SECURE_PROXY_SSL_HEADER=true (it must set X-Forwarded-Proto).
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG
)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: only this site's own scripts, styles, fonts and images; no inline
# script or style but a template's nonce'd one ({% csp_nonce_attr %}); never framed, forms post
# only here. Our styles are in vouchers/static/vouchers/shopadmin.css: add no style="" attribute.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Fernet keys for shop tokens at rest (shops/crypto.py): the first encrypts, all decrypt.
TOKEN_ENCRYPTION_KEYS = env.list("TOKEN_ENCRYPTION_KEYS", default=[])

# Shopee Open Platform v2. Validated when used, see shopee/config.py.
SHOPEE_PARTNER_ID = env.str("SHOPEE_PARTNER_ID", default="")
SHOPEE_PARTNER_KEY = env.str("SHOPEE_PARTNER_KEY", default="")
SHOPEE_API_BASE_URL = env.str("SHOPEE_API_BASE_URL", default="https://partner.shopeemobile.com")
SHOPEE_TIMEOUT_SECONDS = env.str("SHOPEE_TIMEOUT_SECONDS", default="10")
# The push URL exactly as registered with Shopee (it is part of what Shopee signs); empty: the
# URL the push arrived at, as this server sees it.
SHOPEE_PUSH_URL = env.str("SHOPEE_PUSH_URL", default="")
# Pushes we refuse (no or wrong signature, malformed, too large) are kept this many days, as
# size, hash and prefix only, then deleted by `manage.py prune`.
PUSH_REJECTED_RETENTION_DAYS = env.int("PUSH_REJECTED_RETENTION_DAYS", default=30)
if PUSH_REJECTED_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("PUSH_REJECTED_RETENTION_DAYS must be 1 or more (days).")

# Background work: Django's tasks framework with the database backend (django-tasks-db); run
# workers with `manage.py db_worker`. The same code runs on SQLite and on PostgreSQL.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Ending runs (runs/services): calls in flight at once, pace per shop and overall
# (requests per second), calls per voucher (get_voucher checks included) and retry backoff.
END_RUN_CONCURRENCY = env.int("END_RUN_CONCURRENCY", default=8)
END_RUN_SHOP_RPS = env.float("END_RUN_SHOP_RPS", default=10.0)
END_RUN_GLOBAL_RPS = env.float("END_RUN_GLOBAL_RPS", default=100.0)
END_RUN_MAX_ATTEMPTS = env.int("END_RUN_MAX_ATTEMPTS", default=8)
END_RUN_RETRY_BASE_SECONDS = env.float("END_RUN_RETRY_BASE_SECONDS", default=1.0)
END_RUN_RETRY_MAX_SECONDS = env.float("END_RUN_RETRY_MAX_SECONDS", default=60.0)
# A run is processed in slices of this many seconds (so runs share workers), under a lease that
# a watchdog task takes over when a worker dies: due 1 s after the lease runs out, so a dead
# worker's run resumes within lease + about 3 s (20 s: within 30 s, as README promises).
END_RUN_SLICE_SECONDS = env.float("END_RUN_SLICE_SECONDS", default=120.0)
END_RUN_LEASE_SECONDS = env.float("END_RUN_LEASE_SECONDS", default=20.0)
# When every one of the last END_RUN_OUTAGE_CALLS calls to Shopee failed with a network error or
# a 5xx, Shopee is down for everyone: a run waits, probing with one call every
# END_RUN_OUTAGE_PROBE_SECONDS, and stops after END_RUN_OUTAGE_MAX_WAIT_SECONDS (Retry goes on).
END_RUN_OUTAGE_CALLS = env.int("END_RUN_OUTAGE_CALLS", default=20)
END_RUN_OUTAGE_PROBE_SECONDS = env.float("END_RUN_OUTAGE_PROBE_SECONDS", default=10.0)
END_RUN_OUTAGE_MAX_WAIT_SECONDS = env.float("END_RUN_OUTAGE_MAX_WAIT_SECONDS", default=1800.0)

# Mail (notifications/services/notify.py), as Django 6.1's MAILERS. EMAIL_URL is smtp://,
# smtp+tls:// (STARTTLS), smtp+ssl:// or consolemail:// (the default, for development: mails are
# printed; `check --deploy` refuses it), with the user and password in the URL, percent-encoded:
# smtp+tls://user:p%40ss@smtp.example.com:587. Links in mails start with SHOPADMIN_BASE_URL.
# (An empty EMAIL_URL= means the default too.)
_email = environ.Env.email_url_config(env.str("EMAIL_URL", default="") or "consolemail://")
_mail_options = {}
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    _mail_options = {
        "host": _email["EMAIL_HOST"] or "localhost",
        "port": _email["EMAIL_PORT"],  # None: 25, 587 with smtp+tls, 465 with smtp+ssl
        "username": _email["EMAIL_HOST_USER"] or None,
        "password": _email["EMAIL_HOST_PASSWORD"] or None,
        "use_tls": bool(_email.get("EMAIL_USE_TLS")),
        "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
        "timeout": env.float("EMAIL_TIMEOUT_SECONDS", default=10.0),
    }
elif _email["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    _mail_options = {"file_path": _email["EMAIL_FILE_PATH"]}
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _mail_options}}
del _email, _mail_options
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="shopadmin <shopadmin@localhost>")
SHOPADMIN_BASE_URL = env.str("SHOPADMIN_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# /metrics/ (ops/metrics.py): Prometheus scrapes it with `Authorization: Bearer <token>`;
# staff logged in to the admin may open it too. Empty: staff logins only.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# Logs go to stderr, one line per record, times in UTC with their offset. LOG_FORMAT=json (the
# default; production) writes JSON lines (python-json-logger) with the fields timestamp, level,
# logger, message and, where they apply, run_id, shop_id, voucher_id, request_id, actor and
# worker_id (core/logcontext.py); LOG_FORMAT=text writes the same as plain text (bin/demo).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT is json or text, not {LOG_FORMAT!r}.")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env.str("DJANGO_LOG_LEVEL", default="INFO"))
