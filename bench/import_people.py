"""How long `unsilo org import` takes for N people on SQLite, and how much memory it needs.

    .venv/bin/python bench/import_people.py            # 100,000 people
    .venv/bin/python bench/import_people.py 20000 --keep

Generates the CSV with bench/people_csv.py, runs `unsilo migrate` in a fresh data directory,
then times `unsilo org import` as a subprocess: the first import (everyone new), a re-import
of the same file (everyone unchanged) and one of a file where one person in ten has a new
title, reporting wall time, rows per second and the child's peak memory (maximum resident set).
"""

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from people_csv import HEADER, people_rows  # noqa: E402

UNSILO = REPO / ".venv" / "bin" / "unsilo"


def run(args: list[str], env: dict) -> tuple[float, float, str]:
    """(wall seconds, peak MiB, stdout) of one child; stops the benchmark if the child fails.

    The peak is the child's own ru_maxrss, from os.wait4 (the figure RUSAGE_CHILDREN keeps as
    a maximum over every child, here per run).
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen(args, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            sys.exit(f"{' '.join(args)} failed ({child.returncode}):\n{out.read()}\n{err.read()}")
        # ru_maxrss is in KiB on Linux.
        return seconds, usage.ru_maxrss / 1024, out.read()


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=100_000, help="people (100000)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="unsilo-bench-import-"))
    csv_path, changed_path = work / "people.csv", work / "people-changed.csv"
    rows = people_rows(args.n)
    write_csv(csv_path, rows)
    # One person in ten gets a new title, as after a reorganisation.
    write_csv(changed_path, [[*row[:2], f"Principal {row[2]}", *row[3:]] if i % 10 == 0 else row
                             for i, row in enumerate(rows)])
    env = {**os.environ, "UNSILO_DATA_DIR": str(work / "data")}
    env.pop("DATABASE_URL", None)
    run([str(UNSILO), "migrate"], env)

    results = []
    for label, path in (("first import (all new)", csv_path),
                        ("re-import (all unchanged)", csv_path),
                        ("re-import (1 in 10 changed)", changed_path)):
        seconds, peak, out = run([str(UNSILO), "org", "import", str(path)], env)
        results.append((label, seconds, peak, out.strip()))

    size = csv_path.stat().st_size / 1024 / 1024
    print(f"unsilo org import, {args.n:,} people ({size:.1f} MiB CSV), SQLite, "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"{'run':<28} {'wall s':>8} {'rows/s':>10} {'peak MiB':>9}")
    for label, seconds, peak, _ in results:
        print(f"{label:<28} {seconds:>8.1f} {args.n / seconds:>10,.0f} {peak:>9.0f}")
    for label, _, _, out in results:
        print(f"  {label}: {out}")
    if args.keep:
        print(f"data kept in {work}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
