"""Every write of a connection or a sighting: permission check, change, audit row, one
transaction. Secrets are encrypted before they touch a model and never enter the audit log
(`Connection.AUDIT_REDACT`); the worker checks new credentials after the commit."""

import base64
import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from unsilo.accounts import actions as account_actions
from unsilo.accounts.models import Account, AccountStatus
from unsilo.connectors import credentials, plugins, public, tasks
from unsilo.connectors.base import Connector, ConnectorError
from unsilo.connectors.models import (
    Connection,
    ConnectionStatus,
    Discovery,
    Sighting,
    SightingStatus,
)
from unsilo.core import audit
from unsilo.core.actor import Actor
from unsilo.core.permissions import require

AUTHORIZE_WAIT = datetime.timedelta(minutes=10)  # a browser sign-in must come back within
SIGNING_SECRET_BYTES = 32


def connector_for(account: Account) -> Connector:
    connector = plugins.connector(account.network)
    if connector is None:
        raise ValidationError(f"No connector for {account.get_network_display()} is installed "
                              "on this server.")
    return connector


def signs_own_hooks(connector: Connector) -> bool:
    """A source that only pushes to its own hook URL (the generic webhook) signs with a secret
    unsilo makes per connection; networks with apps (Meta) sign with the app's secret."""
    return connector.webhooks and connector.auth == "none"


def _options(connector: Connector, form: dict) -> dict:
    """The form's non-secret fields, checked: each required one must be filled in, and an
    address must be http(s) and public (the worker checks it again when it connects)."""
    errors, options = {}, {}
    for f in connector.fields:
        value = str(form.get(f.name) or "").strip()
        if f.required and not value:
            errors[f.name] = f"{f.label} is required."
            continue
        if f.url and value:
            try:
                value = public.typed_url(value)
            except ValueError as error:
                errors[f.name] = f"{f.label}: {error}."
                continue
        if not f.secret:
            options[f.name] = value or f.default
    if errors:
        raise ValidationError(errors)
    return options


# Connecting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Connected:
    connection: Connection
    # The generic webhook's signing secret, made now: shown to the person once, then never.
    signing_secret: str = ""


def connect(actor: Actor, account: Account, form: dict) -> Connected:
    """Store the credentials typed into a connect form (app password, token, feed URL)."""
    require(actor, "accounts.connect", account.owner_silo_id)
    connector = connector_for(account)
    if connector.auth == "oauth2":
        raise ValidationError(f"{connector.label} connects by signing in on the network: use "
                              "Connect in the browser.")
    options = _options(connector, form)
    try:
        secret = connector.connect(options, form)
    except (ConnectorError, ValueError) as error:
        raise ValidationError(str(error)) from error
    return _store(actor, account, connector, options, secret)


@dataclass(frozen=True)
class Authorization:
    """A browser sign-in under way: where to send the browser, and what the callback needs
    (kept in the person's session, never in the database)."""

    url: str
    state: str
    pending: dict


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)  # 86 characters, within RFC 7636's 43–128
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def begin_authorize(actor: Actor, account: Account, form: dict,
                    redirect_uri: str) -> Authorization:
    """Start an OAuth sign-in: a fresh state and PKCE pair (S256) for this account."""
    require(actor, "accounts.connect", account.owner_silo_id)
    connector = connector_for(account)
    if connector.auth != "oauth2":
        raise ValidationError(f"{connector.label} does not connect by signing in.")
    options = _options(connector, form)
    state = secrets.token_urlsafe(32)
    verifier, challenge = _pkce()
    try:
        url = connector.authorize_url(options, state, challenge, redirect_uri)
    except (ConnectorError, ValueError) as error:
        raise ValidationError(str(error)) from error
    expires = timezone.now() + AUTHORIZE_WAIT
    pending = {"account": account.pk, "verifier": verifier, "options": options,
               "redirect_uri": redirect_uri, "expires": expires.isoformat()}
    return Authorization(url=url, state=state, pending=pending)


def finish_authorize(actor: Actor, account: Account, pending: dict, code: str) -> Connected:
    """The network sent the browser back with a code: exchange it and store the tokens."""
    require(actor, "accounts.connect", account.owner_silo_id)
    connector = connector_for(account)
    try:
        secret = connector.finish_authorize(pending["options"], code, pending["verifier"],
                                            pending["redirect_uri"])
    except (ConnectorError, ValueError) as error:
        raise ValidationError(f"{connector.label} refused the sign-in: {error}") from error
    return _store(actor, account, connector, pending["options"], secret)


def _expiry(secret: dict) -> datetime.datetime | None:
    value = secret.get("expires_at")
    if isinstance(value, str):
        return parse_datetime(value)
    return value if isinstance(value, datetime.datetime) else None


@transaction.atomic
def _store(actor: Actor, account: Account, connector: Connector, options: dict,
           secret: dict) -> Connected:
    connection = Connection.objects.select_for_update().filter(account=account).first()
    again = connection is not None and connection.status != ConnectionStatus.DISCONNECTED
    if connection is None:
        connection = Connection(account=account)
    before = audit.snapshot(connection) if connection.pk else {}
    had_secret = bool(connection.secret)
    now = timezone.now()
    signing_secret = secrets.token_urlsafe(SIGNING_SECRET_BYTES) if signs_own_hooks(
        connector) else ""
    connection.network = account.network
    # Kept options (a test server's address) stay unless the form says otherwise.
    connection.options = {**connection.options, **options}
    connection.secret = credentials.encrypt(secret)
    connection.hook_secret = (credentials.encrypt({"secret": signing_secret})
                              if signing_secret else "")
    connection.status = ConnectionStatus.PENDING
    connection.token_expires_at = _expiry(secret)
    connection.connected_by, connection.connected_at = actor.user, now
    connection.last_error, connection.last_error_at = "", None
    connection.paused_until, connection.updated_at = None, now
    connection.save()
    changes = audit.diff(before, audit.snapshot(connection))
    # The secret's value never appears, but that it was replaced is worth knowing.
    changes["secret"] = ["[redacted]" if had_secret else None, "[redacted, new]"]
    audit.record(actor, "reconnect" if again else "connect", connection, changes,
                 account.owner_silo_id)
    transaction.on_commit(lambda: _verify_later(connection.pk))
    return Connected(connection=connection, signing_secret=signing_secret)


def _verify_later(connection_id: int) -> None:
    tasks.verify_connection.enqueue(connection_id)


@transaction.atomic
def disconnect(actor: Actor, account: Account) -> Connection | None:
    """Forget the credentials (the network's own grant stays until revoked there); the stream
    positions are kept, so reconnecting goes on where it stopped."""
    require(actor, "accounts.connect", account.owner_silo_id)
    connection = Connection.objects.select_for_update().filter(account=account).first()
    if connection is None or connection.status == ConnectionStatus.DISCONNECTED:
        return connection
    before = audit.snapshot(connection)
    connection.secret = connection.hook_secret = ""
    connection.status = ConnectionStatus.DISCONNECTED
    connection.token_expires_at = connection.next_fetch_at = None
    connection.updated_at = timezone.now()
    connection.save()
    changes = audit.diff(before, audit.snapshot(connection))
    changes["secret"] = ["[redacted]", None]
    audit.record(actor, "disconnect", connection, changes, account.owner_silo_id)
    return connection


def recheck(actor: Actor, account: Account) -> None:
    """Ask the worker to check the stored credentials again (nothing changes until it has)."""
    require(actor, "accounts.connect", account.owner_silo_id)
    connection = Connection.objects.filter(account=account).exclude(
        status=ConnectionStatus.DISCONNECTED).first()
    if connection is not None:
        transaction.on_commit(lambda: _verify_later(connection.pk))


# Brand terms and sightings --------------------------------------------------------------------


@transaction.atomic
def set_terms(actor: Actor, text: str) -> Discovery:
    """The company's names and brand terms, one per line or comma-separated."""
    require(actor, "accounts.review_sightings")
    terms = []
    for part in text.replace(",", "\n").splitlines():
        term = part.strip().lower()
        if term and term not in terms:
            terms.append(term)
    short = [t for t in terms if len(t) < 3]
    if short:
        raise ValidationError({"terms": f"Terms need 3 letters or more (too short: "
                                        f"{', '.join(short)}); shorter ones match everyone."})
    discovery = Discovery.objects.select_for_update().get_or_create(pk=1)[0]
    before = audit.snapshot(discovery, ["terms"])
    discovery.terms, discovery.updated_at = terms, timezone.now()
    discovery.save(update_fields=["terms", "updated_at"])
    changes = audit.diff(before, audit.snapshot(discovery, ["terms"]))
    if changes:
        audit.record(actor, "update", discovery, changes)
    return discovery


def _decide(actor: Actor, sighting: Sighting, status: str, note: str = "",
            account: Account | None = None, action: str = "") -> Sighting:
    before = audit.snapshot(sighting, ["status", "note", "account"])
    sighting.status, sighting.account = status, account or sighting.account
    sighting.note = note.strip() or sighting.note
    sighting.decided_by, sighting.decided_at = actor.user, timezone.now()
    sighting.save(update_fields=["status", "account", "note", "decided_by", "decided_at"])
    audit.record(actor, action or f"sighting_{status}", sighting,
                 audit.diff(before, audit.snapshot(sighting, before.keys())),
                 account.owner_silo_id if account else None)
    return sighting


def _registered(sighting: Sighting) -> Account | None:
    return (Account.objects.annotate(lower=Lower("handle"))
            .filter(network=sighting.network, lower=sighting.handle.lower()).first())


@transaction.atomic
def claim(actor: Actor, sighting: Sighting, owner_silo=None, note: str = "") -> Sighting:
    """Ours (a team opened it without telling the hub): it enters the registry as an
    unregistered account, owned by `owner_silo` if given, whose captain completes it with
    stewards and a status. From then on the scan no longer flags it."""
    require(actor, "accounts.review_sightings")
    account = _registered(sighting)
    if account is None:
        label = f"Claimed from the unregistered-accounts check (seen {sighting.seen} times)."
        account = account_actions.register_account(actor, {
            "network": sighting.network, "handle": sighting.handle,
            "display_name": sighting.display_name, "owner_silo": owner_silo,
            "status": AccountStatus.UNREGISTERED, "notes": "\n".join(filter(None, [label, note])),
        }, [])
    return _decide(actor, sighting, SightingStatus.CLAIMED, note, account)


@transaction.atomic
def register(actor: Actor, sighting: Sighting, data: dict, stewards: list) -> Account:
    """Register the sighted handle as a full account (owning silo, stewards)."""
    require(actor, "accounts.review_sightings")
    account = account_actions.register_account(actor, data, stewards)
    _decide(actor, sighting, SightingStatus.REGISTERED, account=account)
    return account


@transaction.atomic
def report(actor: Actor, sighting: Sighting, note: str) -> Sighting:
    """An impostor: recorded with what was done about it (reported to the network, …)."""
    require(actor, "accounts.review_sightings")
    if not note.strip():
        raise ValidationError({"note": "Say why it is an impostor and what was reported."})
    return _decide(actor, sighting, SightingStatus.REPORTED, note)


@transaction.atomic
def dismiss(actor: Actor, sighting: Sighting, note: str = "") -> Sighting:
    """Not ours and harmless (a fan, a namesake)."""
    require(actor, "accounts.review_sightings")
    return _decide(actor, sighting, SightingStatus.DISMISSED, note)


@transaction.atomic
def reopen(actor: Actor, sighting: Sighting) -> Sighting:
    """Back to the list to review (a decision taken by mistake)."""
    require(actor, "accounts.review_sightings")
    return _decide(actor, sighting, SightingStatus.NEW, action="sighting_reopened")

