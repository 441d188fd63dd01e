"""`unsilo route` (the real command, on its own SQLite database) and `unsilo routing evaluate`."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.inbox.factories import billing_history, history_line, jsonl
from unsilo.core.actor import Actor
from unsilo.inbox.cli.routing import routing
from unsilo.inbox.history import import_history
from unsilo.inbox.routing.router import Router

KEYS = ["id", "silo", "assignee", "confidence", "intent", "sentiment", "language", "urgency",
        "risk", "reasons"]


def unsilo(env, *args, stdin=None):
    command = [str(Path(sys.executable).with_name("unsilo")), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                          input=stdin)


def test_route_prints_one_object_per_line_in_the_contracts_shape_and_writes_nothing(tmp_path):
    env = {**os.environ, "UNSILO_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    assert unsilo(env, "migrate").returncode == 0
    history = tmp_path / "history.jsonl"
    history.write_bytes(jsonl(billing_history("ann@x.com", "bob@x.com", "cat@x.com")))
    imported = unsilo(env, "inbox", "import-history", str(history))
    assert imported.returncode == 0, imported.stderr
    assert "Routing model v1 trained on 36 examples" in imported.stdout
    messages = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": "a1", "network": "x", "text": "where is my refund for order 12",
                         "author": "@jo", "created_at": "2026-12-01T10:00:00Z"}),
             '{"id": "a2", "network": "x"}',
             json.dumps({"id": "a3", "network": "x", "text": "my parcel never arrived 😡",
                         "author": "@jo", "created_at": "2026-12-01T10:00:00Z", "lang": "en"})]
    messages.write_text("\n".join(lines) + "\n", encoding="utf-8")
    database = tmp_path / "data" / "unsilo.sqlite3"
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    result = unsilo(env, "route", str(messages))
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
    assert result.returncode == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [list(o) for o in out] == [KEYS, KEYS]
    assert [(o["id"], o["silo"], o["assignee"]) for o in out] == [
        ("a1", "Billing", "ann@x.com"), ("a3", "Logistics", "cat@x.com")]
    for o in out:
        assert 0 <= o["confidence"] <= 1
        assert isinstance(o["risk"], list) and o["reasons"]
        assert o["sentiment"] in {"positive", "neutral", "negative"}
    error = json.loads(result.stderr.strip().splitlines()[-1])
    assert error["line"] == 2 and "text: missing field" in error["error"]


@pytest.mark.django_db
def test_evaluate_prints_unsilo_and_the_keyword_baseline_side_by_side(tmp_path):
    Router._cached = Router._model = None
    import_history(jsonl(billing_history("ann@x.com", "bob@x.com", "cat@x.com")),
                   Actor.system())
    held_out = tmp_path / "held_out.jsonl"
    held_out.write_bytes(jsonl([
        history_line(901, "Billing", "refund still not paid back for order 55", "ann@x.com"),
        history_line(902, "Billing", "please send the invoice for order 56", "bob@x.com"),
        history_line(903, "Logistics", "the courier lost my parcel", "cat@x.com"),
        history_line(904, "Logistics", "delivery is late, no sign of the van"),
    ]))
    result = CliRunner().invoke(routing, ["evaluate", str(held_out)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "unsilo" in out and "keyword baseline" in out
    for label in ("silo accuracy", "person hit@1", "person hit@3", "Confusion matrix"):
        assert label in out
    assert "Held-out lines: 4 (3 name who resolved them)" in out
    as_json = json.loads(CliRunner().invoke(routing, ["evaluate", "--json",
                                                      str(held_out)]).stdout)
    assert as_json["unsilo"]["lines"] == 4 and as_json["unsilo"]["lines_with_person"] == 3
    assert as_json["unsilo"]["silo_accuracy"] == 1.0
    assert {"silo_accuracy", "person_hit1", "person_hit3", "confusion"} <= \
        as_json["keyword_baseline"].keys()
