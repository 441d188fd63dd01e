"""Background work of the connectors. Each task takes ids and is safe to run twice.

Periodic (every worker, `apps.py`): `send_due` puts due deliveries on the queue, `fetch_due`
polls connections whose turn has come, `process_webhooks` picks up webhook events a lost
worker left, `scan_for_sightings` looks for unregistered handles.
"""

import dataclasses
import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from unsilo.connectors import credentials, inbound, outbound, plugins
from unsilo.connectors.base import AuthExpired, ConnectorError, Page, PermanentError, RateLimited
from unsilo.connectors.models import (
    Connection,
    ConnectionStatus,
    HookStatus,
    WebhookEvent,
)
from unsilo.core import audit

log = logging.getLogger("unsilo.connectors")

MAX_PAGES = 20  # pages read per fetch task; the next fetch goes on from the stored position
ERROR_WAIT = datetime.timedelta(minutes=5)


# Outbound -------------------------------------------------------------------------------------


@task()
def send_delivery(delivery_id: int) -> str:
    return outbound.send(delivery_id)


def send_due() -> int:
    return outbound.send_due()


# Verifying a new connection --------------------------------------------------------------------


@task()
def verify_connection(connection_id: int) -> str:
    """Check freshly stored credentials with the network and record whose they are."""
    connection = Connection.objects.select_related("account").filter(pk=connection_id).first()
    if connection is None:
        return "missing"
    connector = plugins.connector(connection.network)
    if connector is None:
        _health(connection, ConnectionStatus.ERROR, f"no connector for {connection.network}")
        return ConnectionStatus.ERROR
    try:
        with credentials.worker_access():
            session = credentials.open_session(connection)
            info = connector.verify(session)
    except AuthExpired as error:
        _health(connection, ConnectionStatus.EXPIRED, str(error))
        return ConnectionStatus.EXPIRED
    except (ConnectorError, ValueError) as error:
        _health(connection, ConnectionStatus.ERROR, str(error))
        return ConnectionStatus.ERROR
    now = timezone.now()
    with transaction.atomic():
        row = Connection.objects.select_for_update().get(pk=connection_id)
        before = audit.snapshot(row, ["status", "external_id"])
        row.status, row.external_id = ConnectionStatus.CONNECTED, info.external_id[:200]
        row.verified_at, row.last_error, row.updated_at = now, "", now
        row.next_fetch_at = now if connector.can_fetch else None
        row.save(update_fields=["status", "external_id", "verified_at", "last_error",
                                "updated_at", "next_fetch_at"])
        audit.record(inbound.actor_for(row.network), "connection_verified", row,
                     audit.diff(before, audit.snapshot(row, before.keys())),
                     connection.account.owner_silo_id)
    _keep_rate(connection, session)
    return ConnectionStatus.CONNECTED


def _health(connection: Connection, status: str, error: str) -> None:
    now = timezone.now()
    Connection.objects.filter(pk=connection.pk).update(
        status=status, last_error=error[:2000], last_error_at=now, updated_at=now,
        next_fetch_at=now + ERROR_WAIT if status == ConnectionStatus.ERROR else None)


def _keep_rate(connection: Connection, session) -> None:
    if session.rate.remaining is not None:
        Connection.objects.filter(pk=connection.pk).update(
            rate_limit=session.rate.limit, rate_remaining=session.rate.remaining,
            rate_reset_at=session.rate.reset_at)


# Inbound by polling ---------------------------------------------------------------------------


def fetch_due(now: datetime.datetime | None = None) -> int:
    """Enqueue a fetch for each connection whose turn has come (and push its turn on, so the
    next sweep does not enqueue it again)."""
    now = now or timezone.now()
    due = list(Connection.objects.filter(
        Q(status=ConnectionStatus.CONNECTED) | Q(status=ConnectionStatus.ERROR),
        next_fetch_at__lte=now).exclude(paused_until__gt=now).values_list("pk", "network"))
    for pk, network in due:
        connector = plugins.connector(network)
        wait = datetime.timedelta(seconds=connector.poll_seconds if connector else 3600)
        Connection.objects.filter(pk=pk).update(next_fetch_at=now + wait)
        fetch_connection.enqueue(pk)
    return len(due)


@task()
def fetch_connection(connection_id: int) -> int:
    """Read new inbound messages of one connection, page by page, each page stored with the
    position after it. Returns how many messages were new."""
    connection = Connection.objects.select_related("account").filter(pk=connection_id).first()
    if connection is None or connection.status not in (ConnectionStatus.CONNECTED,
                                                       ConnectionStatus.ERROR):
        return 0
    connector = plugins.connector(connection.network)
    if connector is None or not connector.can_fetch:
        return 0
    key = inbound.stream_key(connection)
    new = 0
    session = None
    try:
        with credentials.worker_access():
            session = credentials.open_session(connection)
            for _ in range(MAX_PAGES):
                page = connector.fetch(session, inbound.position(key))
                new += inbound.store_page(key, page, connection.network, connection).new
                if not page.more:
                    break
    except RateLimited as error:
        until = timezone.now() + datetime.timedelta(seconds=error.retry_after)
        Connection.objects.filter(pk=connection.pk).update(paused_until=until,
                                                           next_fetch_at=until)
    except AuthExpired as error:
        if not credentials.renewed_elsewhere(session):  # else: the next fetch uses the new one
            _health(connection, ConnectionStatus.EXPIRED, str(error))
    except (ConnectorError, PermanentError) as error:
        _health(connection, ConnectionStatus.ERROR, str(error))
    else:
        now = timezone.now()
        Connection.objects.filter(pk=connection.pk).update(
            status=ConnectionStatus.CONNECTED, last_fetch_at=now, last_error="")
    finally:
        if session is not None:
            _keep_rate(connection, session)
    return new


# Inbound by webhook ---------------------------------------------------------------------------


@task()
def process_webhook(event_id: int) -> str:
    """Turn one stored webhook event into messages (all of them, or none and the reason)."""
    event = (WebhookEvent.objects.select_related("connection__account")
             .filter(pk=event_id).first())
    if event is None or event.status != HookStatus.PENDING:
        return event.status if event else "missing"
    connector = plugins.connector(event.network)
    options = event.connection.options if event.connection_id else {}
    try:
        if connector is None:
            raise ValueError(f"no connector for {event.network} is installed")
        messages = connector.parse_webhook(options, bytes(event.body))
    except Exception as error:  # noqa: BLE001 - a connector's bug must not leave it pending
        reason = str(error)
        if not isinstance(error, ValueError):
            log.exception("webhook event %s of %s could not be read", event_id, event.network)
            reason = f"{type(error).__name__}: {error}"
        WebhookEvent.objects.filter(pk=event_id, status=HookStatus.PENDING).update(
            status=HookStatus.FAILED, error=reason[:2000], processed_at=timezone.now())
        return HookStatus.FAILED
    messages = _to_our_accounts(event, messages)
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_id)
        if event.status != HookStatus.PENDING:
            return event.status
        page = Page(messages=messages, position="")
        report = inbound.store_page(f"hook:{event.network}", page, event.network,
                                    event.connection)
        event.status, event.messages = HookStatus.DONE, report.received
        event.processed_at = timezone.now()
        event.save(update_fields=["status", "messages", "processed_at"])
    return HookStatus.DONE


def _to_our_accounts(event: WebhookEvent, messages: list) -> list:
    """Name our account on each message: a connection's own hook speaks for its account; an
    app-level hook (Meta: one URL for every page) names the network's id of the account,
    which is a connection's `external_id`."""
    if event.connection_id:
        handle = event.connection.account.handle
        return [m if m.account else dataclasses.replace(m, account=handle) for m in messages]
    ids = {m.account for m in messages if m.account}
    handles = dict(Connection.objects.filter(network=event.network, external_id__in=ids)
                   .values_list("external_id", "account__handle"))
    return [dataclasses.replace(m, account=handles[m.account]) if m.account in handles else m
            for m in messages]


def process_webhooks() -> int:
    """Enqueue events still waiting a minute after they came (their first task was lost)."""
    stale = timezone.now() - datetime.timedelta(minutes=1)
    ids = list(WebhookEvent.objects.filter(status=HookStatus.PENDING, received_at__lt=stale)
               .values_list("pk", flat=True)[:500])
    for pk in ids:
        process_webhook.enqueue(pk)
    return len(ids)


# Unregistered accounts ------------------------------------------------------------------------


def scan_for_sightings() -> int:
    from unsilo.connectors import discovery

    return discovery.scan()
