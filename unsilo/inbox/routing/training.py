"""Training the routing model from every ResolvedExample, and storing it for every worker.

**When unsilo learns** (the issue asks us to say which):
- `unsilo inbox import-history` (and the demo's history) retrains at once, after the import.
- Resolving a conversation in the inbox adds a ResolvedExample and calls
  `tasks_training.retrain_soon()`; a debounced background task retrains once
  `InboxSettings.retrain_after` new examples have arrived, or `retrain_minutes` after the last
  training when at least one new example is waiting. Until then routing uses the last model.

Training fits the featurizer once on all examples, fits every head on 85 % of them, tunes how
the heads are combined (temperatures, the account prior's weight, the person mix) on the other
15 %, reports those held-out figures as the model's metrics, and refits on everything.
"""

import hashlib
import time
from dataclasses import replace

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from unsilo.core import audit
from unsilo.core.actor import Actor
from unsilo.core.models import Via
from unsilo.inbox.models import ResolvedExample, RoutingModel
from unsilo.learning import store
from unsilo.learning.expertise import Example, Expertise, Params, Prediction

KEEP = 3  # model versions kept
VALIDATION = 0.15
MIN_FOR_TUNING = 100  # fewer examples: default combination, no held-out figures
# Real, noisy text often wants a smaller C than the demo corpus does.
C_SILO = (0.5, 0.1, 0.3, 1.0, 2.0)
NB_WEIGHTS = (0.0, 0.5, 1.0, 2.0)  # how much of the Naive Bayes silo scores to mix in
SILO_GRID = [(w_account, t) for w_account in (0.0, 0.25, 0.5, 1.0)
             for t in (0.05, 0.1, 0.2, 0.3, 0.5, 1.0)]
PERSON_GRID = [(t, alpha) for t in (0.1, 0.2, 0.3, 0.5, 1.0)
               for alpha in (0.0, 0.25, 0.5, 0.75, 1.0)]


def load_examples() -> tuple[list[Example], list[str], list[str]]:
    """Every resolved example, with the answers and sentiment corrections beside them."""
    examples, answers, corrections = [], [], []
    rows = ResolvedExample.objects.order_by("id").values_list(
        "text", "network", "account_handle", "lang", "silo_id", "person_id", "answer", "sentiment")
    for text, network, account, lang, silo_id, person_id, answer, sentiment in rows.iterator(
            chunk_size=2000):
        examples.append(Example(text, network, account, lang, silo_id, person_id))
        answers.append(answer)
        corrections.append(sentiment)
    return examples, answers, corrections


def scores(model: Expertise, prediction: Prediction, examples: list[Example]) -> dict:
    """Silo accuracy, and person hit@1 and hit@3 within the predicted silo (lines with a
    person), as the router decides them when everyone is available."""
    silo_hits = hit1 = hit3 = with_person = 0
    for i, e in enumerate(examples):
        top = int(np.argmax(prediction.silo[i]))
        silo_hits += int(model.silo_ids[top] == e.silo_id)
        if e.person_id is None:
            continue
        with_person += 1
        ranked = list(prediction.people[i][0][:3])
        hit1 += int(ranked[:1] == [e.person_id])
        hit3 += int(e.person_id in ranked)
    n = max(len(examples), 1)
    correct = model.silo_ids[prediction.silo.argmax(axis=1)] == [e.silo_id for e in examples]
    return {"silo_accuracy": silo_hits / n,
            "calibration_error": calibration_error(prediction.silo.max(axis=1), correct),
            "person_hit1": hit1 / max(with_person, 1),
            "person_hit3": hit3 / max(with_person, 1), "held_out": len(examples),
            "held_out_with_person": with_person}


def calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: how far confidence is from accuracy, averaged over bins."""
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            error += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
    return round(float(error), 4)


def tune(model: Expertise, X, held_out: list[Example], X_train, y_train) -> Params:
    """The silo head's C and the combination that route the held-out examples best (ties:
    the better calibrated). Leaves `model` with the chosen silo head."""
    truth = np.array([model.silo_index(e.silo_id) for e in held_out])
    known = truth >= 0
    best, best_key, best_head = model.params, None, None
    for c in C_SILO:
        if c != model.params.c_silo:  # the trial model was fitted with the first C already
            model.params = replace(model.params, c_silo=c)
            model.fit_silo(X_train, y_train)
        for w_nb in NB_WEIGHTS:
            model.params = replace(model.params, w_nb=w_nb)
            margin, prior = model.silo_parts(X, [e.account for e in held_out])
            for w_account, t in SILO_GRID:
                params = replace(model.params, w_account=w_account, t_silo=t)
                prob = model.silo_probabilities(margin[known], prior[known], params)
                accuracy = float(np.mean(prob.argmax(axis=1) == truth[known])) \
                    if known.any() else 0
                nll = -float(np.mean(np.log(prob[np.arange(len(prob)), truth[known]] + 1e-9))) \
                    if known.any() else 0
                key = (round(accuracy, 4), -nll)
                if best_key is None or key > best_key:
                    best, best_key = params, key
                    best_head = (model.w_silo, model.b_silo, model.w_nb)
    model.params = best
    model.w_silo, model.b_silo, model.w_nb = best_head
    # The person mix, judged within the true silo so that silo mistakes do not blur it.
    within = model.within(X, truth)
    chosen, best_key = best, None
    for t, alpha in PERSON_GRID:
        params = replace(best, t_person=t, alpha=alpha)
        hits = nll = counted = 0
        for e, (people, prob) in zip(held_out, model.rank_people(within, params), strict=True):
            where = np.flatnonzero(people == e.person_id) if e.person_id is not None else []
            if not len(where):
                continue
            counted += 1
            hits += int(where[0] == 0)
            nll -= float(np.log(prob[where[0]] + 1e-9))
        key = (round(hits / max(counted, 1), 4), -nll / max(counted, 1))
        if best_key is None or key > best_key:
            chosen, best_key = params, key
    return chosen


def fit(examples: list[Example], answers=None, corrections=None, seed: int = 0
        ) -> tuple[Expertise, dict]:
    """A fitted model and its metrics (held-out figures when there are enough examples)."""
    started = time.perf_counter()
    featurizer, X = Expertise.featurizer_for(examples)
    metrics: dict = {"examples": len(examples)}
    params = Params()
    if len(examples) >= MIN_FOR_TUNING:
        order = np.random.default_rng(seed).permutation(len(examples))
        cut = int(len(examples) * (1 - VALIDATION))
        train_rows, held_rows = np.sort(order[:cut]), np.sort(order[cut:])
        trial = Expertise(params).fit([examples[i] for i in train_rows], featurizer,
                                      X[train_rows])
        held_out = [examples[i] for i in held_rows]
        y_train = np.array([trial.silo_index(examples[i].silo_id) for i in train_rows])
        params = tune(trial, X[held_rows], held_out, X[train_rows], y_train)
        trial.params = params
        prediction = trial.predict(X[held_rows], [e.account for e in held_out])
        metrics.update(scores(trial, prediction, held_out))
        metrics["params"] = params.__dict__
    model = Expertise(params).fit(examples, featurizer, X)
    model.sentiment = _sentiment(examples, answers, corrections, featurizer, X)
    metrics["silos"] = len(model.silo_ids)
    metrics["people"] = len({int(p) for people in model.people for p in people})
    metrics["seconds"] = round(time.perf_counter() - started, 2)
    return model, metrics


def _sentiment(examples, answers, corrections, featurizer, X):
    """The learned sentiment head (learning.sentiment) on the bundle's own features, so the
    classifier reuses each batch's matrix; None when history carries too little signal."""
    from unsilo.learning.sentiment import learn

    fixed = {i: label for i, label in enumerate(corrections or []) if label}
    return learn([e.text for e in examples], list(answers or [""] * len(examples)), fixed,
                 featurizer=featurizer, X=X)


def train(actor: Actor | None = None) -> RoutingModel | None:
    """Fit on every ResolvedExample and store a new version; None when there is no history
    (or another worker stored the same version first)."""
    actor = actor or Actor.system(via=Via.WORKER, label="routing")
    started = time.perf_counter()
    # Examples added while this trains are newer than the model: the debounce counts them.
    as_of = timezone.now()
    examples, answers, corrections = load_examples()
    if not examples:
        return None
    model, metrics = fit(examples, answers, corrections)
    seconds = time.perf_counter() - started
    try:
        with transaction.atomic():
            version = (RoutingModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
            model.version = version
            row = RoutingModel.objects.create(
                version=version, trained_at=as_of, examples=len(examples),
                seconds=round(seconds, 2),
                metrics=metrics, blob=store.dumps(model, signing_key()))
            audit.record(actor, "train", row, {"version": [None, version],
                                               "examples": [None, len(examples)]})
            stale = RoutingModel.objects.order_by("-version").values_list("pk", flat=True)[KEEP:]
            RoutingModel.objects.filter(pk__in=list(stale)).delete()
    except IntegrityError:
        return None
    return row


def signing_key() -> bytes:
    """The key stored models are signed with: this installation's own (settings.SECRET_KEY)."""
    return hashlib.sha256(b"unsilo routing model\0" + settings.SECRET_KEY.encode()).digest()


def load(row: RoutingModel) -> Expertise:
    """The stored model; `store.UnreadableModel` when the row is altered, signed under another
    key or in an older format (a pickle, which is never unpickled)."""
    model = store.loads(row.blob, signing_key())
    model.version, model.trained_at = row.version, row.trained_at
    return model
