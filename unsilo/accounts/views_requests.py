"""Asking for accounts and looking after them: request (or claim), the hub's approve or
decline, a steward's confirmation, retiring."""

from django import forms
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from unsilo.accounts import queries, requests, stewardship
from unsilo.accounts.forms import AccountRequestForm
from unsilo.accounts.models import AccountStatus, RequestStatus
from unsilo.core.actor import Actor
from unsilo.core.forms_actions import submit, success
from unsilo.core.permissions import can, require


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


def request_list(request):
    actor = Actor.for_user(request.user)
    status = request.GET.get("status") or RequestStatus.REQUESTED
    rows = queries.requests(actor, status=status if status in RequestStatus.values else "")
    return render(request, "accounts/requests.html", {
        "rows": rows[:200], "status": status, "statuses": RequestStatus.choices})


def request_new(request, claim_pk: int | None = None):
    actor = Actor.for_user(request.user)
    claim = None
    if claim_pk is not None:
        claim = get_object_or_404(queries.accounts(actor, status=AccountStatus.UNREGISTERED),
                                  pk=claim_pk)
    form = AccountRequestForm(request.POST or None, actor=actor, claim=claim)
    if wanted := submit(request, form, lambda: requests.request_account(
            actor, form.request_data(), form.steward_ids, claim=claim)):
        return success(request, f"Asked the hub for {wanted.handle}.", "accounts:request",
                       pk=wanted.pk)
    return render(request, "accounts/request_form.html", {"form": form, "claim": claim})


def request_detail(request, pk: int):
    actor = Actor.for_user(request.user)
    wanted = get_object_or_404(queries.requests(actor), pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        require(actor, "accounts.approve")
        if request.POST.get("decision") == "approve":
            form = ReasonForm({"reason": "-"})
            if account := submit(request, form, lambda: requests.approve_request(actor, wanted)):
                return success(request, f"Registered {account}.", "accounts:detail",
                               pk=account.pk)
        elif submit(request, form, lambda: requests.decline_request(
                actor, wanted, form.cleaned_data["reason"])):
            return success(request, "Declined; the silo is told why.", "accounts:request",
                           pk=wanted.pk)
    return render(request, "accounts/request.html", {
        "wanted": wanted, "form": form,
        "may_decide": can(actor, "accounts.approve") and wanted.status == RequestStatus.REQUESTED,
    })


@require_POST
def account_confirm(request, pk: int):
    actor = Actor.for_user(request.user)
    account = get_object_or_404(queries.accounts(actor), pk=pk)
    stewardship.confirm(actor, account)
    return success(request, f"Thank you: you look after {account} for 90 more days.",
                   "accounts:detail", pk=account.pk)


def account_retire(request, pk: int):
    actor = Actor.for_user(request.user)
    account = get_object_or_404(queries.accounts(actor), pk=pk)
    require(actor, "accounts.manage", account.owner_silo_id)
    form = ReasonForm(request.POST or None)
    if submit(request, form, lambda: stewardship.retire(actor, account,
                                                        form.cleaned_data["reason"])):
        return success(request, f"Retired {account}; its history stays.", "accounts:detail",
                       pk=account.pk)
    return render(request, "accounts/retire.html", {"account": account, "form": form})
