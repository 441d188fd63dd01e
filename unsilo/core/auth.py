"""Password login and API token lookup; core/login_limits.py says how many failures lock what."""

import datetime
import hashlib
import secrets

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.signals import user_login_failed
from django.utils import timezone

from unsilo.core.models import ApiToken, User

TOKEN_PREFIX = "usl_"


class EmailBackend(BaseBackend):
    """Email and password. django-axes' backend before it refuses a locked attempt unchecked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = (username or kwargs.get("email") or "").strip().lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and user.is_active:
            return user
        return None

    def get_user(self, user_id):
        return User.objects.select_related("person").filter(pk=user_id, is_active=True).first()


class TokenLocked(Exception):
    """Too many wrong tokens from this address; the message says for how long."""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def user_for_token(raw: str, request=None) -> User | None:
    """The token's user, or None; with `request`, a wrong token counts as a failed sign-in from
    its address, and a locked address raises TokenLocked before the token is looked at."""
    if request is not None:
        # The prefix is not secret (the token pages show it); other text sent may be.
        credentials = {"username": None,
                       "token_prefix": raw[:10] if raw.startswith(TOKEN_PREFIX) else ""}
        if not AxesProxyHandler.is_allowed(request, credentials):
            raise TokenLocked(_lock_message(request, credentials))
    token = _token(raw)
    if token is None:
        if request is not None:
            user_login_failed.send(__name__, credentials=credentials, request=request)
        return None
    now = timezone.now()
    # Touch at most once a minute: a busy integrator should not write on every call.
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _token(raw: str) -> ApiToken | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    return (
        ApiToken.objects.select_related("user", "user__person")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def _lock_message(request, credentials: dict) -> str:
    from unsilo.core.login_limits import LoginLimits

    lock = LoginLimits().lock(request, credentials)
    return lock.message() if lock else "Too many failed sign-ins from this address."
