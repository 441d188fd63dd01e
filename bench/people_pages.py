"""Server time of the people list page and the people API at 100,000 people (p50, p95).

    .venv/bin/python bench/people_pages.py [--people 100000] [--postgres] [--requests 200]
                                           [--no-vacuum]

A fresh database (SQLite in a temporary data directory, or a fresh PostgreSQL database with
--postgres) gets N people through the people importer; then each case is requested through
Django's full request handler (middleware, auth, view or API, template) in this process and
timed from request in to response out — the server's time, without a network in between.

On PostgreSQL the import is followed by VACUUM ANALYZE, what autovacuum does within a minute of
a bulk load. Without it (--no-vacuum, or a server running without autovacuum) PostgreSQL has
no statistics and no visibility map, and plans even a deep page of the plain list as a sort of
everyone.
"""

import argparse
import csv
import io
import statistics
import time

from _setup import fresh_database, machine, migrate, setup_django
from people_csv import HEADER, people_rows


def load_people(n: int) -> float:
    from unsilo.core.actor import Actor
    from unsilo.org.importer import apply_people_import, parse_people_csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(people_rows(n))
    started = time.perf_counter()
    plan = parse_people_csv(out.getvalue().encode())
    assert plan.ok, plan.errors[:3]
    apply_people_import(Actor.system(label="bench"), plan)
    return time.perf_counter() - started


def time_requests(client, path: str, n: int, **headers) -> list[float]:
    for _ in range(5):  # warm caches and connections
        assert client.get(path, **headers).status_code == 200, path
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(path, **headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--no-vacuum", action="store_true",
                        help="measure PostgreSQL before autovacuum has run")
    args = parser.parse_args()

    fresh_database(args.postgres)
    migrate()
    setup_django()
    from django.db import connection
    from django.test import Client

    from unsilo.core.actions import create_login, create_token
    from unsilo.core.actor import Actor
    from unsilo.core.models import Role
    from unsilo.org.models import Silo

    seconds = load_people(args.people)
    vacuumed = connection.vendor == "postgresql" and not args.no_vacuum
    if vacuumed:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    system = Actor.system(label="bench")
    admin = create_login(system, email="bench@example.com", password="bench pass phrase 1",
                         role=Role.VIEWER)
    _, secret = create_token(Actor.for_user(admin), "bench")
    silo = Silo.objects.order_by("name").first()
    client = Client()
    client.force_login(admin)
    api = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    htmx = {"HTTP_HX_REQUEST": "true"}
    last_page = args.people // 50
    cases = [
        ("people page, first page", "/people/", {}),
        ("people page, page 1,000", "/people/?page=1000", {}),
        (f"people page, last page ({last_page:,})", f"/people/?page={last_page}", {}),
        ("people page, search 'analyst' (htmx)", "/people/?q=analyst", htmx),
        ("people page, search 'okafor.1234'", "/people/?q=okafor.1234", {}),
        ("people page, search 'ng' (two letters)", "/people/?q=ng", {}),
        ("people page, search 'e' (one letter)", "/people/?q=e", {}),
        ("people page, search 'manager' (a third of everyone)", "/people/?q=manager", {}),
        ("people page, search 'zebra' (nobody)", "/people/?q=zebra", {}),
        ("people page, one silo", f"/people/?silo={silo.pk}", {}),
        ("API /people?limit=50", "/api/v1/people?limit=50", api),
        ("API /people?limit=50&offset=50000", "/api/v1/people?limit=50&offset=50000", api),
        ("API /people?q=analyst", "/api/v1/people?q=analyst&limit=50", api),
        ("API /people?q=ng", "/api/v1/people?q=ng&limit=50", api),
        ("API /people?q=e", "/api/v1/people?q=e&limit=50", api),
        ("API /people?q=zebra", "/api/v1/people?q=zebra&limit=50", api),
        ("API /people?title=manager", "/api/v1/people?title=manager&limit=50", api),
        ("API /people?skill=billing", "/api/v1/people?skill=billing&limit=50", api),
        ("API /people?skill=gdpr&q=okafor", "/api/v1/people?skill=gdpr&q=okafor&limit=50", api),
        ("API /people?silo_id=…", f"/api/v1/people?silo_id={silo.pk}&limit=50", api),
    ]
    print(f"\n{connection.vendor}{' (vacuumed)' if vacuumed else ''}, {args.people:,} people "
          f"(import took {seconds:.1f} s), {args.requests} requests per case; {machine()}\n")
    print("| case | p50 ms | p95 ms | max ms |")
    print("| --- | ---: | ---: | ---: |")
    for label, path, headers in cases:
        times = time_requests(client, path, args.requests, **headers)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"| {label} | {statistics.median(times):.1f} | {p95:.1f} | {max(times):.1f} |")


if __name__ == "__main__":
    main()
