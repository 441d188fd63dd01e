"""`unsilo route` throughput on one core, full classification included.

    .venv/bin/python bench/route.py [--history 5000] [--messages 20000] [--runs 3]

A fresh SQLite database gets `--history` resolved conversations of the demo corpus (import and
training timed), then the real command routes `--messages` demo messages pinned to one core
(`taskset -c 0`, BLAS threads 1). Start-up (Django, loading the model) is measured by routing
one line, and subtracted: messages/s = (N - 1) / (time for N - time for 1). Prints markdown.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _setup import fresh_database, machine, migrate, setup_django  # noqa: E402

ONE_CORE = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run_route(env: dict, path: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of `taskset -c 0 unsilo route path > /dev/null`."""
    unsilo = str(Path(sys.executable).with_name("unsilo"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        subprocess.run(["taskset", "-c", "0", unsilo, "route", str(path)], env=env,
                       stdout=devnull, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", type=int, default=5000)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    env = {**fresh_database(postgres=False), **ONE_CORE}
    migrate()
    setup_django()
    from unsilo.core.actor import Actor
    from unsilo.demo import corpus as demo_corpus
    from unsilo.inbox.history import import_history

    history = demo_corpus.history(args.history, seed=1)
    data = ("\n".join(json.dumps(h, ensure_ascii=False) for h in history) + "\n").encode()
    started = time.perf_counter()
    report = import_history(data, Actor.system())
    import_seconds = time.perf_counter() - started
    model = report.model
    work = Path(tempfile.mkdtemp(prefix="unsilo-route-"))
    lines = [json.dumps({k: v for k, v in m.items() if k != "_truth"}, ensure_ascii=False)
             for m in demo_corpus.messages(args.messages, seed=2)]
    many, one = work / "messages.jsonl", work / "one.jsonl"
    many.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one.write_text(lines[0] + "\n", encoding="utf-8")
    rates, cpu_rates, startups = [], [], []
    for _ in range(args.runs):
        wall_one, cpu_one = run_route(env, one)
        wall_many, cpu_many = run_route(env, many)
        startups.append(wall_one)
        rates.append((args.messages - 1) / (wall_many - wall_one))
        cpu_rates.append((args.messages - 1) / (cpu_many - cpu_one))
    load = os.getloadavg()
    print(f"Machine: {machine()}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")
    print("| what | value |")
    print("| --- | --- |")
    print(f"| history imported and model trained | {args.history:,} conversations in "
          f"{import_seconds:.1f} s (training {model.seconds:.1f} s) |")
    print(f"| model held-out figures | silo {model.metrics['silo_accuracy']:.1%}, person hit@1 "
          f"{model.metrics['person_hit1']:.1%}, hit@3 {model.metrics['person_hit3']:.1%} |")
    print(f"| `unsilo route` start-up (1 line) | {statistics.median(startups):.2f} s |")
    print(f"| `unsilo route`, {args.messages:,} messages, one core: msgs/s (wall) best / median "
          f"| {max(rates):,.0f} / {statistics.median(rates):,.0f} |")
    print(f"| same, msgs per CPU-second best / median | {max(cpu_rates):,.0f} / "
          f"{statistics.median(cpu_rates):,.0f} |")


if __name__ == "__main__":
    main()
