"""The test provider's settings: SQLite in its data directory, OIDC with RS256 keys made at
start-up (idp/keys.py), PKCE required, tokens that the control endpoints can revoke."""

import os
from pathlib import Path

from idp import keys

DATA = Path(os.environ["IDP_DATA"])
SECRET_KEY = os.environ.get("IDP_SECRET_KEY", "test-provider-only")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
    "idp",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "idp.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request"]}}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA / "idp.sqlite3",
                         "OPTIONS": {"timeout": 20}}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
LOGIN_URL = "/login/"
# Another site's cookie name, so a browser on the same host keeps both sessions apart.
SESSION_COOKIE_NAME = "idp_session"
CSRF_COOKIE_NAME = "idp_csrftoken"

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": keys.ACTIVE,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [],
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "idp.validator.Validator",
    "SCOPES": {"openid": "OpenID Connect", "email": "Email", "profile": "Profile",
               "groups": "Groups"},
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
}
