"""The Unregistered page: handles seen in the wild that use the company's names, for the hub to
claim, register, report or dismiss; and the brand terms the scan looks for."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from unsilo.accounts.forms import AccountForm
from unsilo.connectors import actions, registry
from unsilo.connectors.forms import DecisionForm, TermsForm
from unsilo.connectors.models import Discovery, Sighting, SightingStatus
from unsilo.core.actor import Actor
from unsilo.core.forms_actions import submit, success
from unsilo.core.permissions import require
from unsilo.org import queries as org_queries

PAGE_SIZE = 50


def sightings(actor: Actor):
    require(actor, "accounts.review_sightings")
    return Sighting.objects.select_related("example", "account", "decided_by")


def unregistered(request):
    actor = Actor.for_user(request.user)
    rows = sightings(actor)
    status = request.GET.get("status") or SightingStatus.NEW
    if status not in SightingStatus.values:
        status = SightingStatus.NEW
    per_status = dict(rows.order_by().values_list("status").annotate(n=Count("id")))
    tabs = [{"value": v, "label": label, "n": per_status.get(v, 0), "current": v == status}
            for v, label in SightingStatus.choices]
    page = Paginator(rows.filter(status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    for s in page.object_list:
        s.profile_url = registry.profile_url(s.network, s.handle)
        s.network_label = dict(registry.choices()).get(s.network, s.network)
    discovery = Discovery.current()
    terms_form = TermsForm(request.POST or None,
                           initial={"terms": "\n".join(discovery.terms)})
    if submit(request, terms_form,
              lambda: actions.set_terms(actor, terms_form.cleaned_data["terms"])):
        return success(request, "Brand terms saved; new messages are checked against them.",
                       "connect:unregistered")
    return render(request, "connectors/unregistered.html", {
        "page": page, "tabs": tabs, "status": status, "terms": discovery.terms,
        "terms_form": terms_form, "silos": org_queries.silos(actor).order_by("name"),
    })


@require_POST
def decide(request, pk: int, what: str):
    """Claim, report, dismiss or reopen one sighting."""
    actor = Actor.for_user(request.user)
    sighting = get_object_or_404(sightings(actor), pk=pk)
    form = DecisionForm(request.POST, silos=org_queries.silos(actor))
    if not form.is_valid():
        return _back(request, sighting, "Pick a silo from the list.", ok=False)
    note = form.cleaned_data["note"]
    try:
        if what == "claim":
            silo_id = form.cleaned_data["owner_silo"]
            silo = org_queries.silos(actor).filter(pk=silo_id).first() if silo_id else None
            actions.claim(actor, sighting, silo, note)
            done = f"Claimed {sighting.handle}: it is in the registry as unregistered."
        elif what == "report":
            actions.report(actor, sighting, note)
            done = f"Reported {sighting.handle} as an impostor."
        elif what == "dismiss":
            actions.dismiss(actor, sighting, note)
            done = f"Dismissed {sighting.handle}."
        elif what == "reopen":
            actions.reopen(actor, sighting)
            done = f"{sighting.handle} is back on the list to review."
        else:
            raise Http404("No such decision.")
    except ValidationError as error:
        return _back(request, sighting, " ".join(error.messages), ok=False)
    return _back(request, sighting, done)


def _back(request, sighting, message: str, ok: bool = True):
    (messages.success if ok else messages.error)(request, message)
    status = request.POST.get("tab") or SightingStatus.NEW
    return redirect(f"/accounts/unregistered/?status={status}")


def register(request, pk: int):
    """The register form, filled in with the sighted handle; saving registers it."""
    actor = Actor.for_user(request.user)
    sighting = get_object_or_404(sightings(actor), pk=pk)
    initial = {"network": sighting.network, "handle": sighting.handle,
               "display_name": sighting.display_name,
               "notes": f"Found by the unregistered-accounts check (seen {sighting.seen} times)."}
    form = AccountForm(request.POST or None, actor=actor, initial=initial)

    def save():
        try:
            return actions.register(actor, sighting, form.account_data(), form.steward_ids)
        except IntegrityError as error:
            raise ValidationError({"handle": "This handle on this network is already in the "
                                             "registry."}) from error
        except PermissionDenied as error:
            raise ValidationError(str(error)) from error

    if account := submit(request, form, save):
        return success(request, f"Registered {account}.", "accounts:detail", pk=account.pk)
    return render(request, "connectors/register.html", {"form": form, "sighting": sighting})
