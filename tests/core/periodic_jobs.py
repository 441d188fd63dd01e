"""Periodic jobs for the worker tests (tests/core/test_periodic.py), registered by the worker
processes those tests start (`worker_code`); a file in the data directory says what they did."""

import os
import time
from pathlib import Path

DATA = Path(os.environ.get("UNSILO_DATA_DIR", "."))


def slow() -> None:
    """A job that holds its worker until the test lets it go (at most five minutes)."""
    (DATA / "slow-started").write_text(str(time.time()))
    deadline = time.monotonic() + 300
    while not (DATA / "slow-release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def busy() -> None:
    """A job that takes a while, so many workers' hearts find it waiting or running."""
    time.sleep(0.3)


def worker_code(job: str, seconds: float) -> str:
    """Python for a real `unsilo worker` process with `job` registered every `seconds`."""
    return (
        "from unsilo import config; config.setup_django()\n"
        "from unsilo.core import periodic\n"
        "from tests.core import periodic_jobs\n"
        f"periodic.every({seconds}, periodic_jobs.{job})\n"
        "from unsilo.cli import main\n"
        "main(['worker', '--interval', '0.1'])\n"
    )
