"""Server time of the inbox queue page and the conversations API at 1,000,000 messages (p50, p95).

    .venv/bin/python bench/inbox_pages.py [--conversations 300000] [--postgres]
                                          [--requests 200] [--no-vacuum]

A fresh database (SQLite in a temporary data directory, or a fresh PostgreSQL database with
--postgres) gets an inbox of N conversations (about 3.3 messages each: 1,000,000 messages at
the default) in 13 silos with 40 people each, 48 accounts on 6 networks, spread over 180 days:
most of them resolved, the last two weeks mostly open, 3 % of the open ones in the hub's
triage queue, 2,000 open consults. Rows go in by bulk inserts (COPY on PostgreSQL) — this
measures reading, not ingestion. Each case is then requested through Django's full request
handler (middleware, auth, view or API, template) in this process and timed from request in to
response out: the server's time, without a network in between.
"""

import argparse
import datetime
import json
import random
import statistics
import time

from _setup import fresh_database, machine, migrate, setup_django

SILOS = ["Customer Care", "Billing", "Logistics", "Legal", "PR", "HR", "Product", "Sales",
         "EMEA", "APAC", "Tech Support", "Retail"]
PEOPLE_PER_SILO = 40
NETWORKS = ["bluesky", "x", "facebook", "instagram", "linkedin", "mastodon"]
INTENTS = ["refund", "invoice", "delivery", "complaint", "praise", "job", "press", "legal",
           "idea", "sales_lead", "outage", "account"]
LANGUAGES = ["en"] * 14 + ["de", "de", "fr", "fr", "es", "it", "nl", "pt"]
SENTIMENTS = ["negative", "negative", "neutral", "neutral", "neutral", "positive"]
URGENCIES = ["low", "normal", "normal", "normal", "high", "urgent"]
TOPIC_WORDS = {
    "refund": "refund money back charged twice order payment", "invoice": "invoice vat copy tax",
    "delivery": "parcel courier tracking late van package", "complaint": "terrible service rude",
    "praise": "thanks great love fast helpful", "job": "job vacancy application interview",
    "press": "journalist article comment deadline", "legal": "lawyer sue court claim",
    "idea": "feature idea suggestion would love", "sales_lead": "pricing quote bulk order demo",
    "outage": "down outage app crashes login error", "account": "password account locked email",
}
FILLER = ("please help me with my order it has been days and nobody answers here is the "
          "number again can someone look at this today kettle toaster blender phone laptop "
          "shoes jacket sofa")
FILLER_WORDS = FILLER.split()
DAYS = 180


def _ts(dt: datetime.datetime, sqlite: bool) -> str:
    # SQLite keeps Django's naive UTC text; PostgreSQL takes ISO 8601 with the offset.
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else dt.isoformat()


def build(n_conversations: int, rng: random.Random) -> dict:
    """Silos, people, logins and accounts through the ORM; conversations and messages in bulk."""
    from django.db import connection, transaction

    from unsilo.accounts.models import Account
    from unsilo.core.models import Role, User
    from unsilo.inbox.models import Consult
    from unsilo.org.models import Person, SeatMember, Silo, SiloKind

    hub = Silo.objects.create(name="COE", slug="coe", kind=SiloKind.HUB)
    silos = [Silo.objects.create(name=name, slug=name.lower().replace(" ", "-"))
             for name in SILOS]
    people = {}
    for silo in [hub, *silos]:
        people[silo.pk] = Person.objects.bulk_create([
            Person(email=f"p{k}@{silo.slug}.example.com", name=f"Person {k} {silo.name}",
                   silo=silo, skills=[rng.choice(INTENTS)])
            for k in range(PEOPLE_PER_SILO)])
    for silo in silos:
        SeatMember.objects.create(silo=silo, person=people[silo.pk][0], role="captain")
    accounts = [Account.objects.create(network=net, handle=f"acme-{k}-{net}",
                                       owner_silo=silos[k % len(silos)])
                for net in NETWORKS for k in range(8)]
    sqlite = connection.vendor == "sqlite"
    now = datetime.datetime.now(datetime.UTC)
    conv_rows, msg_rows, open_ids = [], [], []
    msg_id = 0
    for cid in range(1, n_conversations + 1):
        age_days = DAYS * (1 - cid / n_conversations)  # ids grow with time, as ingestion makes
        created = now - datetime.timedelta(days=age_days, seconds=rng.random() * 3600,
                                           microseconds=rng.randint(1, 999_999))
        recent = age_days < 14
        roll = rng.random()
        status = ("open" if roll < 0.6 else "waiting" if roll < 0.75 else "resolved") if recent \
            else ("open" if roll < 0.02 else "resolved")
        silo = rng.choice(silos)
        triage = status != "resolved" and rng.random() < 0.03
        silo_id = hub.pk if triage else silo.pk
        assignee = None if triage or rng.random() < 0.2 else rng.choice(people[silo.pk]).pk
        account = rng.choice(accounts)
        intent = rng.choice(INTENTS)
        n_messages = rng.choice((1, 2, 3, 3, 4, 4, 5, 5, 6))
        texts, at = [], created
        for k in range(n_messages):
            msg_id += 1
            inbound = k % 2 == 0
            text = " ".join([*rng.sample(TOPIC_WORDS[intent].split(), 2),
                             *rng.sample(FILLER_WORDS, 8), f"order {rng.randint(1000, 99999)}"])
            texts.append(text)
            msg_rows.append((msg_id, cid, account.network, f"m{msg_id}",
                             "in" if inbound else "out", "processed" if inbound else "sent",
                             account.handle, f"cust{cid % 90_000}" if inbound else account.handle,
                             text, _ts(at, sqlite), _ts(at, sqlite), intent if inbound else "",
                             "{}", "", "", "", "", "", "", "", ""))
            last = at
            at += datetime.timedelta(minutes=rng.randint(2, 600), microseconds=rng.randint(1, 999))
        first_due = created + datetime.timedelta(hours=4)
        answered = created + datetime.timedelta(minutes=30) if n_messages > 1 else None
        conv_rows.append((
            cid, account.network, f"{account.network}:t{cid}", account.pk,
            f"cust{cid % 90_000}", texts[0][:200], status, silo_id, assignee, triage, intent,
            rng.choice(SENTIMENTS), rng.choice(LANGUAGES), rng.choice(URGENCIES),
            json.dumps(["legal"] if intent == "legal" else []), round(rng.random(), 3),
            json.dumps([f"like {rng.randint(2, 40)} conversations {silo.name} resolved"]),
            _ts(created, sqlite), _ts(last, sqlite), _ts(created, sqlite),
            _ts(answered, sqlite) if answered else None,
            _ts(last, sqlite) if status == "resolved" else None,
            _ts(first_due, sqlite), _ts(created + datetime.timedelta(hours=24), sqlite),
            "", n_messages, "\n".join(texts).lower(), _ts(last, sqlite)))
        if status != "resolved":
            open_ids.append(cid)
    conv_cols = ("id, network, thread_key, account_id, author, preview, status, silo_id, "
                 "assignee_id, triage, intent, sentiment, language, urgency, risk, confidence, "
                 "reasons, created_at, last_message_at, last_inbound_at, first_response_at, "
                 "resolved_at, first_response_due, resolution_due, sla_state, message_count, "
                 "search, updated_at")
    msg_cols = ("id, conversation_id, network, external_id, direction, state, account_handle, "
                "author, text, created_at, received_at, intent, risk, thread_id, in_reply_to, "
                "url, lang, sentiment, language, urgency, delivery_error")
    started = time.perf_counter()
    with transaction.atomic():
        _insert("inbox_conversation", conv_cols, conv_rows, sqlite)
        _insert("inbox_message", msg_cols, msg_rows, sqlite)
        experts = [p for silo in silos for p in people[silo.pk]]
        Consult.objects.bulk_create([
            Consult(conversation_id=cid, expert=rng.choice(experts))
            for cid in rng.sample(open_ids, min(2000, len(open_ids)))])
    seconds = time.perf_counter() - started
    if not sqlite:
        with connection.cursor() as cursor:
            for table in ("inbox_conversation", "inbox_message", "inbox_consult"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT max(id) FROM {table}))")
    captain_person = people[silos[1].pk][0]
    logins = {}
    for key, role, person in (("hub admin", Role.HUB_ADMIN, people[hub.pk][0]),
                              ("captain", Role.CAPTAIN, captain_person),
                              ("responder", Role.RESPONDER, people[silos[1].pk][5])):
        logins[key] = User.objects.create_user(email=person.email, password="bench pass 1",
                                               role=role, person=person, name=person.name)
    # The hub admin has opened a third of the open conversations (read marks, issue 9): the
    # list reads them for its 50 rows.
    from unsilo.inbox.models import ConversationRead

    read_at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    ConversationRead.objects.bulk_create([
        ConversationRead(reader=logins["hub admin"], conversation_id=cid, read_at=read_at)
        for cid in rng.sample(open_ids, len(open_ids) // 3)], batch_size=5000)
    expert = Consult.objects.order_by("id").first().expert
    logins["expert"] = User.objects.create_user(email=expert.email, password="bench pass 1",
                                                role=Role.RESPONDER, person=expert)
    return {"logins": logins, "messages": msg_id, "seconds": seconds, "silo": silos[0],
            "account": accounts[3], "open": len(open_ids)}


def _insert(table: str, columns: str, rows: list[tuple], sqlite: bool) -> None:
    from django.db import connection

    if sqlite:
        marks = ", ".join(["%s"] * len(rows[0]))
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 20_000):
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                                   rows[start:start + 20_000])
        return
    raw = connection.connection  # psycopg 3: COPY is the bulk path
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def time_requests(client, path: str, n: int, **headers) -> list[float]:
    for _ in range(3):  # warm caches and connections
        response = client.get(path, **headers)
        assert response.status_code in (200, 204), (path, response.status_code)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(path, **headers)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=300_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--no-vacuum", action="store_true")
    parser.add_argument("--only", default="", help="run only cases whose label has this")
    args = parser.parse_args()

    fresh_database(args.postgres, name="unsilo_bench_inbox")
    migrate()
    setup_django()
    from django.db import connection
    from django.test import Client

    from unsilo.core.actions import create_token
    from unsilo.core.actor import Actor
    from unsilo.inbox import queries
    from unsilo.inbox.models import Conversation

    started = time.perf_counter()
    world = build(args.conversations, random.Random(7))
    built = time.perf_counter() - started
    vacuumed = connection.vendor == "postgresql" and not args.no_vacuum
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuumed else "ANALYZE")
    clients = {}
    for key, user in world["logins"].items():
        clients[key] = Client()
        clients[key].force_login(user)
    _, secret = create_token(Actor.for_user(world["logins"]["hub admin"]), "bench")
    api = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    htmx = {"HTTP_HX_REQUEST": "true"}
    # A cursor about 60 days back: a deep page of the full history.
    deep = Conversation.objects.filter(
        last_message_at__lt=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=60)
    ).order_by("-last_message_at", "-id").first()
    deep_cursor = queries.cursor_of(deep)
    top = Conversation.objects.order_by("-last_message_at", "-id").first()
    # An open conversation of a customer with many others: the heaviest conversation page.
    busy = Conversation.objects.filter(status="open", author="cust1234").order_by("-id").first()
    busy = (busy or Conversation.objects.filter(status="open").first()).pk
    week = (datetime.date.today() - datetime.timedelta(days=7)).isoformat()
    silo, account = world["silo"].pk, world["account"].pk
    cases = [
        ("hub admin", "inbox page, default (my silo = all open)", "/inbox/", {}),
        ("hub admin", "queue hub triage", "/inbox/?queue=triage", {}),
        ("hub admin", "queue overdue", "/inbox/?queue=overdue", {}),
        ("hub admin", "queue all, any status", "/inbox/?queue=all&status=all", {}),
        ("hub admin", "filter silo", f"/inbox/?queue=silo&silo={silo}", {}),
        ("hub admin", "filter network", "/inbox/?queue=silo&network=x", {}),
        ("hub admin", "filter account", f"/inbox/?queue=silo&account={account}", {}),
        ("hub admin", "filter sentiment + intent", "/inbox/?queue=silo&sentiment=negative"
                                                  "&intent=refund", {}),
        ("hub admin", "filter language de + network x + negative",
         "/inbox/?queue=silo&language=de&network=x&sentiment=negative", {}),
        ("hub admin", "filter last 7 days", f"/inbox/?queue=silo&since={week}", {}),
        ("hub admin", "status resolved", "/inbox/?queue=silo&status=resolved", {}),
        ("hub admin", "deep cursor (60 days back), any status",
         f"/inbox/?queue=all&status=all&after={deep_cursor}", {}),
        ("hub admin", "results only (htmx)", "/inbox/?queue=silo&network=bluesky", htmx),
        ("hub admin", "live poll, nothing new",
         f"/inbox/new/?queue=silo&top={queries.cursor_of(top)}", {}),
        ("captain", "queue my silo", "/inbox/?queue=silo", {}),
        ("captain", "queue all mine + silo + consults", "/inbox/?queue=all", {}),
        ("captain", "queue overdue", "/inbox/?queue=overdue", {}),
        ("responder", "queue mine", "/inbox/?queue=mine", {}),
        ("expert", "queue consults for me", "/inbox/?queue=consults", {}),
        ("hub admin", "API list silo queue", "/api/v1/conversations?queue=silo", api),
        ("hub admin", "API list all, any status, deep cursor",
         f"/api/v1/conversations?queue=all&status=all&cursor={deep_cursor}", api),
        ("hub admin", "API list filters", "/api/v1/conversations?queue=silo&network=x"
                                          "&sentiment=negative&language=en", api),
        ("hub admin", "conversation page (thread, history, experts)", f"/inbox/c/{busy}/", {}),
        ("hub admin", "API conversation detail", f"/api/v1/conversations/{busy}", api),
        ("hub admin", "search 'refund' (excluded from target)", "/inbox/?queue=silo&q=refund", {}),
        ("hub admin", "search 'courier kettle'", "/inbox/?queue=silo&q=courier+kettle", {}),
        ("hub admin", "search 'zebra' (nothing)", "/inbox/?queue=silo&q=zebra", {}),
        ("hub admin", "API search 'refund', any status",
         "/api/v1/conversations?queue=all&status=all&q=refund", api),
    ]
    print(f"\n{connection.vendor}{' (vacuumed)' if vacuumed else ''}: "
          f"{args.conversations:,} conversations, {world['messages']:,} messages "
          f"({world['open']:,} open or waiting); bulk insert {world['seconds']:.0f} s, whole "
          f"build {built:.0f} s; {args.requests} requests per case; {machine()}\n")
    print("| who | case | p50 ms | p95 ms | max ms |")
    print("| --- | --- | ---: | ---: | ---: |")
    for who, label, path, headers in cases:
        if args.only and args.only not in label:
            continue
        times = time_requests(clients[who], path, args.requests, **headers)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"| {who} | {label} | {statistics.median(times):.1f} | {p95:.1f} | "
              f"{max(times):.1f} |", flush=True)


if __name__ == "__main__":
    main()
