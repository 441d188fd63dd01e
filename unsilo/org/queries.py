"""Every read of the organisation, already checked against the reader's role."""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Lookup, Prefetch, QuerySet
from django.db.models.functions import Left
from django.db.models.lookups import Exact

from unsilo.core import search
from unsilo.core.actor import Actor
from unsilo.core.permissions import require
from unsilo.org.models import Person, SeatMember, SeatRole, Silo, squeeze


def silos(actor: Actor) -> QuerySet[Silo]:
    require(actor, "org.view")
    return Silo.objects.select_related("parent")


def people(actor: Actor, *, q: str = "", silo: Silo | int | None = None, title: str = "",
           skill: str = "") -> QuerySet[Person]:
    """People by name; `q` matches name, email, title or a skill, `title` the title and `skill`
    one whole skill, all in any case."""
    require(actor, "org.view")
    rows = Person.objects.select_related("silo")
    if silo:
        rows = rows.filter(silo=silo)
    for condition in _search_conditions(q, title, skill):
        rows = rows.filter(condition)
    return rows.order_by("name", "id")


def _search_conditions(q: str, title: str, skill: str) -> list[Lookup]:
    """Conditions on Person.search (see search_text) that its indexes serve (migration 0003)."""
    q, title, skill = (squeeze(search.term(text)).lower() for text in (q, title, skill))
    escape = connection.ops.prep_for_like_query
    conditions = []
    # Three letters or more match anywhere (trigrams). Fewer have no trigram and would match
    # most of the company: one letter matches the start of the name (an index on the first two
    # characters, " a"), two the start of any word (trigrams know where words start).
    if len(q) == 1:
        conditions.append(Exact(Left("search", 2), f" {q}"))
    elif len(q) == 2:
        conditions.append(Like(F("search"), f"% {escape(q)}%"))
    elif q:
        conditions.append(Like(F("search"), f"%{escape(q)}%"))
    if title:
        conditions.append(Like(F("search"), f"%\n%{escape(title)}%"))
    if skill:
        conditions.append(Like(F("search"), f"%\t {escape(skill)}\t%"))
    return conditions


class Like(Lookup):
    """`lhs LIKE pattern`, the pattern as given: its caller escapes what users typed."""

    lookup_name = "like"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs} ESCAPE '\\'", [*lhs_params, *rhs_params]


@dataclass
class SeatView:
    silo: Silo
    people_count: int
    captains: list[Person] = field(default_factory=list)
    delegates: list[Person] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.captains and not self.delegates


def table(actor: Actor) -> list[SeatView]:
    """Every silo with its seat, in tree order: who sits at the COE table and who does not."""
    require(actor, "org.view")
    members = SeatMember.objects.select_related("person").order_by("person__name")
    rows = Silo.objects.prefetch_related(Prefetch("seat_members", queryset=members))
    # One grouped count over the (silo, …) index, not a join of every person to their silo.
    head_counts = dict(
        Person.objects.order_by().values("silo").annotate(n=Count("id")).values_list("silo", "n")
    )
    seats = []
    for silo in tree_order(list(rows.order_by("name"))):
        seat = SeatView(silo=silo, people_count=head_counts.get(silo.pk, 0))
        for m in silo.seat_members.all():
            (seat.captains if m.role == SeatRole.CAPTAIN else seat.delegates).append(m.person)
        seats.append(seat)
    return seats


def tree_order(silo_list: list[Silo]) -> list[Silo]:
    """Silos depth-first under their parents, each annotated with `depth`."""
    children: dict[int | None, list[Silo]] = {}
    for s in silo_list:
        children.setdefault(s.parent_id, []).append(s)
    known = {s.pk for s in silo_list}
    ordered: list[Silo] = []

    def walk(parent_id, depth):
        for s in children.get(parent_id, []):
            s.depth = depth
            ordered.append(s)
            walk(s.pk, depth + 1)

    walk(None, 0)
    # Silos whose parent is filtered out still show, at the top level.
    for parent_id in children.keys() - known - {None}:
        walk(parent_id, 0)
    return ordered


def seat_of(actor: Actor, silo: Silo) -> SeatView:
    require(actor, "org.view")
    seat = SeatView(silo=silo, people_count=silo.people.count())
    for m in silo.seat_members.select_related("person").order_by("person__name"):
        (seat.captains if m.role == SeatRole.CAPTAIN else seat.delegates).append(m.person)
    return seat
