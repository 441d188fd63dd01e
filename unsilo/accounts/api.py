"""The account registry over the API: parse, call one action or query, answer a schema."""

from django.core.exceptions import ValidationError
from ninja import Router, Status
from ninja.pagination import paginate

from unsilo.accounts import actions, queries
from unsilo.accounts.models import AccountStatus
from unsilo.accounts.schemas import AccountIn, AccountOut, AccountPatch
from unsilo.core.api import found, input_names, referenced
from unsilo.core.schemas import Id, errors
from unsilo.org import queries as org_queries

router = Router(tags=["Accounts"])

CREATE_ERRORS = errors(403, 409, 422)
WRITE_ERRORS = errors(403, 404, 409, 422)
# Model fields as the API names them, so a 422 points at what the client sent.
INPUT_NAMES = {"owner_silo": "owner_silo_id"}


def _owner(request, silo_id: Id | None):
    if silo_id is None:
        return None
    return referenced(org_queries.silos(request.actor), silo_id, "owner_silo_id", "silo")


def _stewards(request, ids: list[Id]) -> list[int]:
    known = set(org_queries.people(request.actor).filter(pk__in=ids).values_list("pk", flat=True))
    unknown = [str(pk) for pk in ids if pk not in known]
    if unknown:
        raise ValidationError({"stewards": f"No person with id {', '.join(unknown)}."})
    return list(dict.fromkeys(ids))


def _account(request, account_id: Id):
    return found(queries.accounts(request.actor), account_id, "account")


@router.get("", response={200: list[AccountOut], **errors(422)}, summary="List accounts")
@paginate
def list_accounts(request, silo_id: Id | None = None, network: str = "",
                  status: AccountStatus | None = None, q: str = ""):
    """The registry by network and handle. `silo_id` keeps the accounts a silo owns; `q`
    matches the handle or display name."""
    return queries.accounts(request.actor, silo=silo_id, network=network, status=status or "",
                            q=q)


@router.post("", response={201: AccountOut, **CREATE_ERRORS}, summary="Register an account")
def register_account(request, payload: AccountIn):
    """Register a presence on a network with its owning silo and stewards. Hub admins anywhere;
    captains for their own silo. A (network, handle) already registered is a 409."""
    data = payload.dict(exclude={"owner_silo_id", "stewards"})
    data["owner_silo"] = _owner(request, payload.owner_silo_id)
    stewards = _stewards(request, payload.stewards)
    with input_names(**INPUT_NAMES):
        account = actions.register_account(request.actor, data, stewards)
    return Status(201, account)


@router.get("/{account_id}", response={200: AccountOut, **errors(404)}, summary="Get an account")
def get_account(request, account_id: Id):
    """One account with its owning silo, stewards, status and profile link."""
    return _account(request, account_id)


@router.patch("/{account_id}", response={200: AccountOut, **WRITE_ERRORS},
              summary="Change an account")
def update_account(request, account_id: Id, payload: AccountPatch):
    """Change the fields sent; `stewards`, when sent, replaces the whole list."""
    account = _account(request, account_id)
    data = payload.dict(exclude_unset=True)
    if "owner_silo_id" in data:
        data["owner_silo"] = _owner(request, data.pop("owner_silo_id"))
    if "stewards" in data:
        data["stewards"] = _stewards(request, data["stewards"])
    with input_names(**INPUT_NAMES):
        actions.update_account(request.actor, account, data)
    return _account(request, account_id)


@router.delete("/{account_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete an account")
def delete_account(request, account_id: Id):
    """Remove an account from the registry. To keep its history, set `status` to retired
    instead. Hub admins anywhere; captains for their own silo's accounts."""
    actions.delete_account(request.actor, _account(request, account_id))
    return Status(204, None)
