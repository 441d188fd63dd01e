"""Notification emails: 10,000 consults and @mentions, each an email in the outbox, all
delivered by ONE `unsilo worker` process to a test SMTP server on loopback
(tests/mail/smtp_sink.py, a file per message), none twice; and the web request that creates a
consult, timed while the SMTP server stalls every message and while no server listens at all.

    .venv/bin/python bench/mail_notifications.py            # 10,000 emails, SQLite
    .venv/bin/python bench/mail_notifications.py 1000
    .venv/bin/python bench/mail_notifications.py --postgres

The clock runs from the worker's start until the server holds every email.
"""

import argparse
import email
import os
import socket
import statistics
import subprocess
import sys
import time
from email import policy
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import _setup  # noqa: E402

from unsilo.core import children  # noqa: E402

UNSILO = str(Path(sys.executable).with_name("unsilo"))
SINK = BENCH.parent / "tests" / "mail" / "smtp_sink.py"
EXPERTS = 50
REQUESTS = 100  # consult requests timed per SMTP condition


def start_sink(root: Path):
    proc = children.start([sys.executable, str(SINK), str(root / "received"),
                           str(root / "control")], stdout=subprocess.PIPE, text=True)
    return proc, int(proc.stdout.readline().split()[1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def company(n_conversations: int):
    from django.utils import timezone

    from unsilo.core.actions import create_login
    from unsilo.core.actor import Actor
    from unsilo.core.models import Role
    from unsilo.inbox.models import Conversation, Direction, Message, MessageState
    from unsilo.org.models import Person, Silo

    care = Silo.objects.create(name="Care", slug="care")
    legal = Silo.objects.create(name="Legal", slug="legal")
    rae = Person.objects.create(silo=care, name="Rae Asker", email="rae@example.com")
    asker = create_login(Actor.system(), email=rae.email, password="a long pass phrase",
                         role=Role.RESPONDER, person=rae)
    experts = [Person.objects.create(silo=legal, name=f"Lou {n}", email=f"lou{n}@example.com",
                                     timezone="Europe/Berlin") for n in range(EXPERTS)]
    now = timezone.now()
    Conversation.objects.bulk_create([
        Conversation(network="x", thread_key=f"x:t{n}", author=f"@c{n}", silo=care,
                     assignee=rae, created_at=now, last_message_at=now, last_inbound_at=now)
        for n in range(n_conversations)])
    conversations = list(Conversation.objects.order_by("pk"))
    Message.objects.bulk_create([
        Message(conversation=c, network="x", external_id=f"m{c.pk}", author=c.author,
                direction=Direction.INBOUND, state=MessageState.PROCESSED, created_at=now,
                text=f"Order {c.pk} never came <b>and</b> I want my money back")
        for c in conversations])
    web = [Person.objects.create(silo=legal, name="Wen Web", email="wen@example.com")]
    return Actor.for_user(asker), experts, conversations, asker, web


def timed_requests(client, conversations, experts, label: str) -> list[float]:
    times = []
    for n, conv in enumerate(conversations):
        expert = experts[n % len(experts)]
        started = time.perf_counter()
        response = client.post(f"/inbox/c/{conv.pk}/consult/",
                               {"consult-expert": expert.email, "consult-question": "Refund?"})
        times.append(time.perf_counter() - started)
        assert response.status_code in (200, 302), (label, response.status_code)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("emails", nargs="?", type=int, default=10_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    root = Path(os.environ.get("TMPDIR", "/tmp")) / f"unsilo-mail-bench-{os.getpid()}"
    sink, port = start_sink(root)
    os.environ.update({"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "EMAIL_TIMEOUT": "30",
                       "UNSILO_MAIL_FROM": "unsilo <unsilo@example.com>",
                       "UNSILO_MAIL_REPLY_DOMAIN": "reply.example.com"})
    env = _setup.company_for_processes(args.postgres, "unsilo_bench_mail")
    from django.test import Client
    from django.test.utils import setup_test_environment

    from unsilo.inbox import actions
    from unsilo.mail.models import MailStatus, OutgoingMail

    setup_test_environment()  # the test client (its session); emails stay in the outbox rows
    half = args.emails // 2
    actor, experts, conversations, asker, web = company(half)
    client = Client()
    client.force_login(asker)

    # The web request: with the SMTP server answering, stalling every message, then with no
    # server listening at all. The first request of all warms the templates up.
    timed_requests(client, conversations[:1], web, "warm-up")
    answering = timed_requests(client, conversations[1:REQUESTS + 1], web, "answering")
    (root / "control" / "stall").write_text("0")
    stalled = timed_requests(client, conversations[REQUESTS + 1:2 * REQUESTS + 1], web,
                             "stalled")
    from django.conf import settings

    settings.EMAIL_PORT = free_port()  # nothing listens there
    absent = timed_requests(client, conversations[2 * REQUESTS + 1:3 * REQUESTS + 1], web,
                            "absent")
    (root / "control" / "stall").unlink()
    timed = OutgoingMail.objects.filter(status=MailStatus.QUEUED).count()
    assert timed == 3 * REQUESTS + 1, timed  # each request queued its email, sent none
    OutgoingMail.objects.filter(status=MailStatus.QUEUED).delete()

    started = time.perf_counter()
    for n, conv in enumerate(conversations):
        expert = experts[n % len(experts)]
        actions.consult(actor, conv, expert, question=f"Is order {conv.pk} refundable?")
        mentioned = experts[(n + 7) % len(experts)]
        actions.add_note(actor, conv, f"@{mentioned.email} please check the invoice")
    queued = OutgoingMail.objects.filter(status=MailStatus.QUEUED).count()
    made = time.perf_counter() - started
    print(f"{queued} emails queued by {2 * half} consults and mentions in {made:.1f} s "
          f"({1000 * made / (2 * half):.1f} ms each)")

    worker = children.start([UNSILO, "worker"], env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.perf_counter()
    received = root / "received"
    deadline = started + 600
    while time.perf_counter() < deadline:
        if sum(1 for _ in received.glob("*.eml")) >= queued:
            break
        time.sleep(0.2)
    took = time.perf_counter() - started
    time.sleep(3)  # anything sent twice would arrive now
    _setup.stop_processes([worker])
    children.stop(sink)
    ids = [email.message_from_bytes(p.read_bytes(), policy=policy.default)["Message-ID"]
           for p in received.glob("*.eml")]
    sent = OutgoingMail.objects.filter(status=MailStatus.SENT).count()
    print(f"machine: {_setup.machine()}")
    print(f"delivered {len(ids)} of {queued} in {took:.1f} s by one worker "
          f"({len(ids) / took:.0f} emails/s); distinct Message-IDs {len(set(ids))}; "
          f"rows sent {sent}; duplicates {len(ids) - len(set(ids))}")
    for label, times in (("SMTP server answering", answering),
                         ("SMTP server stalling every message", stalled),
                         ("no SMTP server", absent)):
        ms = sorted(1000 * t for t in times)
        print(f"consult web request, {label}: median {statistics.median(ms):.1f} ms, "
              f"p95 {ms[int(len(ms) * 0.95) - 1]:.1f} ms, max {ms[-1]:.1f} ms "
              f"({len(ms)} requests)")


if __name__ == "__main__":
    main()
