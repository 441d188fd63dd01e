"""The outbound queue: every reply and post leaves through here, once.

    queued ──claim──▶ sending ──network──▶ sent
      ▲                  │
      └── wait / retry ──┤  429 or no calls left: wait until the reset (not an attempt)
                         │  5xx, refused: back off 2^n × base, with jitter, up to MAX_ATTEMPTS
                         │  timeout: "in doubt" — next attempt first asks the network
                         └──▶ failed (the network's error; Retry in the UI)

This module puts deliveries on the queue and hands them to the task queue (`queue`,
`send_due`, and people's Retry and Cancel); sending.py makes one attempt, and never twice
(conditional claims, idempotency keys, in-doubt checks).

Never lost: the delivery row is written with the reply in one transaction; `send_due` (a
periodic job, every few seconds) hands over whatever is due, including leases a dead worker
left. Its hand-over is a claim (core/claims.py), so several workers sweeping at once give each
delivery one task.
"""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from unsilo.connectors import limits, sending, tasks
from unsilo.connectors.models import Connection, Delivery, DeliveryState
from unsilo.core import audit
from unsilo.core.actor import Actor
from unsilo.core.claims import claim
from unsilo.core.permissions import can

# A queued delivery handed to the task queue is not handed over again for this long. Tasks are
# durable, so this only covers an enqueue lost between commit and enqueue; shorter, a backlog
# longer than it had every sweep add a second task for each delivery still waiting its turn.
HANDED_OVER = datetime.timedelta(minutes=15)
SWEEP_LIMIT = 500  # deliveries put on the task queue per sweep


# Queueing -------------------------------------------------------------------------------------


def queue(actor: Actor, *, kind: str, network: str, text: str, account=None, message=None,
          in_reply_to: str = "", thread_id: str = "", silo_id: int | None = None) -> Delivery:
    """Put a reply or post on the queue, in the caller's transaction; it is sent once that
    commits. The caller has checked the actor may say this. A text longer than the network
    allows is refused here, before it can fail there."""
    refuse_too_long(network, text, kind)
    if account is not None and account.status == "retired":
        raise ValidationError({"account": f"{account} is retired: nothing more is published "
                                          "from it."})
    now = timezone.now()
    delivery = Delivery.objects.create(
        kind=kind, network=network, account=account, message=message, text=text,
        in_reply_to=in_reply_to, thread_id=thread_id, idempotency_key=uuid.uuid4().hex,
        created_by=actor.user, silo_id=silo_id, created_at=now, updated_at=now,
        next_attempt_at=now, lease_until=now + HANDED_OVER)
    audit.record(actor, "delivery_queued", delivery,
                 {"kind": [None, kind], "network": [None, network]}, silo_id)
    transaction.on_commit(lambda: tasks.send_delivery.enqueue(delivery.pk))
    return delivery


def refuse_too_long(network: str, text: str, kind: str) -> None:
    too_long = limits.problem(network, text, kind)
    if too_long:
        raise ValidationError({"text": too_long})


def _due(now: datetime.datetime) -> tuple[Q, Q]:
    """(queued deliveries whose time has come and that no task holds, sending ones whose
    worker vanished: lease expired)."""
    queued = (Q(state=DeliveryState.QUEUED, next_attempt_at__lte=now)
              & (Q(lease_until__isnull=True) | Q(lease_until__lt=now)))
    return queued, Q(state=DeliveryState.SENDING, lease_until__lt=now)


def anything_due() -> bool:
    """Whether `send_due` has work (the heart asks before enqueueing it)."""
    queued, vanished = _due(timezone.now())
    return Delivery.objects.filter(queued | vanished).exists()


def send_due(now: datetime.datetime | None = None) -> int:
    """Hand to the task queue what is due, on accounts not waiting out a rate limit; returns
    how many. Each is claimed first: held for HANDED_OVER while its task waits its turn (a
    send takes it whatever the lease says); a vanished worker's attempt goes back to the
    queue in doubt, so the next attempt asks the network first."""
    now = now or timezone.now()
    paused = Connection.objects.filter(paused_until__gt=now).values("account_id")
    queued, vanished = _due(now)
    waiting = Delivery.objects.exclude(account_id__in=paused).order_by("next_attempt_at", "id")
    ids = claim(waiting.filter(vanished), SWEEP_LIMIT, state=DeliveryState.QUEUED,
                in_doubt=True, next_attempt_at=now, lease_until=now + HANDED_OVER)
    ids += claim(waiting.filter(queued), SWEEP_LIMIT - len(ids), lease_until=now + HANDED_OVER)
    for pk in ids:
        tasks.send_delivery.enqueue(pk)
    return len(ids)


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
        sending.follow_message(delivery)
    transaction.on_commit(lambda: tasks.send_delivery.enqueue(delivery.pk))


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
        sending.follow_message(delivery)
    audit.record(actor, "delivery_cancelled", delivery,
                 {"state": [before, DeliveryState.CANCELLED]}, delivery.silo_id)
    return delivery
