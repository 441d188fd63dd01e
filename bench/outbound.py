"""Outbound queue: replies queued across many accounts drain through real `unsilo worker`
processes against a simulated network with per-account rate limits, slow answers and 503s,
with zero duplicates and zero losses.

    .venv/bin/python bench/outbound.py                   # SQLite, one worker, 10,000 replies
    .venv/bin/python bench/outbound.py --postgres        # PostgreSQL, two workers
    .venv/bin/python bench/outbound.py 1000 --accounts 10

The network is an HTTP server in this process. Each account may post `--limit` times per
`--window` seconds: half the accounts say so in X-RateLimit headers (the queue pauses them when
none is left), the other half only answer 429 with Retry-After. A share of the posts is
recorded and then answered after the client's timeout (the queue is in doubt and must ask the
network, GET …/posts, before posting again), a share is answered 503 without posting. The
workers load the connector below through UNSILO_CONNECTORS, the real plug-in path.

Replies come in bursts (blocks of 100 per account, shuffled), as a campaign's answers would.
The clock runs from the first reply queued until none is queued or sending.
"""

import argparse
import collections
import datetime
import json
import math
import os
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import _setup  # noqa: E402

from unsilo.connectors import http  # noqa: E402
from unsilo.connectors.base import AccountInfo, Connector, DeliveryResult  # noqa: E402
from unsilo.core import children  # noqa: E402

UNSILO = str(Path(sys.executable).with_name("unsilo"))
NETWORK = "benchnet"
CLIENT_TIMEOUT = 0.5  # seconds; a slow answer comes after twice this
BLOCK = 100


# The connector the workers load ---------------------------------------------------------------


class BenchConnector(Connector):
    """Posts replies to the simulated network; asks it what was posted after a timeout."""

    name = NETWORK
    label = "Bench network"
    can_fetch = False

    def _client(self, session):
        client = http.client(session.options["api_base"])
        client.timeout = session.options.get("timeout", CLIENT_TIMEOUT)
        return client

    @staticmethod
    def _auth(session) -> dict:
        return {"authorization": f"Bearer {session.secret['token']}"}

    def verify(self, session) -> AccountInfo:
        return AccountInfo(external_id=session.handle, handle=session.handle)

    def reply(self, session, out) -> DeliveryResult:
        with self._client(session) as client:
            answer = http.call(session, client, "POST", f"/accounts/{session.handle}/posts",
                               headers={**self._auth(session), "idempotency-key":
                                        out.idempotency_key},
                               json={"text": out.text, "in_reply_to": out.in_reply_to})
        return DeliveryResult(external_id=answer.json()["id"])

    def find_sent(self, session, out) -> DeliveryResult | None:
        since = (out.created_at - datetime.timedelta(minutes=1)).timestamp()
        with self._client(session) as client:
            answer = http.call(session, client, "GET", f"/accounts/{session.handle}/posts",
                               headers=self._auth(session), params={"since": str(since)})
        for post in answer.json()["posts"]:
            if post["text"] == out.text and post["in_reply_to"] == out.in_reply_to:
                return DeliveryResult(external_id=post["id"])
        return None


# The simulated network ------------------------------------------------------------------------


class Network:
    """Per-account sliding windows, posts by idempotency key, and what it answered."""

    def __init__(self, limit: int, window: float, slow: float, errors: float, seed: int):
        self.limit, self.window, self.slow, self.errors = limit, window, slow, errors
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.calls: dict[str, collections.deque] = collections.defaultdict(collections.deque)
        self.posts: dict[str, list[dict]] = collections.defaultdict(list)
        self.by_key: collections.Counter = collections.Counter()
        self.answers: collections.Counter = collections.Counter()
        self.next_id = 0

    def answer(self, method: str, handle: str, query: dict, body: dict, key: str
               ) -> tuple[int, dict, dict, float]:
        """(status, json, headers, delay) for one call of `handle`."""
        now = time.time()
        with self.lock:
            calls = self.calls[handle]
            while calls and calls[0] <= now - self.window:
                calls.popleft()
            reset = (calls[0] if calls else now) + self.window
            headed = int(handle.rsplit("-", 1)[1]) % 2 == 0  # half the accounts send headers
            if len(calls) >= self.limit:
                self.answers["429"] += 1
                headers = {"retry-after": str(math.ceil(reset - now))}
                if headed:
                    headers.update(self._rate(0, reset))
                return 429, {"error": "Too Many Requests"}, headers, 0.0
            calls.append(now)
            left = self.limit - len(calls)
            headers = self._rate(left, reset) if headed else {}
            if method == "GET":
                self.answers["checks"] += 1
                since = float(query.get("since", ["0"])[0])
                posts = [p for p in self.posts[handle] if p["at"] >= since]
                return 200, {"posts": posts}, headers, 0.0
            roll = self.rng.random()
            if roll < self.errors:
                self.answers["503"] += 1
                return 503, {"error": "Service Unavailable"}, {}, 0.0
            self.next_id += 1
            post = {"id": str(self.next_id), "text": body["text"],
                    "in_reply_to": body["in_reply_to"], "at": now}
            self.posts[handle].append(post)
            self.by_key[key] += 1
            slow = roll < self.errors + self.slow
            self.answers["slow" if slow else "201"] += 1
            return 201, post, headers, CLIENT_TIMEOUT * 2 if slow else 0.0

    def _rate(self, remaining: int, reset: float) -> dict:
        return {"x-ratelimit-limit": str(self.limit), "x-ratelimit-remaining": str(remaining),
                "x-ratelimit-reset": str(int(math.ceil(reset)))}

    def serve(self) -> ThreadingHTTPServer:
        network = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self):
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length)) if length else {}
                parts = urlsplit(self.path)
                handle = parts.path.split("/")[2]
                status, payload, headers, delay = network.answer(
                    self.command, handle, parse_qs(parts.query), body,
                    self.headers.get("idempotency-key", ""))
                if delay:
                    time.sleep(delay)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    for name, value in {**headers, "content-type": "application/json",
                                        "content-length": str(len(data))}.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out

            do_GET = do_POST = _any

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


# The run --------------------------------------------------------------------------------------


def company(n_accounts: int, api_base: str):
    from tests.connectors.factories import connection
    from unsilo.org.models import Silo

    silo = Silo.objects.create(name="Care", slug="care")
    return [connection(NETWORK, handle=f"acme-{i}", owner=silo, secret={"token": f"t{i}"},
                       options={"api_base": api_base, "timeout": CLIENT_TIMEOUT})
            for i in range(n_accounts)]


def replies(n: int, connections: list, seed: int) -> list[tuple]:
    """(connection, text, in_reply_to) in bursts of BLOCK per account, shuffled."""
    per_account = [[(c, f"Reply {i} from {c.account.handle}: we are on it.", f"m-{i}")
                    for i in range(k, n, len(connections))]
                   for k, c in enumerate(connections)]
    blocks = [rows[s:s + BLOCK] for rows in per_account for s in range(0, len(rows), BLOCK)]
    random.Random(seed).shuffle(blocks)
    return [row for block in blocks for row in block]


def wait_until(predicate, seconds: float, every: float = 0.5) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit("gave up waiting")
        time.sleep(every)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=10_000)
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--workers", type=int, default=None, help="1 on SQLite, 2 on PostgreSQL")
    parser.add_argument("--limit", type=int, default=50, help="posts per window per account")
    parser.add_argument("--window", type=float, default=10.0, help="seconds")
    parser.add_argument("--slow", type=float, default=0.02, help="share answered too late")
    parser.add_argument("--errors", type=float, default=0.02, help="share answered 503")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", metavar="DIR", help="run the workers under cProfile")
    args = parser.parse_args()
    workers = args.workers or (2 if args.postgres else 1)

    env = _setup.company_for_processes(args.postgres, name="unsilo_outbound")
    env["UNSILO_CONNECTORS"] = f"{NETWORK}={Path(__file__).stem}:BenchConnector"
    env["PYTHONPATH"] = os.pathsep.join([str(BENCH), str(_setup.REPO)])
    env["UNSILO_LOG_LEVEL"] = "WARNING"

    from django.db import connection as db
    from django.db import transaction
    from django.db.models import Count

    from unsilo.connectors import outbound
    from unsilo.connectors.models import Delivery, DeliveryState
    from unsilo.core.actor import Actor

    network = Network(args.limit, args.window, args.slow, args.errors, args.seed)
    server = network.serve()
    api_base = f"http://127.0.0.1:{server.server_address[1]}"
    connections = company(args.accounts, api_base)
    work = replies(args.n, connections, args.seed)
    actor = Actor.system(label="bench")
    db.close()

    log = open(Path(env["UNSILO_DATA_DIR"]) / "workers.log", "w")  # noqa: SIM115
    command = [UNSILO, "worker", "--interval", "0.1"]
    procs = [children.start(
        [sys.executable, "-m", "cProfile", "-o", f"{args.profile}/worker-{n}.prof", *command]
        if args.profile else command, env=env, stdout=log, stderr=log) for n in range(workers)]
    open_states = [DeliveryState.QUEUED, DeliveryState.SENDING]
    try:
        from unsilo.core.models import WorkerBeat

        wait_until(lambda: WorkerBeat.objects.count() >= workers, 60, every=0.2)
        load = os.getloadavg()
        started = time.perf_counter()
        for start in range(0, len(work), 500):
            with transaction.atomic():
                for conn, text, parent in work[start:start + 500]:
                    outbound.queue(actor, kind="reply", network=NETWORK, text=text,
                                   account=conn.account, in_reply_to=parent,
                                   silo_id=conn.account.owner_silo_id)
        queued = time.perf_counter() - started
        wait_until(lambda: not Delivery.objects.filter(state__in=open_states).exists(), 20 * 60)
        seconds = time.perf_counter() - started
    finally:
        _setup.stop_processes(procs)
        server.shutdown()

    states = dict(Delivery.objects.order_by().values_list("state").annotate(n=Count("id")))
    keys = set(Delivery.objects.values_list("idempotency_key", flat=True))
    sent = states.get(DeliveryState.SENT, 0)
    duplicates = sum(1 for n in network.by_key.values() if n > 1)
    never_posted = len(keys - set(network.by_key))
    attempts = dict(Delivery.objects.order_by("attempts").values_list("attempts")
                    .annotate(n=Count("id")))
    in_doubt_checks = network.answers["checks"]
    from django_tasks_db.models import DBTaskResult

    tasks = dict(DBTaskResult.objects.filter(task_path__endswith="send_delivery").order_by()
                 .values_list("return_value").annotate(n=Count("id")))

    db_name = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\n{_setup.machine()}; {db_name}; {workers} worker(s); load before "
          f"{load[0]:.2f} {load[1]:.2f} (other jobs share the machine)\n")
    print(f"{args.n:,} replies across {args.accounts} accounts; network limit {args.limit} "
          f"calls / {args.window:g} s per account; {args.slow:.0%} answered after the "
          f"{CLIENT_TIMEOUT} s client timeout (posted), {args.errors:.0%} answered 503\n")
    print("| what | value |")
    print("| --- | ---: |")
    print(f"| queued (with audit rows) | {queued:.1f} s |")
    print(f"| drained (first queued → none queued or sending) | {seconds:.1f} s |")
    print(f"| deliveries per second | {args.n / seconds:,.1f} |")
    print(f"| sent / failed / other | {sent:,} / {states.get(DeliveryState.FAILED, 0)} / "
          f"{args.n - sent - states.get(DeliveryState.FAILED, 0)} |")
    print(f"| duplicates (keys posted more than once) | {duplicates} |")
    print(f"| losses (not SENT, or never posted) | "
          f"{args.n - sent + never_posted} |")
    print(f"| 429 answers | {network.answers['429']:,} |")
    print(f"| 503 answers | {network.answers['503']:,} |")
    print(f"| answered too late (in doubt) | {network.answers['slow']:,} |")
    print(f"| checks with the network before a resend (find_sent) | {in_doubt_checks:,} |")
    print(f"| delivery tasks run (ending sent / queued: waiting out a pause or back-off) | "
          f"{sum(tasks.values()):,} ({tasks.get('sent', 0):,} / {tasks.get('queued', 0):,}) |")
    print(f"| attempts per delivery | "
          f"{', '.join(f'{k}: {v:,}' for k, v in sorted(attempts.items()))} |")
    if duplicates or args.n - sent + never_posted:
        raise SystemExit("duplicates or losses")


if __name__ == "__main__":
    main()
