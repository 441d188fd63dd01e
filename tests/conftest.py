import os

import pytest

# Playwright's sync API keeps an event loop in the test thread; the ORM calls there are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    # Tasks run where they are enqueued, so a test sees their effect; the worker has its own tests.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Argon2 is for production; tests need many logins quickly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def login(client):
    """Log the test client in as `user` and return the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
