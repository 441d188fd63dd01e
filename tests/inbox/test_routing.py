"""The router: hub rules win, triage below the threshold, availability moves work to the next
best expert of the same silo with a reason."""

import datetime

import pytest

from tests import factories
from tests.inbox import factories as inbox_factories
from tests.inbox.factories import billing_history, jsonl
from unsilo.core.actor import Actor
from unsilo.inbox.history import import_history
from unsilo.inbox.models import (
    Absence,
    BusinessHours,
    InboxSettings,
    Risk,
    RoutingRule,
    RuleTarget,
    Status,
)
from unsilo.inbox.routing.router import Router
from unsilo.learning.types import Incoming
from unsilo.org.models import Silo, SiloKind

pytestmark = pytest.mark.django_db
AT = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=datetime.UTC)  # a Wednesday, noon UTC
REFUND = "I am still waiting for my refund on order 7777"


@pytest.fixture(autouse=True)
def _fresh_router():
    Router._cached = None
    Router._model = None


@pytest.fixture
def org():
    """Billing: Ann resolved every refund, Bob every invoice, the director nothing.
    Logistics: Cat resolved every delivery. Legal resolved nothing yet."""
    silos = {"hub": factories.silo("COE", kind=SiloKind.HUB), "billing": factories.silo("Billing"),
             "legal": factories.silo("Legal")}
    people = {
        "ann": factories.person(silos["billing"], email="ann@x.com", name="Ann Lee",
                                timezone="UTC"),
        "bob": factories.person(silos["billing"], email="bob@x.com", name="Bob Roe",
                                timezone="UTC"),
        "dee": factories.person(silos["billing"], email="dir@x.com", name="Dee Rector",
                                title="Director", timezone="UTC"),
        "lex": factories.person(silos["legal"], email="lex@x.com", name="Lex Law"),
    }
    import_history(jsonl(billing_history("ann@x.com", "bob@x.com", "cat@x.com")),
                   Actor.system())
    return {**silos, **people, "logistics": Silo.objects.get(name="Logistics")}


def route(*texts, at=None, **fields):
    batch = [Incoming(id=f"q{n}", network=fields.get("network", "x"), text=text,
                      author="@someone", created_at=AT, account=fields.get("account", ""))
             for n, text in enumerate(texts)]
    return Router.current().classify_route(batch, at=at)[1]


def rule(**fields) -> RoutingRule:
    fields.setdefault("name", "Legal threats")
    return RoutingRule.objects.create(**fields)


# Rules --------------------------------------------------------------------------------------


def test_a_rule_wins_over_the_model_with_its_name_as_the_reason(org):
    rule(keywords=["my lawyer", "sue"], silo=org["legal"])
    [by_rule, by_model] = route(f"{REFUND} or my LAWYER will hear of it", REFUND)
    assert (by_rule.silo, by_rule.source, by_rule.confidence) == ("Legal", "rule", 1.0)
    assert by_rule.reasons[0] == "matched rule ‘Legal threats’"
    assert by_rule.rule_id is not None
    assert (by_model.silo, by_model.source) == ("Billing", "model")


def test_keywords_match_whole_words_only(org):
    rule(keywords=["sue"], silo=org["legal"])
    [decision] = route("refund pursued for order 1 but no refund yet")
    assert decision.silo == "Billing"


def test_every_condition_of_a_rule_must_hold(org):
    rule(network="facebook", keywords=["refund"], silo=org["legal"])
    assert route(REFUND, network="x")[0].silo == "Billing"
    assert route(REFUND, network="facebook")[0].silo == "Legal"
    account = factories.account(org["legal"], network="x", handle="MeridianLegal")
    RoutingRule.objects.all().delete()
    rule(account=account, silo=org["legal"])
    assert route(REFUND, account="@meridianlegal")[0].silo == "Legal"
    assert route(REFUND, account="MeridianCares")[0].silo == "Billing"


def test_a_risk_rule_matches_the_classifiers_flag(org, monkeypatch):
    from unsilo.inbox.routing import router as routing
    from unsilo.learning.types import Classification

    monkeypatch.setattr(routing, "classify", lambda batch, learned=None, X=None: [
        Classification("other", "negative", "en", "high",
                       {"legal": ["sue"]} if "sue" in m.text else {}) for m in batch])
    rule(risk=Risk.LEGAL, silo=org["legal"])
    assert [d.silo for d in route("I will sue you", REFUND)] == ["Legal", "Billing"]


def test_a_review_rule_sends_it_to_the_hubs_triage(org):
    rule(name="Press", keywords=["journalist"], target=RuleTarget.REVIEW)
    [decision] = route("I am a journalist asking about refunds")
    assert decision.triage and decision.silo == "COE" and decision.assignee is None
    assert decision.reasons[0] == "matched rule ‘Press’"


def test_a_person_rule_assigns_that_person_in_their_silo(org):
    rule(keywords=["refund"], target=RuleTarget.PERSON, person=org["dee"])
    [decision] = route(REFUND)
    assert (decision.silo, decision.assignee) == ("Billing", "dir@x.com")


def test_a_silo_rule_still_picks_that_silos_best_expert(org):
    rule(keywords=["refund"], silo=org["billing"])
    [decision] = route(REFUND)
    assert decision.assignee == "ann@x.com"
    assert decision.source == "rule"


def test_a_changed_rule_is_seen_by_the_next_batch(org):
    assert route(REFUND)[0].silo == "Billing"
    rule(keywords=["refund"], silo=org["legal"])
    assert route(REFUND)[0].silo == "Legal"


# Triage -------------------------------------------------------------------------------------


def test_below_the_hubs_threshold_it_goes_to_triage_with_the_numbers(org):
    InboxSettings.objects.create(triage_threshold=0.999)
    [decision] = route(REFUND)
    assert decision.triage and decision.source == "triage"
    assert (decision.silo, decision.assignee) == ("COE", None)
    assert decision.reasons[0].startswith(f"confidence {decision.confidence:.2f} is below the "
                                          "hub's triage threshold 1.00")
    assert "best guess: Billing" in decision.reasons


def test_without_a_model_everything_goes_to_triage():
    factories.silo("COE", kind=SiloKind.HUB)
    [decision] = route(REFUND)
    assert decision.triage and decision.silo == "COE" and decision.confidence == 0
    assert "no routing model yet" in decision.reasons[0]


# Availability -------------------------------------------------------------------------------


def test_an_absent_expert_hands_over_to_the_next_best_in_the_same_silo(org):
    Absence.objects.create(person=org["ann"], starts=AT - datetime.timedelta(days=1),
                           ends=datetime.datetime(2026, 12, 3, 17, tzinfo=datetime.UTC))
    [decision] = route(REFUND, at=AT)
    assert (decision.silo, decision.assignee) == ("Billing", "bob@x.com")
    assert any(r.startswith("Ann Lee is away until 3 Dec; next best: Bob Roe")
               for r in decision.reasons), decision.reasons
    # Back-testing (no moment given) ignores availability.
    assert route(REFUND)[0].assignee == "ann@x.com"


def test_an_expert_at_capacity_is_skipped_and_the_batch_counts_what_it_assigns(org):
    org["ann"].capacity = 2
    org["ann"].save()
    inbox_factories.conversation(org["billing"], assignee=org["ann"], status=Status.OPEN)
    decisions = route(REFUND, REFUND, at=AT)
    assert [d.assignee for d in decisions] == ["ann@x.com", "bob@x.com"]
    assert any("Ann Lee has 2 open conversations (capacity 2)" in r
               for r in decisions[1].reasons), decisions[1].reasons


def test_outside_working_hours_in_their_time_zone_the_next_best_takes_it(org):
    org["ann"].timezone = "Asia/Tokyo"  # 21:00 there
    org["ann"].save()
    [decision] = route(REFUND, at=AT)
    assert decision.assignee == "bob@x.com"
    assert any("Ann Lee is outside working hours (Wed 21:00 in Asia/Tokyo)" in r
               for r in decision.reasons), decision.reasons


def test_the_silos_business_hours_replace_the_persons_default(org):
    org["ann"].timezone = "Asia/Tokyo"
    org["ann"].save()
    BusinessHours.objects.create(silo=org["billing"], always_open=True)
    assert route(REFUND, at=AT)[0].assignee == "ann@x.com"


def test_a_blank_or_unknown_time_zone_is_always_available(org):
    org["ann"].timezone = "Mars/Olympus"
    org["ann"].save()
    assert route(REFUND, at=AT.replace(hour=3))[0].assignee == "ann@x.com"


def test_when_no_expert_is_available_it_waits_in_the_silos_queue(org):
    for who in ("ann", "bob"):
        Absence.objects.create(person=org[who], starts=AT - datetime.timedelta(hours=1),
                               ends=AT + datetime.timedelta(hours=2))
    [decision] = route(REFUND, at=AT)
    assert (decision.silo, decision.assignee) == ("Billing", None)
    assert any(r.startswith("nobody who resolves Billing conversations is available")
               and r.endswith("it waits in Billing's queue") for r in decision.reasons)
    # Never a random colleague: the director has resolved nothing like it.
    assert "dir@x.com" not in str(decision)


def test_people_who_left_are_not_assigned(org):
    org["ann"].is_active = False
    org["ann"].save()
    assert route(REFUND)[0].assignee == "bob@x.com"


def test_an_account_mostly_answered_by_one_silo_is_given_as_a_reason(org):
    items = billing_history("ann@x.com", "bob@x.com", "cat@x.com")
    for item in items:
        if item["resolved_by_silo"] == "Billing":
            item["account"] = "MeridianCares"
    import_history(jsonl(items), Actor.system())
    [decision] = route("hello, a question please", account="MeridianCares")
    assert decision.silo == "Billing"
    assert "account @MeridianCares is usually answered by Billing (100% of 24)" in \
        decision.reasons
