"""Keeping an account looked after: stewards confirm it every 90 days (CONFIRM_EVERY), the hub
is told once when they have not, and an account no longer used is retired with its history.

`report_lapsed` is a daily periodic job. Its bookkeeping — `lapse_reported_at`, set by a
conditional UPDATE so two workers tell the hub once — is the machine's, with a worker audit row;
a steward's confirmation clears it, so the next lapse is told again.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from unsilo.accounts.models import CONFIRM_EVERY, Account, AccountStatus
from unsilo.core import audit
from unsilo.core.actor import Actor
from unsilo.core.models import Via
from unsilo.core.permissions import require
from unsilo.inbox import notify
from unsilo.inbox.models import NotificationKind

BATCH = 500


def is_steward(actor: Actor, account: Account) -> bool:
    person_id = actor.user.person_id if actor.user else None
    return person_id is not None and account.stewards.filter(pk=person_id).exists()


def _change(actor: Actor, account: Account, action: str, fields: dict) -> Account:
    row = Account.objects.select_for_update().get(pk=account.pk)
    before = audit.snapshot(row, fields)
    for name, value in fields.items():
        setattr(row, name, value)
    row.updated_at = timezone.now()
    row.save(update_fields=[*fields, "updated_at"])
    audit.record(actor, action, row, audit.diff(before, audit.snapshot(row, fields)),
                 row.owner_silo_id)
    account.refresh_from_db()
    return account


@transaction.atomic
def confirm(actor: Actor, account: Account) -> Account:
    """A steward says they still look after the account: the 90 days start again."""
    require(actor, "accounts.confirm", account.owner_silo_id)
    if not is_steward(actor, account):
        raise PermissionDenied("Only a steward of this account may confirm they look after it.")
    if account.status != AccountStatus.ACTIVE:
        raise ValidationError({"status": f"{account} is {account.get_status_display().lower()}"
                                         "; only an active account is confirmed."})
    return _change(actor, account, "stewards_confirmed", {
        "stewards_confirmed_at": timezone.now(), "stewards_confirmed_by": actor.user,
        "lapse_reported_at": None})


@transaction.atomic
def retire(actor: Actor, account: Account, reason: str) -> Account:
    """No longer used: nothing more is published from it; its deliveries, conversations and
    audit history stay."""
    require(actor, "accounts.manage", account.owner_silo_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the account is retired."})
    if account.status == AccountStatus.RETIRED:
        raise ValidationError({"status": f"{account} is already retired."})
    return _change(actor, account, "account_retired", {
        "status": AccountStatus.RETIRED, "retired_at": timezone.now(),
        "retired_by": actor.user, "retired_reason": reason})


def overdue(rows: QuerySet[Account], now: datetime.datetime | None = None) -> QuerySet[Account]:
    """The active accounts among `rows` whose stewards have not confirmed within 90 days."""
    cutoff = (now or timezone.now()) - CONFIRM_EVERY
    return (rows.filter(status=AccountStatus.ACTIVE)
            .alias(clock=Coalesce("stewards_confirmed_at", "created_at"))
            .filter(clock__lt=cutoff))


def _untold(now: datetime.datetime | None = None) -> QuerySet[Account]:
    return overdue(Account.objects.filter(lapse_reported_at=None), now)


def anything_lapsed() -> bool:
    return _untold().exists()


@transaction.atomic
def report_lapsed(now: datetime.datetime | None = None) -> int:
    """Tell the hub of every account whose stewards' 90 days ran out since it was last told;
    returns how many. One notification per hub person a run (naming the account when one)."""
    now = now or timezone.now()
    worker = Actor.system(via=Via.WORKER, label="stewardship check")
    told = []
    for account in _untold(now).select_related("owner_silo").order_by("pk")[:BATCH]:
        # The claim: of two workers, one sets it and tells.
        if Account.objects.filter(pk=account.pk, lapse_reported_at=None).update(
                lapse_reported_at=now):
            audit.record(worker, "stewardship_lapsed", account,
                         {"lapse_reported_at": [None, now.isoformat()]}, account.owner_silo_id)
            told.append(account)
    if len(told) == 1:
        account = told[0]
        notify.notify(notify.hub_people(), NotificationKind.STEWARDSHIP, None,
                      f"Nobody has confirmed they look after {account} in "
                      f"{CONFIRM_EVERY.days} days",
                      link=reverse("accounts:detail", args=[account.pk]))
    elif told:
        notify.notify(notify.hub_people(), NotificationKind.STEWARDSHIP, None,
                      f"{len(told)} accounts: nobody has confirmed they look after them in "
                      f"{CONFIRM_EVERY.days} days",
                      link=reverse("accounts:list") + "?status=overdue")
    return len(told)
