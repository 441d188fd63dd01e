"""Other workers in a test: threads, each on its own database connection (PostgreSQL runs
them side by side; SQLite one writer at a time)."""

import threading
import time

from django.db import OperationalError, connection


def wait_when_locked(execute, sql, params, many, context):
    """The tests' in-memory SQLite shares one cache between threads and says "table is locked"
    at once where a database file waits its busy_timeout; wait likewise (no-op on PostgreSQL)."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return execute(sql, params, many, context)
        except OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.002)


def as_another_worker(func, *args, **kwargs):
    """Run `func` to the end in another thread on its own connection, as a second worker
    would, while the caller waits where it stands; returns its result or raises its error."""
    outcome = {}

    def run():
        try:
            with connection.execute_wrapper(wait_when_locked):
                outcome["result"] = func(*args, **kwargs)
        except BaseException as error:  # noqa: BLE001 - raised again in the caller
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    if thread.is_alive():
        raise TimeoutError(f"{func.__name__} did not finish in the other worker")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")
