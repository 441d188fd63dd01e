"""Policy writes: the hub only, each with its audit row; the engine loaded from the database."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role
from unsilo.publishing import actions, queries
from unsilo.publishing.models import Certification, PolicyRule, ReviewerKind, RuleKind
from unsilo.publishing.policy import Draft

pytestmark = pytest.mark.django_db


def _rule(legal, **fields):
    return {"kind": RuleKind.REGULATED, "name": "Cures", "terms": ["cure", " cure ", ""],
            "reviewer_silo": legal, "reviewer": ReviewerKind.REVIEWER, **fields}


def test_the_hub_adds_a_rule_with_its_audit_row(admin):
    legal = factories.silo("Legal")
    hub = Actor.for_user(admin)
    rule = actions.add_rule(hub, _rule(legal))
    assert rule.terms == ["cure"]
    row = AuditEvent.objects.get(action="create", object_type__endswith="policyrule")
    assert row.actor_label == admin.email
    actions.update_rule(hub, rule, {"enabled": False})
    actions.remove_rule(hub, rule)
    assert list(AuditEvent.objects.filter(object_id=str(rule.pk)).values_list(
        "action", flat=True).order_by("pk")) == ["create", "update", "delete"]


@pytest.mark.parametrize("role", [Role.CAPTAIN, Role.RESPONDER, Role.REVIEWER, Role.VIEWER])
def test_nobody_but_the_hub_writes_policy(role):
    legal = factories.silo("Legal")
    someone = factories.actor(role, legal)
    with pytest.raises(PermissionDenied):
        actions.add_rule(someone, _rule(legal))
    with pytest.raises(PermissionDenied):
        actions.set_paused(someone, True)
    with pytest.raises(PermissionDenied):
        actions.certify(someone, someone.user.person, factories.account(legal))
    assert not PolicyRule.objects.exists() and not AuditEvent.objects.exists()
    assert queries.rules(someone).count() == 0  # reading is allowed


def test_a_rule_that_needs_review_names_its_reviewers_and_domains_are_checked(admin):
    hub = Actor.for_user(admin)
    with pytest.raises(ValidationError, match="reviewer_silo"):
        actions.add_rule(hub, _rule(None))
    with pytest.raises(ValidationError, match="Not a domain"):
        actions.add_rule(hub, _rule(factories.silo(), kind=RuleKind.ALLOWED_DOMAINS,
                                    terms=["https://x.example/path"]))
    assert actions.add_rule(hub, {"kind": RuleKind.BANNED, "name": "b", "terms": ["x"]})


def test_pause_certify_renew_and_the_loaded_engine(admin):
    hub = Actor.for_user(admin)
    marketing = factories.silo("Marketing")
    author = factories.person(marketing, email="mia@m.example")
    account = factories.account(marketing, network="instagram", handle="MeridianHome")
    draft = Draft(id="1", accounts=["instagram:meridianhome"], text="Hi", author="MIA@m.example")
    assert not queries.load_policy(hub).check(draft).auto_publish
    soon = timezone.now() + datetime.timedelta(days=1)
    actions.certify(hub, author, account, expires_at=soon)
    assert queries.load_policy(hub).check(draft).auto_publish
    # Expired: no auto publishing.
    past = queries.load_policy(hub, now=soon + datetime.timedelta(seconds=1))
    assert not past.check(draft).auto_publish
    renewed = actions.certify(hub, author, account)
    assert renewed.renewed_at is not None and Certification.objects.count() == 1
    actions.set_paused(hub, True, "Crisis: oven recall")
    result = queries.load_policy(hub).check(draft)
    assert not result.auto_publish and "oven recall" in result.checks[0].why
    actions.set_paused(hub, False)
    assert queries.load_policy(hub).check(draft).auto_publish
    actions.revoke(hub, renewed)
    assert not queries.load_policy(hub).check(draft).auto_publish
    assert AuditEvent.objects.filter(object_type__endswith="certification").count() == 3
    assert AuditEvent.objects.filter(object_type__endswith="publishingswitch").count() == 2
    with pytest.raises(ValidationError, match="future"):
        actions.certify(hub, author, account, expires_at=timezone.now())


def test_loading_the_policy_takes_a_fixed_number_of_queries(admin, django_assert_num_queries):
    hub = Actor.for_user(admin)
    for n in range(5):
        silo = factories.silo()
        factories.account(silo)
        actions.add_rule(hub, _rule(silo, name=f"r{n}", silo=silo))
    with django_assert_num_queries(7):
        queries.load_policy(hub)
