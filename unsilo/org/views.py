"""The organisation in the web UI: the COE table, silo pages, the people directory and seats.

Views parse input, call one query or action and render; the actions check permissions and
write the audit rows. `can()` here only decides which buttons and forms to show.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unsilo.core.actor import Actor
from unsilo.core.forms_actions import submit, success
from unsilo.core.htmx import int_or_none, render_swappable
from unsilo.core.permissions import can, can_somewhere, require
from unsilo.experts import queries as expertise
from unsilo.org import actions, queries, queries_pages
from unsilo.org.forms import PersonForm, SeatForm, SiloDescriptionForm, SiloForm
from unsilo.org.models import SeatRole

PER_PAGE = 50
# The action names a person's manager; the form asks for the manager's email.
MANAGER_FIELD = {"manager": "manager_email"}
# What a list of people shows; the rest of each row stays in the database.
PERSON_LIST_FIELDS = ("id", "name", "email", "title", "skills", "silo__id", "silo__name",
                      "silo__slug", "silo__kind")


def _actor(request) -> Actor:
    return Actor.for_user(request.user)


# The table ---------------------------------------------------------------------------------


def _hub_first(seats: list) -> list:
    """Tree order, with the hub's branch leading the table."""
    branches: list[list] = []
    for seat in seats:
        if seat.silo.depth == 0 or not branches:
            branches.append([])
        branches[-1].append(seat)
    branches.sort(key=lambda branch: not any(s.silo.is_hub for s in branch))
    return [seat for branch in branches for seat in branch]


@require_GET
def table(request):
    seats = _hub_first(queries.table(_actor(request)))
    only_empty = request.GET.get("empty") == "1"
    empty = [s for s in seats if s.is_empty]
    context = {
        "seats": empty if only_empty else seats,
        "only_empty": only_empty,
        "stats": {
            "silos": len(seats),
            "filled": len(seats) - len(empty),
            "empty": len(empty),
            "people": sum(s.people_count for s in seats),
        },
        "hubs": [s.silo for s in seats if s.silo.is_hub],
    }
    return render_swappable(request, "org/table.html", "seats", context)


# Silos -------------------------------------------------------------------------------------


def _silo_page(request, actor: Actor, silo, seat_form=None):
    members = list(queries_pages.seat_members(actor, silo))
    may_seat = can(actor, "org.manage_seat", silo.pk)
    people = queries.people(actor, silo=silo).only(*PERSON_LIST_FIELDS)
    context = {
        "silo": silo,
        "children": queries.silos(actor).filter(parent=silo).order_by("name"),
        "captains": [m for m in members if m.role == SeatRole.CAPTAIN],
        "delegates": [m for m in members if m.role == SeatRole.DELEGATE],
        "page": queries_pages.directory_page(people, request.GET.get("page"), per_page=PER_PAGE,
                                             searching=False),
        "may_seat": may_seat,
        "seat_form": seat_form or (SeatForm(actor) if may_seat else None),
        # Suggestions only: any email of this silo's people is accepted.
        "candidates": (
            queries.people(actor, silo=silo).select_related(None).only("id", "name", "email")[:500]
            if may_seat else []
        ),
        "may_edit": can(actor, "org.edit_silo", silo.pk),
        "may_delete": can(actor, "org.manage_silos"),
        "may_add_person": can(actor, "org.manage_people", silo.pk),
        "experts": expertise.silo_experts(actor, silo),
    }
    return render(request, "org/silo.html", context)


@require_GET
def silo(request, slug):
    actor = _actor(request)
    return _silo_page(request, actor, get_object_or_404(queries.silos(actor), slug=slug))


@require_http_methods(["GET", "POST"])
def silo_new(request):
    actor = _actor(request)
    require(actor, "org.manage_silos")
    form = SiloForm(actor, request.POST or None, initial={"parent": request.GET.get("parent")})
    if new := submit(request, form, lambda: actions.create_silo(actor, **form.to_data())):
        return success(request, f"Silo {new.name} created. Its seat is empty until someone "
                                "takes it.", "org:silo", slug=new.slug)
    return render(request, "org/silo_form.html", {"form": form, "silo": None})


@require_http_methods(["GET", "POST"])
def silo_edit(request, slug):
    actor = _actor(request)
    silo = get_object_or_404(queries.silos(actor), slug=slug)
    # The form holds only what this user may change: the hub everything, a captain the text.
    if can(actor, "org.manage_silos"):
        form_class, initial = SiloForm, {
            "name": silo.name, "kind": silo.kind, "parent": silo.parent_id,
            "description": silo.description,
        }
    else:
        require(actor, "org.edit_silo", silo.pk)
        form_class, initial = SiloDescriptionForm, {"description": silo.description}
    form = form_class(actor, request.POST or None, initial=initial, silo=silo)
    if submit(request, form, lambda: actions.update_silo(actor, silo, form.to_data()),
              instance=silo):
        return success(request, f"Silo {silo.name} saved.", "org:silo", slug=silo.slug)
    return render(request, "org/silo_form.html", {"form": form, "silo": silo})


@require_http_methods(["GET", "POST"])
def silo_delete(request, slug):
    actor = _actor(request)
    silo = get_object_or_404(queries.silos(actor), slug=slug)
    if request.method == "GET":
        require(actor, "org.manage_silos")
        return render(request, "org/silo_delete.html", {"silo": silo})
    try:
        actions.delete_silo(actor, silo)
    except ValidationError as error:
        messages.error(request, f"{silo.name} was not deleted. {' '.join(error.messages)}")
        return redirect("org:silo", slug=silo.slug)
    return success(request, f"Silo {silo.name} deleted.", "org:table")


# Seats -------------------------------------------------------------------------------------


@require_POST
def seat_add(request, slug):
    actor = _actor(request)
    silo = get_object_or_404(queries.silos(actor), slug=slug)
    require(actor, "org.manage_seat", silo.pk)
    form = SeatForm(actor, request.POST)

    def seat():
        return actions.seat_person(actor, silo, form.person, form.cleaned_data["role"])

    if member := submit(request, form, seat, rename={"person": "email"}):
        role = member.get_role_display().lower()
        return success(request, f"{member.person.name} now holds {silo.name}'s seat as {role}.",
                       "org:silo", slug=silo.slug)
    return _silo_page(request, actor, silo, seat_form=form)


@require_POST
def seat_remove(request, slug, member_id):
    actor = _actor(request)
    silo = get_object_or_404(queries.silos(actor), slug=slug)
    member = get_object_or_404(queries_pages.seat_members(actor, silo), pk=member_id)
    actions.unseat_person(actor, member)
    return success(request, f"{member.person.name} no longer holds {silo.name}'s seat.",
                   "org:silo", slug=silo.slug)


# People ------------------------------------------------------------------------------------


@require_GET
def people(request):
    actor = _actor(request)
    q = request.GET.get("q", "").strip()[:200]
    silo_id = int_or_none(request.GET.get("silo"))
    rows = queries.people(actor, q=q, silo=silo_id).only(*PERSON_LIST_FIELDS)
    page = queries_pages.directory_page(rows, request.GET.get("page"), per_page=PER_PAGE,
                                        searching=bool(q))
    filters = {k: v for k, v in (("q", q), ("silo", silo_id)) if v}
    context = {
        "q": q,
        "silo_id": silo_id,
        "silos": queries.silos(actor).select_related(None).only("id", "name").order_by("name"),
        "page": page,
        "filters": urlencode(filters),
        "may_add": can_somewhere(actor, "org.manage_people"),
    }
    return render_swappable(request, "org/people.html", "results", context)


@require_GET
def person(request, pk):
    actor = _actor(request)
    someone = get_object_or_404(queries_pages.person_profiles(actor), pk=pk)
    context = {
        "person": someone,
        "login": getattr(someone, "user", None),
        "seats": list(someone.seats.all()),
        "reports": list(someone.reports.all()),
        "accounts": (
            list(someone.stewarded_accounts.all()) if can(actor, "accounts.view") else None
        ),
        "may_edit": can(actor, "org.manage_people", someone.silo_id),
        "shown": expertise.shown_by(actor, someone),
    }
    return render(request, "org/person.html", context)


@require_http_methods(["GET", "POST"])
def person_new(request):
    actor = _actor(request)
    if not can_somewhere(actor, "org.manage_people"):
        raise PermissionDenied("Your role may not add, edit and remove people.")
    initial = {"silo": int_or_none(request.GET.get("silo")) or actor.silo_id}
    form = PersonForm(actor, request.POST or None, initial=initial)
    if new := submit(request, form, lambda: actions.create_person(actor, form.to_data()),
                     rename=MANAGER_FIELD):
        return success(request, f"{new.name} added to {new.silo.name}.", "org:person", pk=new.pk)
    return render(request, "org/person_form.html", {"form": form, "person": None})


@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    actor = _actor(request)
    someone = get_object_or_404(queries.people(actor).select_related("manager"), pk=pk)
    require(actor, "org.manage_people", someone.silo_id)
    form = PersonForm(actor, request.POST or None, person=someone)
    if submit(request, form, lambda: actions.update_person(actor, someone, form.to_data()),
              rename=MANAGER_FIELD, instance=someone):
        return success(request, f"{someone.name} saved.", "org:person", pk=someone.pk)
    return render(request, "org/person_form.html", {"form": form, "person": someone})


@require_http_methods(["GET", "POST"])
def person_delete(request, pk):
    actor = _actor(request)
    someone = get_object_or_404(queries.people(actor), pk=pk)
    if request.method == "GET":
        require(actor, "org.manage_people", someone.silo_id)
        return render(request, "org/person_delete.html", {"person": someone})
    try:
        actions.delete_person(actor, someone)
    except ValidationError as error:
        messages.error(request, f"{someone.name} was not removed. {' '.join(error.messages)}")
        return redirect("org:person", pk=someone.pk)
    return success(request, f"{someone.name} removed from {someone.silo.name}.",
                   f"{reverse('org:people')}?{urlencode({'silo': someone.silo_id})}")
