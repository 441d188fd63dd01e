"""`unsilo serve`, `worker`, `migrate` and `demo` as a person runs them: real processes."""

import os
import queue
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

UNSILO = str(Path(sys.executable).with_name("unsilo"))
GOOD_KEY = "k" * 40


def run(args, env_extra, tmp_path, timeout=60):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "UNSILO_SECRET_KEY")}
    env.update({"UNSILO_DATA_DIR": str(tmp_path), **env_extra})
    return subprocess.run([UNSILO, *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("command", ["serve", "worker"])
@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"UNSILO_SECRET_KEY": GOOD_KEY}, "DATABASE_URL is not set"),
        ({"DATABASE_URL": "mysql://x@127.0.0.1/x", "UNSILO_SECRET_KEY": GOOD_KEY},
         "DATABASE_URL has the scheme 'mysql'"),
        ({"DATABASE_URL": "postgres://u@127.0.0.1:5432/x"}, "UNSILO_SECRET_KEY is missing"),
        ({"DATABASE_URL": "postgres://u@127.0.0.1:5432/x", "UNSILO_SECRET_KEY": GOOD_KEY,
          "UNSILO_CREDENTIALS_KEY": ""}, "UNSILO_CREDENTIALS_KEY is not set"),
        ({"DATABASE_URL": "postgres://u@127.0.0.1:5432/x", "UNSILO_SECRET_KEY": GOOD_KEY,
          "UNSILO_CREDENTIALS_KEY": "not-a-key"}, "UNSILO_CREDENTIALS_KEY is not a valid key"),
        ({"DATABASE_URL": "postgres://u@127.0.0.1:1/x", "UNSILO_SECRET_KEY": GOOD_KEY},
         "The database does not answer"),
    ],
)
def test_production_start_stops_with_one_clear_sentence(command, env, says, tmp_path):
    result = run([command], env, tmp_path)
    assert result.returncode == 1
    assert says in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_refuses_a_database_that_is_not_migrated(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite3", "UNSILO_SECRET_KEY": GOOD_KEY}
    result = run(["serve"], env, tmp_path)
    assert result.returncode == 1
    assert "run `unsilo migrate` first" in result.stderr


def test_migrate_creates_an_empty_company_database(tmp_path):
    result = run(["migrate"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Database ready: sqlite" in result.stdout
    with sqlite3.connect(tmp_path / "unsilo.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT count(*) FROM org_person").fetchone()[0] == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_demo(processes, tmp_path, port):
    """`unsilo demo` started, with its banner; the `processes` fixture ends it whatever
    happens."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["UNSILO_DATA_DIR"] = str(tmp_path)
    proc = processes([UNSILO, "demo", "--port", str(port)], env=env, text=True,
                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    # Lines come through a queue, so a demo that hangs without a word fails at the deadline
    # instead of blocking the test on readline().
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout] + [lines.put("")],
                     daemon=True).start()
    seen = []
    deadline = time.monotonic() + 120
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if not line:
            break
        seen.append(line)
        if "Press Ctrl-C to stop" in line:
            return proc, lines, "".join(seen)
    pytest.fail("demo did not start:\n" + "".join(seen))


def stop(proc, lines, sig=signal.SIGINT) -> str:
    """Stop the demo as a person (Ctrl-C) or a service manager (SIGTERM) does; its output
    after the banner."""
    proc.send_signal(sig)
    proc.wait(timeout=30)
    out = []
    while (line := lines.get(timeout=10)) != "":
        out.append(line)
    return "".join(out)


def test_demo_serves_the_company_stops_on_ctrl_c_and_reuses_its_data(processes, tmp_path):
    port = free_port()
    proc, lines, banner = start_demo(processes, tmp_path, port)
    assert f"http://127.0.0.1:{port}/" in banner
    assert "routing learned from 3,000 resolved conversations" in banner
    assert "Streaming demo messages into the inbox: ~12 per minute" in banner
    for role in ("Hub admin", "Spoke captain", "Responder", "Reviewer", "Viewer"):
        assert role in banner
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
        assert b'"status": "ok"' in r.read()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=10) as r:
        assert r.status == 200
    out = stop(proc, lines)
    assert proc.returncode == 0
    assert "Stopped." in out

    proc, lines, banner = start_demo(processes, tmp_path, port)
    out = stop(proc, lines, signal.SIGTERM)  # as a service manager stops it
    assert proc.returncode == 0
    assert "Stopped." in out
    assert "Reusing the existing demo data" in banner
    assert "Hub admin" in banner


def test_a_test_that_times_out_leaves_no_process_behind(tmp_path):
    """What the `processes` fixture does when a test fails: the whole group goes, even a
    grandchild and a process that ignores SIGTERM."""
    from unsilo.core import children

    pid_file = tmp_path / "grandchild.pid"
    script = (f"import os, signal, subprocess, sys, time; signal.signal(signal.SIGTERM, "
              f"signal.SIG_IGN); g = subprocess.Popen([sys.executable, '-c', "
              f"'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
              f"time.sleep(600)']); open({str(pid_file)!r}, 'w').write(str(g.pid)); "
              f"time.sleep(600)")
    proc = children.start([sys.executable, "-c", script])
    deadline = time.monotonic() + 30
    while not (pid_file.exists() and pid_file.read_text()):
        assert time.monotonic() < deadline, "the grandchild did not start"
        time.sleep(0.05)
    grandchild = int(pid_file.read_text())
    with pytest.raises(subprocess.TimeoutExpired):
        proc.wait(timeout=0.2)  # the test "times out"
    children.stop(proc, grace=0.5)
    assert proc.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while alive(grandchild):
        assert time.monotonic() < deadline, "the grandchild outlived its test"
        time.sleep(0.05)


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_import_into_a_database_that_is_not_migrated_gets_one_sentence(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("email,name,title,silo\nann@example.com,Ann,Analyst,Billing\n")
    result = run(["org", "import", str(people)], {}, tmp_path)
    assert result.returncode == 1
    assert "run `unsilo migrate` first" in result.stderr
    assert "Traceback" not in result.stderr
