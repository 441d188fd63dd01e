"""How long the inbox's bulk bar takes: resolve, assign and hand off 200 conversations at once
(the most a list page shows), each through its own action, permission check and audit row.

    .venv/bin/python bench/inbox_bulk.py [--conversations 200] [--postgres]

A fresh database with a hub, two silos (the second with a captain, so a handoff stays there)
and N open conversations in the first; each case gets its own N conversations and is timed
once through actions.bulk, as the web view and the API call it.
"""

import argparse
import time

from _setup import fresh_database, machine, migrate, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    fresh_database(args.postgres, name="unsilo_bench_bulk")
    migrate()
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from unsilo.core.actor import Actor
    from unsilo.core.models import AuditEvent, Role, User
    from unsilo.inbox import actions
    from unsilo.inbox.models import Conversation
    from unsilo.org.models import Person, SeatMember, Silo, SiloKind

    Silo.objects.create(name="COE", slug="coe", kind=SiloKind.HUB)
    care, legal = (Silo.objects.create(name=n, slug=n.lower()) for n in ("Care", "Legal"))
    lead = Person.objects.create(name="Lee Lead", email="lee@example.com", silo=care)
    dana = Person.objects.create(name="Dana Ruiz", email="dana@example.com", silo=care)
    counsel = Person.objects.create(name="Cy Counsel", email="cy@example.com", silo=legal)
    SeatMember.objects.create(silo=legal, person=counsel)
    actor = Actor.for_user(User.objects.create_user(
        email=lead.email, password="bench pass 1", role=Role.CAPTAIN, person=lead))
    n = args.conversations

    def fresh(case: str) -> list[int]:
        now = timezone.now()
        rows = Conversation.objects.bulk_create([Conversation(
            network="bluesky", thread_key=f"bluesky:{case}-{i}", author=f"customer{i}",
            preview="Where is my refund?", silo=care, last_message_at=now, last_inbound_at=now)
            for i in range(n)])
        return [c.pk for c in rows]

    print(f"\n{connection.vendor}: {n} conversations per case; {machine()}\n")
    print("| bulk action | conversations | total s | ms per conversation | audit rows |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for case, kwargs in (("resolve", {}), ("assign", {"person": dana}),
                         ("handoff", {"silo": legal, "reason": "A legal question"})):
        ids = fresh(case)
        before = AuditEvent.objects.filter(action=case).count()
        started = time.perf_counter()
        results = actions.bulk(actor, ids, case, **kwargs)
        seconds = time.perf_counter() - started
        assert all(r.done for r in results), [r for r in results if not r.done][:3]
        audited = AuditEvent.objects.filter(action=case).count() - before
        print(f"| {case} | {n} | {seconds:.2f} | {1000 * seconds / n:.1f} | {audited} |",
              flush=True)


if __name__ == "__main__":
    main()
