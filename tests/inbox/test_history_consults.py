"""Resolved history's `answered_at`, `resolved_at` and `consulted` (docs/product.md, "JSON
Lines"): stored for analytics, bad values are bad lines naming the field, re-imports change
nothing, consulted people count as expertise for "Find an expert", and the inbox records the
same for the conversations it resolves."""

import datetime
import json

import pytest
from django.utils import timezone

from tests import factories
from tests.inbox import factories as inbox
from tests.inbox.factories import history_line, jsonl
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox import actions
from unsilo.inbox.history import import_history
from unsilo.inbox.models import (
    ConsultStatus,
    Direction,
    ResolvedConsult,
    ResolvedExample,
    RoutingModel,
)
from unsilo.org.models import Person

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def system():
    return Actor.system()


def consults(key: str) -> set[str]:
    return set(ResolvedConsult.objects.filter(example__key=key)
               .values_list("person__email", flat=True))


def timed(n, silo="Billing", text="refund for order {n} please", resolved_by="ann@x.com",
          **fields):
    fields.setdefault("answered_at", "2026-03-01T11:00:00+01:00")
    fields.setdefault("resolved_at", "2026-03-02T09:30:00Z")
    return history_line(n, silo, text.format(n=n), resolved_by, **fields)


def test_times_and_consults_are_stored_and_unknown_consultees_are_created_as_resolvers_are():
    legal = factories.silo("Legal")
    lou = factories.person(legal, email="lou@x.com")
    report = import_history(jsonl([
        timed(1, consulted=["LOU@x.com", "new.expert@x.com", "lou@x.com", "ann@x.com"]),
        timed(2, consulted=[]),
        history_line(3, "Logistics", "where is my parcel", "tom@x.com",
                     consulted=["ann@x.com"]),
    ]), system())
    assert report.ok and report.created == 3 and report.consults == 3
    example = ResolvedExample.objects.get(key="import:x:h1")
    assert example.answered_at == datetime.datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert example.resolved_at == datetime.datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    # The resolver is not their own consult; each person counts once.
    assert consults("import:x:h1") == {"lou@x.com", "new.expert@x.com"}
    assert consults("import:x:h2") == set()
    assert consults("import:x:h3") == {"ann@x.com"}
    untimed = ResolvedExample.objects.get(key="import:x:h3")
    assert (untimed.answered_at, untimed.resolved_at) == (None, None)
    expert = Person.objects.get(email="new.expert@x.com")
    assert (expert.name, expert.silo.name) == ("New Expert", "Billing")
    # Ann resolved on line 1: her own line says her silo, not the line that consulted her.
    assert Person.objects.get(email="ann@x.com").silo.name == "Billing"
    assert sorted(report.people_created) == ["ann@x.com", "new.expert@x.com", "tom@x.com"]
    assert AuditEvent.objects.filter(object_type="org.person", action="create").count() == 3
    assert AuditEvent.objects.get(action="import_history").changes["consults"] == 3
    assert lou.pk in ResolvedConsult.objects.values_list("person_id", flat=True)


def test_bad_times_and_consults_are_bad_lines_naming_the_field_and_nothing_is_written():
    before = factories.org_counts()
    report = import_history(jsonl([
        timed(1),
        timed(2, answered_at="tomorrow"),
        timed(3, resolved_at="2026-03-02T09:30:00"),
        timed(4, resolved_at="2026-02-28T09:30:00Z"),
        timed(5, answered_at="2026-03-01T09:00:00+02:00"),
        timed(6, consulted="lou@x.com"),
        timed(7, consulted=["lou@x.com", 42, "not-an-email"]),
        timed(8, consulted=[f"p{i}@x.com" for i in range(51)]),
        timed(9, resolved_at=1772443800),
    ]), system())
    assert report.errors == [
        (2, 'answered_at: "tomorrow" is not an ISO 8601 time such as 2026-03-01T09:30:00Z'),
        (3, 'resolved_at: "2026-03-02T09:30:00" has no time zone (end it with Z or an offset '
            "such as +02:00)"),
        (4, "resolved_at: before created_at (2026-02-28T09:30:00+00:00 < "
            "2026-03-01T09:30:00+00:00)"),
        (5, "answered_at: before created_at (2026-03-01T09:00:00+02:00 < "
            "2026-03-01T09:30:00+00:00)"),
        (6, "consulted: must be a list of emails, got str"),
        (7, 'consulted: 42 is not an email address; consulted: "not-an-email" is not an email '
            "address"),
        (8, "consulted: more than 50 people (51)"),
        (9, "resolved_at: must be a string, got int"),
    ]
    assert ResolvedExample.objects.count() == 0 and ResolvedConsult.objects.count() == 0
    assert factories.org_counts() == before


def test_reimporting_the_same_file_changes_nothing():
    data = jsonl([timed(n, consulted=["lou@x.com"]) for n in range(1, 5)])
    import_history(data, system())
    before = (factories.org_counts(), RoutingModel.objects.count(),
              list(ResolvedConsult.objects.values_list("pk", flat=True)))
    report = import_history(data, system())
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert not report.changed_anything and report.model is None
    assert (factories.org_counts(), RoutingModel.objects.count(),
            list(ResolvedConsult.objects.values_list("pk", flat=True))) == before


def test_a_reimport_replaces_times_and_consults_without_retraining():
    import_history(jsonl([timed(1, consulted=["lou@x.com"]), timed(2)]), system())
    added = dict(ResolvedExample.objects.values_list("key", "added_at"))
    models = RoutingModel.objects.count()
    report = import_history(jsonl([
        timed(1, consulted=["kim@x.com"]),
        timed(2, resolved_at="2026-03-05T12:00:00Z"),
    ]), system())
    assert (report.created, report.updated, report.unchanged) == (0, 2, 0)
    assert consults("import:x:h1") == {"kim@x.com"}
    assert ResolvedExample.objects.get(key="import:x:h2").resolved_at == \
        datetime.datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
    # What routing learns from did not change: no new model, no example counted as new.
    assert report.model is None and RoutingModel.objects.count() == models
    assert dict(ResolvedExample.objects.values_list("key", "added_at")) == added
    dropped = import_history(jsonl([timed(1), timed(2, resolved_at="2026-03-05T12:00:00Z")]),
                             system())
    assert (dropped.updated, dropped.unchanged) == (1, 1)
    assert ResolvedConsult.objects.count() == 0


@pytest.mark.usefixtures("always_working_hours")
def test_people_consulted_on_similar_history_are_suggested_as_experts():
    billing, legal = factories.silo("Billing"), factories.silo("Legal")
    factories.person(legal, email="lou@x.com", name="Lou Law")
    import_history(jsonl([
        timed(n, text="contract termination clause for order {n}", consulted=["lou@x.com"])
        for n in range(1, 3)
    ]), system(), retrain=False)
    conv = inbox.conversation(billing, text="What does the termination clause of my contract "
                                            "say?")
    suggested = {person.email: why for person, why in actions.suggest_experts(conv)}
    assert suggested["lou@x.com"] == ("“clause” in 2 conversations, “contract” in 2, "
                                      "“termination” in 2 · consulted on 2 (Legal)")
    assert suggested["ann@x.com"].endswith(" · resolved 2 (Billing)")


def test_resolving_in_the_inbox_records_its_times_and_the_experts_who_answered():
    billing, legal = factories.silo("Billing"), factories.silo("Legal")
    responder = factories.user(Role.RESPONDER, billing)
    lou, kim = factories.person(legal), factories.person(legal)
    conv = inbox.conversation(billing, text="Is this clause legal?", assignee=responder.person)
    inbox.message(conv, text="Yes it is", direction=Direction.OUTBOUND)
    answered_at = timezone.now() - datetime.timedelta(minutes=5)
    conv.first_response_at = answered_at
    conv.save()
    inbox.consult(conv, lou, status=ConsultStatus.ANSWERED)
    inbox.consult(conv, kim, status=ConsultStatus.DECLINED)
    actions.resolve(Actor.for_user(responder), conv)
    conv.refresh_from_db()
    example = ResolvedExample.objects.get(key=f"inbox:{conv.pk}")
    assert (example.answered_at, example.resolved_at) == (answered_at, conv.resolved_at)
    assert list(example.consults.values_list("person_id", flat=True)) == [lou.pk]
    actions.reopen(Actor.for_user(responder), conv)
    inbox.consult(conv, kim, status=ConsultStatus.ANSWERED)
    actions.resolve(Actor.for_user(responder), conv)
    assert set(example.consults.values_list("person_id", flat=True)) == {lou.pk, kim.pk}


def test_a_line_with_a_bad_time_names_the_line_in_the_cli(tmp_path):
    from click.testing import CliRunner

    from unsilo.inbox.cli.routing import inbox as inbox_cli

    path = tmp_path / "history.jsonl"
    path.write_text(json.dumps(timed(1, resolved_at="soon")) + "\n", encoding="utf-8")
    result = CliRunner().invoke(inbox_cli, ["import-history", str(path)])
    assert result.exit_code == 1
    assert 'line 1: resolved_at: "soon" is not an ISO 8601 time' in result.stderr

