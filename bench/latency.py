"""From POST to routed: at a steady rate through the real HTTP API, how long until a message
is visible in the inbox (PROCESSED, in a routed conversation)? p50 / p95 / max.

    .venv/bin/python bench/latency.py                      # SQLite, 200 messages/s for 30 s
    .venv/bin/python bench/latency.py --rate 300 --seconds 60 --postgres --workers 2

A fresh company learns from demo history (routing model trained), then `unsilo serve`
(waitress) and `unsilo worker` run as real processes. Senders POST one message per request
to /api/v1/messages with a hub admin's token, on a fixed schedule; the clock starts just
before each request. A reader polls the database every 20 ms for the messages that became
PROCESSED with a conversation.
"""

import argparse
import http.client
import itertools
import json
import os
import socket
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import _setup

from unsilo.core import children  # noqa: E402

UNSILO = str(Path(sys.executable).with_name("unsilo"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200, help="messages per second")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--interval", type=float, default=0.5, help="worker poll seconds")
    parser.add_argument("--history", type=int, default=3000)
    parser.add_argument("--per-request", type=int, default=1, help="messages per POST")
    parser.add_argument("--servers", type=int, default=1, help="`unsilo serve` processes")
    args = parser.parse_args()
    env = _setup.company_for_processes(args.postgres, name="unsilo_bench_latency")

    from django.db import connection

    from unsilo.core import actions
    from unsilo.core.actor import Actor
    from unsilo.core.models import Role
    from unsilo.demo import corpus as demo_corpus
    from unsilo.inbox.history import import_history
    from unsilo.inbox.models import Message, MessageState

    system = Actor.system(label="bench")
    import_history([json.dumps(line) for line in demo_corpus.history(args.history)], system)
    admin = actions.create_login(system, email="lead@example.com", password="a long pass phrase",
                                 role=Role.HUB_ADMIN)
    _, token = actions.create_token(Actor.for_user(admin), "bench")
    total = int(args.rate * args.seconds)
    items = [{k: v for k, v in line.items() if k != "_truth"}
             for line in itertools.islice(demo_corpus.stream(), total + 50)]
    warm, items = items[:50], items[50:]
    connection.close()

    ports = [free_port() for _ in range(args.servers)]
    log = open(Path(env["UNSILO_DATA_DIR"]) / "servers.log", "w")  # noqa: SIM115
    procs = [children.start([UNSILO, "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--threads", "16"], env=env, stdout=log, stderr=log)
             for port in ports]
    procs += [children.start([UNSILO, "worker", "--interval", str(args.interval)], env=env,
                               stdout=log, stderr=log) for _ in range(args.workers)]
    urls = [f"http://127.0.0.1:{port}/api/v1/messages" for port in ports]
    local = threading.local()

    def send(url: str, body: list) -> tuple[int, dict]:
        """POST on this thread's own keep-alive connection to the server (http.client: the
        client should cost the shared CPUs as little as it can)."""
        port = int(url.split(":")[2].split("/")[0])
        conns = local.__dict__.setdefault("conns", {})
        for attempt in (1, 2):
            if port not in conns:
                conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conns[port].request("POST", "/api/v1/messages", json.dumps(body),
                                    {"Authorization": f"Bearer {token}",
                                     "Content-Type": "application/json"})
                response = conns[port].getresponse()
                return response.status, json.loads(response.read() or b"{}")
            except (OSError, http.client.HTTPException):
                conns.pop(port).close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    sent: dict[int, float] = {}  # message id -> when its POST started
    seen: dict[int, float] = {}
    errors: list[str] = []
    answered: list[float] = []  # how long each POST took

    def post(item: list, at: float, url: str) -> None:
        delay = at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        started = time.perf_counter()
        try:
            status, answer = send(url, item)
            if status != 202:
                errors.append(f"{status} {str(answer)[:200]}")
                return
            answered.append(time.perf_counter() - started)
            for pk in answer["ids"]:
                sent[pk] = started
        except (OSError, http.client.HTTPException) as error:
            errors.append(str(error))

    received = Message.objects.filter(state=MessageState.PROCESSED, conversation__isnull=False)
    try:
        deadline = time.monotonic() + 60
        while True:  # the server is up, and the worker has loaded the model
            try:
                if all(send(url, warm)[0] == 202 for url in urls):
                    break
            except (OSError, http.client.HTTPException):
                pass
            if time.monotonic() > deadline:
                sys.exit("the server did not start; see servers.log")
            time.sleep(0.2)
        while Message.objects.filter(state=MessageState.RECEIVED).exists():
            time.sleep(0.1)
        load = os.getloadavg()
        start = time.perf_counter() + 0.2
        with ThreadPoolExecutor(max_workers=16) as pool:
            per = args.per_request
            futures = [pool.submit(post, items[n:n + per], start + n / args.rate,
                                   urls[(n // per) % len(urls)])
                       for n in range(0, len(items), per)]
            while True:
                pending = [pk for pk in list(sent) if pk not in seen]
                if pending:
                    now = time.perf_counter()
                    for pk in received.filter(pk__gte=min(pending), pk__in=pending
                                              ).values_list("pk", flat=True):
                        seen[pk] = now
                if all(f.done() for f in futures) and not pending:
                    break
                if time.perf_counter() - start > args.seconds + 120:
                    break
                time.sleep(0.02)
        sending = max(sent.values()) - start
    finally:
        _setup.stop_processes(procs)
    latencies = sorted(seen[pk] - sent[pk] for pk in seen)
    q = statistics.quantiles(latencies, n=100)
    db = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\n{_setup.machine()}; {db}; {args.servers} × waitress (16 threads) + "
          f"{args.workers} worker(s), poll "
          f"{args.interval} s; load before {load[0]:.2f} {load[1]:.2f}\n")
    posts = statistics.quantiles(answered, n=100)
    print("| rate asked | per POST | sent | achieved rate | errors | POST p95 | routed p50 | "
          "routed p95 | routed max |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| {args.rate:.0f}/s | {args.per_request} | {len(sent):,} | "
          f"{len(sent) / sending:.0f}/s | {len(errors)} | {posts[94]:.2f} s | {q[49]:.2f} s | "
          f"{q[94]:.2f} s | {latencies[-1]:.2f} s |")
    if errors:
        print("\nfirst error:", errors[0])
    if len(seen) < len(sent):
        print(f"\n{len(sent) - len(seen)} messages were not seen routed in time.")


if __name__ == "__main__":
    main()
