"""Find an expert: people of every silo ranked by what they have shown they can answer.

One function, `rank()`, serves the Find an expert page, its API and the consult picker of a
conversation (inbox.actions.team.suggest_experts). A question's terms and its intent are
looked up in the precomputed index (experts/index.py: one sparse pass and a top-k), then the
few people found are read with their evidence and their availability now (the routing's
`Availability`: absent, at capacity, outside working hours). Availability is shown, never
hidden: someone away is still the one who knows; `available_only` leaves them out.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from unsilo.core.actor import Actor
from unsilo.core.permissions import require
from unsilo.experts import index
from unsilo.experts.models import ExpertiseStat, ExpertProfile
from unsilo.inbox.models import BusinessHours
from unsilo.inbox.routing.availability import Availability, PersonInfo
from unsilo.learning import classify
from unsilo.learning.profiles import bar, intent_term, terms_of
from unsilo.learning.types import Incoming
from unsilo.org.models import Person

MAX_TEXT = 5_000  # characters of a question or pasted message read
MAX_LIMIT = 50
INTENT_LABEL = "_intent_"


@dataclass
class Expert:
    person: Person
    score: float
    bar: int  # the score as a share of the best one, 0-100
    terms: list[tuple[str, int]]  # matched words, with how many of their conversations hold each
    intent: tuple[str, int] | None  # the question's intent, and how many they resolved of it
    resolved: int
    consulted: int
    last_at: datetime.datetime | None
    silos: list[tuple[str, int]]  # silo name, conversations there, most first
    unavailable: dict[str, str] = field(default_factory=dict)  # kind -> why, in words

    @property
    def available(self) -> bool:
        return not self.unavailable

    @property
    def reason(self) -> str:
        """One line: the words that matched and how often, what they did, and their silo:
        "“refund” in 6 conversations, “invoice” in 6 · resolved 6 (Billing)"."""
        words = ", ".join(f"“{t}” in {_conversations(n) if i == 0 else n}"
                          for i, (t, n) in enumerate(self.terms[:3]))
        did = ", ".join(part for part, n in ((f"resolved {self.resolved}", self.resolved),
                                             (f"consulted on {self.consulted}", self.consulted))
                        if n)
        return " · ".join(p for p in (words, did) if p) + f" ({self.person.silo.name})"

    @property
    def reasons(self) -> list[str]:
        found = [f"“{t}” in {_conversations(n)} they resolved or were consulted on"
                 for t, n in self.terms[:5]]
        if self.intent and self.intent[1]:
            found.append(f"resolved {self.intent[1]} {self.intent[0].replace('_', ' ')} "
                         "conversations")
        found.append(f"resolved {self.resolved}, consulted on {self.consulted}")
        return found


@dataclass
class Ranking:
    intent: str
    terms: list[str]  # the question's terms the index knows
    experts: list[Expert]
    indexed: bool  # False: no index built yet


def _conversations(n: int) -> str:
    return "1 conversation" if n == 1 else f"{n} conversations"


def find(actor: Actor, text: str, *, limit: int = 10, available_only: bool = False,
         at: datetime.datetime | None = None) -> Ranking:
    """Find an expert, for someone allowed to (org.find_experts): people of every silo."""
    require(actor, "org.find_experts")
    return rank(text, limit=limit, available_only=available_only, at=at)


def rank(text: str, *, limit: int = 10, available_only: bool = False,
         at: datetime.datetime | None = None, exclude: set[int] = frozenset(),
         absent_too: bool = True) -> Ranking:
    """The people best placed to answer `text`, best first (at most `limit`), never those in
    `exclude` nor inactive ones. `absent_too` False leaves out only the absent."""
    text = (text or "")[:MAX_TEXT]
    limit = max(1, min(limit, MAX_LIMIT))
    kind = classify.classify([Incoming(id="", network="", text=text, author="",
                                       created_at=None)])[0].intent
    query = terms_of(text, kind)
    profiles = index.current()
    if profiles is None:
        return Ranking(kind, [], [], indexed=False)
    known = sorted(t for t in query if t in profiles.index and not t.startswith(INTENT_LABEL))
    # Room for the inactive and, when asked, the unavailable ones left out below.
    matches = profiles.rank(query, 2 * limit + 5, exclude=set(exclude))
    ids = [m.person_id for m in matches]
    people = Person.objects.filter(pk__in=ids, is_active=True).select_related("silo") \
        .in_bulk()
    infos = {p.pk: PersonInfo(p.pk, p.name, p.email, p.silo_id, p.is_active, p.timezone,
                              p.capacity) for p in people.values()}
    hours = {bh.silo_id: bh for bh in BusinessHours.objects.filter(
        silo_id__in={p.silo_id for p in people.values()})}
    now = Availability(infos, hours, at or timezone.now())
    evidence = ExpertProfile.objects.filter(person_id__in=people).in_bulk(field_name="person_id")
    silos, of_intent = _stats(people, kind)
    experts = []
    for m in matches:
        person = people.get(m.person_id)
        if person is None:
            continue
        unavailable = now.reasons(infos[person.pk])
        if (available_only and unavailable) or (not absent_too and "absent" in unavailable):
            continue
        shown = evidence.get(person.pk)
        terms = [(t, n) for t, n in m.terms if not t.startswith(INTENT_LABEL)]
        experts.append(Expert(
            person=person, score=m.score, bar=0, terms=terms,
            intent=(kind, of_intent.get(person.pk, 0)) if intent_term(kind) in query else None,
            resolved=shown.resolved if shown else 0, consulted=shown.consulted if shown else 0,
            last_at=shown.last_at if shown else None, silos=silos.get(person.pk, []),
            unavailable=unavailable))
        if len(experts) == limit:
            break
    top = experts[0].score if experts else 0
    for e in experts:
        e.bar = bar(e.score, top)
    return Ranking(kind, known, experts, indexed=True)


def _stats(people: dict, kind: str) -> tuple[dict, dict]:
    """Per person: [(silo name, conversations)] most first, and how many of `kind` resolved."""
    silos: dict[int, dict[str, int]] = {}
    of_intent: dict[int, int] = {}
    for person_id, silo, intent, resolved, consulted in ExpertiseStat.objects.filter(
            person_id__in=list(people)).values_list("person_id", "silo__name", "intent",
                                                    "resolved", "consulted"):
        mine = silos.setdefault(person_id, {})
        mine[silo] = mine.get(silo, 0) + resolved + consulted
        if intent == kind:
            of_intent[person_id] = of_intent.get(person_id, 0) + resolved
    ordered = {p: sorted(s.items(), key=lambda item: (-item[1], item[0]))
               for p, s in silos.items()}
    return ordered, of_intent
