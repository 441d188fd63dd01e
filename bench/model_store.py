"""Size and load time of a stored routing model: arrays + JSON (signed) against the pickle
unsilo stored before.

    .venv/bin/python bench/model_store.py [--history 5000] [--runs 15]

Fits the model `unsilo inbox import-history` would train on `--history` lines of the demo
corpus (no database needed), stores it both ways and loads each `--runs` times on one core
(`taskset -c 0` when available). The pickle is what the old code wrote: the model's state
without the transposed kNN memory, rebuilt on load. Prints markdown.
"""

import argparse
import os
import pickle
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _setup import fresh_database, machine, setup_django  # noqa: E402


def timed(load, runs: int) -> tuple[float, float]:
    """(median, best) milliseconds of `load()`."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        load()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    fresh_database(postgres=False)
    setup_django()
    from unsilo.demo import corpus
    from unsilo.inbox.routing import training
    from unsilo.learning import store
    from unsilo.learning.expertise import Example, Expertise

    history = corpus.history(args.history, seed=1)
    silos: dict[str, int] = {}
    people: dict[str, int] = {}
    examples = [Example(h["text"], h["network"], h.get("account", ""), h.get("lang", ""),
                        silos.setdefault(h["resolved_by_silo"], len(silos) + 1),
                        people.setdefault(h["resolved_by"], len(people) + 1)
                        if h.get("resolved_by") else None) for h in history]
    model, _ = training.fit(examples, [h.get("answer", "") for h in history])
    key = training.signing_key()

    state = {k: v for k, v in model.__dict__.items() if k != "memory_t"}
    old = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)

    def unpickle():
        loaded = Expertise()
        loaded.__dict__.update(pickle.loads(old))  # noqa: S301 - our own bytes, the baseline
        loaded._transpose_memory()

    new = store.dumps(model, key)
    rows = [("pickle (before)", len(old), *timed(unpickle, args.runs)),
            ("arrays + JSON, HMAC-signed (now)", len(new),
             *timed(lambda: store.loads(new, key), args.runs))]
    print(f"Machine: {machine()}, load average {os.getloadavg()[0]:.1f}")
    print(f"Model on {args.history:,} demo history lines: {len(model.silo_ids)} silos, "
          f"{model.featurizer.n_features:,} features; {args.runs} loads each, one core.\n")
    print("| stored as | size | load, median | load, best |")
    print("| --- | ---: | ---: | ---: |")
    for name, size, median, best in rows:
        print(f"| {name} | {size / 2**20:.1f} MiB | {median:.1f} ms | {best:.1f} ms |")


if __name__ == "__main__":
    main()
