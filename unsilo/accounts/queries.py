"""Reads of the account registry, checked against the reader's role."""

from django.db.models import Prefetch, Q, QuerySet

from unsilo.accounts.models import Account
from unsilo.core.actor import Actor
from unsilo.core.permissions import require
from unsilo.org.models import Person


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
    if status:
        rows = rows.filter(status=status)
    if q.strip():
        rows = rows.filter(Q(handle__icontains=q.strip()) | Q(display_name__icontains=q.strip()))
    return rows.order_by("network", "handle")
