"""Who may change the inbox's settings — the hub's rules and threshold, a silo's saved replies,
SLA targets, business hours and absences — with an audit row for each change."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox import actions
from unsilo.inbox.models import Absence, BusinessHours, InboxSettings, RoutingRule, SavedReply

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def who(user):
    return Actor.for_user(user)


@pytest.fixture
def care():
    return factories.silo("Care")


@pytest.fixture
def captain(care):
    return factories.user(Role.CAPTAIN, care)


def audited(object_type: str) -> list[str]:
    return list(AuditEvent.objects.filter(object_type=object_type).order_by("id")
                .values_list("action", flat=True))


def test_rules_are_the_hubs(admin, captain, care):
    with pytest.raises(PermissionDenied):
        actions.save_rule(who(captain), None, name="x", target="silo", silo=care)
    rule = actions.save_rule(who(admin), None, name="Refunds", keywords="refund, chargeback",
                             target="silo", silo=care)
    assert rule.keywords == ["refund", "chargeback"]
    actions.save_rule(who(admin), rule, position=5)
    actions.delete_rule(who(admin), rule)
    assert not RoutingRule.objects.exists()
    assert audited("inbox.routingrule") == ["create", "update", "delete"]


def test_a_rule_names_its_target(admin):
    with pytest.raises(ValidationError) as error:
        actions.save_rule(who(admin), None, name="x", target="person")
    assert "person" in error.value.error_dict
    review = actions.save_rule(who(admin), None, name="Unclear", keywords="help",
                               target="review")
    assert review.silo is None


@pytest.mark.parametrize("flag", ["self_harm", "safety"])
def test_no_rule_on_self_harm_or_safety_they_go_to_the_safety_rota(admin, flag):
    with pytest.raises(ValidationError) as error:
        actions.save_rule(who(admin), None, name="x", risk=flag, target="review")
    assert "risk" in error.value.error_dict


def test_inbox_settings_for_the_hub_only_with_a_threshold_between_0_and_1(admin, captain):
    with pytest.raises(PermissionDenied):
        actions.update_inbox_settings(who(captain), triage_threshold=0.5)
    with pytest.raises(ValidationError):
        actions.update_inbox_settings(who(admin), triage_threshold=1.5)
    actions.update_inbox_settings(who(admin), triage_threshold=0.5)
    actions.update_inbox_settings(who(admin), triage_threshold=0.6)
    assert InboxSettings.objects.get().triage_threshold == 0.6
    assert audited("inbox.inboxsettings") == ["create", "update"]


def test_saved_replies_global_for_the_hub_per_silo_for_its_captains(admin, captain, care):
    with pytest.raises(PermissionDenied):
        actions.save_saved_reply(who(captain), None, title="Hi", text="Hi {customer}")
    other = factories.silo("Sales")
    with pytest.raises(PermissionDenied):
        actions.save_saved_reply(who(captain), None, title="Hi", text="x", silo=other)
    own = actions.save_saved_reply(who(captain), None, title="Hi", text="Hi", silo=care)
    glob = actions.save_saved_reply(who(admin), None, title="Global", text="Hello")
    with pytest.raises(PermissionDenied):
        actions.save_saved_reply(who(captain), glob, text="mine now")
    with pytest.raises(PermissionDenied):  # moving it to another silo needs power there too
        actions.save_saved_reply(who(captain), own, silo=other)
    actions.delete_saved_reply(who(captain), own)
    assert list(SavedReply.objects.all()) == [glob]


def test_responder_may_not_change_saved_replies(care):
    responder = factories.user(Role.RESPONDER, care)
    with pytest.raises(PermissionDenied):
        actions.save_saved_reply(who(responder), None, title="x", text="y", silo=care)


def test_sla_policy_and_business_hours_by_the_silos_captain(captain, care):
    policy = actions.save_sla_policy(who(captain), care, "urgent", first_response_minutes=15,
                                     resolution_minutes=120)
    again = actions.save_sla_policy(who(captain), care, "urgent", first_response_minutes=20,
                                    resolution_minutes=120)
    assert again.pk == policy.pk and again.first_response_minutes == 20
    with pytest.raises(ValidationError) as error:
        actions.save_sla_policy(who(captain), care, "urgent", first_response_minutes=60,
                                resolution_minutes=30)
    assert "resolution_minutes" in error.value.error_dict
    with pytest.raises(PermissionDenied):
        actions.save_sla_policy(who(captain), factories.silo("Sales"), "low",
                                first_response_minutes=1, resolution_minutes=2)
    hours = actions.save_business_hours(who(captain), care, timezone="Europe/Paris",
                                        start="08:30", end="18:00", weekdays=[4, 0, 0])
    assert (hours.start, hours.weekdays) == (datetime.time(8, 30), [0, 4])
    for bad in ({"timezone": "Mars/Base"}, {"start": "19:00"}, {"weekdays": [7]},
                {"start": "soon"}):
        with pytest.raises(ValidationError) as error:
            actions.save_business_hours(who(captain), care, **bad)
        assert next(iter(bad)) in error.value.error_dict or "end" in error.value.error_dict
    assert BusinessHours.objects.get().timezone == "Europe/Paris"


def test_anyone_records_their_own_absence_captains_their_silos(captain, care):
    responder = factories.user(Role.RESPONDER, care)
    now = timezone.now()
    mine = actions.add_absence(who(responder), responder.person, starts=now, ends=now + DAY)
    with pytest.raises(PermissionDenied):
        actions.add_absence(who(responder), captain.person, starts=now, ends=now + DAY)
    actions.add_absence(who(captain), responder.person, starts=now, ends=now + DAY,
                        reason="training")
    with pytest.raises(PermissionDenied):
        actions.add_absence(who(captain), factories.person(factories.silo("Sales")),
                            starts=now, ends=now + DAY)
    with pytest.raises(ValidationError):
        actions.add_absence(who(responder), responder.person, starts=now, ends=now - DAY)
    actions.delete_absence(who(responder), mine)
    assert Absence.objects.count() == 1
    assert audited("inbox.absence") == ["create", "create", "delete"]
