"""`unsilo serve`, `worker`, `migrate` and `demo` as a person runs them: real processes."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
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


def start_demo(tmp_path, port):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["UNSILO_DATA_DIR"] = str(tmp_path)
    proc = subprocess.Popen([UNSILO, "demo", "--port", str(port)], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Press Ctrl-C to stop" in line:
            return proc, "".join(lines)
    proc.kill()
    pytest.fail("demo did not start:\n" + "".join(lines))


def stop(proc, sig=signal.SIGINT) -> str:
    proc.send_signal(sig)
    out, _ = proc.communicate(timeout=30)
    return out


def test_demo_serves_the_company_stops_on_ctrl_c_and_reuses_its_data(tmp_path):
    port = free_port()
    proc, banner = start_demo(tmp_path, port)
    try:
        assert f"http://127.0.0.1:{port}/" in banner
        assert "routing learned from 3,000 resolved conversations" in banner
        assert "Streaming demo messages into the inbox: ~12 per minute" in banner
        for role in ("Hub admin", "Spoke captain", "Responder", "Reviewer", "Viewer"):
            assert role in banner
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
            assert b'"status": "ok"' in r.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=10) as r:
            assert r.status == 200
    finally:
        out = stop(proc)
    assert proc.returncode == 0
    assert "Stopped." in out

    proc, banner = start_demo(tmp_path, port)
    out = stop(proc, signal.SIGTERM)  # as a service manager stops it
    assert proc.returncode == 0
    assert "Stopped." in out
    assert "Reusing the existing demo data" in banner
    assert "Hub admin" in banner


def test_import_into_a_database_that_is_not_migrated_gets_one_sentence(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("email,name,title,silo\nann@example.com,Ann,Analyst,Billing\n")
    result = run(["org", "import", str(people)], {}, tmp_path)
    assert result.returncode == 1
    assert "run `unsilo migrate` first" in result.stderr
    assert "Traceback" not in result.stderr
