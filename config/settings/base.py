"""Every setting Pustaka has. Environment-specific modules (dev, test, prod) only override.

Features switch on when their environment variable is set: `DATABASE_URL` moves from the embedded
SQLite file to PostgreSQL, `REDIS_URL` moves cache, sessions and the task queue to Redis.
"""

from __future__ import annotations

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.env import (
    BASE_DIR,
    env_bool,
    env_int,
    env_list,
    env_str,
    secret_key,
    var_dir,
)

VAR_DIR = var_dir()

SECRET_KEY = secret_key()
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

REDIS_URL = env_str("REDIS_URL")

# ---------------------------------------------------------------------------------------------
# Applications

INSTALLED_APPS = [
    # Ours first, so that our templates (error pages, registration) win.
    "core",
    "accounts",
    "patrons",
    "catalog",
    "circulation",
    "inventory",
    "visits",
    "sip2",
    "events",
    "spaces",
    "conversations",
    "participation",
    "surveys",
    "search",
    "api",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Third party
    "django_htmx",
    "template_partials",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
]
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.NulCharacterMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "core.context_processors.pustaka",
            ],
            "builtins": ["django.templatetags.i18n", "core.templatetags.pustaka"],
        },
    },
]

# ---------------------------------------------------------------------------------------------
# Data

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock instead of failing with "database is locked"; WAL lets readers
    # go on while one writer writes.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # The few statements the desk, the kiosks and the phones send on every scan are compiled
    # once per connection (core.compiled) and, here, prepared by PostgreSQL after a few runs:
    # parsing and planning them was a third of the server's work per checkout. Everything else
    # keeps Django's client-side binding, which prepares nothing. Behind a pooler that cannot
    # keep prepared statements (PgBouncer in transaction mode before 1.21's
    # max_prepared_statements), set PUSTAKA_DB_PREPARED_STATEMENTS=off.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        5 if env_bool("PUSTAKA_DB_PREPARED_STATEMENTS", True) else None
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pustaka",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pustaka",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    TASKS = {
        "default": {"BACKEND": "core.task_backends.DatabaseBackend", "QUEUES": ["default"]},
    }

# ---------------------------------------------------------------------------------------------
# Accounts, sessions and security

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.UsernameOrEmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Members stay signed in on their phones for two weeks; staff sessions end after
# PUSTAKA_STAFF_SESSION_HOURS without activity (set at sign-in).
SESSION_COOKIE_AGE = 14 * 24 * 3600
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

HTTPS = env_bool("PUSTAKA_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

OTP_TOTP_ISSUER = "Pustaka"

# ---------------------------------------------------------------------------------------------
# Pustaka's own

PUSTAKA_STAFF_SESSION_HOURS = env_int("PUSTAKA_STAFF_SESSION_HOURS", 8)
# Sign-in throttling: after SLOWDOWN failures each further try must wait (doubling, capped);
# after LOCKOUT failures the account (or the address) is locked for LOCKOUT_MINUTES.
PUSTAKA_LOGIN_SLOWDOWN_AFTER = env_int("PUSTAKA_LOGIN_SLOWDOWN_AFTER", 3)
PUSTAKA_LOGIN_LOCKOUT_AFTER = env_int("PUSTAKA_LOGIN_LOCKOUT_AFTER", 10)
PUSTAKA_LOGIN_ADDRESS_LOCKOUT_AFTER = env_int("PUSTAKA_LOGIN_ADDRESS_LOCKOUT_AFTER", 30)
PUSTAKA_LOGIN_LOCKOUT_MINUTES = env_int("PUSTAKA_LOGIN_LOCKOUT_MINUTES", 15)
PUSTAKA_PROXY_COUNT = env_int("PUSTAKA_PROXY_COUNT", 0)
# Days a finished background task's row is kept in the database queue (failed ones at least
# 90), then the nightly job deletes it (core.tasks.prune_finished_tasks).
PUSTAKA_TASK_RESULTS_DAYS = env_int("PUSTAKA_TASK_RESULTS_DAYS", 14)
PUSTAKA_SERVE_MEDIA = env_bool("PUSTAKA_SERVE_MEDIA", True)
PUSTAKA_BIND = env_str("PUSTAKA_BIND", "127.0.0.1:8000")
# Where people reach Pustaka: links in e-mails and calendar feeds sent from background tasks.
PUSTAKA_SITE_URL = env_str("PUSTAKA_SITE_URL", "http://127.0.0.1:8000")
# Sites (e.g. "https://perpustakaan.example.go.id") allowed to show surveys in a frame.
PUSTAKA_SURVEY_EMBED_ORIGINS = env_list("PUSTAKA_SURVEY_EMBED_ORIGINS", [])
PUSTAKA_WEB_WORKERS = env_int("PUSTAKA_WEB_WORKERS", 2)
PUSTAKA_WEB_THREADS = env_int("PUSTAKA_WEB_THREADS", 4)

# ---------------------------------------------------------------------------------------------
# Language, time, money

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
# The install's default; the library profile's own time zone is activated on every request.
TIME_ZONE = env_str("PUSTAKA_TIME_ZONE", "Asia/Jakarta")

# ---------------------------------------------------------------------------------------------
# Files

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# ---------------------------------------------------------------------------------------------
# E-mail: SMTP when EMAIL_HOST is set, otherwise every message is written to var/mail/.

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Pustaka <pustaka@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# ---------------------------------------------------------------------------------------------
# Logging: everything to stderr; tracebacks go to the log, never to the page.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env_str("PUSTAKA_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
