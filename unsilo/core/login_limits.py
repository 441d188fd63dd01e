"""How many wrong passwords and API tokens unsilo takes, from where, before it stops checking.

django-axes counts every failure in its AccessAttempt rows (one transaction per failure, so
parallel guesses are all counted); this module says which counts lock what (settings.py points
axes here). Three limits, each over the last LOGIN_LOCKOUT_MINUTES:

- LOGIN_FAILURE_LIMIT failures for one login from one address lock that login *from that
  address* (an API token failure counts as a login of its own: no email);
- LOGIN_ADDRESS_FAILURE_LIMIT failures from one address, whatever login, lock the address;
- LOGIN_ACCOUNT_FAILURE_LIMIT failures for one login from all addresses together lock that
  login from every address it has never signed in from: a guesser spread over many addresses
  is held to a handful of guesses per window, while the person signs in as usual from where
  they signed in before.

So nobody can lock a named person out from their own address by knowing their email. Each
counted failure and each lock writes an audit row (`core.audit`); a refused attempt while
locked is not counted again, so a lock ends when it says it will.
"""

import datetime
import ipaddress
import logging
import operator
from dataclasses import dataclass
from functools import reduce

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_parameters, get_client_username, get_lockout_parameters
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from unsilo.core import audit
from unsilo.core.actor import Actor
from unsilo.core.models import ApiToken, User, Via

log = logging.getLogger("unsilo.login")
PAIR = ("username", "ip_address")
ADDRESS = "ip_address"
ACCOUNT = "username"
SCOPES = {PAIR: "for this login from this address", ADDRESS: "from this address",
          ACCOUNT: "for this login from addresses it has not signed in from before"}


def window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def limit_of(parameter) -> int:
    return {PAIR: settings.LOGIN_FAILURE_LIMIT, ADDRESS: settings.LOGIN_ADDRESS_FAILURE_LIMIT,
            ACCOUNT: settings.LOGIN_ACCOUNT_FAILURE_LIMIT}[_key(parameter)]


def _key(parameter) -> tuple | str:
    return tuple(parameter) if isinstance(parameter, list | tuple) else parameter


def username(request, credentials: dict | None) -> str | None:
    """The login as the backend reads it (AXES_USERNAME_CALLABLE): "Ann@X.com " is ann@x.com."""
    value = credentials.get("username") if credentials is not None else \
        request.POST.get("username")
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def client_address(request) -> str | None:
    """The caller's address (AXES_CLIENT_IP_CALLABLE): REMOTE_ADDR, or, behind
    UNSILO_PROXY_COUNT trusted proxies, the address the outermost of them saw: X-Forwarded-For
    counted from the right, since anything further left is whatever the client wrote."""
    count = settings.UNSILO_PROXY_COUNT
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if count and len(hops) >= count and (address := _address(hops[-count])):
        return address
    return _address(request.META.get("REMOTE_ADDR", ""))


def _address(text: str) -> str | None:
    """An IP address written as the database stores it (so rows compare equal), or None."""
    text = text.strip()
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return None
    return clean_ipv6_address(text) if ":" in text else text


def lockout_parameters(request, credentials: dict | None) -> list:
    """The counts that lock this attempt (AXES_LOCKOUT_PARAMETERS): never the login alone,
    except from an address that login has never signed in from."""
    login = get_client_username(request, credentials)
    if login is None:
        # An API token names no login: wrong ones count only towards their address's limit, so
        # a script with a stale token does not lock its office's other scripts after five calls.
        return [ADDRESS]
    parameters = [list(PAIR), ADDRESS]
    if not _signed_in_from_here(request, login):
        parameters.append(ACCOUNT)
    return parameters


def _signed_in_from_here(request, login: str) -> bool:
    known = request.__dict__.setdefault("unsilo_signed_in_from_here", {})  # asked twice a check
    if login not in known:
        known[login] = AccessLog.objects.filter(
            username=login, ip_address=request.axes_ip_address).exists()
    return known[login]


def keep_response(request, original_response, credentials):
    """AXES_LOCKOUT_CALLABLE: the login page and the API each say themselves why they refused."""
    return original_response


@dataclass(frozen=True)
class Lock:
    scope: str  # SCOPES' words
    until: datetime.datetime

    def message(self) -> str:
        minutes = max(1, int((self.until - timezone.now()).total_seconds() // 60) + 1)
        sooner = " A hub admin can unlock the login sooner (Admin → Logins & roles)." \
            if "login" in self.scope else ""
        return (f"Too many failed sign-ins {self.scope}: locked for {minutes} more minute"
                f"{'s' if minutes != 1 else ''}.{sooner}")


class LoginLimits(AxesDatabaseHandler):
    """AXES_HANDLER: axes' database handler with a limit of its own per count (axes has one
    for all), audit rows, and a success that clears only its own login at its own address."""

    def lock(self, request, credentials: dict | None = None) -> Lock | None:
        """The lock that holds longest on this attempt, or None (one query for every count)."""
        parameters = get_lockout_parameters(request, credentials)
        login = get_client_username(request, credentials)
        filters = get_client_parameters(login, request.axes_ip_address,
                                        request.axes_user_agent, request, credentials)
        rows = AccessAttempt.objects.filter(
            reduce(operator.or_, (Q(**f) for f in filters)),
            attempt_time__gte=get_cool_off_threshold(request),
        ).order_by("-attempt_time").values("username", "ip_address", "attempt_time",
                                           "failures_since_start")
        totals = [0] * len(parameters)
        found = None
        # Newest first: a lock ends when the row that reached its limit leaves the window.
        for row in rows:
            for i, (parameter, wanted) in enumerate(zip(parameters, filters, strict=True)):
                if totals[i] < limit_of(parameter) and all(
                        row[k] == v for k, v in wanted.items()):
                    totals[i] += row["failures_since_start"]
                    if totals[i] >= limit_of(parameter):
                        lock = Lock(SCOPES[_key(parameter)], row["attempt_time"] + window())
                        if found is None or lock.until > found.until:
                            found = lock
        return found

    def get_failures(self, request, credentials: dict | None = None) -> int:
        # settings.AXES_FAILURE_LIMIT is 1: one reached limit locks.
        return int(self.lock(request, credentials) is not None)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None or request.axes_locked_out:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        with transaction.atomic():
            super().user_login_failed(sender, credentials, request, **kwargs)
            _audit_failure(request, credentials)

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        # Only this login's failures at this address: a success elsewhere clears nothing else.
        AccessAttempt.objects.filter(username=user.get_username(),
                                     ip_address=request.axes_ip_address).delete()


def _audit_failure(request, credentials: dict) -> None:
    """A failure's audit row, and a lock's when this failure set one."""
    address = request.axes_ip_address
    login = get_client_username(request, credentials)
    is_token = "token_prefix" in credentials  # core.auth.user_for_token's failures
    token = credentials.get("token_prefix") or ""
    actor = Actor.anonymous(address, Via.API if is_token else Via.UI)
    target, label = None, ""
    if is_token:
        target = ApiToken.objects.filter(prefix=token).first() if token else None
        label = f"API token {token}…" if token else "API token (not an unsilo token)"
    elif login:
        target = User.objects.filter(email=login).first()
        label = f"sign-in as {login}"
    if target is None:
        target = AccessAttempt.objects.filter(
            username=login, ip_address=address, user_agent=request.axes_user_agent).first()
    changes = {"address": [None, address]}
    if is_token:
        changes["token"] = [None, f"{token}…" if token else "not an unsilo token"]
    elif login:
        changes["email"] = [None, login]
    _record(actor, "login_failed", target, changes, label)
    if request.axes_locked_out:
        lock = LoginLimits().lock(request, credentials)
        if lock is not None:
            log.warning("sign-ins locked %s (%s, %s) until %s", lock.scope, address,
                        label or "no login", lock.until.isoformat(timespec="seconds"))
            _record(actor, "login_locked", target,
                    {**changes, "locked": [None, lock.scope],
                     "until": [None, lock.until.isoformat(timespec="seconds")]}, label)


def _record(actor: Actor, action: str, target, changes: dict, label: str) -> None:
    if target is None:  # nothing was counted (axes skipped the attempt)
        return
    row = audit.event(actor, action, target, changes)
    if not isinstance(target, User | ApiToken):
        row.object_repr = label[:300]  # an axes row says nothing readable of itself
    row.save()


def locks(logins: list[str]) -> dict[str, datetime.datetime]:
    """{login: until when} for the logins locked at some address, or from new addresses."""
    since = timezone.now() - window()
    rows = AccessAttempt.objects.filter(username__in=logins, attempt_time__gte=since) \
        .order_by("-attempt_time").values_list("username", "ip_address", "attempt_time",
                                               "failures_since_start")
    pair: dict[tuple, int] = {}
    account: dict[str, int] = {}
    found: dict[str, datetime.datetime] = {}
    for login, address, at, failures in rows:
        pair[login, address] = pair.get((login, address), 0) + failures
        account[login] = account.get(login, 0) + failures
        if (pair[login, address] >= settings.LOGIN_FAILURE_LIMIT
                or account[login] >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT):
            found[login] = max(found.get(login, at + window()), at + window())
    return found


def unlock(login: str) -> int:
    """Forget every counted failure of `login` (the hub admin's Unlock); how many there were."""
    attempts = AccessAttempt.objects.filter(username=login)
    failures = sum(attempts.values_list("failures_since_start", flat=True))
    attempts.delete()
    return failures
