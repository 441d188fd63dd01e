"""Reads of learned expertise for the person and silo pages, checked against the reader's role
(org.view: whoever may see people sees what they have shown they can answer)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, Sum

from unsilo.core.actor import Actor
from unsilo.core.permissions import require
from unsilo.experts.models import ExpertiseStat, ExpertProfile
from unsilo.org.models import Person, Silo

SILO_PAGE = 25  # people shown by expertise on a silo's page


@dataclass
class SiloShare:
    silo: Silo
    resolved: int
    consulted: int
    last_at: datetime.datetime | None


@dataclass
class Shown:
    """What one person has shown they can answer."""

    resolved: int = 0
    consulted: int = 0
    last_at: datetime.datetime | None = None
    topics: list[tuple[str, int]] = field(default_factory=list)
    intents: list[tuple[str, int, int]] = field(default_factory=list)  # (intent, resolved, bar)
    silos: list[SiloShare] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.resolved or self.consulted)


def shown_by(actor: Actor, person: Person) -> Shown:
    require(actor, "org.view")
    profile = ExpertProfile.objects.filter(person=person).first()
    if profile is None:
        return Shown()
    rows = list(ExpertiseStat.objects.filter(person=person).select_related("silo"))
    by_intent: dict[str, int] = {}
    by_silo: dict[int, SiloShare] = {}
    for row in rows:
        by_intent[row.intent] = by_intent.get(row.intent, 0) + row.resolved
        share = by_silo.setdefault(row.silo_id, SiloShare(row.silo, 0, 0, None))
        share.resolved += row.resolved
        share.consulted += row.consulted
        if row.last_at and (share.last_at is None or row.last_at > share.last_at):
            share.last_at = row.last_at
    top = max(by_intent.values(), default=0)
    intents = [(name, n, round(100 * n / top) if top else 0) for name, n in
               sorted(by_intent.items(), key=lambda item: (-item[1], item[0])) if n]
    silos = sorted(by_silo.values(), key=lambda s: (-(s.resolved + s.consulted), s.silo.name))
    return Shown(profile.resolved, profile.consulted, profile.last_at,
                 [tuple(t) for t in profile.topics], intents, silos)


@dataclass
class SiloExpert:
    person: Person
    resolved: int
    consulted: int
    topics: list
    intents: list[str]
    bar: int = 0


def silo_experts(actor: Actor, silo: Silo, limit: int = SILO_PAGE) -> list[SiloExpert]:
    """The silo's people by what they have shown they can answer, in any silo (resolved plus
    consulted on, most first), with their top topics and intents."""
    require(actor, "org.view")
    totals = list(ExpertiseStat.objects.filter(person__silo=silo)
                  .values("person_id").annotate(r=Sum("resolved"), c=Sum("consulted"))
                  .annotate(n=F("r") + F("c")).order_by("-n", "person_id")[:limit])
    ids = [row["person_id"] for row in totals]
    people = Person.objects.filter(pk__in=ids).only("id", "name", "title").in_bulk()
    topics = dict(ExpertProfile.objects.filter(person_id__in=ids)
                  .values_list("person_id", "topics"))
    intents: dict[int, list[tuple[int, str]]] = {}
    for person_id, intent, n in ExpertiseStat.objects.filter(
            person_id__in=ids, resolved__gt=0).exclude(intent="other").values_list(
            "person_id", "intent", "resolved"):
        intents.setdefault(person_id, []).append((n, intent))
    top = totals[0]["n"] if totals else 0
    return [SiloExpert(people[row["person_id"]], row["r"], row["c"],
                       [tuple(t) for t in topics.get(row["person_id"], [])[:5]],
                       [name for _, name in sorted(intents.get(row["person_id"], []),
                                                   key=lambda i: (-i[0], i[1]))[:3]],
                       round(100 * row["n"] / top) if top else 0)
            for row in totals if row["person_id"] in people]
