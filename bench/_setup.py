"""Shared set-up for benchmarks: a fresh database (SQLite file in a temporary data directory,
or a fresh PostgreSQL database when --postgres is given), migrated, with Django loaded."""

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from unsilo.core import children  # noqa: E402


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}, "
            f"{time.strftime('%Y-%m-%d')}")


def fresh_database(postgres: bool, name: str = "unsilo_bench") -> dict:
    """Point the environment at an empty database and return the env for child processes."""
    data_dir = tempfile.mkdtemp(prefix="unsilo-bench-")
    os.environ["UNSILO_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    if postgres:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "unsilo.settings"
    return dict(os.environ)


def migrate() -> None:
    subprocess.run([str(Path(sys.executable).with_name("unsilo")), "migrate"], check=True,
                   stdout=subprocess.DEVNULL)


def setup_django() -> None:
    import django

    django.setup()


def company_for_processes(postgres: bool, name: str) -> dict:
    """A fresh, migrated database that real `unsilo serve` / `unsilo worker` processes can use
    (they need DATABASE_URL, a secret key, a credentials key and the host names); Django set
    up here too. Returns their env."""
    env = fresh_database(postgres, name=name)
    if not postgres:
        env["DATABASE_URL"] = f"sqlite:///{env['UNSILO_DATA_DIR']}/unsilo.sqlite3"
    env.setdefault("UNSILO_SECRET_KEY", "b" * 40)
    env.setdefault("UNSILO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("UNSILO_CREDENTIALS_KEY", os.environ.get("UNSILO_CREDENTIALS_KEY")
                   or "YmVuY2gta2V5LWJlbmNoLWtleS1iZW5jaC1rZXktMDE=")
    os.environ.update(env)
    migrate()
    setup_django()
    return env


def stop_processes(procs: list) -> None:
    """Ask every child process to stop, then kill the process groups still running after 30 s
    (children.start put each in its own)."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        children.stop(proc, grace=30.0)
