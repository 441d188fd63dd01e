"""Self-harm and safety never wait in triage: such a message goes at once to the person the
hub names for it (InboxSettings.safety_people: one person, or a rota taken in turn — the one
whose last safety conversation is oldest, among those available now), else to a hub admin.
Capacity does not hold it back: a cry for help is read before the rest of the queue."""

import datetime

from django.db.models import Max
from django.utils import timezone

from unsilo.core.models import Role
from unsilo.inbox.models import DecisionSource, RoutingDecision
from unsilo.inbox.routing.availability import PersonInfo
from unsilo.learning.types import Classification
from unsilo.org.models import Person

FLAGS = ("self_harm", "safety")
LABELS = {"self_harm": "self-harm", "safety": "a safety risk"}
NEVER = datetime.datetime.min.replace(tzinfo=datetime.UTC)


def flags(c: Classification) -> list[str]:
    return [f for f in FLAGS if f in (c.risk or {})]


def hub_admins() -> list[int]:
    """The people of the active hub-admin logins: who reads it when nobody else can."""
    return list(Person.objects.filter(is_active=True, user__role=Role.HUB_ADMIN,
                                      user__is_active=True).order_by("name", "id")
                .values_list("pk", flat=True))


class Rota:
    """Who reads the flagged messages of one batch, in turn."""

    def __init__(self, named: list[int], admins: list[int], people: dict[int, PersonInfo],
                 available, at: datetime.datetime | None):
        self.named = [people[p] for p in named if p in people and people[p].active]
        self.admins = [people[p] for p in admins if p in people and people[p].active]
        self.available = available
        self.now = at or timezone.now()
        ids = [p.id for p in self.named + self.admins]
        self.turns = dict(RoutingDecision.objects.filter(
            source=DecisionSource.SAFETY, assignee_id__in=ids).values("assignee_id")
            .annotate(last=Max("at")).values_list("assignee_id", "last"))

    def _in_turn(self, people: list[PersonInfo]) -> list[PersonInfo]:
        order = {p.id: n for n, p in enumerate(people)}
        return sorted(people, key=lambda p: (self.turns.get(p.id) or NEVER, order[p.id]))

    def _take(self, person: PersonInfo) -> PersonInfo:
        # Later in this batch it is someone else's turn.
        self.turns[person.id] = self.now + datetime.timedelta(microseconds=len(self.turns))
        if self.available is not None:
            self.available.take(person)
        return person

    def pick(self) -> tuple[PersonInfo | None, list[str]]:
        """The reader and why; (None, why) only when the hub has no admin with a person."""
        skipped = []
        for person in self._in_turn(self.named):
            why = self.available.why_not(person, capacity=False) if self.available else None
            if why:
                skipped.append(why)
                continue
            if len(self.named) == 1:
                return self._take(person), [f"the hub names {person.name} to read it first"]
            first = f"{'; '.join(skipped[:3])}; " if skipped else ""
            return self._take(person), [f"{first}{person.name} is next on the safety rota"]
        if self.named:
            lead = f"nobody on the safety rota is available ({'; '.join(skipped[:3])})"
        else:
            lead = "the hub names nobody to read self-harm and safety first"
        admins = self._in_turn(self.admins)
        free = [p for p in admins if self.available is None
                or self.available.why_not(p, capacity=False) is None]
        if not admins:
            return None, [f"{lead}, and no hub admin has a person in unsilo: it waits in "
                          "hub triage"]
        person = self._take((free or admins)[0])
        return person, [f"{lead}: straight to the hub admin {person.name}"]
