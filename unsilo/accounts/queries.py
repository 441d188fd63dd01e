"""Reads of the account registry, checked against the reader's role."""

from django.db.models import Prefetch, Q, QuerySet

from unsilo.accounts import stewardship
from unsilo.accounts.models import Account, AccountRequest
from unsilo.core.actor import Actor
from unsilo.core.permissions import require, silo_filter
from unsilo.org.models import Person

# A filter of the list beside the statuses: active accounts whose stewards have not confirmed.
OVERDUE = "overdue"


def accounts(
    actor: Actor, *, silo=None, network: str = "", status: str = "", q: str = ""
) -> QuerySet[Account]:
    require(actor, "accounts.view")
    rows = Account.objects.select_related("owner_silo").prefetch_related(
        Prefetch("stewards", queryset=Person.objects.only("id", "name", "email"))
    )
    if silo:
        rows = rows.filter(owner_silo=silo)
    if network:
        rows = rows.filter(network=network)
    if status == OVERDUE:
        rows = stewardship.overdue(rows)
    elif status:
        rows = rows.filter(status=status)
    if q.strip():
        rows = rows.filter(Q(handle__icontains=q.strip()) | Q(display_name__icontains=q.strip()))
    return rows.order_by("network", "handle")


def requests(actor: Actor, *, status: str = "") -> QuerySet[AccountRequest]:
    """The hub sees every request; a captain their own silo's; others none."""
    rows = AccountRequest.objects.filter(
        silo_filter(actor, "accounts.request", "owner_silo_id")
    ).select_related("owner_silo", "requested_by", "decided_by", "account").prefetch_related(
        Prefetch("stewards", queryset=Person.objects.only("id", "name", "email")))
    if status:
        rows = rows.filter(status=status)
    return rows
