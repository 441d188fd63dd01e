"""The outbound queue: every reply and post leaves through here, once.

    queued ──claim──▶ sending ──network──▶ sent
      ▲                  │
      └── wait / retry ──┤  429 or no calls left: wait until the reset (not an attempt)
                         │  5xx, refused: back off 2^n × base, with jitter, up to MAX_ATTEMPTS
                         │  timeout: "in doubt" — next attempt first asks the network
                         └──▶ failed (the network's error; Retry in the UI)

Never twice: a claim is a conditional update, so two workers never send the same delivery;
every attempt carries the delivery's idempotency key; and an attempt that got no answer (a
timeout, a worker killed mid-call, found by its expired lease) is "in doubt": before sending
again unsilo asks the network whether it went out (`find_sent`), unless the network honours
the key itself (`idempotent`). When the network cannot tell, the delivery fails with that
said, for a person to look and decide, rather than risk a double post.

Never lost: the delivery row is written with the reply in one transaction; `send_due` (every
few seconds in every worker) picks up whatever is due, including leases a dead worker left.
"""

import datetime
import logging
import random
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from unsilo.connectors import credentials, limits, plugins
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
from unsilo.core.models import Via
from unsilo.core.permissions import can

log = logging.getLogger("unsilo.connectors")
WORKER = Actor.system(via=Via.WORKER, label="delivery")

MAX_ATTEMPTS = 8
BASE_DELAY = 5.0  # seconds before the second attempt (before jitter)
MAX_DELAY = 30 * 60.0
LEASE = datetime.timedelta(minutes=2)  # longer than any one network call may take
# A queued delivery handed to the task queue is not handed over again for this long. Tasks are
# durable, so this only covers an enqueue lost between commit and enqueue; shorter, a backlog
# longer than it had every sweep add a second task for each delivery still waiting its turn.
HANDED_OVER = datetime.timedelta(minutes=15)
SWEEP_LIMIT = 500  # deliveries put on the task queue per sweep
USABLE = (ConnectionStatus.CONNECTED, ConnectionStatus.ERROR, ConnectionStatus.PENDING)

_jitter = random.Random()


def backoff(attempts: int, rng: random.Random = _jitter) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: exponential, capped, and
    jittered (half to all of it) so many deliveries that failed together do not retry
    together."""
    ceiling = min(MAX_DELAY, BASE_DELAY * 2 ** max(0, attempts - 1))
    return ceiling * (0.5 + rng.random() / 2)


# Queueing -------------------------------------------------------------------------------------


def queue(actor: Actor, *, kind: str, network: str, text: str, account=None, message=None,
          in_reply_to: str = "", thread_id: str = "", silo_id: int | None = None) -> Delivery:
    """Put a reply or post on the queue, in the caller's transaction; it is sent once that
    commits. The caller has checked the actor may say this. A text longer than the network
    allows is refused here, before it can fail there."""
    refuse_too_long(network, text, kind)
    now = timezone.now()
    delivery = Delivery.objects.create(
        kind=kind, network=network, account=account, message=message, text=text,
        in_reply_to=in_reply_to, thread_id=thread_id, idempotency_key=uuid.uuid4().hex,
        created_by=actor.user, silo_id=silo_id, created_at=now, updated_at=now,
        next_attempt_at=now, lease_until=now + HANDED_OVER)
    audit.record(actor, "delivery_queued", delivery,
                 {"kind": [None, kind], "network": [None, network]}, silo_id)
    transaction.on_commit(lambda: _enqueue(delivery.pk))
    return delivery


def refuse_too_long(network: str, text: str, kind: str) -> None:
    too_long = limits.problem(network, text, kind)
    if too_long:
        raise ValidationError({"text": too_long})


def _enqueue(delivery_id: int) -> None:
    from unsilo.connectors.tasks import send_delivery

    send_delivery.enqueue(delivery_id)


def send_due(now: datetime.datetime | None = None) -> int:
    """Put on the task queue what is due: queued deliveries whose time has come on accounts
    not waiting out a rate limit, and sending ones whose worker vanished (lease expired)."""
    now = now or timezone.now()
    paused = Connection.objects.filter(paused_until__gt=now).values("account_id")
    due = (Delivery.objects
           .filter(Q(state=DeliveryState.QUEUED, next_attempt_at__lte=now)
                   & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))
                   | Q(state=DeliveryState.SENDING, lease_until__lt=now))
           .exclude(account_id__in=paused)
           .order_by("next_attempt_at", "id").values_list("pk", flat=True)[:SWEEP_LIMIT])
    ids = list(due)
    if ids:
        # Held for a lease while the task waits its turn, so the next sweep does not add it
        # again; a claim takes it whatever the lease says.
        Delivery.objects.filter(pk__in=ids, state=DeliveryState.QUEUED).update(
            lease_until=now + HANDED_OVER)
        for pk in ids:
            _enqueue(pk)
    return len(ids)


# Sending --------------------------------------------------------------------------------------


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
            _mark_connection(connection, ConnectionStatus.EXPIRED, str(error))
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
            _keep_rate(connection, session)
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
            _follow_message(delivery)
        if action:
            audit.record(WORKER, action, delivery, changes, delivery.silo_id)


def _follow_message(delivery: Delivery) -> None:
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
    delivery.external_id, delivery.url = result.external_id[:200], result.url[:2000]
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


def _keep_rate(connection: Connection, session: Session) -> None:
    rate = session.rate
    if rate.remaining is None:
        return
    fields = {"rate_limit": rate.limit, "rate_remaining": rate.remaining,
              "rate_reset_at": rate.reset_at}
    if rate.remaining <= 0 and rate.reset_at:
        fields["paused_until"] = rate.reset_at
    Connection.objects.filter(pk=connection.pk).update(**fields)


def _mark_connection(connection: Connection | None, status: str, error: str) -> None:
    if connection is not None:
        Connection.objects.filter(pk=connection.pk).update(
            status=status, last_error=error[:2000], last_error_at=timezone.now())


# People act on failed deliveries --------------------------------------------------------------


def may_act(actor: Actor, delivery: Delivery) -> bool:
    """Who may retry or cancel a delivery: who may work the silo's conversations, or manage
    its accounts."""
    return (can(actor, "inbox.respond", delivery.silo_id)
            or can(actor, "accounts.manage", delivery.silo_id))


def _require_may_act(actor: Actor, delivery: Delivery) -> None:
    if not may_act(actor, delivery):
        raise PermissionDenied("You may not act on this silo's outgoing messages.")


def _requeue(delivery: Delivery) -> None:
    """A failed delivery back on the queue from a fresh start (a person looked, so it is no
    longer in doubt); sent once the caller's transaction commits."""
    now = timezone.now()
    delivery.state, delivery.attempts, delivery.in_doubt = DeliveryState.QUEUED, 0, False
    delivery.next_attempt_at, delivery.updated_at = now, now
    delivery.lease_until = now + HANDED_OVER
    delivery.save()
    if delivery.message_id:
        _follow_message(delivery)
    transaction.on_commit(lambda: _enqueue(delivery.pk))


def _locked_failed(actor: Actor, delivery: Delivery, verb: str) -> Delivery:
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    _require_may_act(actor, delivery)
    if delivery.state != DeliveryState.FAILED:
        raise ValidationError({"state": f"Only a failed delivery can be {verb}; this one is "
                                        f"{delivery.get_state_display().lower()}."})
    return delivery


@transaction.atomic
def retry(actor: Actor, delivery: Delivery) -> Delivery:
    """Send a failed delivery again, as it is."""
    delivery = _locked_failed(actor, delivery, "retried")
    _requeue(delivery)
    audit.record(actor, "delivery_retry", delivery,
                 {"state": [DeliveryState.FAILED, DeliveryState.QUEUED]}, delivery.silo_id)
    return delivery


@transaction.atomic
def edit(actor: Actor, delivery: Delivery, text: str) -> Delivery:
    """Send a failed delivery again with a new text (too long, refused as a duplicate …); its
    message in the conversation shows the new text. A new text is a new post, so it gets a new
    idempotency key."""
    from unsilo.inbox.models import Message

    delivery = _locked_failed(actor, delivery, "edited")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the text first."})
    refuse_too_long(delivery.network, text, delivery.kind)
    before = delivery.text
    delivery.text, delivery.idempotency_key = text, uuid.uuid4().hex
    _requeue(delivery)
    if delivery.message_id:
        Message.objects.filter(pk=delivery.message_id).update(text=text)
    audit.record(actor, "delivery_edited", delivery,
                 {"text": [before, text], "state": [DeliveryState.FAILED, DeliveryState.QUEUED]},
                 delivery.silo_id)
    return delivery


@transaction.atomic
def cancel(actor: Actor, delivery: Delivery) -> Delivery:
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    _require_may_act(actor, delivery)
    if delivery.state not in (DeliveryState.FAILED, DeliveryState.QUEUED):
        raise ValidationError({"state": "Only a queued or failed delivery can be cancelled."})
    before = delivery.state
    delivery.state, delivery.updated_at = DeliveryState.CANCELLED, timezone.now()
    delivery.last_error = f"Cancelled by {actor.label}; not sent. {delivery.last_error}"[:4000]
    delivery.save(update_fields=["state", "updated_at", "last_error"])
    if delivery.message_id:
        _follow_message(delivery)
    audit.record(actor, "delivery_cancelled", delivery,
                 {"state": [before, DeliveryState.CANCELLED]}, delivery.silo_id)
    return delivery
