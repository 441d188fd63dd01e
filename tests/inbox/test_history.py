"""Importing resolved history: errors by line, all or nothing, idempotent, silos and people
created, one summary audit row, a retrained model."""

import json

import pytest
from click.testing import CliRunner

from tests import factories
from tests.inbox.factories import billing_history, history_line, jsonl
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox.cli.routing import inbox
from unsilo.inbox.history import import_history
from unsilo.inbox.models import HistorySource, ResolvedExample, RoutingModel
from unsilo.org.models import Person, Silo

pytestmark = pytest.mark.django_db


def system():
    return Actor.system()


def test_every_bad_line_is_listed_and_nothing_is_written():
    good = history_line(1, "Billing", "refund please", "ann@x.com")
    data = b"\n".join([
        json.dumps(good).encode(),
        b'{"id": "h2", "network": "x"',
        json.dumps(history_line(3, "Billing", "hi", created_at="yesterday")).encode(),
        json.dumps({k: v for k, v in history_line(4, "Billing", "hi").items()
                    if k != "resolved_by_silo"}).encode(),
        json.dumps(history_line(5, "Billing", "nul \u0000 here")).encode(),
        json.dumps(history_line(6, "Billing", "caf\u00e9"), ensure_ascii=False).encode().replace(
            "\u00e9".encode(), b"\xe9"),
        json.dumps(history_line(7, "Billing", "hi", "not-an-email")).encode(),
        json.dumps(history_line(1, "Billing", "same id again")).encode(),
        json.dumps(history_line(9, 42, "silo is a number")).encode(),
    ])
    before = factories.org_counts()
    report = import_history(data, system())
    errors = dict(report.errors)
    assert sorted(errors) == [2, 3, 4, 5, 6, 7, 8, 9]
    assert "not valid JSON" in errors[2]
    assert "created_at" in errors[3] and "ISO 8601" in errors[3]
    assert "resolved_by_silo: missing field" in errors[4]
    assert "text: contains a NUL byte" in errors[5]
    assert "not UTF-8 (byte 0xe9" in errors[6]
    assert 'resolved_by: "not-an-email" is not an email address' in errors[7]
    assert 'duplicate id "h1" on x (first on line 1)' in errors[8]
    assert "resolved_by_silo: must be a string" in errors[9]
    assert ResolvedExample.objects.count() == 0
    assert RoutingModel.objects.count() == 0
    assert factories.org_counts() == before


def test_import_creates_missing_silos_and_people_and_one_summary_audit_row():
    factories.silo("Billing")
    known = factories.person(Silo.objects.get(name="Billing"), email="ann@x.com")
    items = billing_history("ann@x.com", "dana.ruiz@x.com", "tom.park@x.com", per_topic=4)
    report = import_history(jsonl(items), system())
    assert report.ok and report.created == 12 and report.updated == report.unchanged == 0
    assert report.silos_created == ["Logistics"]
    assert sorted(report.people_created) == ["dana.ruiz@x.com", "tom.park@x.com"]
    dana = Person.objects.get(email="dana.ruiz@x.com")
    assert (dana.name, dana.title, dana.silo.name) == ("Dana Ruiz", "", "Billing")
    assert Person.objects.get(email="tom.park@x.com").silo.name == "Logistics"
    example = ResolvedExample.objects.get(key="import:x:h1")
    assert (example.source, example.person, example.silo.name) == (
        HistorySource.IMPORT, known, "Billing")
    assert AuditEvent.objects.filter(action="import_history").count() == 1
    summary = AuditEvent.objects.get(action="import_history")
    assert summary.changes["created"] == 12
    assert AuditEvent.objects.filter(action="create", object_type="org.person").count() == 2
    assert AuditEvent.objects.filter(action="create", object_type="org.silo").count() == 1
    assert report.model is not None and report.model.examples == 12


def test_importing_the_same_file_twice_changes_nothing():
    data = jsonl(billing_history("ann@x.com", "bob@x.com", "cat@x.com", per_topic=4))
    first = import_history(data, system())
    counts = (factories.org_counts(), ResolvedExample.objects.count(),
              RoutingModel.objects.count())
    again = import_history(data, system())
    assert again.ok and not again.changed_anything
    assert (again.created, again.updated, again.unchanged) == (0, 0, 12)
    assert again.model is None
    assert (factories.org_counts(), ResolvedExample.objects.count(),
            RoutingModel.objects.count()) == counts
    assert first.model is not None


def test_a_changed_line_updates_its_example():
    items = billing_history("ann@x.com", "bob@x.com", "cat@x.com", per_topic=4)
    import_history(jsonl(items), system())
    items[0]["resolved_by_silo"] = "Logistics"
    report = import_history(jsonl(items), system())
    assert (report.created, report.updated, report.unchanged) == (0, 1, 11)
    assert ResolvedExample.objects.get(key="import:x:h1").silo.name == "Logistics"


def test_only_those_who_manage_routing_may_import():
    captain = factories.actor(Role.CAPTAIN, factories.silo("Billing"))
    with pytest.raises(Exception, match="may not"):
        import_history(jsonl([history_line(1, "Billing", "refund")]), captain)
    assert ResolvedExample.objects.count() == 0


def test_the_cli_imports_with_a_progress_bar_and_prints_the_new_model(tmp_path):
    path = tmp_path / "history.jsonl"
    path.write_bytes(jsonl(billing_history("ann@x.com", "bob@x.com", "cat@x.com")))
    result = CliRunner().invoke(inbox, ["import-history", str(path)])
    assert result.exit_code == 0, result.output
    assert "36 examples created" in result.stdout
    assert "2 silos created (Billing, Logistics)" in result.stdout
    assert "3 people created" in result.stdout
    assert "Routing model v1 trained on 36 examples" in result.stdout
    assert "Validating" in result.stderr or "validating" in result.stderr
    again = CliRunner().invoke(inbox, ["import-history", str(path)])
    assert again.exit_code == 0
    assert "Nothing changed: all 36 lines" in again.stdout


def test_the_cli_lists_bad_lines_and_exits_1(tmp_path):
    path = tmp_path / "history.jsonl"
    path.write_bytes(jsonl([history_line(1, "Billing", "ok"), {"id": "h2"}]))
    result = CliRunner().invoke(inbox, ["import-history", str(path)])
    assert result.exit_code == 1
    assert "line 2: network: missing field" in result.stderr
    assert "Nothing was imported: 1 line needs fixing" in result.stderr
    assert ResolvedExample.objects.count() == 0
