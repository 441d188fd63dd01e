"""The account registry over the API: parse, call one action or query, answer a schema."""

from django.core.exceptions import ValidationError
from ninja import Router, Status
from ninja.pagination import paginate

from unsilo.accounts import actions, queries, requests, stewardship
from unsilo.accounts.models import AccountStatus, RequestStatus
from unsilo.accounts.schemas import (
    AccountIn,
    AccountOut,
    AccountPatch,
    AccountRequestIn,
    AccountRequestOut,
    ReasonIn,
)
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
                  status: AccountStatus | None = None, q: str = "", overdue: bool = False):
    """The registry by network and handle. `silo_id` keeps the accounts a silo owns; `q`
    matches the handle or display name; `overdue` keeps the active accounts whose stewards
    have not confirmed within 90 days."""
    status = queries.OVERDUE if overdue else (status or "")
    return queries.accounts(request.actor, silo=silo_id, network=network, status=status, q=q)


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


@router.post("/{account_id}/confirm", response={200: AccountOut, **WRITE_ERRORS},
             summary="Confirm I still look after an account")
def confirm_account(request, account_id: Id):
    """A steward confirms they still look after the account; the 90 days start again. Only
    the account's stewards may (403 for anyone else)."""
    stewardship.confirm(request.actor, _account(request, account_id))
    return _account(request, account_id)


@router.post("/{account_id}/retire", response={200: AccountOut, **WRITE_ERRORS},
             summary="Retire an account")
def retire_account(request, account_id: Id, payload: ReasonIn):
    """No longer used: nothing more is published from it (its deliveries, conversations and
    history stay). Hub admins anywhere; captains for their own silo's accounts."""
    stewardship.retire(request.actor, _account(request, account_id), payload.reason)
    return _account(request, account_id)


# Requests ------------------------------------------------------------------------------------

requests_router = Router(tags=["Accounts"])


def _request(request, request_id: Id):
    return found(queries.requests(request.actor), request_id, "account request")


@requests_router.get("", response={200: list[AccountRequestOut], **errors(422)},
                     summary="List account requests")
@paginate
def list_requests(request, status: RequestStatus | None = None):
    """Newest first. The hub sees every silo's; a captain their own silo's."""
    return queries.requests(request.actor, status=status or "")


@requests_router.post("", response={201: AccountRequestOut, **CREATE_ERRORS},
                      summary="Request an account")
def create_request(request, payload: AccountRequestIn):
    """Ask the hub for a new account, or claim an unregistered one (`account_id`). Captains
    for their own silo, the hub for any. A handle the registry holds or another open request
    asks for is a 422 naming `handle`."""
    data = payload.dict(include={"network", "handle", "display_name", "purpose"})
    data["owner_silo"] = _owner(request, payload.owner_silo_id)
    stewards = _stewards(request, payload.stewards)
    claim = None
    if payload.account_id is not None:
        claim = referenced(queries.accounts(request.actor), payload.account_id, "account_id",
                           "account")
    with input_names(account="account_id", **INPUT_NAMES):
        wanted = requests.request_account(request.actor, data, stewards, claim=claim)
    return Status(201, _request(request, wanted.pk))


@requests_router.get("/{request_id}", response={200: AccountRequestOut, **errors(404)},
                     summary="Get an account request")
def get_request(request, request_id: Id):
    return _request(request, request_id)


@requests_router.post("/{request_id}/approve", response={200: AccountRequestOut, **WRITE_ERRORS},
                      summary="Approve an account request")
def approve_request(request, request_id: Id):
    """The hub registers the account asked for: active, with its silo and stewards."""
    requests.approve_request(request.actor, _request(request, request_id))
    return _request(request, request_id)


@requests_router.post("/{request_id}/decline", response={200: AccountRequestOut, **WRITE_ERRORS},
                      summary="Decline an account request")
def decline_request(request, request_id: Id, payload: ReasonIn):
    """The hub says no, with a reason the silo sees; the request is kept."""
    requests.decline_request(request.actor, _request(request, request_id), payload.reason)
    return _request(request, request_id)
