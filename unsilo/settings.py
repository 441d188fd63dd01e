"""One env-driven settings module: DATABASE_URL, else SQLite (WAL) in the data directory."""

import datetime
import os
from pathlib import Path

import dj_database_url

from unsilo import config

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent
DATA_DIR = config.data_dir()

SECRET_KEY = os.environ.get("UNSILO_SECRET_KEY") or config.local_secret_key(DATA_DIR)
DEBUG = os.environ.get("UNSILO_DEBUG", "") == "1"
# The host names unsilo answers for (`unsilo serve` refuses to start without them).
ALLOWED_HOSTS = config.allowed_hosts()
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
    "axes",
    "unsilo.core",
    "unsilo.org",
    "unsilo.accounts",
    "unsilo.publishing",
    "unsilo.inbox",
    "unsilo.connectors",
    "unsilo.sso",
    "unsilo.experts",
    "unsilo.mail",
]

MIDDLEWARE = [
    "unsilo.core.middleware.ApiAnswersJson",
    "django.middleware.security.SecurityMiddleware",
    "unsilo.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "unsilo.sso.middleware.SessionRecheck",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "unsilo.core.middleware.LoginRequiredMiddleware",
    "unsilo.core.middleware.RefusalMiddleware",
    "unsilo.core.middleware.ReaderTimeZoneMiddleware",
    "axes.middleware.AxesMiddleware",
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
# django-axes refuses a locked attempt before the password is checked (core/login_limits.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "unsilo.core.auth.EmailBackend",
                           # Single sign-on's logins (unsilo/sso/): it checks no password.
                           "unsilo.sso.backend.SsoBackend"]
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
# Failed sign-ins (passwords and API tokens) inside the window, then locked for the window:
# one login from one address; one address, any login; one login from every address it has
# never signed in from (core/login_limits.py).
LOGIN_FAILURE_LIMIT = 5
LOGIN_ADDRESS_FAILURE_LIMIT = 30
LOGIN_ACCOUNT_FAILURE_LIMIT = 10
LOGIN_LOCKOUT_MINUTES = 15
# How many reverse proxies stand in front and append to X-Forwarded-For (1 with UNSILO_HTTPS=1
# unless UNSILO_PROXY_COUNT says otherwise); 0: the connection's own address is the client's.
UNSILO_PROXY_COUNT = config.proxy_count()
AXES_HANDLER = "unsilo.core.login_limits.LoginLimits"
AXES_LOCKOUT_PARAMETERS = "unsilo.core.login_limits.lockout_parameters"
AXES_FAILURE_LIMIT = 1  # LoginLimits counts reached limits, each with its own size
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lock ends when it said it would
AXES_RESET_ON_SUCCESS = False  # LoginLimits clears only the login's own failures there
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "unsilo.core.login_limits.username"
AXES_CLIENT_IP_CALLABLE = "unsilo.core.login_limits.client_address"
AXES_LOCKOUT_CALLABLE = "unsilo.core.login_limits.keep_response"
AXES_ENABLE_ADMIN = False

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto: UNSILO_HTTPS=1.
if os.environ.get("UNSILO_HTTPS") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    # Browsers then refuse plain http for this host (a year unless UNSILO_HSTS_SECONDS says).
    SECURE_HSTS_SECONDS = int(os.environ.get("UNSILO_HSTS_SECONDS") or 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("UNSILO_HSTS_INCLUDE_SUBDOMAINS") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("UNSILO_HSTS_PRELOAD") == "1"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en"
# The hub's time zone: dates for readers without one of their own, and their days.
TIME_ZONE = os.environ.get("UNSILO_TIME_ZONE") or "UTC"
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
    "loggers": {"unsilo": {"level": os.environ.get("UNSILO_LOG_LEVEL", "INFO")},
                # Each failed sign-in is an audit row; axes' own lines say no more.
                "axes": {"level": "ERROR"}},
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

# Email (docs/mail.md). With EMAIL_HOST set, the workers send through that SMTP server;
# without it each email is written to a file in <data dir>/mail/ (the demo works, nothing
# leaves the machine). UNSILO_EMAIL_BACKEND names any other Django email backend.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT") or 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS") == "1"
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL") == "1"
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT") or 30)
EMAIL_BACKEND = os.environ.get("UNSILO_EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("UNSILO_MAIL_FROM", "unsilo <unsilo@localhost>")
# The domain of Message-IDs: the From address's.
UNSILO_MAIL_DOMAIN = DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
# Links in emails: the public address (UNSILO_PUBLIC_URL), else the demo's.
UNSILO_MAIL_BASE_URL = UNSILO_PUBLIC_URL or "http://127.0.0.1:8000"
# Consult emails carry Reply-To: reply+TOKEN@<this domain> when it is set; `unsilo mail-in`
# takes those replies. Unset: no reply address, answers are given in unsilo.
UNSILO_MAIL_REPLY_DOMAIN = os.environ.get("UNSILO_MAIL_REPLY_DOMAIN", "").strip().lower()
# Seconds: how long a claimed email is held (longer than a batch can take), and the first
# wait after a temporary refusal (doubling each time, up to an hour). The tests shorten them.
UNSILO_MAIL_LEASE_SECONDS = float(os.environ.get("UNSILO_MAIL_LEASE_SECONDS") or 600)
UNSILO_MAIL_RETRY_SECONDS = float(os.environ.get("UNSILO_MAIL_RETRY_SECONDS") or 30)
# The local hour at which daily digests go out, in each reader's time zone.
UNSILO_MAIL_DIGEST_HOUR = int(os.environ.get("UNSILO_MAIL_DIGEST_HOUR") or 8)

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
NINJA_PAGINATION_CLASS = "unsilo.core.api.Pagination"


# Single sign-on through the company's OpenID provider (docs/deploy.md). Without an issuer,
# people sign in with passwords only, as before.
UNSILO_OIDC_ISSUER = os.environ.get("UNSILO_OIDC_ISSUER", "").rstrip("/")
UNSILO_OIDC_CLIENT_ID = os.environ.get("UNSILO_OIDC_CLIENT_ID", "")
UNSILO_OIDC_CLIENT_SECRET = os.environ.get("UNSILO_OIDC_CLIENT_SECRET", "")
UNSILO_OIDC_SCOPES = os.environ.get("UNSILO_OIDC_SCOPES", "openid email profile groups")
UNSILO_OIDC_GROUPS_CLAIM = os.environ.get("UNSILO_OIDC_GROUPS_CLAIM", "groups")
# What the sign-in button calls the provider.
UNSILO_OIDC_NAME = os.environ.get("UNSILO_OIDC_NAME", "your company account")
# How often, at most, a signed-in session is checked again (the login, the person, the
# provider); 0: on every request.
UNSILO_OIDC_RECHECK_SECONDS = int(os.environ.get("UNSILO_OIDC_RECHECK_SECONDS") or 300)
UNSILO_OIDC_TIMEOUT = float(os.environ.get("UNSILO_OIDC_TIMEOUT") or 5)
