"""The SLA sweep over many open conversations: how long one sweep takes (a periodic job, every
30 s), and a second sweep right after (nothing to do: the idempotent case). Every silo has two
captains and five agents, half the conversations an assignee, and the hub a captain and a hub
admin, so the sweep writes the warnings, breach and escalation notices it exists for.

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

    from unsilo.core.models import AuditEvent, Role, User
    from unsilo.inbox.models import BusinessHours, Conversation, Notification
    from unsilo.inbox.tasks.sla import sweep_slas
    from unsilo.org.models import Person, SeatMember, SeatRole, Silo, SiloKind

    rng = random.Random(1)
    hub = Silo.objects.create(name="COE", slug="coe", kind=SiloKind.HUB)
    silos = [Silo.objects.create(name=f"S{n}", slug=f"s{n}") for n in range(6)]

    def person(silo, n, role=None):
        made = Person.objects.create(name=f"P{silo.pk}-{n}", email=f"p{silo.pk}-{n}@example.com",
                                     silo=silo)
        if role:
            SeatMember.objects.create(silo=silo, person=made, role=role)
        return made

    person(hub, 0, SeatRole.CAPTAIN)
    User.objects.create_user("lead@example.com", role=Role.HUB_ADMIN, person=person(hub, 1))
    agents = {}
    for silo in silos:
        person(silo, 0, SeatRole.CAPTAIN)
        person(silo, 1, SeatRole.CAPTAIN)
        agents[silo.pk] = [person(silo, n) for n in range(2, 7)]
    for silo, tz in zip(silos[:3], ["Europe/Berlin", "America/New_York", "Asia/Tokyo"],
                        strict=False):
        BusinessHours.objects.create(silo=silo, timezone=tz, weekdays=[0, 1, 2, 3, 4])
    now = timezone.now()
    rows = []
    for n in range(args.open):
        due = now + datetime.timedelta(minutes=rng.uniform(-5 * 24 * 60, 3 * 24 * 60))
        silo = rng.choice(silos)
        rows.append(Conversation(
            network="x", thread_key=f"x:{n}", author=f"c{n}", silo=silo,
            assignee=rng.choice(agents[silo.pk]) if rng.random() < 0.5 else None,
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
        notes, events = Notification.objects.count(), AuditEvent.objects.count()
        started = time.perf_counter()
        counts = sweep_slas(now)
        seconds = time.perf_counter() - started
        counts["notifications"] = Notification.objects.count() - notes
        counts["audit"] = AuditEvent.objects.count() - events
        timings.append((label, seconds, counts))

    print(f"SLA sweep, {args.open:,} open and {args.resolved:,} resolved conversations, "
          f"{'PostgreSQL' if args.postgres else 'SQLite'}; {_setup.machine()}; "
          f"load {os.getloadavg()[0]:.2f}\n")
    print("| sweep | seconds | conversations/s | warned | breached | escalated | notifications "
          "| audit rows |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, seconds, counts in timings:
        print(f"| {label} | {seconds:.2f} | {args.open / seconds:,.0f} | {counts['warned']:,} | "
              f"{counts['breached']:,} | {counts['escalated']:,} | "
              f"{counts['notifications']:,} | {counts['audit']:,} |")


if __name__ == "__main__":
    main()
