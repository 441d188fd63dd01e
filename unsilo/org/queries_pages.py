"""Reads the organisation pages need beyond queries.py, checked against the reader's role."""

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet

from unsilo.accounts.models import Account
from unsilo.core.actor import Actor
from unsilo.core.permissions import can, require
from unsilo.org.models import Person, SeatMember, Silo


def person_profiles(actor: Actor) -> QuerySet[Person]:
    """People with everything their page shows: silo, manager, login, reports, seats, accounts."""
    require(actor, "org.view")
    reports = Person.objects.only("id", "name", "title", "manager_id")
    seats = SeatMember.objects.select_related("silo").order_by("silo__name")
    rows = Person.objects.select_related("silo", "manager", "user").prefetch_related(
        Prefetch("reports", queryset=reports), Prefetch("seats", queryset=seats)
    )
    if can(actor, "accounts.view"):
        rows = rows.prefetch_related(
            Prefetch("stewarded_accounts", queryset=Account.objects.order_by("network", "handle"))
        )
    return rows


def seat_members(actor: Actor, silo: Silo) -> QuerySet[SeatMember]:
    """The people holding `silo`'s seat, captains first."""
    require(actor, "org.view")
    return silo.seat_members.select_related("person").order_by("role", "person__name")


def silos_where(actor: Actor, perm: str) -> QuerySet[Silo]:
    """The silos in which the actor holds `perm`: all of them, their own, or none."""
    require(actor, "org.view")
    if can(actor, perm):
        return Silo.objects.order_by("name")
    if actor.silo_id is not None and can(actor, perm, actor.silo_id):
        return Silo.objects.filter(pk=actor.silo_id)
    return Silo.objects.none()


def directory_page(rows: QuerySet[Person], number, *, per_page: int, searching: bool) -> Page:
    """One page of a people list in two queries, fast at 100,000 people.

    The page's rows are those whose ids it reads off the (name, id) or (silo, name, id) index,
    so even a deep page skips rows inside the index; a search finds them through the search
    indexes. Listing: a count first. Searching: the rows first, as a page that is not full
    ends the list and so tells the count (a rare word is looked for once); only a full page,
    or one past the end, costs a count.
    """
    paginator = Paginator(rows, per_page)
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    if searching:
        people = list(_page_rows(rows, number, per_page))
        if 0 < len(people) < per_page or (number == 1 and not people):
            paginator.count = (number - 1) * per_page + len(people)
        if people or number == 1:
            return Page(people, number, paginator)
    # Past the last page: show the last one, as Paginator.get_page does.
    number = min(number, paginator.num_pages)
    return Page(_page_rows(rows, number, per_page), number, paginator)


def _page_rows(rows: QuerySet[Person], number: int, per_page: int) -> QuerySet[Person]:
    ids = rows.values_list("pk", flat=True)[(number - 1) * per_page:number * per_page]
    return rows.filter(pk__in=ids)
