"""`unsilo routing evaluate`: route held-out resolved history and score it, beside the keyword
baseline made from the same training history.

unsilo is scored as it routes (rules, the model, the triage threshold; availability ignored):
a line sent to triage counts as routed to the hub. Person hit@1 is the decision's assignee;
hit@3 adds the next people of the decided silo by expertise. Both only over lines that name
`resolved_by`. Nothing is written.
"""

from dataclasses import dataclass, field

from unsilo.inbox.history import HistoryLine
from unsilo.inbox.models import ResolvedExample
from unsilo.inbox.routing.router import Router
from unsilo.learning.baseline import KeywordBaseline
from unsilo.learning.classify import classify
from unsilo.learning.types import Incoming

BATCH = 1000


@dataclass
class Score:
    lines: int = 0
    silo_hits: int = 0
    with_person: int = 0
    hit1: int = 0
    hit3: int = 0
    triaged: int = 0
    confusion: dict = field(default_factory=dict)  # (true silo, routed silo) -> lines

    def add(self, true_silo: str, silo: str | None, person: str, people: list) -> None:
        silo = silo or "(none)"
        self.lines += 1
        self.silo_hits += int(silo.casefold() == true_silo.casefold())
        key = (true_silo, silo)
        self.confusion[key] = self.confusion.get(key, 0) + 1
        if person:
            self.with_person += 1
            self.hit1 += int(people[:1] == [person])
            self.hit3 += int(person in people[:3])

    def summary(self) -> dict:
        return {"lines": self.lines,
                "silo_accuracy": self.silo_hits / self.lines if self.lines else None,
                "lines_with_person": self.with_person,
                "person_hit1": self.hit1 / self.with_person if self.with_person else None,
                "person_hit3": self.hit3 / self.with_person if self.with_person else None,
                "triaged": self.triaged}


@dataclass
class Evaluation:
    model_version: int | None
    model_examples: int
    ours: Score
    baseline: Score

    def silos(self) -> list[str]:
        names = {name for score in (self.ours, self.baseline) for key in score.confusion
                 for name in key}
        return sorted(names, key=str.casefold)

    def as_json(self) -> dict:
        def matrix(score: Score) -> list[dict]:
            return [{"true": t, "routed": r, "lines": n}
                    for (t, r), n in sorted(score.confusion.items())]

        return {"model_version": self.model_version, "model_examples": self.model_examples,
                "unsilo": {**self.ours.summary(), "confusion": matrix(self.ours)},
                "keyword_baseline": {**self.baseline.summary(),
                                     "confusion": matrix(self.baseline)}}


def baseline_from_history() -> KeywordBaseline:
    rows = ResolvedExample.objects.values_list("text", "silo__name", "person__email")
    texts, silos, people = [], [], []
    for text, silo, email in rows.iterator(chunk_size=2000):
        texts.append(text)
        silos.append(silo)
        people.append(email)
    return KeywordBaseline().fit(texts, silos, people)


def evaluate(rows: list[HistoryLine], router: Router | None = None) -> Evaluation:
    router = router or Router.current()
    model = router.model
    baseline = baseline_from_history()
    result = Evaluation(getattr(model, "version", None),
                        model.examples if model is not None else 0, Score(), Score())
    for start in range(0, len(rows), BATCH):
        chunk = rows[start:start + BATCH]
        batch = [Incoming(id=r.key, network=r.network, text=r.text, author="",
                          created_at=r.created_at, account=r.account, lang=r.lang)
                 for r in chunk]
        X = model.features(batch) if model is not None else None
        classes = classify(batch, learned=getattr(model, "sentiment", None), X=X)
        decisions, prediction = router.route_explained(batch, classes, X=X)
        for i, (row, decision) in enumerate(zip(chunk, decisions, strict=True)):
            people = [decision.assignee] if decision.assignee else []
            for person_id in prediction.people[i][0] if prediction is not None else []:
                person = router.people.get(int(person_id))
                if person is not None and person.active and person.email not in people:
                    people.append(person.email)
            result.ours.triaged += int(decision.triage)
            result.ours.add(row.silo, decision.silo, row.resolved_by, people)
            silo_name, guessed = baseline.predict(row.text)
            result.baseline.add(row.silo, silo_name, row.resolved_by, guessed)
    return result


def _pct(value) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def report(result: Evaluation) -> str:
    """Plain text: the scores side by side, then each confusion matrix."""
    ours, base = result.ours.summary(), result.baseline.summary()
    out = [f"Held-out lines: {ours['lines']:,} ({ours['lines_with_person']:,} name who resolved "
           f"them). Routing model v{result.model_version} ({result.model_examples:,} examples).",
           "", f"{'':<16}{'unsilo':>10}{'keyword baseline':>20}"]
    for label, key in (("silo accuracy", "silo_accuracy"), ("person hit@1", "person_hit1"),
                       ("person hit@3", "person_hit3")):
        out.append(f"{label:<16}{_pct(ours[key]):>10}{_pct(base[key]):>20}")
    out.append(f"{'sent to triage':<16}{ours['triaged']:>10,}{'–':>20}")
    silos = result.silos()
    for title, score in (("unsilo", result.ours), ("keyword baseline", result.baseline)):
        out += ["", f"Confusion matrix, {title}: rows are the silo that resolved it, columns "
                    "where it was routed (numbered as the rows)."]
        width = max(len(s) for s in silos) + 5
        out.append(" " * width + "".join(f"{n:>6}" for n in range(1, len(silos) + 1)))
        for n, true in enumerate(silos, start=1):
            cells = "".join(f"{score.confusion.get((true, routed), 0) or '.':>6}"
                            for routed in silos)
            out.append(f"{n:>3}. {true:<{width - 5}}{cells}")
    return "\n".join(out)
