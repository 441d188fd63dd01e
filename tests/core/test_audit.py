"""Every write leaves an audit row with who, when, through what, and before/after values."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from unsilo.core.actions import create_login, create_token, revoke_token
from unsilo.core.models import AuditEvent, Role, Via
from unsilo.org import actions as org
from unsilo.org.models import Person

pytestmark = pytest.mark.django_db


def test_create_update_delete_are_audited_with_before_and_after():
    admin = factories.actor(Role.HUB_ADMIN, via=Via.API)
    silo = factories.silo()
    person = org.create_person(admin, {"email": "Ann@Example.com", "name": "Ann", "silo": silo})
    org.update_person(admin, person, {"title": "Billing analyst"})
    org.delete_person(admin, person)

    rows = list(AuditEvent.objects.filter(object_type="org.person").order_by("id"))
    assert [r.action for r in rows] == ["create", "update", "delete"]
    assert rows[0].changes["email"] == [None, "ann@example.com"]
    assert rows[1].changes["title"] == ["", "Billing analyst"]
    assert rows[2].changes["name"] == ["Ann", None]
    assert {r.via for r in rows} == {"api"}
    assert {r.actor_id for r in rows} == {admin.user.pk}
    assert {r.silo_id for r in rows} == {silo.pk}


def test_an_update_that_changes_nothing_writes_no_audit_row():
    admin = factories.actor(Role.HUB_ADMIN)
    person = factories.person(title="Clerk")
    org.update_person(admin, person, {"title": "Clerk"})
    assert not AuditEvent.objects.filter(action="update", object_type="org.person").exists()


def test_a_refused_write_changes_nothing_and_logs_nothing():
    viewer = factories.actor(Role.VIEWER)
    person = factories.person(title="Clerk")
    with pytest.raises(PermissionDenied):
        org.update_person(viewer, person, {"title": "Boss"})
    person.refresh_from_db()
    assert person.title == "Clerk"
    assert not AuditEvent.objects.exists()


def test_an_invalid_write_changes_nothing_and_logs_nothing():
    admin = factories.actor(Role.HUB_ADMIN)
    silo = factories.silo()
    with pytest.raises(ValidationError) as error:
        org.create_person(admin, {"email": "not-an-email", "name": "X", "silo": silo})
    assert "email" in error.value.message_dict
    assert not Person.objects.filter(name="X").exists()
    assert not AuditEvent.objects.filter(object_type="org.person").exists()


def test_passwords_and_token_hashes_never_reach_the_audit_log():
    admin = factories.actor(Role.HUB_ADMIN)
    create_login(admin, email="new@example.com", password="a long pass phrase", role=Role.VIEWER)
    token, secret = create_token(admin, "script")
    revoke_token(admin, token)
    text = str(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert "[redacted]" in text
    assert secret not in text
    assert token.token_hash not in text
    assert "pbkdf2" not in text and "md5" not in text and "argon2" not in text
