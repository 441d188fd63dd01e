"""The sign-in action on claims the backend already checked: what the groups claim decides."""

import pytest

from tests import factories
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role, User
from unsilo.sso import actions

pytestmark = pytest.mark.django_db
ISSUER = "https://login.example.com"


def _claims(email, **more):
    return {"sub": email, "email": email, "email_verified": True, **more}


def test_a_provider_that_sends_no_groups_claim_changes_no_role():
    factories.user(Role.CAPTAIN, factories.silo("Care"), email="sam@example.com")
    actions.add_group_role(Actor.system(), "care-leads", Role.CAPTAIN)
    login = actions.sign_in(ISSUER, _claims("sam@example.com"), "groups", None)
    assert User.objects.get(pk=login.pk).role == Role.CAPTAIN
    row = AuditEvent.objects.get(action="sso_sign_in")
    assert row.changes["groups"] == [None, "not sent"]
    # An empty list is the provider saying "no groups": then the mapping applies.
    actions.sign_in(ISSUER, _claims("sam@example.com", groups=[]), "groups", None)
    assert User.objects.get(pk=login.pk).role == Role.VIEWER


def test_an_email_the_provider_gave_someone_else_does_not_open_the_login():
    factories.person(factories.silo("Care"), email="tia@example.com")
    actions.sign_in(ISSUER, _claims("tia@example.com", sub="subject-1"), "groups", None)
    with pytest.raises(actions.Refused, match="another account at the provider"):
        actions.sign_in(ISSUER, _claims("tia@example.com", sub="subject-2"), "groups", "10.1.2.3")
    row = AuditEvent.objects.get(action="sso_refused")
    assert row.actor_label == "10.1.2.3 (not signed in)"


def test_the_break_glass_admins_role_is_kept_whatever_the_groups():
    from unsilo.org.models import SiloKind

    lead = factories.user(Role.HUB_ADMIN, factories.silo("COE", kind=SiloKind.HUB))
    actions.save_settings(Actor.for_user(lead), password_sign_in=False, break_glass=lead,
                          allow_unknown=False)
    actions.add_group_role(Actor.system(), "staff", Role.VIEWER)
    actions.sign_in(ISSUER, _claims(lead.email, groups=["staff"]), "groups", None)
    assert User.objects.get(pk=lead.pk).role == Role.HUB_ADMIN
