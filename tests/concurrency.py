"""Helpers for tests that run database work in several threads at once."""

import time

from django.db import OperationalError


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
