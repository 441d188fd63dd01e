"""Routing: self-harm and safety to the hub's safety rota (routing/safety.py), then hub rules
(they always win over the model), then learned expertise, then availability.

`Router.current()` is cached per process and rebuilt when a newer routing model, a changed
rule, the hub's settings, people, silos or business hours appear (a few aggregate queries,
once per batch). `classify_route` computes the features of a batch once and hands them to the
classifier and to the expertise model. With `at` given, people who are absent, at capacity or
outside their working hours are skipped for the next best expert of the same silo; with `at`
None (back-testing, `unsilo route`) availability is ignored.
"""

import datetime
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from django.db.models import Count, Max

from unsilo.inbox.models import (
    BusinessHours,
    DecisionSource,
    InboxSettings,
    RoutingModel,
    RoutingRule,
    RuleTarget,
)
from unsilo.inbox.routing import safety
from unsilo.inbox.routing.availability import Availability, PersonInfo
from unsilo.learning.classify import classify
from unsilo.learning.expertise import Expertise, Prediction, account_key, tokens_pattern
from unsilo.learning.types import Classification, Decision, Incoming
from unsilo.org.models import Person, Silo, SiloKind


@dataclass
class Rule:
    id: int
    name: str
    network: str
    account: str | None  # account key, None: any account
    language: str
    pattern: object  # compiled keywords, None: any text
    risk: str
    target: str
    silo_id: int | None
    person_id: int | None

    def matches(self, m: Incoming, c: Classification) -> bool:
        if self.network and m.network.lower() != self.network:
            return False
        if self.account is not None and account_key(m.account) != self.account:
            return False
        if self.language and (c.language or m.lang[:2]).lower() != self.language:
            return False
        if self.risk and self.risk not in (c.risk or {}):
            return False
        return self.pattern is None or self.pattern.search(m.text) is not None


def _stamp() -> tuple:
    """What the router was built from: when any of it changes, it is built again."""
    return (
        tuple(RoutingModel.objects.aggregate(Max("version"), Max("trained_at")).values()),
        tuple(RoutingRule.objects.aggregate(Max("updated_at"), Max("id"), Count("id")).values()),
        tuple(InboxSettings.objects.aggregate(Max("updated_at"), Max("id")).values()),
        tuple(Person.objects.aggregate(Max("updated_at"), Count("id")).values()),
        tuple(Silo.objects.aggregate(Max("id"), Count("id")).values()),
        tuple(BusinessHours.objects.aggregate(Max("id"), Count("id")).values()),
    )


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


class Router:
    """Built once per process and reused while nothing it was built from changes."""

    _cached: ClassVar["Router | None"] = None
    _model: ClassVar[Expertise | None] = None  # the newest model, unpickled once

    def __init__(self, stamp: tuple | None = None):
        self.stamp = stamp if stamp is not None else _stamp()
        self.model = self._load_model()
        self.settings = InboxSettings.current()
        self.silos = dict(Silo.objects.values_list("id", "name"))
        hub = Silo.objects.filter(kind=SiloKind.HUB).order_by("id").first()
        self.hub = (hub.pk, hub.name) if hub else (None, None)
        self.rules = [self._rule(r) for r in RoutingRule.objects.filter(enabled=True)
                      .select_related("account").order_by("position", "id")]
        wanted = {r.person_id for r in self.rules if r.person_id}
        self.safety_people = (list(self.settings.safety_people.order_by("name", "id")
                                   .values_list("pk", flat=True)) if self.settings.pk else [])
        self.admins = safety.hub_admins()
        wanted.update(self.safety_people, self.admins)
        if self.model is not None:
            wanted.update(int(p) for people in self.model.people for p in people)
            # Silos deleted since training can no longer receive conversations.
            self.live = np.array([int(s) in self.silos for s in self.model.silo_ids])
        self.people = PersonInfo.load(wanted)
        self.hours = {bh.silo_id: bh for bh in BusinessHours.objects.all()}

    @classmethod
    def current(cls) -> "Router":
        stamp = _stamp()
        if cls._cached is None or cls._cached.stamp != stamp:
            cls._cached = cls(stamp)
        return cls._cached

    @classmethod
    def _load_model(cls) -> Expertise | None:
        newest = RoutingModel.objects.order_by("-version").values("version", "trained_at").first()
        if newest is None:
            return None
        model = cls._model
        if model is None or (model.version, model.trained_at) != tuple(newest.values()):
            from unsilo.inbox.routing.training import load

            cls._model = load(RoutingModel.objects.get(version=newest["version"]))
        return cls._model

    @staticmethod
    def _rule(r: RoutingRule) -> Rule:
        return Rule(r.pk, r.name, r.network.lower(),
                    account_key(r.account.handle) if r.account_id else None,
                    r.language[:2].lower(), tokens_pattern(r.keywords or []), r.risk, r.target,
                    r.silo_id, r.person_id)

    # -- the entry points ------------------------------------------------------------------
    def classify_route(self, batch: list[Incoming], at: datetime.datetime | None = None
                       ) -> tuple[list[Classification], list[Decision]]:
        """Classification and routing of a batch, its features computed once."""
        X = self.model.features(batch) if self.model is not None and batch else None
        learned = getattr(self.model, "sentiment", None)
        classes = classify(batch, learned=learned, X=X)
        return classes, self.route(batch, classes, at, X=X)

    def route(self, batch: list[Incoming], classes: list[Classification],
              at: datetime.datetime | None = None, X=None) -> list[Decision]:
        """One decision per message. `at` None: expertise only (back-testing with `unsilo
        route`); otherwise capacity, working hours and absences at that moment apply too."""
        return self.route_explained(batch, classes, at, X)[0]

    def route_explained(self, batch, classes, at=None, X=None
                        ) -> tuple[list[Decision], Prediction | None]:
        """The decisions, and what the model predicted (silo probabilities, people ranked)."""
        rules = [next((r for r in self.rules if r.matches(m, c)), None)
                 for m, c in zip(batch, classes, strict=True)]
        prediction = None
        if self.model is not None and batch:
            X = X if X is not None else self.model.features(batch)
            margin, prior = self.model.silo_parts(X, [m.account for m in batch])
            silo = self.model.silo_probabilities(margin, prior) * self.live
            totals = silo.sum(axis=1, keepdims=True)
            silo = np.divide(silo, totals, out=np.zeros_like(silo), where=totals > 0)
            threshold = self.settings.triage_threshold
            # Whose people to rank: the rule's silo, else the model's when it is sure enough.
            focus = [self.model.silo_index(self._rule_silo(rule)) if rule is not None
                     else int(np.argmax(p)) if p.any() and round(p.max(), 3) >= threshold
                     else -1
                     for rule, p in zip(rules, silo, strict=True)]
            prediction = self.model.people_of(Prediction(silo), X, np.array(focus))
        available = Availability(self.people, self.hours, at) if at is not None else None
        rota = None
        decisions = []
        for i, (m, c, rule) in enumerate(zip(batch, classes, rules, strict=True)):
            if safety.flags(c):
                rota = rota or safety.Rota(self.safety_people, self.admins, self.people,
                                           available, at)
                decisions.append(self._by_safety(c, rota))
            elif rule is not None:
                decisions.append(self._by_rule(rule, i, prediction, available))
            else:
                decisions.append(self._by_model(i, m, prediction, available))
        return decisions, prediction

    def experts_for(self, text: str, limit: int = 10) -> list[tuple[int, int]]:
        """(person id, how many conversations like `text` they resolved), most first, over
        every silo: who to consult."""
        if self.model is None:
            return []
        message = Incoming(id="", network="", text=text, author="", created_at=None)
        counts = self.model.similar_resolvers(self.model.features([message]))
        return [(person_id, n) for person_id, n in counts.most_common()
                if person_id in self.people and self.people[person_id].active][:limit]

    # -- self-harm and safety --------------------------------------------------------------
    def _by_safety(self, c: Classification, rota: "safety.Rota") -> Decision:
        found = safety.flags(c)
        words = "”, “".join(w for f in found for w in c.risk[f][:2])
        what = " and ".join(safety.LABELS[f] for f in found)
        reasons = [f"{what} (“{words}”): straight to a person, never to triage"]
        person, why = rota.pick()
        if person is None:
            hub_id, hub_name = self.hub
            return Decision(hub_id, hub_name, None, None, 1.0, reasons + why,
                            DecisionSource.SAFETY, triage=True)
        return self._decision(person.silo_id, person.id, 1.0, reasons + why,
                              DecisionSource.SAFETY)

    # -- rules -----------------------------------------------------------------------------
    def _rule_silo(self, rule: Rule) -> int | None:
        if rule.target == RuleTarget.PERSON:
            person = self.people.get(rule.person_id)
            return person.silo_id if person else None
        return rule.silo_id if rule.target == RuleTarget.SILO else None

    def _by_rule(self, rule: Rule, i: int, prediction, available) -> Decision:
        reasons = [f"matched rule ‘{rule.name}’"]
        hub_id, hub_name = self.hub
        silo_id = self._rule_silo(rule)
        if rule.target == RuleTarget.REVIEW or silo_id is None:
            return Decision(hub_id, hub_name, None, None, 1.0,
                            reasons + ["the rule sends it to the hub's triage queue"],
                            DecisionSource.RULE, triage=True, rule_id=rule.id)
        first = self.people.get(rule.person_id) if rule.target == RuleTarget.PERSON else None
        candidates = [first.id] if first else []
        like = {}
        if prediction is not None:
            candidates += [p for p in prediction.people[i][0] if not first or p != first.id]
            like = prediction.within.like[i][1]
        person_id, person_reasons = self._assign(silo_id, candidates, like, available)
        return self._decision(silo_id, person_id, 1.0, reasons + person_reasons,
                              DecisionSource.RULE, rule_id=rule.id)

    # -- the model -------------------------------------------------------------------------
    def _by_model(self, i: int, m: Incoming, prediction: Prediction | None,
                  available) -> Decision:
        hub_id, hub_name = self.hub
        if prediction is None or not prediction.silo[i].any():
            return Decision(hub_id, hub_name, None, None, 0.0,
                            ["no routing model yet: import resolved history "
                             "(unsilo inbox import-history) so unsilo can learn who resolves "
                             "what"], DecisionSource.TRIAGE, triage=True)
        version = self.model.version
        silo = int(np.argmax(prediction.silo[i]))
        # 1.0 is a rule's certainty: a learned guess stays below it.
        confidence = min(round(float(prediction.silo[i, silo]), 3), 0.999)
        silo_id = int(self.model.silo_ids[silo])
        name = self.silos[silo_id]
        threshold = self.settings.triage_threshold
        if confidence < threshold:
            return Decision(hub_id, hub_name, None, None, confidence, [
                f"confidence {confidence:.2f} is below the hub's triage threshold "
                f"{threshold:.2f}", f"best guess: {name}"], DecisionSource.TRIAGE, triage=True,
                model_version=version)
        similar, per_person = prediction.within.like[i]
        reasons = self._silo_reasons(m, silo, name, similar)
        person_id, person_reasons = self._assign(silo_id, prediction.people[i][0], per_person,
                                                 available)
        return self._decision(silo_id, person_id, confidence, reasons + person_reasons,
                              DecisionSource.MODEL, model_version=version)

    def _silo_reasons(self, m: Incoming, silo: int, name: str, similar: int) -> list[str]:
        reasons = []
        if similar:
            reasons.append(f"like {_plural(similar, 'conversation', 'conversations')} {name} "
                           "resolved")
        answered, share = self.model.account_share(m.account, silo)
        if answered >= 5 and share >= 0.6:
            handle = m.account if m.account.startswith("@") or "." in m.account \
                else f"@{m.account}"
            reasons.append(f"account {handle} is usually answered by {name} "
                           f"({share:.0%} of {answered})")
        if not reasons:
            reasons.append(f"its words are most like what {name} resolves")
        return reasons

    # -- people ----------------------------------------------------------------------------
    def _assign(self, silo_id, candidates, per_person: dict, available
                ) -> tuple[int | None, list]:
        """The best available expert of the silo, and why (who was skipped, and why)."""
        silo_name = self.silos.get(silo_id, "the silo")
        skipped = []
        for person_id in candidates:
            person = self.people.get(int(person_id))
            if person is None or not person.active:
                continue
            why = available.why_not(person) if available is not None else None
            if why is not None:
                skipped.append(why)
                continue
            if available is not None:
                available.take(person)
            evidence = self._evidence(person, silo_id, silo_name, per_person)
            if skipped:
                return person.id, [f"{'; '.join(skipped[:3])}; next best: {evidence}"]
            return person.id, [evidence]
        if skipped:
            return None, [f"nobody who resolves {silo_name} conversations is available "
                          f"({'; '.join(skipped[:3])}); it waits in {silo_name}'s queue"]
        return None, []

    def _evidence(self, person: PersonInfo, silo_id, silo_name: str, per_person: dict) -> str:
        like = per_person.get(person.id, 0)
        if like:
            return f"{person.name} resolved {like} like it"
        total = self.model.counts.get((person.id, silo_id), 0) if self.model else 0
        if total:
            return (f"{person.name} has resolved "
                    f"{_plural(total, silo_name + ' conversation', silo_name + ' conversations')}")
        return f"{person.name} works in {self.silos.get(person.silo_id, silo_name)}"

    def _decision(self, silo_id, person_id, confidence, reasons, source, rule_id=None,
                  model_version=None) -> Decision:
        person = self.people.get(person_id) if person_id else None
        return Decision(silo_id, self.silos.get(silo_id), person_id,
                        person.email if person else None, confidence, reasons, source,
                        rule_id=rule_id,
                        model_version=model_version or getattr(self.model, "version", None))

