"""Find an expert over 100,000 people and 1,000,000 resolved conversations: server time (p50,
p95) of the ranking, of POST /api/v1/experts/search and of the Find an expert page.

    .venv/bin/python bench/find_expert.py [--people 100000] [--conversations 1000000]
                                          [--requests 200] [--postgres]

A fresh database gets N people through the people importer (bench/people_csv.py), then M
resolved conversations written straight into ResolvedExample (and ResolvedConsult) with
executemany: each person knows 1 to 3 of 5,000 topics (six words each, from 20,000 made-up
words); how much each person resolves follows a power law (a few resolve thousands, many a
handful, some none); a conversation is four words of its topic, three common words, one stray
word and a number; one in seven has someone else who knows the topic consulted. Then the
index is built once (`experts.index.rebuild`, timed, with this process's peak memory), and
questions made the same way (short, typical, and pasted messages of about 800 characters over
several topics) go through Django's full request handler in this process — the server's time,
without a network in between.
"""

import argparse
import datetime
import os
import random
import resource
import statistics
import time

from _setup import fresh_database, machine, migrate, setup_django
from find_expert_data import Company
from people_pages import load_people


def write_history(company: "Company", n: int) -> float:
    from django.db import connection, transaction

    from unsilo.org.models import Person

    people = list(Person.objects.order_by("id").values_list("id", "silo_id"))
    company.assign(people)
    ops = connection.ops
    end = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    started = time.perf_counter()
    insert = ("INSERT INTO inbox_resolvedexample (source, key, network, account_handle, lang, "
              "text, answer, silo_id, person_id, sentiment, created_at, resolved_at, added_at) "
              "VALUES (%s, %s, %s, '', 'en', %s, '', %s, %s, '', %s, %s, %s)")
    consults = []
    with connection.cursor() as cursor:
        for start in range(0, n, 20_000):
            rows = []
            for i in range(start, min(n, start + 20_000)):
                person, silo, text, helper = company.conversation()
                at = ops.adapt_datetimefield_value(
                    end - datetime.timedelta(seconds=company.rng.random() * 365 * 86400))
                rows.append(("import", f"b{i}", "x", text, silo, person, at, at, at))
                if helper is not None:
                    consults.append((i, helper))
            with transaction.atomic():
                cursor.executemany(insert, rows)
        cursor.execute("SELECT MIN(id) FROM inbox_resolvedexample")
        base = cursor.fetchone()[0]
        with transaction.atomic():
            cursor.executemany(
                "INSERT INTO inbox_resolvedconsult (example_id, person_id) VALUES (%s, %s)",
                [(base + i, helper) for i, helper in consults])
    return time.perf_counter() - started


def time_posts(client, path: str, bodies: list, **headers) -> list[float]:
    for body in bodies[:5]:  # warm the index cache, connections and templates
        assert client.post(path, body, **headers).status_code == 200, path
    times = []
    for body in bodies:
        started = time.perf_counter()
        response = client.post(path, body, **headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.content[:300])
    return times


def row(label: str, times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
    return f"| {label} | {statistics.median(times):.1f} | {p95:.1f} | {max(times):.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()

    fresh_database(args.postgres, name="unsilo_bench_experts")
    os.environ["UNSILO_ALLOWED_HOSTS"] = "testserver"  # Django's test client
    migrate()
    setup_django()
    import json

    from django.db import connection
    from django.test import Client

    from unsilo.core.actions import create_login, create_token
    from unsilo.core.actor import Actor
    from unsilo.core.models import Role
    from unsilo.experts import ranking
    from unsilo.experts.index import current, rebuild

    imported = load_people(args.people)
    company = Company(random.Random(7))
    wrote = write_history(company, args.conversations)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    started = time.perf_counter()
    built = rebuild()
    build_s = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    current()
    load_s = time.perf_counter() - started

    system = Actor.system(label="bench")
    lead = create_login(system, email="bench@example.com", password="bench pass phrase 1",
                        role=Role.RESPONDER)
    _, secret = create_token(Actor.for_user(lead), "bench")
    client = Client()
    client.force_login(lead)
    questions = company.questions(args.requests)
    print(f"\n{connection.vendor}, {args.people:,} people (import {imported:.0f} s), "
          f"{args.conversations:,} resolved conversations (written in {wrote:.0f} s), "
          f"{args.requests} questions per case; {machine()}\n")
    print(f"index build: {build_s:.1f} s, {built.people:,} people with evidence, blob "
          f"{len(built.blob) / 2**20:.0f} MiB, peak memory of this process {peak_mib:.0f} MiB; "
          f"first load in a process {load_s * 1000:.0f} ms\n")
    print("| case | p50 ms | p95 ms | max ms |")
    print("| --- | ---: | ---: | ---: |")
    hits: dict[str, list[bool]] = {}
    for label, kind in (("short (2-3 words)", "short"), ("typical question", "typical"),
                        ("pasted message, ~800 characters", "pasted")):
        asked = [(q, topic) for k, q, topic in questions if k == kind]
        times = []
        for text, _ in asked[:5]:
            ranking.rank(text, limit=10)
        for text, topic in asked:
            t0 = time.perf_counter()
            found = ranking.rank(text, limit=10).experts
            times.append((time.perf_counter() - t0) * 1000)
            hits.setdefault(kind, []).append(bool(found) and company.knows(
                found[0].person.pk, topic))
        print(row(f"ranking only, {label}", times))
    api = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "content_type": "application/json"}
    bodies = [json.dumps({"q": q, "limit": 10}) for _, q, _ in questions]
    print(row("POST /api/v1/experts/search (all kinds)", time_posts(
        client, "/api/v1/experts/search", bodies, **api)))
    pages = [{"q": q} for _, q, _ in questions]
    print(row("Find an expert page, htmx results (all kinds)", time_posts(
        client, "/experts/", pages, HTTP_HX_REQUEST="true")))
    print("\nthe first person found knows the question's topic (a pasted one's, one of them): "
          + ", ".join(f"{kind} {sum(h) / len(h):.0%}" for kind, h in hits.items()))


if __name__ == "__main__":
    main()
