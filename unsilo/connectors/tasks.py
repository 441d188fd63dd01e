"""Background work of the connectors. Each task takes ids and is safe to run twice.

Periodic jobs (core/periodic.py, registered in `apps.py`): `outbound.send_due` hands due
deliveries over, `fetch_due` polls connections whose turn has come, `process_webhooks` picks up
webhook events a lost worker left, `discovery.scan` looks for unregistered handles. Each sweep
claims its rows with a conditional UPDATE (core/claims.py), so many workers hand each piece of
work over once.
"""

import dataclasses
import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from unsilo.connectors import credentials, inbound, plugins, sending, status
from unsilo.connectors.base import AuthExpired, ConnectorError, Page, PermanentError, RateLimited
from unsilo.connectors.models import (
    Connection,
    ConnectionStatus,
    HookStatus,
    WebhookEvent,
)
from unsilo.core.claims import claim

log = logging.getLogger("unsilo.connectors")

MAX_PAGES = 20  # pages read per fetch task; the next fetch goes on from the stored position
FETCHED = (ConnectionStatus.CONNECTED, ConnectionStatus.ERROR)
# A stale webhook event handed to the task queue is not handed over again for this long.
HANDED_OVER = datetime.timedelta(minutes=15)
HOOKS_PER_SWEEP = 500


# Outbound -------------------------------------------------------------------------------------


@task()
def send_delivery(delivery_id: int) -> str:
    return sending.send(delivery_id)


# Verifying a new connection --------------------------------------------------------------------


@task()
def verify_connection(connection_id: int) -> str:
    """Check freshly stored credentials with the network and record whose they are."""
    connection = Connection.objects.select_related("account").filter(pk=connection_id).first()
    if connection is None:
        return "missing"
    connector = plugins.connector(connection.network)
    if connector is None:
        status.failing(connection, f"no connector for {connection.network}", checked=True)
        return ConnectionStatus.ERROR
    try:
        with credentials.worker_access():
            session = credentials.open_session(connection)
            info = connector.verify(session)
    except AuthExpired as error:
        status.expired(connection, str(error), checked=True)
        return ConnectionStatus.EXPIRED
    except (ConnectorError, ValueError) as error:
        status.failing(connection, str(error), checked=True)
        return ConnectionStatus.ERROR
    if not status.verified(connection, info.external_id, fetch_now=connector.can_fetch):
        return "disconnected meanwhile"
    status.keep_rate(connection, session.rate)
    return ConnectionStatus.CONNECTED


# Inbound by polling ---------------------------------------------------------------------------


def _due_to_fetch(now: datetime.datetime):
    return (Connection.objects.filter(status__in=FETCHED, next_fetch_at__lte=now)
            .exclude(paused_until__gt=now))


def anything_to_fetch() -> bool:
    return _due_to_fetch(timezone.now()).exists()


def fetch_due(now: datetime.datetime | None = None) -> int:
    """Enqueue a fetch for each connection whose turn has come. The turn is claimed first
    (pushed on with a conditional UPDATE), so of several sweeps only one enqueues it."""
    now = now or timezone.now()
    due = _due_to_fetch(now)
    handed = 0
    for network in sorted(set(due.values_list("network", flat=True))):
        connector = plugins.connector(network)
        wait = datetime.timedelta(seconds=connector.poll_seconds if connector else 3600)
        for pk in claim(due.filter(network=network), next_fetch_at=now + wait):
            fetch_connection.enqueue(pk)
            handed += 1
    return handed


@task()
def fetch_connection(connection_id: int) -> int:
    """Read new inbound messages of one connection, page by page, each page stored with the
    position after it. Returns how many messages were new."""
    connection = Connection.objects.select_related("account").filter(pk=connection_id).first()
    if connection is None or connection.status not in FETCHED:
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
            at = inbound.position(key)
            for _ in range(MAX_PAGES):
                page = connector.fetch(session, at.value)
                new += inbound.store_page(key, page, connection.network, connection,
                                          read_from=at).new
                at = at.after(page)
                if not page.more:
                    break
    except inbound.Overtaken:
        log.info("fetch of connection %s stopped: another fetch is ahead", connection_id)
    except RateLimited as error:
        until = timezone.now() + datetime.timedelta(seconds=error.retry_after)
        Connection.objects.filter(pk=connection.pk).update(paused_until=until,
                                                           next_fetch_at=until)
    except AuthExpired as error:
        if not credentials.renewed_elsewhere(session):  # else: the next fetch uses the new one
            status.expired(connection, str(error))
    except (ConnectorError, PermanentError) as error:
        status.failing(connection, str(error))
    else:
        status.fetched(connection)
    finally:
        if session is not None:
            status.keep_rate(connection, session.rate)
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


def _left_waiting(now: datetime.datetime):
    """Events still pending a minute after they came (their first task was lost), that no
    sweep has handed over lately."""
    return (WebhookEvent.objects.filter(status=HookStatus.PENDING,
                                        received_at__lt=now - datetime.timedelta(minutes=1))
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now)).order_by("id"))


def any_webhook_left() -> bool:
    return _left_waiting(timezone.now()).exists()


def process_webhooks(now: datetime.datetime | None = None) -> int:
    """Enqueue the events left waiting, each claimed first (a lease), so several sweeps
    hand each over once."""
    now = now or timezone.now()
    ids = claim(_left_waiting(now), HOOKS_PER_SWEEP, lease_until=now + HANDED_OVER)
    for pk in ids:
        process_webhook.enqueue(pk)
    return len(ids)
