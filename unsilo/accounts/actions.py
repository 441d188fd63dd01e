"""Every write to the account registry: permission check, rules, change, audit row."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from unsilo.accounts.models import MIN_STEWARDS, Account, AccountStatus
from unsilo.core import actions
from unsilo.core.actor import Actor
from unsilo.core.permissions import require


def check_registry_rules(status: str, owner_silo, stewards: list) -> None:
    if status == AccountStatus.UNREGISTERED:
        return
    errors = {}
    if owner_silo is None:
        errors["owner_silo"] = "A registered account needs an owning silo."
    if len(set(stewards)) < MIN_STEWARDS:
        errors["stewards"] = (
            f"A registered account needs at least {MIN_STEWARDS} stewards, so it never hangs on "
            "one person."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def register_account(actor: Actor, data: dict, stewards: list) -> Account:
    """Register an account. `stewards` are Person ids; `data` holds the other fields."""
    owner = data.get("owner_silo")
    require(actor, "accounts.manage", owner.pk if owner else None)
    status = data.get("status", AccountStatus.PENDING)
    check_registry_rules(status, owner, stewards)
    account = Account(**{**data, "handle": data["handle"].strip()})
    return actions.create(actor, account, m2m={"stewards": stewards},
                          silo_id=owner.pk if owner else None)


@transaction.atomic
def update_account(actor: Actor, account: Account, data: dict) -> Account:
    """Change fields; `data["stewards"]`, when given, is the full new list of Person ids."""
    require(actor, "accounts.manage", account.owner_silo_id)
    owner = data.get("owner_silo", account.owner_silo)
    if owner is not None and owner.pk != account.owner_silo_id:
        # Handing an account to another silo needs the power on both ends.
        require(actor, "accounts.manage", owner.pk)
    stewards = data.get("stewards")
    if stewards is None:
        stewards = list(account.stewards.values_list("pk", flat=True))
    check_registry_rules(data.get("status", account.status), owner, stewards)
    data = {**data, "updated_at": timezone.now()}
    if "handle" in data:
        data["handle"] = data["handle"].strip()
    return actions.update(actor, account, data, silo_id=owner.pk if owner else None)


def delete_account(actor: Actor, account: Account) -> None:
    require(actor, "accounts.manage", account.owner_silo_id)
    actions.delete(actor, account, silo_id=account.owner_silo_id)
