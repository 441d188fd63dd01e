"""The SLA sweep over many open conversations: how long one sweep takes (it runs every 30 s in
each worker), and a second sweep right after (nothing to do: the idempotent case).

    .venv/bin/python bench/sla_sweep.py [--postgres] [--open 20000]
"""

import argparse
import datetime
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import _setup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--open", type=int, default=20_000)
    parser.add_argument("--resolved", type=int, default=0,
                        help="resolved conversations beside them (the sweep must skip them)")
    args = parser.parse_args()
    _setup.fresh_database(args.postgres, "unsilo_bench_actions")
    _setup.migrate()
    _setup.setup_django()

    from django.utils import timezone

    from unsilo.inbox.models import BusinessHours, Conversation
    from unsilo.inbox.tasks.sla import sweep_slas
    from unsilo.org.models import Silo

    rng = random.Random(1)
    silos = [Silo.objects.create(name=f"S{n}", slug=f"s{n}") for n in range(6)]
    for silo, tz in zip(silos[:3], ["Europe/Berlin", "America/New_York", "Asia/Tokyo"],
                        strict=False):
        BusinessHours.objects.create(silo=silo, timezone=tz, weekdays=[0, 1, 2, 3, 4])
    now = timezone.now()
    rows = []
    for n in range(args.open):
        due = now + datetime.timedelta(minutes=rng.uniform(-5 * 24 * 60, 3 * 24 * 60))
        rows.append(Conversation(
            network="x", thread_key=f"x:{n}", author=f"c{n}", silo=rng.choice(silos),
            urgency=rng.choice(["low", "normal", "high", "urgent"]),
            first_response_due=due, resolution_due=due + datetime.timedelta(hours=20)))
    for n in range(args.resolved):
        due = now - datetime.timedelta(days=rng.uniform(1, 300))
        rows.append(Conversation(
            network="x", thread_key=f"x:r{n}", author=f"r{n}", silo=rng.choice(silos),
            status="resolved", resolved_at=due, first_response_at=due,
            first_response_due=due, resolution_due=due))
    Conversation.objects.bulk_create(rows, batch_size=2000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    timings = []
    for label in ("first sweep (states move)", "second sweep (nothing new)"):
        started = time.perf_counter()
        counts = sweep_slas(now)
        seconds = time.perf_counter() - started
        timings.append((label, seconds, counts))

    print(f"SLA sweep, {args.open:,} open and {args.resolved:,} resolved conversations, "
          f"{'PostgreSQL' if args.postgres else 'SQLite'}; {_setup.machine()}; "
          f"load {os.getloadavg()[0]:.2f}\n")
    print("| sweep | seconds | conversations/s | warned | breached | escalated |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, seconds, counts in timings:
        print(f"| {label} | {seconds:.2f} | {args.open / seconds:,.0f} | {counts['warned']:,} | "
              f"{counts['breached']:,} | {counts['escalated']:,} |")


if __name__ == "__main__":
    main()
