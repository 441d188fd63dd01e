"""Sending one delivery of the outbound queue (outbound.py): claim, open a session, ask
the network whether an unanswered attempt went out, deliver, and record what happened.

Never twice: a claim is a conditional update, so two workers never send the same delivery;
every attempt carries the delivery's idempotency key; and an attempt that got no answer (a
timeout, a worker killed mid-call, found by its expired lease) is "in doubt": before sending
again unsilo asks the network whether it went out (`find_sent`), unless the network honours
the key itself (`idempotent`). When the network cannot tell, the delivery fails with that
said, for a person to look and decide, rather than risk a double post.
"""

import datetime
import logging
import random

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from unsilo.connectors import credentials, plugins, status
from unsilo.connectors.base import (
    AuthExpired,
    Connector,
    ConnectorError,
    DeliveryResult,
    InDoubt,
    Outbound,
    PermanentError,
    RateLimited,
    Session,
)
from unsilo.connectors.models import Connection, ConnectionStatus, Delivery, DeliveryState
from unsilo.core import audit
from unsilo.core.actor import Actor
from unsilo.core.backoff import backoff as retry_delay
from unsilo.core.models import Via
from unsilo.core.weburl import web_url

log = logging.getLogger("unsilo.connectors")
WORKER = Actor.system(via=Via.WORKER, label="delivery")

MAX_ATTEMPTS = 8
BASE_DELAY = 5.0  # seconds before the second attempt (before jitter)
MAX_DELAY = 30 * 60.0
LEASE = datetime.timedelta(minutes=2)  # longer than any one network call may take
USABLE = (ConnectionStatus.CONNECTED, ConnectionStatus.ERROR, ConnectionStatus.PENDING)

_jitter = random.Random()


def backoff(attempts: int, rng: random.Random = _jitter) -> float:
    """Seconds to wait after the `attempts`-th failed attempt (core/backoff.py)."""
    return retry_delay(attempts, BASE_DELAY, MAX_DELAY, rng)


def _claim(delivery_id: int, now: datetime.datetime) -> Delivery | None:
    """Take a delivery for one attempt, or None when it is not ours to send now."""
    with transaction.atomic():
        # Lock the delivery row only: PostgreSQL refuses FOR UPDATE on the outer-joined rows.
        delivery = (Delivery.objects.select_for_update(of=("self",))
                    .select_related("account__connection").filter(pk=delivery_id).first())
        if delivery is None:
            return None
        if delivery.state == DeliveryState.SENDING:
            if delivery.lease_until and delivery.lease_until > now:
                return None  # another worker is on it
            delivery.in_doubt = True  # its worker vanished mid-attempt
        elif delivery.state != DeliveryState.QUEUED or delivery.next_attempt_at > now:
            return None
        connection = _connection(delivery)
        if connection is not None and connection.paused_until and connection.paused_until > now:
            delivery.state = DeliveryState.QUEUED
            delivery.next_attempt_at, delivery.lease_until = connection.paused_until, None
            delivery.save(update_fields=["state", "next_attempt_at", "lease_until",
                                         "in_doubt"])
            return None
        delivery.state, delivery.lease_until = DeliveryState.SENDING, now + LEASE
        delivery.attempts += 1
        delivery.updated_at = now
        delivery.save(update_fields=["state", "lease_until", "attempts", "in_doubt",
                                     "updated_at"])
        return delivery


def _connection(delivery: Delivery) -> Connection | None:
    account = delivery.account
    if account is None:
        return None
    try:
        return account.connection
    except Connection.DoesNotExist:
        return None


def outbound(delivery: Delivery) -> Outbound:
    conversation = delivery.message.conversation if delivery.message_id else None
    return Outbound(
        delivery_id=delivery.pk, kind=delivery.kind, network=delivery.network,
        account_handle=delivery.account.handle if delivery.account_id else "",
        text=delivery.text, idempotency_key=delivery.idempotency_key,
        created_at=delivery.created_at, in_reply_to=delivery.in_reply_to,
        thread_id=delivery.thread_id,
        customer=conversation.author if conversation else "",
        language=conversation.language if conversation else "",
        conversation_id=conversation.pk if conversation else None)


class NotConnected(Exception):
    pass


def _session(delivery: Delivery, connection: Connection | None) -> tuple[Connector, Session]:
    """The connector and an open session for the delivery's account."""
    if connection is not None and connection.status in USABLE:
        connector = plugins.connector(connection.network)
        if connector is None:
            raise NotConnected(f"no connector for {connection.network} is installed "
                               f"({plugins.broken().get(connection.network, 'not found')})")
        with credentials.worker_access():
            return connector, credentials.open_session(connection)
    stand_in = plugins.stand_in()
    if stand_in is not None:
        handle = delivery.account.handle if delivery.account_id else ""
        return stand_in, Session(network=delivery.network, handle=handle, external_id="",
                             options={}, secret={})
    where = (f"{delivery.account.handle} on {delivery.network}" if delivery.account_id
             else f"this conversation's account on {delivery.network}")
    if connection is not None and connection.status == ConnectionStatus.EXPIRED:
        raise NotConnected(f"{where} needs reconnecting: its token expired or was revoked")
    raise NotConnected(f"{where} is not connected: connect it on its account page, then "
                       "retry")


def send(delivery_id: int, now: datetime.datetime | None = None) -> str:
    """One attempt at a delivery; returns its state afterwards. Safe to call any number of
    times, from any number of workers."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return Delivery.objects.filter(pk=delivery_id).values_list("state", flat=True).first() \
            or "missing"
    connection = _connection(delivery)
    session = None
    try:
        connector, session = _session(delivery, connection)
        out = outbound(delivery)
        result = _already_sent(connector, session, out) if delivery.in_doubt else None
        if result is None:
            result = connector.deliver(session, out)
    except RateLimited as error:
        _wait(delivery, connection, error.retry_after, str(error))
    except CannotTell as error:
        _fail(delivery, f"The network did not answer, and it offers no way to check whether "
                        f"the {delivery.kind} went out ({error}). Look on the account, then "
                        "Retry to send it again or Cancel.")
    except InDoubt as error:
        delivery.in_doubt = True
        _retry(delivery, str(error))
    except AuthExpired as error:
        if credentials.renewed_elsewhere(session):
            _retry(delivery, f"another worker renewed the token meanwhile ({error})")
        else:
            if connection is not None:
                status.expired(connection, str(error))
            _fail(delivery, f"The account needs reconnecting: {error}")
    except (PermanentError, NotConnected) as error:
        _fail(delivery, str(error))
    except ConnectorError as error:
        _retry(delivery, str(error))
    except Exception as error:  # noqa: BLE001 - a connector's bug is recorded, not lost
        log.exception("connector failed on delivery %s", delivery_id)
        _retry(delivery, f"{type(error).__name__}: {error}")
    else:
        _sent(delivery, result)
    finally:
        if session is not None and connection is not None:
            status.keep_rate(connection, session.rate)
    return delivery.state


class CannotTell(Exception):
    pass


def _already_sent(connector: Connector, session: Session, out: Outbound
                  ) -> DeliveryResult | None:
    """After an attempt without an answer: what it posted, or None to send (again)."""
    if connector.idempotent:
        return None  # the network itself drops a second request with the same key
    try:
        return connector.find_sent(session, out)
    except InDoubt as error:
        raise CannotTell(str(error)) from error


def _save(delivery: Delivery, action: str | None, changes: dict) -> None:
    delivery.updated_at = timezone.now()
    with transaction.atomic():
        current = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if current.state != DeliveryState.SENDING or current.attempts != delivery.attempts:
            return  # cancelled meanwhile, or a later attempt owns it now
        delivery.save()
        if delivery.message_id:
            follow_message(delivery)
        if action:
            audit.record(WORKER, action, delivery, changes, delivery.silo_id)


def follow_message(delivery: Delivery) -> None:
    """A reply's message in the inbox shows where its delivery stands."""
    from unsilo.inbox.models import Message, MessageState

    state = {DeliveryState.SENT: MessageState.SENT, DeliveryState.FAILED: MessageState.FAILED,
             DeliveryState.CANCELLED: MessageState.FAILED}.get(delivery.state,
                                                               MessageState.QUEUED)
    fields = {"state": state, "delivery_error": delivery.last_error[:2000]
              if state == MessageState.FAILED else ""}
    if delivery.state == DeliveryState.SENT:
        fields["url"] = delivery.url
        taken = Message.objects.filter(network=delivery.network,
                                       external_id=delivery.external_id).exists()
        if delivery.external_id and not taken:
            fields["external_id"] = delivery.external_id
    Message.objects.filter(pk=delivery.message_id).update(**fields)


def _sent(delivery: Delivery, result: DeliveryResult) -> None:
    delivery.state, delivery.lease_until, delivery.in_doubt = DeliveryState.SENT, None, False
    # The network's link to what was posted is kept only when it is http(s) (core/weburl.py).
    delivery.external_id, delivery.url = result.external_id[:200], web_url(result.url)[:2000]
    delivery.sent_at, delivery.last_error = timezone.now(), ""
    _save(delivery, "delivered", {"state": [DeliveryState.SENDING, DeliveryState.SENT],
                                  "external_id": [None, delivery.external_id],
                                  "attempts": [None, delivery.attempts]})


def _fail(delivery: Delivery, error: str) -> None:
    delivery.state, delivery.lease_until = DeliveryState.FAILED, None
    delivery.last_error = error[:4000]
    _save(delivery, "delivery_failed", {"state": [DeliveryState.SENDING, DeliveryState.FAILED],
                                        "error": [None, delivery.last_error]})


def _retry(delivery: Delivery, error: str) -> None:
    if delivery.attempts >= MAX_ATTEMPTS:
        # Retry starts afresh without asking the network: say when that could post twice.
        doubt = (" (An earlier attempt got no answer and may have gone out: look on the "
                 "account before you Retry.)" if delivery.in_doubt else "")
        _fail(delivery, f"Gave up after {delivery.attempts} attempts. Last error: {error}"
                        f"{doubt}")
        return
    delay = backoff(delivery.attempts)
    delivery.state, delivery.lease_until = DeliveryState.QUEUED, None
    delivery.next_attempt_at = timezone.now() + datetime.timedelta(seconds=delay)
    delivery.last_error = error[:4000]
    _save(delivery, None, {})


def _wait(delivery: Delivery, connection: Connection | None, seconds: float, error: str
          ) -> None:
    """A rate limit is not a failure: the attempt is given back and the account paused."""
    until = timezone.now() + datetime.timedelta(seconds=max(1.0, seconds))
    delivery.state, delivery.lease_until = DeliveryState.QUEUED, None
    delivery.attempts = max(0, delivery.attempts - 1)
    delivery.next_attempt_at, delivery.last_error = until, error[:4000]
    delivery.updated_at = timezone.now()
    with transaction.atomic():
        updated = Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING,
                                          attempts=delivery.attempts + 1).update(
            state=delivery.state, lease_until=None, attempts=delivery.attempts,
            next_attempt_at=until, last_error=delivery.last_error,
            updated_at=delivery.updated_at)
        if updated and connection is not None:
            Connection.objects.filter(pk=connection.pk).filter(
                Q(paused_until__isnull=True) | Q(paused_until__lt=until)
            ).update(paused_until=until)
