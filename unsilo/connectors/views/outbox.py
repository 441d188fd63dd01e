"""The outbox: every reply and post on its way out, what failed with the network's words, and
Retry / Edit / Cancel. The buttons also sit under a failed reply in its conversation; each POST
calls one action of the queue (which checks the role), then goes back where it came from."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from unsilo.connectors import limits, outbound
from unsilo.connectors import queries as queries_outbox
from unsilo.connectors.forms import DeliveryTextForm
from unsilo.connectors.models import Delivery, DeliveryState
from unsilo.core.actor import Actor
from unsilo.core.forms import add_action_errors
from unsilo.core.htmx import int_or_none, render_swappable

PAGE_SIZE = 50
STATE_BADGE = {DeliveryState.FAILED: "bad", DeliveryState.QUEUED: "warn",
               DeliveryState.SENDING: "warn", DeliveryState.SENT: "ok",
               DeliveryState.CANCELLED: ""}


def _filters(request) -> dict:
    state = request.GET.get("state", "")
    return {"state": state if state in DeliveryState.values else "",
            "account": int_or_none(request.GET.get("account")),
            "network": request.GET.get("network", "").strip()[:30]}


def outbox(request):
    actor = Actor.for_user(request.user)
    filters = _filters(request)
    # The counts follow every filter but the state, so each says what clicking it shows.
    per_state = dict(queries_outbox.deliveries(actor, **{**filters, "state": ""})
                     .order_by().values_list("state").annotate(n=Count("id")))
    counts = [{"value": state, "label": DeliveryState(state).label,
               "n": per_state.get(state, 0), "badge": STATE_BADGE[state],
               "current": state == filters["state"]}
              for state in queries_outbox.STATE_ORDER]
    page = Paginator(queries_outbox.deliveries(actor, **filters), PAGE_SIZE).get_page(
        request.GET.get("page"))
    page.object_list = list(page.object_list)
    for delivery in page.object_list:
        _decorate(actor, delivery)
    visible = queries_outbox.visible(actor)
    accounts = (visible.exclude(account=None).order_by("account__handle")
                .values_list("account_id", "account__handle", "network").distinct())
    networks = sorted(set(visible.order_by().values_list("network", flat=True).distinct()))
    state_query, page_query = request.GET.copy(), request.GET.copy()
    for key in ("page", "state"):
        state_query.pop(key, None)
    page_query.pop("page", None)
    return render_swappable(request, "connectors/outbox.html", "results", {
        "page": page, "counts": counts, "filters": filters, "accounts": accounts,
        "networks": networks, "state_query": state_query.urlencode(),
        "page_query": page_query.urlencode(), "here": request.get_full_path(),
    })


def _decorate(actor: Actor, delivery: Delivery) -> None:
    delivery.badge = STATE_BADGE[delivery.state]
    may = queries_outbox.may_act(actor, delivery)
    delivery.may_retry = delivery.may_edit = may and delivery.state == DeliveryState.FAILED
    delivery.may_cancel = may and delivery.state in (DeliveryState.FAILED, DeliveryState.QUEUED)


def _safe_next(request, target: str) -> str:
    """`target` when it is a page of this site, else the outbox."""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("outbox:list")


def _back(request):
    return redirect(_safe_next(request, request.POST.get("next", "")))


def _act(request, pk: int, action, done: str):
    """Run `action` (retry or cancel; PermissionDenied answers 403), then go back, or answer
    the delivery's row again for an htmx swap."""
    actor = Actor.for_user(request.user)
    delivery = get_object_or_404(queries_outbox.visible(actor), pk=pk)
    try:
        delivery = action(actor, delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    row = queries_outbox.visible(actor).filter(pk=pk).first() if request.htmx else None
    if row is None:
        return _back(request)
    _decorate(actor, row)
    return render_swappable(request, "connectors/outbox.html", "row",
                            {"d": row, "here": request.POST.get("next", "")})


@require_POST
def retry(request, pk: int):
    return _act(request, pk, outbound.retry, "Queued again: it goes out in a moment.")


@require_POST
def cancel(request, pk: int):
    return _act(request, pk, outbound.cancel, "Cancelled: it will not be sent.")


def edit(request, pk: int):
    """Change the text of a failed delivery and send it again (outbound.edit)."""
    actor = Actor.for_user(request.user)
    delivery = get_object_or_404(queries_outbox.visible(actor), pk=pk)
    form = DeliveryTextForm(request.POST or None, initial={
        "text": delivery.text, "next": _safe_next(request, request.GET.get("next", ""))})
    if request.method == "POST" and form.is_valid():
        try:
            outbound.edit(actor, delivery, form.cleaned_data["text"])
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Changed and queued again: it goes out in a moment.")
            return _back(request)
    return render(request, "connectors/outbox_edit.html", {
        "delivery": delivery, "form": form,
        "back": _safe_next(request, form["next"].value() or ""),
        "counter": limits.counter(delivery.network, form["text"].value() or "",
                                  delivery.kind)})
