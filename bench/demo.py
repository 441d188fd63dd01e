"""How fast the demo corpus is generated and how long `unsilo demo` spends seeding.

    .venv/bin/python bench/demo.py              # SQLite in a fresh data directory
    .venv/bin/python bench/demo.py --postgres   # a fresh PostgreSQL database (unsilo_bench_demo)

Times: history(3,000) and messages(100,000) from unsilo/demo/corpus.py; then the demo
seed on a freshly migrated database, split into the company (people, seats, accounts) and its
inbox (history import + training, rules, settings, ~150 conversations ingested, routed and
worked through the actions). Prints a markdown table.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    _setup.fresh_database(args.postgres, name="unsilo_bench_demo")
    _setup.migrate()
    _setup.setup_django()
    from django.db import connection, transaction

    from unsilo.core.actor import Actor
    from unsilo.core.models import Via
    from unsilo.demo import company as demo
    from unsilo.demo import corpus as demo_corpus
    from unsilo.demo.inbox import seed_inbox

    rows = []
    demo_corpus.experts()  # the organisation, once, outside the timings
    started = time.perf_counter()
    demo_corpus.history(3_000)
    rows.append(("corpus: history(3,000)", time.perf_counter() - started, ""))
    started = time.perf_counter()
    lines = demo_corpus.messages(100_000)
    seconds = time.perf_counter() - started
    rows.append(("corpus: messages(100,000)", seconds, f"{len(lines) / seconds:,.0f} messages/s"))

    actor = Actor.system(via=Via.SYSTEM, label="bench")
    started = time.perf_counter()
    with transaction.atomic():
        demo.seed_company(actor)
    rows.append(("seed: company", time.perf_counter() - started, ""))
    started = time.perf_counter()
    with transaction.atomic():
        inbox = seed_inbox(actor)
    rows.append(("seed: inbox", time.perf_counter() - started,
                 f"{inbox['history']:,} history lines, {inbox['conversations']} conversations"))
    total = sum(r[1] for r in rows[2:])
    rows.append(("seed: total", total, "`unsilo demo`'s first start spends this seeding"))

    print(f"\n{_setup.machine()}; {connection.vendor}; load {os.getloadavg()[0]:.2f}\n")
    print("| step | seconds | note |\n| --- | ---: | --- |")
    for step, secs, note in rows:
        print(f"| {step} | {secs:.2f} | {note} |")


if __name__ == "__main__":
    main()
