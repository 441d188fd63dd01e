"""Every read of the organisation, already checked against the reader's role."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from unsilo.core.actor import Actor
from unsilo.core.permissions import require
from unsilo.org.models import Person, SeatMember, SeatRole, Silo


def silos(actor: Actor) -> QuerySet[Silo]:
    require(actor, "org.view")
    return Silo.objects.select_related("parent")


def people(actor: Actor, *, q: str = "", silo: Silo | int | None = None) -> QuerySet[Person]:
    """People, newest filters first; `q` matches name, email, title or a skill."""
    require(actor, "org.view")
    rows = Person.objects.select_related("silo")
    if silo:
        rows = rows.filter(silo=silo)
    q = q.strip()
    if q:
        rows = rows.filter(
            Q(name__icontains=q) | Q(email__icontains=q) | Q(title__icontains=q)
            | Q(skills__icontains=q)
        )
    return rows.order_by("name", "id")


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
