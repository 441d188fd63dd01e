"""The account registry pages: list with filters, register, show, edit, delete."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count
from django.shortcuts import get_object_or_404, render

from unsilo.accounts import actions, queries, stewardship
from unsilo.accounts.forms import AccountFilterForm, AccountForm
from unsilo.accounts.models import AccountStatus, RequestStatus
from unsilo.connectors import health
from unsilo.connectors.views import connect as views_connect
from unsilo.core import queries as core_queries
from unsilo.core.actor import Actor
from unsilo.core.forms_actions import submit, success
from unsilo.core.htmx import render_swappable
from unsilo.core.permissions import can, can_somewhere, require
from unsilo.org import queries as org_queries

PAGE_SIZE = 50
STATUS_BADGE = {
    AccountStatus.ACTIVE: "ok",
    AccountStatus.PENDING: "warn",
    AccountStatus.UNREGISTERED: "bad",
    AccountStatus.RETIRED: "",
}


def account_list(request):
    actor = Actor.for_user(request.user)
    form = AccountFilterForm(request.GET, silos=org_queries.silos(actor).order_by("name"))
    filters = form.filters()
    # The counts follow every filter but the status, so each one says what clicking it shows.
    per_status = dict(
        queries.accounts(actor, **{**filters, "status": ""})
        .order_by().values_list("status").annotate(n=Count("id"))
    )
    status_query = request.GET.copy()
    for key in ("page", "status"):
        status_query.pop(key, None)
    counts = [
        {"value": value, "label": label, "n": per_status.get(value, 0),
         "badge": STATUS_BADGE[value], "current": value == filters["status"]}
        for value, label in AccountStatus.choices
    ] + [{"value": queries.OVERDUE, "label": "Confirmation overdue", "badge": "warn",
          "n": stewardship.overdue(queries.accounts(actor, **{**filters, "status": ""})).count(),
          "current": filters["status"] == queries.OVERDUE}]
    rows = queries.accounts(actor, **filters).select_related("connection")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for account in page.object_list:
        account.badge = STATUS_BADGE[account.status]
        account.health = health.of(account)
    page_query = request.GET.copy()
    page_query.pop("page", None)
    context = {
        "form": form, "page": page, "counts": counts, "status_query": status_query.urlencode(),
        "page_query": page_query.urlencode(),
        "may_register": can_somewhere(actor, "accounts.manage"),
        "may_request": can_somewhere(actor, "accounts.request"),
        "requested": queries.requests(actor, status=RequestStatus.REQUESTED).count(),
        "may_review_sightings": can(actor, "accounts.review_sightings"),
    }
    return render_swappable(request, "accounts/list.html", "results", context)


def _save(actor, form, account=None):
    """Register the valid form's account, or update `account` from it."""
    try:
        if account is None:
            return actions.register_account(actor, form.account_data(), form.steward_ids)
        data = {**form.account_data(), "stewards": form.steward_ids}
        return actions.update_account(actor, account, data)
    except IntegrityError as error:
        # Another registration of the same handle landed between the check and the save.
        raise ValidationError(
            {"handle": "This handle on this network is already in the registry."}
        ) from error


def account_new(request):
    actor = Actor.for_user(request.user)
    if not can_somewhere(actor, "accounts.manage"):
        raise PermissionDenied("Your role may not register and change accounts.")
    form = AccountForm(request.POST or None, actor=actor)
    if account := submit(request, form, lambda: _save(actor, form)):
        return success(request, f"Registered {account}.", "accounts:detail", pk=account.pk)
    return render(request, "accounts/form.html", {"form": form, "account": None})


def account_detail(request, pk: int):
    actor = Actor.for_user(request.user)
    account = get_object_or_404(
        queries.accounts(actor).select_related("connection__connected_by"), pk=pk)
    silo_id = account.owner_silo_id
    history = None
    if core_queries.may_see_history(actor, "accounts.manage", silo_id):
        history = core_queries.object_history(
            actor, account, manage_perm="accounts.manage", silo_id=silo_id
        )
    return render(request, "accounts/detail.html", {
        "account": account, "badge": STATUS_BADGE[account.status], "history": history,
        "may_manage": can(actor, "accounts.manage", silo_id),
        "is_steward": stewardship.is_steward(actor, account),
        "may_claim": account.status == AccountStatus.UNREGISTERED
        and can_somewhere(actor, "accounts.request"),
        **views_connect.panel(actor, account),
    })


def account_edit(request, pk: int):
    actor = Actor.for_user(request.user)
    account = get_object_or_404(queries.accounts(actor), pk=pk)
    require(actor, "accounts.manage", account.owner_silo_id)
    form = AccountForm(
        request.POST or None, actor=actor, account=account,
        initial=AccountForm.initial_for(account),
    )
    if submit(request, form, lambda: _save(actor, form, account), instance=account):
        return success(request, f"Saved {account}.", "accounts:detail", pk=account.pk)
    return render(request, "accounts/form.html", {"form": form, "account": account})


def account_delete(request, pk: int):
    """GET asks to confirm; POST deletes."""
    actor = Actor.for_user(request.user)
    account = get_object_or_404(queries.accounts(actor), pk=pk)
    require(actor, "accounts.manage", account.owner_silo_id)
    if request.method == "POST":
        name = str(account)
        actions.delete_account(actor, account)
        return success(request, f"Deleted {name} from the registry.", "accounts:list")
    return render(request, "accounts/delete.html", {"account": account})
