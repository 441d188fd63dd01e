"""`unsilo publish check`: one object per draft in the contract's shape, bad lines by number on
stderr with exit 1, and nothing written."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role
from unsilo.demo import policy as demo_policy
from unsilo.org.models import SiloKind
from unsilo.publishing import actions
from unsilo.publishing.cli import publish
from unsilo.publishing.policy import CHECKS

KEYS = ["id", "checks", "reviewers", "auto_publish"]
CHECK_KEYS = ["name", "passed", "why", "reviewers"]


def _drafts(tmp_path, *lines) -> str:
    path = tmp_path / "drafts.jsonl"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line)
                              for line in lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_check_prints_the_contracts_shape_reports_bad_lines_and_writes_nothing(tmp_path):
    hub_silo = factories.silo("Social COE Hub", kind=SiloKind.HUB)
    for name in ("Marketing", "Legal", "Corporate Communications", "Customer Care"):
        factories.silo(name)
    lead = factories.user(Role.HUB_ADMIN,
                          person=factories.person(hub_silo, email="lead@m.example"))
    account = factories.account(factories.silo("EMEA Marketing"), network="instagram",
                                handle="meridian.de")
    demo_policy.seed_policy(Actor.system())
    actions.set_paused(Actor.system(), False)
    path = _drafts(
        tmp_path,
        {"id": "ok", "accounts": ["instagram:meridian.de"], "text": "Neu: der Ofen.",
         "author": "lead@m.example", "media": [{"alt": "Ein Ofen"}]},
        '{"id": "bad", "accounts": "x"}',
        {"id": "claim", "accounts": ["instagram:Meridian.DE"], "text": "Sauber, garantiert! #ad",
         "author": "lead@m.example", "sponsored": True, "links": ["https://evil.example"]},
        "not json")
    audit_rows = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        result = CliRunner().invoke(publish, ["check", path])
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == [] and AuditEvent.objects.count() == audit_rows
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [list(o) for o in out] == [KEYS, KEYS]
    for o in out:
        assert [c["name"] for c in o["checks"]] == list(CHECKS)
        assert all(list(c) == CHECK_KEYS for c in o["checks"])
    ok, claim = out
    assert ok["id"] == "ok" and ok["auto_publish"] is True and ok["reviewers"] == []
    assert claim["auto_publish"] is False
    assert claim["reviewers"] == ["Legal: reviewer", "Social COE Hub: captains"]
    failed = {c["name"] for c in claim["checks"] if not c["passed"]}
    assert failed == {"regulated_claims", "link_domains"}
    errors = [json.loads(line) for line in result.stderr.splitlines()]
    assert [e["line"] for e in errors] == [2, 4]
    assert "accounts:" in errors[0]["error"] and "text: missing field" in errors[0]["error"]
    assert "not valid JSON" in errors[1]["error"]
    assert account.certifications.get().person == lead.person


def test_the_command_runs_on_an_empty_company_and_leaves_the_database_as_it_was(tmp_path):
    env = {**os.environ, "UNSILO_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    unsilo = str(Path(sys.executable).with_name("unsilo"))
    assert subprocess.run([unsilo, "migrate"], env=env, capture_output=True,
                          timeout=120).returncode == 0
    database = tmp_path / "data" / "unsilo.sqlite3"
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    draft = json.dumps({"id": "1", "accounts": ["twitter:Nobody"], "text": "Hello",
                        "author": "a@b.example"})
    result = subprocess.run([unsilo, "publish", "check", "-"], env=env, capture_output=True,
                            text=True, timeout=120, input=draft + "\n")
    assert result.returncode == 0, result.stderr
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
    (line,) = result.stdout.splitlines()
    answer = json.loads(line)
    assert answer["auto_publish"] is False
    registered = next(c for c in answer["checks"] if c["name"] == "accounts_registered")
    assert registered["passed"] is False and "x:nobody" in registered["why"]
