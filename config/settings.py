"""Settings for School Logistics, all read from the environment (see README and .env.example)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
import xstatic.pkg.bootstrap
import xstatic.pkg.font_awesome

from config.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
SITES_DIR = Path(envstr("SITES_DIR", str(BASE_DIR / "sites")))
SITE_NAME = envstr("SITE", "default")
SITE_DIR = SITES_DIR / SITE_NAME

# sites/<site>/site_config.json holds per-site values written by `school-logistics new-site`.
_site_config_path = SITE_DIR / "site_config.json"
SITE_CONFIG: dict = (
    json.loads(_site_config_path.read_text(encoding="utf-8")) if _site_config_path.exists() else {}
)

DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY") or SITE_CONFIG.get("secret_key") or "insecure-dev-key-change-me"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_rq",
    "school_logistics.core",
    "school_logistics.workflow",
    "school_logistics.notify",
    "school_logistics.ledger",
    "school_logistics.purchasing",
    "school_logistics.stores",
    "school_logistics.assets",
    "school_logistics.repairs",
    "school_logistics.canteen",
    "school_logistics.safety",
    "school_logistics.energy",
    "school_logistics.service",
    "school_logistics.district",
    "school_logistics.api",
    "school_logistics.printing",
    "school_logistics.designer",
    "school_logistics.people",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "school_logistics.core.middleware.UserLanguageMiddleware",
    "school_logistics.people.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "school_logistics.core.middleware.ActionAddressMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["school_logistics.core.auth.UserBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk:home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "school_logistics.core.context_processors.desk",
                "school_logistics.notify.context_processors.unread",
            ],
        },
    },
]

# SQLite file of the current site by default; PostgreSQL in production via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL") or f"sqlite:///{SITE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "school_logistics.core.sqlite3"  # Django's, rewrites cached
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock up
        # front so two writers queue instead of failing with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Kept open across requests (conn_max_age above), as on PostgreSQL: a new connection runs
    # the PRAGMAs, parses the schema and compiles every statement again, ≈ 2 ms of a 13 ms
    # inbox page under gunicorn (benchmarks/README.md, "Served pages").
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, and a statement sent five times on a connection prepared
    # there, so PostgreSQL plans it once: the hot paths send the same SQL each time, and planning
    # costs more than running their small statements. Django turns preparing off by default for
    # transaction-mode poolers: set DATABASE_PREPARE_THRESHOLD=0 behind one (PgBouncer < 1.21).
    # Lists of documents are never prepared: one plan cannot serve every DocType (core/plans.py).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["server_side_binding"] = True
    options["prepare_threshold"] = envint("DATABASE_PREPARE_THRESHOLD", 5) or None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Applied where a person chooses a password (用户与部门, 修改密码), not to the demo's logins.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["username", "full_name", "email", "phone"]},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "apps" / "school_logistics" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    ("vendor/bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
    ("vendor/fontawesome", xstatic.pkg.font_awesome.BASE_DIR),
]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = SITE_DIR / "files"
# Made once per machine, not per site: the voucher font subset (printing/fonts.py).
_user_cache = Path(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"))
FONT_CACHE_DIR = Path(envstr("FONT_CACHE_DIR") or _user_cache / "school-logistics" / "fonts")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
MAX_ATTACHMENT_BYTES = envint("MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)

REDIS_URL = envstr("REDIS_URL")
RQ_QUEUES = {
    "default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600},
}
# Shared counters (e.g. the verification page's rate limit) need Redis once there are workers.
_cache_backend = "redis.RedisCache" if REDIS_URL else "locmem.LocMemCache"
CACHES = {
    "default": {"BACKEND": f"django.core.cache.backends.{_cache_backend}", "LOCATION": REDIS_URL}
}
# With a shared cache, signed-in requests read their session from Redis instead of the database
# (still written to both). A per-process cache would let a session live on after logout elsewhere.
SESSION_ENGINE = f"school_logistics.core.sessions.{'cached_db' if REDIS_URL else 'db'}"

EMAIL_HOST = envstr("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "school-logistics@localhost")
# Where links in notifications point (no trailing slash).
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)

SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}
