"""Every write of an account request: a silo asks, the hub approves (which registers the
account) or declines with a reason; each step with its audit row and a notification."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from unsilo.accounts import actions as registry_actions
from unsilo.accounts.models import Account, AccountRequest, AccountStatus, RequestStatus
from unsilo.connectors import registry
from unsilo.core import actions, audit
from unsilo.core.actor import Actor
from unsilo.core.permissions import can_somewhere, require
from unsilo.inbox import notify
from unsilo.inbox.models import NotificationKind


def _label(network: str, handle: str) -> str:
    return f"{handle} on {dict(registry.choices()).get(network, network)}"


def _same_handle(model, network: str, handle: str):
    return model.objects.annotate(lower=Lower("handle")).filter(network=network,
                                                                lower=handle.lower())


def _check_free(network: str, handle: str, claimed: Account | None, asking=None) -> None:
    """Refuse a handle the registry holds (but the one claimed) or another request asks for."""
    taken = _same_handle(Account, network, handle)
    if claimed is not None:
        taken = taken.exclude(pk=claimed.pk)
    if taken.exists():
        raise ValidationError(
            {"handle": f"{_label(network, handle)} is already in the registry."})
    if _same_handle(AccountRequest, network, handle).filter(
            status=RequestStatus.REQUESTED).exclude(pk=getattr(asking, "pk", None)).exists():
        raise ValidationError(
            {"handle": f"{_label(network, handle)} is already requested; the hub decides it."})


@transaction.atomic
def request_account(actor: Actor, data: dict, stewards: list, claim: Account | None = None
                    ) -> AccountRequest:
    """Ask the hub for an account: `data` holds network, handle, display_name, owner_silo and
    purpose; `stewards` are Person ids. `claim`, an unregistered account found in the wild,
    fixes the network and handle."""
    owner = data.get("owner_silo")
    if owner is None:
        if not can_somewhere(actor, "accounts.request"):
            require(actor, "accounts.request")
        raise ValidationError({"owner_silo": "Choose the silo that will own the account."})
    require(actor, "accounts.request", owner.pk)
    if claim is not None:
        if claim.status != AccountStatus.UNREGISTERED:
            raise ValidationError({"account": f"{claim} is {claim.get_status_display().lower()}"
                                              "; only an unregistered account can be claimed."})
        data = {**data, "network": claim.network, "handle": claim.handle}
    data = {**data, "handle": (data.get("handle") or "").strip(),
            "purpose": (data.get("purpose") or "").strip()}
    if not data["purpose"]:
        raise ValidationError({"purpose": "Say what the account is for, so the hub can decide."})
    registry_actions.check_registry_rules(AccountStatus.ACTIVE, owner, stewards)
    if data.get("network") not in registry.NETWORKS:
        raise ValidationError({"network": f"Choose one of {', '.join(registry.NETWORKS)}."})
    if data["handle"]:
        _check_free(data["network"], data["handle"], claim)
    wanted = AccountRequest(**data, account=claim, requested_by=actor.user)
    wanted = actions.create(actor, wanted, m2m={"stewards": list(dict.fromkeys(stewards))},
                            silo_id=owner.pk)
    link = reverse("accounts:request", args=[wanted.pk])
    verb = "claims" if claim else "requests"
    notify.notify(notify.hub_people(), NotificationKind.ACCOUNT_REQUEST, None,
                  f"{owner.name} {verb} {_label(wanted.network, wanted.handle)}: "
                  f"{wanted.purpose}", link=link)
    return wanted


def _locked_open(wanted: AccountRequest) -> AccountRequest:
    row = AccountRequest.objects.select_for_update().get(pk=wanted.pk)
    if row.status != RequestStatus.REQUESTED:
        raise ValidationError(
            {"status": f"This request is already {row.get_status_display().lower()}."})
    return row


def _decided(actor: Actor, row: AccountRequest, status: str, action: str, **fields) -> None:
    before = audit.snapshot(row, ["status", "reason", "account"])
    row.status, row.decided_by, row.decided_at = status, actor.user, timezone.now()
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields=["status", "decided_by", "decided_at", *fields])
    audit.record(actor, action, row, audit.diff(before, audit.snapshot(row, before.keys())),
                 row.owner_silo_id)


@transaction.atomic
def approve_request(actor: Actor, wanted: AccountRequest) -> Account:
    """Register the account asked for (or complete the claimed one): active, owned by the
    silo, with the stewards asked for; its stewardship clock starts now."""
    require(actor, "accounts.approve")
    row = _locked_open(wanted)
    _check_free(row.network, row.handle, row.account, asking=row)
    stewards = list(row.stewards.values_list("pk", flat=True))
    fields = {"network": row.network, "handle": row.handle, "display_name": row.display_name,
              "owner_silo": row.owner_silo, "status": AccountStatus.ACTIVE}
    if row.account is not None:
        account = registry_actions.update_account(actor, row.account,
                                                  {**fields, "stewards": stewards})
    else:
        account = registry_actions.register_account(actor, fields, stewards)
    actions.update(actor, account, {"stewards_confirmed_at": timezone.now()},
                   silo_id=account.owner_silo_id)
    _decided(actor, row, RequestStatus.APPROVED, "account_request_approved", account=account)
    requester = row.requested_by.person_id if row.requested_by else None
    notify.notify([requester], NotificationKind.ACCOUNT_REQUEST, None,
                  f"The hub approved {account}: it is registered for {row.owner_silo.name}.",
                  link=reverse("accounts:detail", args=[account.pk]))
    wanted.refresh_from_db()
    return account


@transaction.atomic
def decline_request(actor: Actor, wanted: AccountRequest, reason: str) -> AccountRequest:
    """Say no, and why; the request is kept with its reason."""
    require(actor, "accounts.approve")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, so the silo knows what to do instead."})
    row = _locked_open(wanted)
    _decided(actor, row, RequestStatus.DECLINED, "account_request_declined", reason=reason)
    requester = row.requested_by.person_id if row.requested_by else None
    notify.notify([requester], NotificationKind.ACCOUNT_REQUEST, None,
                  f"The hub declined {_label(row.network, row.handle)}: {reason}",
                  link=reverse("accounts:request", args=[row.pk]))
    wanted.refresh_from_db()
    return wanted
