"""API shapes of the account registry."""

from datetime import datetime

from ninja import Field, Schema

from unsilo.accounts.models import MIN_STEWARDS, AccountStatus, RequestStatus
from unsilo.connectors.registry import NETWORKS
from unsilo.core.schemas import BodySchema, Id, PersonRef

NETWORK_HELP = f"The network's name: {', '.join(NETWORKS)}."
STEWARDS_HELP = (
    f"Person ids of the stewards (the full list). A registered account needs at least "
    f"{MIN_STEWARDS}; an unregistered one may have none. Find an id by email with "
    "GET /api/v1/people/by-email/{email}."
)


class AccountOut(Schema):
    id: int
    network: str
    handle: str
    display_name: str
    owner_silo_id: int | None = Field(description="The owning silo; null while unregistered.")
    owner_silo_name: str | None
    stewards: list[PersonRef]
    status: AccountStatus
    notes: str
    profile_url: str
    created_at: datetime
    updated_at: datetime
    stewards_confirmed_at: datetime | None
    confirmation_due_at: datetime = Field(
        description="When stewards must next confirm they look after it, or the hub is told.")
    confirmation_overdue: bool
    retired_at: datetime | None
    retired_reason: str

    @staticmethod
    def resolve_owner_silo_name(account) -> str | None:
        return account.owner_silo.name if account.owner_silo_id else None

    @staticmethod
    def resolve_stewards(account) -> list:
        return list(account.stewards.all())


class AccountIn(BodySchema):
    network: str = Field(description=NETWORK_HELP)
    handle: str
    display_name: str = ""
    owner_silo_id: Id | None = None
    stewards: list[Id] = Field([], description=STEWARDS_HELP)
    status: AccountStatus = Field(AccountStatus.PENDING, strict=False)
    notes: str = ""


class AccountPatch(BodySchema):
    """Only the fields sent change; null is refused except for owner_silo_id (no owner, for an
    unregistered account). Handing an account to another silo needs the power in both."""

    network: str = Field(None, description=NETWORK_HELP)
    handle: str = None
    display_name: str = None
    owner_silo_id: Id | None = None
    stewards: list[Id] = Field(None, description=STEWARDS_HELP)
    status: AccountStatus = Field(None, strict=False)
    notes: str = None


class AccountRequestIn(BodySchema):
    """A request for a new account, or (with `account_id`) a claim of an unregistered one
    found in the wild, whose network and handle it takes."""

    network: str = Field("", description=NETWORK_HELP)
    handle: str = ""
    display_name: str = ""
    owner_silo_id: Id
    purpose: str = Field(description="What the account is for: the hub decides on it.")
    stewards: list[Id] = Field(description=STEWARDS_HELP)
    account_id: Id | None = Field(None, description="An unregistered account to claim.")


class AccountRequestOut(Schema):
    id: int
    network: str
    handle: str
    display_name: str
    owner_silo_id: int
    owner_silo_name: str
    purpose: str
    stewards: list[PersonRef]
    status: RequestStatus
    account_id: int | None = Field(description="The claimed account, or the one approved.")
    requested_by: str | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str

    @staticmethod
    def resolve_owner_silo_name(row) -> str:
        return row.owner_silo.name

    @staticmethod
    def resolve_stewards(row) -> list:
        return list(row.stewards.all())

    @staticmethod
    def resolve_requested_by(row) -> str | None:
        return row.requested_by.email if row.requested_by else None

    @staticmethod
    def resolve_decided_by(row) -> str | None:
        return row.decided_by.email if row.decided_by else None


class ReasonIn(BodySchema):
    reason: str = Field(description="Why: shown to the silo and kept with the record.")
