"""One env-driven settings module: DATABASE_URL, else SQLite (WAL) in the data directory."""

import os
from pathlib import Path

import dj_database_url

from unsilo import config

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent
DATA_DIR = config.data_dir()

SECRET_KEY = os.environ.get("UNSILO_SECRET_KEY") or config.local_secret_key(DATA_DIR)
DEBUG = os.environ.get("UNSILO_DEBUG", "") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("UNSILO_ALLOWED_HOSTS", "*").split(",")]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("UNSILO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "unsilo.core",
    "unsilo.org",
    "unsilo.accounts",
    "unsilo.inbox",
    "unsilo.connectors",
]

MIDDLEWARE = [
    "unsilo.core.middleware.ApiAnswersJson",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "unsilo.core.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "unsilo.urls"
WSGI_APPLICATION = "unsilo.wsgi.application"

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
                "unsilo.core.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'unsilo.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE avoids lock upgrades between the web and the worker.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
            "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["unsilo.core.auth.LockoutBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/table/"
LOGOUT_REDIRECT_URL = "/login/"
# Lockout: this many failures inside the window lock the login for the window.
LOGIN_FAILURE_LIMIT = 5
LOGIN_LOCKOUT_MINUTES = 15

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto: UNSILO_HTTPS=1.
if os.environ.get("UNSILO_HTTPS") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Front-end packages come from the npm registry at install time, served locally.
STATICFILES_DIRS = [
    ("vendor/htmx", REPO_DIR / "node_modules" / "htmx.org" / "dist"),
]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "UNSILO_TASK_BACKEND", "django_tasks_db.DatabaseBackend"
        ),
    }
}

# Uploaded CSVs are held in memory up to this size; people imports stay well below.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("UNSILO_LOG_LEVEL", "WARNING")},
    "loggers": {"unsilo": {"level": os.environ.get("UNSILO_LOG_LEVEL", "INFO")}},
}

# Connectors. Without DATABASE_URL (the embedded default) credentials may use a key file
# beside the database; with it, UNSILO_CREDENTIALS_KEY must be set (connectors/credentials.py).
UNSILO_EMBEDDED = not os.environ.get("DATABASE_URL")
# Replies from accounts with no live connection go to the demo connector (`unsilo demo` sets
# this); otherwise they fail with "not connected" and wait for someone to connect the account.
UNSILO_DEMO_DELIVERY = os.environ.get("UNSILO_DEMO_DELIVERY") == "1"
# The connector that stands in then ("module:attribute"); the demo package provides it, so the
# connectors app never imports the demo.
UNSILO_STAND_IN_CONNECTOR = "unsilo.demo.network:DEMO"
# Feeds and webhook reply URLs are typed in by people: unsilo refuses to call private
# addresses with them (set to 1 only for a closed test network).
UNSILO_ALLOW_PRIVATE_URLS = os.environ.get("UNSILO_ALLOW_PRIVATE_URLS") == "1"
# Where the network sends the browser back after OAuth: this installation's public address.
UNSILO_PUBLIC_URL = os.environ.get("UNSILO_PUBLIC_URL", "").rstrip("/")

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
NINJA_PAGINATION_CLASS = "unsilo.core.api.Pagination"

