"""Server time of the single sign-on callback (p50, p95): the code exchanged at the provider,
the ID token checked, the login found or made and its role and seats set, the session begun.

    .venv/bin/python bench/sso_callback.py [--people 100] [--postgres]

Starts the test OpenID provider (tests/oidc_provider/, django-oauth-toolkit) as its own process
on loopback, and unsilo in this process behind waitress on another loopback port. Each of
`--people` people (in the people import, three groups each, mapped to a role and a seat) signs
in twice from a fresh browser session: the first time makes their login just in time, the
second finds it. The callback's server time is taken around the WSGI application (request in,
answer out, the provider's round trips included); the browser's view of it beside.
"""

import argparse
import os
import statistics
import sys
import threading
import time

from _setup import REPO, company_for_processes, machine

sys.path.insert(0, str(REPO))

from tests.sso import provider as test_provider  # noqa: E402

CALLBACK = "/login/sso/callback/"


def timed(app, into: list):
    def wrapped(environ, start_response):
        if environ.get("PATH_INFO") != CALLBACK:
            return app(environ, start_response)
        began = time.perf_counter()
        body = list(app(environ, start_response))
        into.append((time.perf_counter() - began) * 1000)
        return body
    return wrapped


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()

    idp = test_provider.start()
    try:
        os.environ.update(UNSILO_OIDC_ISSUER=idp.issuer,
                          UNSILO_OIDC_CLIENT_ID=test_provider.CLIENT_ID,
                          UNSILO_OIDC_CLIENT_SECRET=test_provider.CLIENT_SECRET,
                          UNSILO_OIDC_RECHECK_SECONDS="300")
        company_for_processes(args.postgres, "unsilo_bench_sso")
        run(idp, args.people)
    finally:
        idp.stop()


def run(idp, people: int) -> None:
    from waitress.server import create_server

    from unsilo.core.actor import Actor
    from unsilo.core.models import Role
    from unsilo.org.models import Person, SeatRole, Silo
    from unsilo.sso import actions
    from unsilo.wsgi import application

    system = Actor.system()
    silos = [Silo.objects.create(name=f"Silo {i}", slug=f"silo-{i}") for i in range(10)]
    for i, silo in enumerate(silos):
        actions.add_group_role(system, f"silo-{i}-agents", Role.RESPONDER)
        actions.add_group_seat(system, f"silo-{i}-seat", silo, SeatRole.DELEGATE)
    actions.add_group_role(system, "leads", Role.CAPTAIN)
    emails = []
    for n in range(people):
        silo = n % len(silos)
        email = f"person{n}@example.com"
        Person.objects.create(email=email, name=f"Person {n}", silo=silos[silo])
        idp.person(email, [f"silo-{silo}-agents", f"silo-{silo}-seat", "all-staff"])
        emails.append(email)

    server_ms: list[float] = []
    server = create_server(timed(application, server_ms), host="127.0.0.1", port=0, threads=4)
    url = f"http://127.0.0.1:{server.effective_port}"
    idp.control("client", client_id=test_provider.CLIENT_ID,
                client_secret=test_provider.CLIENT_SECRET,
                redirect_uris=[f"{url}{CALLBACK}"])
    threading.Thread(target=server.run, daemon=True).start()

    results = {}
    for turn in ("first sign-in (login made just in time)", "second sign-in"):
        server_ms.clear()
        seen = []
        for email in emails:
            browser = test_provider.Browser(url)
            callback = browser.to_callback(email)
            began = time.perf_counter()
            answer = browser.http.get(callback, allow_redirects=False, timeout=30)
            seen.append((time.perf_counter() - began) * 1000)
            assert answer.status_code == 302 and answer.headers["Location"] == "/table/", \
                answer.status_code
            browser.http.close()
        results[turn] = (list(server_ms), seen)
    server.close()

    from django.db import connection

    print(f"machine: {machine()}; database: {connection.vendor}; {people} people")
    print("| sign-in | callbacks | server p50 | server p95 | server max | browser p95 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for turn, (times, seen) in results.items():
        print(f"| {turn} | {len(times)} | {statistics.median(times):.1f} ms | "
              f"{percentile(times, 95):.1f} ms | {max(times):.1f} ms | "
              f"{percentile(seen, 95):.1f} ms |")


if __name__ == "__main__":
    main()
