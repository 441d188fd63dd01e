import datetime
import os
import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread

from tests import factories
from unsilo.core import children
from unsilo.core.models import Role
from unsilo.org.models import SiloKind

# Playwright's sync API keeps an event loop in the test thread; the ORM calls there are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# A fixed credentials key, so both databases' runs encrypt alike (connectors/credentials.py).
os.environ.setdefault("UNSILO_CREDENTIALS_KEY", "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0=")


def pytest_collection_modifyitems(config, items):
    """Race tests need workers side by side, which only PostgreSQL runs; scripts/test.sh runs
    the suite again on PostgreSQL and sets UNSILO_TEST_POSTGRESQL=1, so there they must run."""
    if os.environ.get("UNSILO_TEST_POSTGRESQL") == "1" and connection.vendor != "postgresql":
        raise pytest.UsageError("UNSILO_TEST_POSTGRESQL=1 but DATABASE_URL is not PostgreSQL: "
                                "the race tests would not run.")
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="a race of workers side by side: PostgreSQL only "
                                   "(make test runs it there)")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    # Tasks run where they are enqueued, so a test sees their effect; the worker has its own tests.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Argon2 is for production; tests need many logins quickly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The demo connector's customer answers only in the tests that ask for it.
    settings.UNSILO_DEMO_FOLLOWUP = 0
    # Replies from accounts not connected to a network go to the demo connector, as in the demo;
    # the connector tests connect accounts for real.
    settings.UNSILO_DEMO_DELIVERY = True
    # Test networks (FakeAPI, the local PDS) live on loopback.
    settings.UNSILO_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def login(client):
    """Log the test client in as `user` and return the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api(client):
    """The test client sending a real API token of `user` on every request."""

    def _as(user):
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {factories.api_token(user)}"
        return client

    return _as


@pytest.fixture
def admin():
    """A hub admin, lead@example.com, whose person sits in the hub silo COE."""
    coe = factories.silo("COE", kind=SiloKind.HUB)
    return factories.user(Role.HUB_ADMIN, coe, email="lead@example.com")


@pytest.fixture
def sales():
    return factories.silo("Sales")


@pytest.fixture
def processes():
    """start(args, **popen_kwargs): a child process in its own process group, which this
    fixture kills with everything it spawned when the test ends, however it ends."""
    started = []

    def start(args, **kwargs):
        proc = children.start(args, **kwargs)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        children.stop(proc, grace=5.0)


@pytest.fixture
def always_working_hours(monkeypatch):
    """The default working hours (09:00–17:00, Monday to Friday) made the whole week, for
    tests about something else that must not depend on the time of day they run at."""
    from unsilo.inbox.routing import availability

    monkeypatch.setattr(availability, "WORK_START", datetime.time(0))
    monkeypatch.setattr(availability, "WORK_END", datetime.time.max)
    monkeypatch.setattr(availability, "WORKDAYS", tuple(range(7)))


class _OneRequestAtATime(ThreadedWSGIServer):
    """The live server for SQLite's in-memory test database, where every request thread shares
    one connection (Django's connections_override): two requests at once (a pane loading while
    the list reloads) would use it together and fail with "cannot open savepoint - SQL
    statements in progress". Requests still come in on their own threads (keep-alive does
    not block), but the application answers one at a time, as a file database's own
    connection per thread would allow in production."""

    lock = threading.Lock()

    def set_app(self, application):
        def one_at_a_time(environ, start_response):
            with self.lock:
                answer = application(environ, start_response)
                try:
                    return list(answer)
                finally:
                    if hasattr(answer, "close"):
                        answer.close()

        super().set_app(one_at_a_time)


if connection.vendor == "sqlite":
    LiveServerThread.server_class = _OneRequestAtATime
