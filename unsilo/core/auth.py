"""Password login with lockout, and API token lookup."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.utils import timezone

from unsilo.core.models import ApiToken, User

TOKEN_PREFIX = "usl_"


class LockoutBackend(BaseBackend):
    """Email and password; after LOGIN_FAILURE_LIMIT failures the login is locked for a while."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = (username or kwargs.get("email") or "").strip().lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        now = timezone.now()
        if user.locked_until and user.locked_until > now:
            if request is not None:
                request.login_locked_until = user.locked_until
            return None
        if user.check_password(password) and user.is_active:
            if user.failed_logins or user.locked_until:
                User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
            return user
        failures = user.failed_logins + 1
        locked = None
        if failures >= settings.LOGIN_FAILURE_LIMIT:
            locked = now + datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            failures = 0
            if request is not None:
                request.login_locked_until = locked
        User.objects.filter(pk=user.pk).update(failed_logins=failures, locked_until=locked)
        return None

    def get_user(self, user_id):
        return User.objects.select_related("person").filter(pk=user_id, is_active=True).first()


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def user_for_token(raw: str) -> User | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__person")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute: a busy integrator should not write on every call.
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
