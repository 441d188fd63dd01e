"""Routing quality on held-out history: keyword baseline, a plain tuned word+char n-gram linear
model, and unsilo's expertise model.

    .venv/bin/python bench/routing_quality.py [--train 1000 4000] [--test 1000]

The demo corpus (unsilo/demo/corpus.py) gives the history: the `--train` resolved
conversations just before the held-out ones train, the last `--test` are held out (they keep
the corpus's 5 %
noise: another member of the silo resolved it), and `--test` fresh inbound messages with their
true silo and expert are a second, noise-free test. Prints markdown tables.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _setup import machine  # noqa: E402


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unsilo.settings")
    os.environ.setdefault("UNSILO_DATA_DIR", "/tmp/unsilo-bench-quality")
    import django

    django.setup()


def plain_linear(train, tests):
    """TF-IDF word(1,2)+char_wb(2,5) and one LinearSVC for the silo and one over every person,
    C chosen on a 15 % validation split from (0.1, 0.3, 1, 3)."""
    import numpy as np
    from sklearn.svm import LinearSVC

    from unsilo.learning.features import Featurizer
    from unsilo.learning.text import normalise

    texts = [normalise(e.text) for e in train]
    featurizer = Featurizer(min_df=2)
    X = featurizer.fit_transform(texts)
    cut = int(len(train) * 0.85)

    def fit(labels):
        y = np.array(labels)
        best = max((0.1, 0.3, 1.0, 3.0), key=lambda c: np.mean(
            LinearSVC(C=c).fit(X[:cut], y[:cut]).predict(X[cut:]) == y[cut:]))
        return LinearSVC(C=best).fit(X, y)

    silo = fit([e.silo_id for e in train])
    rows = [i for i, e in enumerate(train) if e.person_id is not None]
    person_model = LinearSVC(C=0.5).fit(X[rows], [train[i].person_id for i in rows])
    results = []
    for test in tests:
        Xt = featurizer.transform([normalise(e.text) for e in test])
        silos = silo.predict(Xt)
        scores = person_model.decision_function(Xt)
        top = np.argsort(-scores, axis=1)[:, :3]
        people = person_model.classes_[top]
        results.append(score(test, silos, [list(p) for p in people]))
    return results


def keyword(train, tests):
    from unsilo.learning.baseline import KeywordBaseline

    base = KeywordBaseline().fit([e.text for e in train], [e.silo_id for e in train],
                                 [e.person_id for e in train])
    results = []
    for test in tests:
        guesses = [base.predict(e.text) for e in test]
        results.append(score(test, [g[0] for g in guesses], [g[1] for g in guesses]))
    return results


def ours(train, tests):
    import numpy as np

    from unsilo.inbox.routing import training
    from unsilo.learning.types import Incoming

    started = time.process_time()
    model, metrics = training.fit(train)
    seconds = time.process_time() - started
    results = []
    for test in tests:
        batch = [Incoming(id="", network=e.network, text=e.text, author="", created_at=None,
                          account=e.account, lang=e.lang) for e in test]
        prediction = model.predict(model.features(batch), [m.account for m in batch])
        silos = [int(model.silo_ids[np.argmax(p)]) for p in prediction.silo]
        people = [list(ids[:3]) for ids, _ in prediction.people]
        result = score(test, silos, people)
        result["triaged"] = float(np.mean(prediction.silo.max(axis=1) < 0.35))
        results.append(result)
    return results, seconds, metrics


def score(test, silos, people) -> dict:
    silo_hits = sum(int(s == e.silo_id) for s, e in zip(silos, test, strict=True))
    named = [(p, e) for p, e in zip(people, test, strict=True) if e.person_id is not None]
    return {"silo": silo_hits / len(test),
            "hit1": sum(int(p[:1] == [e.person_id]) for p, e in named) / len(named),
            "hit3": sum(int(e.person_id in p[:3]) for p, e in named) / len(named)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=int, nargs="+", default=[4000],
                        help="training sizes (one table each)")
    parser.add_argument("--test", type=int, default=1000)
    args = parser.parse_args()
    setup()
    from unsilo.demo import corpus as demo_corpus
    from unsilo.learning.expertise import Example

    ids: dict = {}

    def idx(value):
        return None if not value else ids.setdefault(value, len(ids) + 1)

    def example(line, silo, person):
        return Example(line["text"], line["network"], line.get("account", ""),
                       line.get("lang", ""), idx("silo:" + silo), idx(person))

    load = os.getloadavg()
    print(f"Machine: {machine()}; load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")
    most = max(args.train)
    history = demo_corpus.history(most + args.test, seed=1)
    lines = [example(h, h["resolved_by_silo"], h.get("resolved_by")) for h in history]
    held_out = lines[most:]
    fresh = [example(m, m["_truth"]["silo"], m["_truth"]["person"])
             for m in demo_corpus.messages(args.test, seed=2)]
    tests = [held_out, fresh]
    for size in args.train:
        train = lines[most - size:most]  # the most recent `size` before the held-out ones
        rows = [("keyword baseline", keyword(train, tests)),
                ("plain tuned word+char linear", plain_linear(train, tests))]
        our_results, seconds, metrics = ours(train, tests)
        rows.append(("unsilo expertise model", our_results))
        print(f"## Trained on {size:,} resolved conversations\n\nunsilo's model trained in "
              f"{seconds:.1f} CPU-s; held-out calibration error "
              f"{metrics.get('calibration_error', float('nan')):.3f} (tuned: "
              f"{metrics.get('params')}).\n")
        print("| test set | model | silo accuracy | person hit@1 | person hit@3 |")
        print("| --- | --- | --- | --- | --- |")
        for n, title in enumerate((f"next {args.test:,} history lines (5 % resolver noise)",
                                   f"{args.test:,} fresh messages (true expert)")):
            for name, results in rows:
                r = results[n]
                print(f"| {title} | {name} | {r['silo']:.1%} | {r['hit1']:.1%} | "
                      f"{r['hit3']:.1%} |")
        print(f"\nunsilo below the default triage threshold (0.35): "
              f"{our_results[0]['triaged']:.1%} / {our_results[1]['triaged']:.1%}\n")


if __name__ == "__main__":
    main()
