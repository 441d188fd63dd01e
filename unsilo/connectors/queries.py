"""Reads of the outbound queue, scoped to the reader: the hub (and whoever reads every silo's
inbox) sees every delivery, everyone else their own silo's."""

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, QuerySet, Value, When

from unsilo.connectors import outbound
from unsilo.connectors.models import Delivery, DeliveryState
from unsilo.core.actor import Actor
from unsilo.core.permissions import can_somewhere, silo_filter

# The order of the states in counts and lists: what needs a person first.
STATE_ORDER = [DeliveryState.FAILED, DeliveryState.QUEUED, DeliveryState.SENDING,
               DeliveryState.SENT, DeliveryState.CANCELLED]


def visible(actor: Actor) -> QuerySet[Delivery]:
    if not can_somewhere(actor, "inbox.view"):
        raise PermissionDenied("Your role may not read conversations.")
    return Delivery.objects.select_related("account", "message").filter(
        silo_filter(actor, "inbox.view"))


def deliveries(actor: Actor, *, state: str = "", account: int | None = None,
               network: str = "") -> QuerySet[Delivery]:
    """The deliveries the actor may see, filtered; failed ones first, then newest first."""
    rows = visible(actor)
    if state:
        rows = rows.filter(state=state)
    if account:
        rows = rows.filter(account_id=account)
    if network:
        rows = rows.filter(network=network)
    failed_first = Case(When(state=DeliveryState.FAILED, then=Value(0)), default=Value(1),
                        output_field=IntegerField())
    return rows.order_by(failed_first, "-created_at", "-id")


may_act = outbound.may_act  # whether Retry and Cancel are offered (the actions check again)
