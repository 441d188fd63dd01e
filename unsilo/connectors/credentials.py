"""Secrets at rest: encrypted with Fernet (AES-128-CBC + HMAC-SHA256, `cryptography`), the key
from the environment, readable only where a worker opens a session.

UNSILO_CREDENTIALS_KEY holds the key (`unsilo keys generate` prints one). To rotate: put the
new key in UNSILO_CREDENTIALS_KEY, the old one in UNSILO_CREDENTIALS_OLD_KEYS (comma-separated),
run `unsilo keys rotate`, then drop the old key. The embedded default (`unsilo demo`, no key
in the environment) keeps a key file beside the database, as it does for the secret key.

Who may read: the web process only ever encrypts (connect forms, OAuth callbacks) and checks
webhook signatures with `hook_secret`. Opening a session — decrypting tokens — happens only
inside `worker_access()`, which the task runner and `unsilo listen` enter; elsewhere it raises.
"""

import contextlib
import contextvars
import json
import os
from collections.abc import Iterator

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from unsilo import config
from unsilo.connectors.base import Session
from unsilo.connectors.models import Connection
from unsilo.core import audit
from unsilo.core.actor import Actor

KEY_ENV = "UNSILO_CREDENTIALS_KEY"
OLD_KEYS_ENV = "UNSILO_CREDENTIALS_OLD_KEYS"
KEY_FILE = "credentials_key"


class CredentialError(Exception):
    """The key is missing or wrong; the message is one sentence a person can act on."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


def _keys() -> list[str]:
    key = os.environ.get(KEY_ENV, "").strip()
    if not key:
        if not getattr(settings, "UNSILO_EMBEDDED", True):
            raise CredentialError(f"{KEY_ENV} is not set: run `unsilo keys generate` and put "
                                  "its output in the environment of every web and worker "
                                  "process.")
        key = _local_key()
    old = [k.strip() for k in os.environ.get(OLD_KEYS_ENV, "").split(",") if k.strip()]
    return [key, *old]


def _local_key() -> str:
    key_file = config.data_dir() / KEY_FILE
    if not key_file.exists():
        key_file.write_text(generate_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(k.encode()) for k in _keys()])
    except ValueError as error:
        raise CredentialError(f"{KEY_ENV} is not a valid key (32 url-safe base64-encoded "
                              "bytes); `unsilo keys generate` prints one.") from error


def encrypt(secret: dict) -> str:
    return _fernet().encrypt(json.dumps(secret).encode()).decode()


def _decrypt(token: str) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as error:
        raise CredentialError(f"a stored credential does not open with {KEY_ENV}: the key "
                              "changed without `unsilo keys rotate` (put the old key in "
                              f"{OLD_KEYS_ENV}).") from error


# Who may read ---------------------------------------------------------------------------------

_worker = contextvars.ContextVar("unsilo_worker_access", default=False)


@contextlib.contextmanager
def worker_access() -> Iterator[None]:
    """Mark the code inside as worker code, which may decrypt tokens."""
    token = _worker.set(True)
    try:
        yield
    finally:
        _worker.reset(token)


def open_session(connection: Connection) -> Session:
    """The decrypted credentials of a connection, for one piece of worker work."""
    if not _worker.get():
        raise PermissionError("credentials are opened only by workers (worker_access())")
    account = connection.account
    opened = {"from": connection.secret}

    def save(secret: dict) -> None:
        store_secret(connection, secret)
        opened["from"] = connection.secret

    def renewed_elsewhere() -> bool:
        stored = Connection.objects.filter(pk=connection.pk).values_list("secret", flat=True)
        return stored.first() not in (None, opened["from"])

    return Session(network=connection.network, handle=account.handle,
                   external_id=connection.external_id, options=dict(connection.options),
                   secret=_decrypt(connection.secret), save_secret=save,
                   renewed_elsewhere=renewed_elsewhere, hook_secret=hook_secret(connection))


def renewed_elsewhere(session: Session | None) -> bool:
    """Whether another worker stored new credentials after this session was opened — a token
    it refreshed meanwhile (networks whose refresh tokens work once refuse ours then). Such a
    refusal says nothing about the account: try again with the new token."""
    return session is not None and session.renewed_elsewhere()


def hook_secret(connection: Connection) -> str:
    """The webhook signing secret (the web process checks signatures with it)."""
    return _decrypt(connection.hook_secret).get("secret", "")


def store_secret(connection: Connection, secret: dict) -> None:
    """Encrypt and save a connection's secret at once (its own small transaction)."""
    connection.secret = encrypt(secret)
    connection.updated_at = timezone.now()
    with transaction.atomic():
        Connection.objects.filter(pk=connection.pk).update(
            secret=connection.secret, updated_at=connection.updated_at)


def rotate(actor: Actor, progress=None) -> int:
    """Re-encrypt every stored secret under the current key, all in one transaction (a
    failure changes nothing) with one audit row saying how many (never a key or a secret);
    returns how many connections were read."""
    fernet = _fernet()
    done = 0
    with transaction.atomic():
        rows = list(Connection.objects.select_for_update().order_by("pk")
                    .only("pk", "secret", "hook_secret"))
        for row in rows:
            try:
                fields = {name: fernet.rotate(getattr(row, name).encode()).decode()
                          for name in ("secret", "hook_secret") if getattr(row, name)}
            except InvalidToken as error:
                raise CredentialError(
                    f"connection {row.pk} does not open with any key given: put the key it "
                    f"was written with in {OLD_KEYS_ENV} and run this again.") from error
            if fields:
                Connection.objects.filter(pk=row.pk).update(**fields)
            done += 1
            if progress:
                progress(done, len(rows))
        old_keys = len(_keys()) - 1
        row = audit.event(actor, "credentials_rotated", Connection(),
                          {"connections": [None, done], "old_keys_read": [None, old_keys]})
        row.object_id = ""
        row.object_repr = f"Credentials of {done:,} connections re-encrypted under a new key"
        row.save()
    return done
