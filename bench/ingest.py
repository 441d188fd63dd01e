"""Ingestion end to end: messages stored, threaded, classified, routed and visible in the inbox
(PROCESSED, in a conversation), with real `unsilo worker` processes; beside it, in the same
run, a plain bulk insert of the same rows into the same database.

    .venv/bin/python bench/ingest.py                    # SQLite, one worker, 20,000 messages
    .venv/bin/python bench/ingest.py --postgres         # PostgreSQL, two workers
    .venv/bin/python bench/ingest.py 50000 --workers 3 --history 3000

The company learns first: demo history (unsilo/demo/corpus.py) imported and the routing
model trained. Messages come from the demo stream (about 15 % are replies in earlier threads)
and are sent as a client would, 1,000 per call to `ingest.ingest` (validation included), while
the workers process them. The clock runs from the first call until no message is RECEIVED.
"""

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path

import _setup

from unsilo.core import children  # noqa: E402

UNSILO = str(Path(sys.executable).with_name("unsilo"))
CHUNK = 1000
WARM = 300


def wait_until(predicate, seconds: float, every: float = 0.02) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit("gave up waiting")
        time.sleep(every)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=20_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--workers", type=int, default=None, help="1 on SQLite, 2 on PostgreSQL")
    parser.add_argument("--history", type=int, default=3000, help="resolved conversations")
    parser.add_argument("--no-model", action="store_true", help="route without training")
    args = parser.parse_args()
    workers = args.workers or (2 if args.postgres else 1)
    env = _setup.company_for_processes(args.postgres, name="unsilo_bench_ingest")

    from django.db import connection

    from unsilo.core.actor import Actor
    from unsilo.demo import corpus as demo_corpus
    from unsilo.inbox import ingest
    from unsilo.inbox.models import Conversation, Message, MessageState, RoutingDecision

    actor = Actor.system(label="bench")
    trained = "none (every conversation to triage)"
    if not args.no_model:
        from unsilo.inbox.history import import_history

        started = time.perf_counter()
        report = import_history([json.dumps(line) for line in demo_corpus.history(args.history)],
                                actor)
        model = getattr(report, "model", None)
        if model is not None:
            trained = (f"v{model.version} on {model.examples:,} resolved conversations "
                       f"({time.perf_counter() - started:.0f} s import + training)")
    stream = demo_corpus.stream()
    items = [{k: v for k, v in line.items() if k != "_truth"}
             for line in itertools.islice(stream, WARM + args.n)]
    warm, items = items[:WARM], items[WARM:]

    # The plain bulk insert: the same rows, straight into the same table, then removed.
    checked, _ = ingest.check_items(items)
    plain = [Message(network=m.network, external_id="plain-" + m.id, author=m.author,
                     text=m.text, created_at=m.created_at, account_handle=m.account,
                     in_reply_to=m.in_reply_to, lang=m.lang, state=MessageState.PROCESSED)
             for m in checked]
    started = time.perf_counter()
    Message.objects.bulk_create(plain, batch_size=500)
    plain_seconds = time.perf_counter() - started
    Message.objects.filter(external_id__startswith="plain-").delete()
    connection.close()

    log = open(Path(env["UNSILO_DATA_DIR"]) / "workers.log", "w")  # noqa: SIM115
    procs = [children.start([UNSILO, "worker", "--interval", "0.1"], env=env,
                              stdout=log, stderr=log) for _ in range(workers)]
    try:
        received = Message.objects.filter(state=MessageState.RECEIVED)
        ingest.ingest(warm, actor, "bench")  # loads the model in each worker
        wait_until(lambda: not received.exists(), 120)
        load = os.getloadavg()
        warm_cpu = sum(cpu_seconds(proc.pid) for proc in procs)
        started = time.perf_counter()
        for start in range(0, len(items), CHUNK):
            report = ingest.ingest(items[start:start + CHUNK], actor, "bench")
            assert report.ok, report.errors[:3]
        stored = time.perf_counter() - started
        wait_until(lambda: not received.exists(), 600)
        seconds = time.perf_counter() - started
        worker_cpu = sum(cpu_seconds(proc.pid) for proc in procs) - warm_cpu
    finally:
        _setup.stop_processes(procs)
    total = Message.objects.filter(state=MessageState.PROCESSED,
                                   conversation__isnull=False).count()
    assert total == WARM + args.n, total
    decisions = RoutingDecision.objects.count()
    assert decisions == Conversation.objects.count()
    triage = RoutingDecision.objects.filter(triage=True).count()

    db = "PostgreSQL" if args.postgres else "SQLite"
    print(f"\n{_setup.machine()}; {db}; {workers} worker(s); load before "
          f"{load[0]:.2f} {load[1]:.2f}; routing model: {trained}\n")
    print("| what | messages | seconds | messages/s |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| plain bulk insert (bulk_create) | {len(plain):,} | {plain_seconds:.2f} | "
          f"{len(plain) / plain_seconds:,.0f} |")
    print(f"| stored (checked, idempotent insert) | {args.n:,} | {stored:.2f} | "
          f"{args.n / stored:,.0f} |")
    print(f"| end to end: routed, visible in the inbox | {args.n:,} | {seconds:.2f} | "
          f"{args.n / seconds:,.0f} |")
    print(f"| worker CPU: messages per CPU-second | {args.n:,} | {worker_cpu:.2f} | "
          f"{args.n / worker_cpu:,.0f} |")
    print(f"\nEnd to end is {seconds / plain_seconds:.1f}× the plain bulk insert's time. "
          f"{Conversation.objects.count():,} conversations, {decisions:,} routed "
          f"({triage:,} to triage).")


if __name__ == "__main__":
    main()
