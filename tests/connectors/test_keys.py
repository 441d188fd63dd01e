"""`unsilo keys generate` and `unsilo keys rotate` as an operator runs them: real processes on
a SQLite file. After a rotation the old key alone opens nothing and the new key alone opens
everything; a failed rotation changes nothing."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken

UNSILO = str(Path(sys.executable).with_name("unsilo"))
ROOT = Path(__file__).resolve().parents[2]
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
SEED = """
import django
django.setup()
from tests.connectors.factories import connection
for i in range(3):
    connection("bluesky", secret={"app_password": f"pw-{i}"},
               hook_secret="hook-secret" if i == 0 else "")
"""


def env(tmp_path, **keys) -> dict:
    base = {k: v for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "UNSILO_CREDENTIALS_KEY", "UNSILO_CREDENTIALS_OLD_KEYS")}
    return {**base, "UNSILO_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "unsilo.settings",
            **keys}


def run(args, environment):
    return subprocess.run([UNSILO, *args], env=environment, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A migrated SQLite file with three connections encrypted under OLD (made once)."""
    directory = tmp_path_factory.mktemp("keys")
    assert run(["migrate"], env(directory)).returncode == 0
    seeded = subprocess.run([sys.executable, "-c", SEED], cwd=ROOT, capture_output=True,
                            text=True, env=env(directory, UNSILO_CREDENTIALS_KEY=OLD),
                            timeout=120)
    assert seeded.returncode == 0, seeded.stderr
    return directory / "unsilo.sqlite3"


@pytest.fixture
def database(seeded, tmp_path):
    """A copy of the seeded database for one test (SQLite's online backup: WAL included)."""
    copy = tmp_path / "unsilo.sqlite3"
    with sqlite3.connect(seeded) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return copy


def stored(database) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT secret, hook_secret FROM connectors_connection "
                          "ORDER BY id").fetchall()


def opens(key: str, token: str) -> dict | None:
    try:
        return json.loads(Fernet(key.encode()).decrypt(token.encode()))
    except InvalidToken:
        return None


def test_generate_prints_a_new_valid_key_each_time(tmp_path):
    first, second = (run(["keys", "generate"], env(tmp_path)) for _ in range(2))
    assert first.returncode == 0
    key = first.stdout.strip()
    Fernet(key.encode())  # a valid key, or this raises
    assert key != second.stdout.strip()


def test_rotate_re_encrypts_everything_so_only_the_new_key_opens_it(database, tmp_path):
    result = run(["keys", "rotate"], env(tmp_path, UNSILO_CREDENTIALS_KEY=NEW,
                                         UNSILO_CREDENTIALS_OLD_KEYS=OLD))
    assert result.returncode == 0, result.stderr
    assert "Re-encrypted the credentials of 3 connections under the new key." in result.stdout
    assert "drop the old key" in result.stdout
    assert "Re-encrypting credentials" in result.stderr  # the progress bar
    rows = stored(database)
    assert [opens(NEW, secret) for secret, _ in rows] == [{"app_password": f"pw-{i}"}
                                                          for i in range(3)]
    assert opens(NEW, rows[0][1]) == {"secret": "hook-secret"} and rows[1][1] == ""
    assert all(opens(OLD, secret) is None for secret, _ in rows)
    assert opens(OLD, rows[0][1]) is None


def test_a_rotation_leaves_one_audit_row_that_names_no_key_and_no_secret(database, tmp_path):
    result = run(["keys", "rotate"], env(tmp_path, UNSILO_CREDENTIALS_KEY=NEW,
                                         UNSILO_CREDENTIALS_OLD_KEYS=OLD))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT action, via, actor_label, object_repr, changes "
                          "FROM core_auditevent WHERE action = 'credentials_rotated'").fetchall()
    ((action, via, actor, what, changes),) = rows
    assert (via, actor.startswith("cli:")) == ("cli", True)
    assert what == "Credentials of 3 connections re-encrypted under a new key"
    assert json.loads(changes) == {"connections": [None, 3], "old_keys_read": [None, 1]}
    row = " ".join(rows[0])
    for secret in (OLD, NEW, "pw-0", "hook-secret", *(s for pair in stored(database)
                                                       for s in pair if s)):
        assert secret not in row


def test_a_row_no_key_opens_stops_the_rotation_and_changes_nothing(database, tmp_path):
    before = stored(database)
    result = run(["keys", "rotate"], env(tmp_path, UNSILO_CREDENTIALS_KEY=NEW))
    assert result.returncode == 1
    assert "does not open with any key given" in result.stderr
    assert "Nothing was changed." in result.stderr and "Traceback" not in result.stderr
    assert stored(database) == before
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM core_auditevent WHERE action = "
                          "'credentials_rotated'").fetchone() == (0,)


@pytest.mark.parametrize(("keys", "says"), [
    ({}, "UNSILO_CREDENTIALS_KEY is not set"),
    ({"UNSILO_CREDENTIALS_KEY": "not-a-key"}, "UNSILO_CREDENTIALS_KEY is not a valid key"),
])
def test_a_missing_or_invalid_key_is_one_sentence(database, tmp_path, keys, says):
    before = stored(database)
    result = run(["keys", "rotate"], env(tmp_path, **keys))
    assert result.returncode == 1
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert stored(database) == before
