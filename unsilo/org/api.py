"""Silos, people and seats over the API: parse, call one action or query, answer a schema.

Roles are checked by the actions and queries themselves, exactly as in the web UI.
"""

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from unsilo.core.api import Pagination, found, input_names, referenced
from unsilo.core.schemas import Id, errors
from unsilo.org import actions, queries
from unsilo.org.models import Person, SeatMember, Silo
from unsilo.org.schemas import (
    PersonFilter,
    PersonIn,
    PersonOut,
    PersonPatch,
    SeatMemberIn,
    SeatMemberOut,
    SeatOut,
    SiloFilter,
    SiloIn,
    SiloOut,
    SiloPatch,
)

router = Router()

CREATE_ERRORS = errors(403, 409, 422)
WRITE_ERRORS = errors(403, 404, 409, 422)


# Silos -------------------------------------------------------------------------------------


def _with_seat_and_head_count(rows: QuerySet) -> QuerySet:
    # Correlated subqueries run only for the rows of the page, unlike a GROUP BY over everyone.
    head_count = (
        Person.objects.filter(silo=OuterRef("pk")).order_by().values("silo")
        .annotate(n=Count("pk")).values("n")
    )
    return rows.annotate(
        people_count=Coalesce(Subquery(head_count), 0),
        seat_empty=~Exists(SeatMember.objects.filter(silo=OuterRef("pk"))),
    )


def _silo(request, silo_id: Id):
    return found(_with_seat_and_head_count(queries.silos(request.actor)), silo_id, "silo")


def _parent(request, parent_id: Id | None):
    if parent_id is None:
        return None
    return referenced(queries.silos(request.actor), parent_id, "parent_id", "silo")


@router.get("/silos", response={200: list[SiloOut], **errors(422)}, tags=["Silos"],
            summary="List silos")
@paginate
def list_silos(request, filters: Query[SiloFilter]):
    """Silos by name, each with its head count and whether its seat at the table is empty."""
    return filters.filter(_with_seat_and_head_count(queries.silos(request.actor)))


@router.post("/silos", response={201: SiloOut, **CREATE_ERRORS}, tags=["Silos"],
             summary="Create a silo")
def create_silo(request, payload: SiloIn):
    """A new silo (department, region, function…), optionally inside another. Hub admins only."""
    with input_names(parent="parent_id"):
        silo = actions.create_silo(
            request.actor, name=payload.name, kind=payload.kind,
            parent=_parent(request, payload.parent_id), description=payload.description,
        )
    return Status(201, _silo(request, silo.pk))


@router.get("/silos/{silo_id}", response={200: SiloOut, **errors(404)}, tags=["Silos"],
            summary="Get a silo")
def get_silo(request, silo_id: Id):
    """One silo with its head count and whether its seat is empty."""
    return _silo(request, silo_id)


@router.patch("/silos/{silo_id}", response={200: SiloOut, **WRITE_ERRORS}, tags=["Silos"],
              summary="Change a silo")
def update_silo(request, silo_id: Id, payload: SiloPatch):
    """Change the fields sent. A captain may change their own silo's description; renaming and
    moving silos is for hub admins."""
    silo = _silo(request, silo_id)
    data = payload.dict(exclude_unset=True)
    if "parent_id" in data:
        data["parent"] = _parent(request, data.pop("parent_id"))
    with input_names(parent="parent_id"):
        actions.update_silo(request.actor, silo, data)
    return _silo(request, silo_id)


@router.delete("/silos/{silo_id}", response={204: None, **WRITE_ERRORS}, tags=["Silos"],
               summary="Delete a silo")
def delete_silo(request, silo_id: Id):
    """Delete an empty silo (no people, no silos inside, no accounts). Hub admins only."""
    actions.delete_silo(request.actor, _silo(request, silo_id))
    return Status(204, None)


# People ------------------------------------------------------------------------------------

# The list reads only what PersonOut shows, so a page stays fast at 100,000 people.
PERSON_FIELDS = (
    "id", "email", "name", "title", "silo_id", "skills", "languages", "timezone", "manager_id",
    "capacity", "is_active",
)
# Silo names come in a second small query: with a join, PostgreSQL misjudges a `title` or `q`
# filter and plans a nested loop over every silo (a second instead of milliseconds).
SILO_NAMES = Prefetch("silo", queryset=Silo.objects.only("id", "name"))


def _manager(request, data: dict) -> dict:
    """Turn `manager_id` / `manager_email` into `manager` (a Person, or None to clear it)."""
    manager_id, email = data.pop("manager_id", None), data.pop("manager_email", None)
    if manager_id is not None:
        data["manager"] = referenced(queries.people(request.actor), manager_id, "manager_id",
                                     "person")
    elif email:
        manager = queries.people(request.actor).filter(email=email.strip().lower()).first()
        if manager is None:
            raise ValidationError({"manager_email": f"No person with email {email}."})
        data["manager"] = manager
    return data


class PeoplePagination(Pagination):
    """Limit and offset as everywhere, but a page that is not full ends the list and so tells
    the count: a search for a rare word reads the people once instead of twice."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        offset, limit = pagination.offset, min(pagination.limit, self.max_limit)
        items = list(queryset[offset:offset + limit])
        if 0 < len(items) < limit or (offset == 0 and not items):
            return {"items": items, "count": offset + len(items)}
        return {"items": items, "count": queryset.count()}


@router.get("/people", response={200: list[PersonOut], **errors(422)}, tags=["People"],
            summary="List people")
@paginate(PeoplePagination)
def list_people(request, filters: Query[PersonFilter]):
    """People by name. `q` matches name, email, title or a skill; `silo_id` keeps one silo
    (not its children); `title` and `skill` narrow further."""
    rows = queries.people(request.actor, q=filters.q, silo=filters.silo_id,
                          title=filters.title or "", skill=filters.skill or "")
    return rows.select_related(None).only(*PERSON_FIELDS).prefetch_related(SILO_NAMES)


@router.post("/people", response={201: PersonOut, **CREATE_ERRORS}, tags=["People"],
             summary="Add a person")
def create_person(request, payload: PersonIn):
    """Add someone to a silo. Hub admins anywhere; captains in their own silo. An email already
    in the directory is a 409."""
    data = payload.dict()
    data["silo"] = referenced(queries.silos(request.actor), data.pop("silo_id"), "silo_id",
                              "silo")
    with input_names(silo="silo_id", manager="manager_id"):
        person = actions.create_person(request.actor, _manager(request, data))
    return Status(201, person)


@router.get("/people/by-email/{email}", response={200: PersonOut, **errors(404)},
            tags=["People"], summary="Find a person by email")
def get_person_by_email(request, email: str):
    """The person with this email (any case): how a script finds an id to use elsewhere."""
    person = queries.people(request.actor).filter(email=email.strip().lower()).first()
    if person is None:
        raise Http404(f"No person with email {email}.")
    return person


@router.get("/people/{person_id}", response={200: PersonOut, **errors(404)}, tags=["People"],
            summary="Get a person")
def get_person(request, person_id: Id):
    """One person: silo, title, skills, languages, time zone, manager and capacity."""
    return found(queries.people(request.actor), person_id, "person")


@router.patch("/people/{person_id}", response={200: PersonOut, **WRITE_ERRORS},
              tags=["People"], summary="Change a person")
def update_person(request, person_id: Id, payload: PersonPatch):
    """Change the fields sent. Moving someone to another silo needs the power in both silos."""
    person = found(queries.people(request.actor), person_id, "person")
    data = payload.dict(exclude_unset=True)
    if "silo_id" in data:
        data["silo"] = referenced(queries.silos(request.actor), data.pop("silo_id"), "silo_id",
                                  "silo")
    if {"manager_id", "manager_email"} & data.keys():
        data = {"manager": None, **_manager(request, data)}  # null clears the manager
    with input_names(silo="silo_id", manager="manager_id"):
        return actions.update_person(request.actor, person, data)


@router.delete("/people/{person_id}", response={204: None, **WRITE_ERRORS}, tags=["People"],
               summary="Remove a person")
def delete_person(request, person_id: Id):
    """Remove someone from the directory, with their seats and stewardships. Hub admins
    anywhere; captains in their own silo."""
    actions.delete_person(request.actor, found(queries.people(request.actor), person_id,
                                               "person"))
    return Status(204, None)


# Seats -------------------------------------------------------------------------------------


@router.get("/seats", response={200: list[SeatOut], **errors()}, tags=["Seats"],
            summary="The COE table")
def list_seats(request):
    """Every silo in tree order with its captains and delegates; `empty` marks a silo that is
    not represented at the table."""
    return queries.table(request.actor)


@router.get("/seats/{silo_id}", response={200: SeatOut, **errors(404)}, tags=["Seats"],
            summary="One silo's seat")
def get_seat(request, silo_id: Id):
    """One silo's captains and delegates, and whether its seat is empty."""
    return queries.seat_of(request.actor, found(queries.silos(request.actor), silo_id, "silo"))


@router.put("/seats/{silo_id}/members/{person_id}", response={200: SeatMemberOut,
            **WRITE_ERRORS}, tags=["Seats"], summary="Seat a person as captain or delegate")
def seat_person(request, silo_id: Id, person_id: Id, payload: SeatMemberIn):
    """Give a person of this silo (or a silo inside it) a place in its seat, or change their
    role there. Hub admins anywhere; captains in their own silo."""
    silo = found(queries.silos(request.actor), silo_id, "silo")
    person = found(queries.people(request.actor), person_id, "person")
    return actions.seat_person(request.actor, silo, person, payload.role)


@router.delete("/seats/{silo_id}/members/{person_id}", response={204: None, **WRITE_ERRORS},
               tags=["Seats"], summary="Take a person out of a seat")
def unseat_person(request, silo_id: Id, person_id: Id):
    """Take a person out of the silo's seat; with nobody left, the seat is empty. Hub admins
    anywhere; captains in their own silo."""
    silo = found(queries.silos(request.actor), silo_id, "silo")
    member = silo.seat_members.filter(person_id=person_id).first()
    if member is None:
        raise Http404(f"Person {person_id} holds no place in {silo.name}'s seat.")
    actions.unseat_person(request.actor, member)
    return Status(204, None)
