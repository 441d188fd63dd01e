"""/me and /me/tokens: who the token belongs to, and managing one's own API tokens."""

import pytest
from django.test import Client

from tests import factories
from unsilo.core import actions
from unsilo.core.actor import Actor
from unsilo.core.models import ApiToken, AuditEvent, Role

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_me_says_who_the_token_belongs_to(api):
    care = factories.silo("Care")
    user = factories.user(Role.CAPTAIN, care, email="cap@example.com")
    assert api(user).get("/api/v1/me").json() == {
        "email": "cap@example.com", "name": user.name, "role": "captain",
        "person_id": user.person_id, "silo_id": care.pk, "silo_name": "Care",
    }


def test_me_without_a_person_has_no_silo(api):
    user = factories.user(Role.HUB_ADMIN)
    user.person = None
    user.save()
    body = api(user).get("/api/v1/me").json()
    assert (body["person_id"], body["silo_id"], body["silo_name"]) == (None, None, None)


def test_create_token_shows_the_secret_once_and_it_works(api):
    user = factories.user(Role.VIEWER)
    client = api(user)
    response = client.post("/api/v1/me/tokens", {"name": "nightly export"}, content_type=JSON)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "name", "prefix", "token"}
    assert body["token"].startswith("usl_")
    assert body["token"].startswith(body["prefix"])
    assert body["name"] == "nightly export"
    listed = client.get("/api/v1/me/tokens").json()
    assert body["token"] not in str(listed)
    assert "nightly export" in [t["name"] for t in listed]
    fresh = Client(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert fresh.get("/api/v1/me").json()["email"] == user.email


def test_creating_a_token_is_audited_without_the_secret(api):
    user = factories.user(Role.VIEWER)
    secret = api(user).post("/api/v1/me/tokens", {"name": "ci"}, content_type=JSON).json()["token"]
    row = AuditEvent.objects.filter(object_type="core.apitoken", via="api").latest("id")
    assert (row.action, row.actor) == ("create", user)
    assert secret not in str(row.changes)
    assert row.changes["token_hash"] == [None, "[redacted]"]


def test_token_name_is_required(api):
    response = api(factories.user()).post("/api/v1/me/tokens", {"name": "  "}, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("name: ")


def test_list_shows_only_my_tokens_with_their_state(api):
    other = factories.user()
    actions.create_token(Actor.for_user(other), "not mine")
    me = factories.user()
    tokens = api(me).get("/api/v1/me/tokens").json()
    assert [t["name"] for t in tokens] == ["test"]
    assert tokens[0]["active"] is True and tokens[0]["revoked_at"] is None


def test_revoke_my_token_stops_it_at_once(api):
    user = factories.user()
    client = api(user)
    spare, secret = actions.create_token(Actor.for_user(user), "spare")
    assert client.delete(f"/api/v1/me/tokens/{spare.pk}").status_code == 204
    spare.refresh_from_db()
    assert spare.revoked_at is not None
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    row = AuditEvent.objects.filter(object_type="core.apitoken", action="update").get()
    assert (row.via, row.actor) == ("api", user)
    # Revoking again is harmless.
    assert client.delete(f"/api/v1/me/tokens/{spare.pk}").status_code == 204


def test_revoking_someone_elses_token_is_404(api):
    theirs, _ = actions.create_token(Actor.for_user(factories.user()), "theirs")
    client = api(factories.user(Role.HUB_ADMIN))
    assert client.delete(f"/api/v1/me/tokens/{theirs.pk}").status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


def test_revoking_the_token_in_use_ends_this_client_too(api):
    user = factories.user()
    client = api(user)
    token = ApiToken.objects.get(user=user)
    assert client.delete(f"/api/v1/me/tokens/{token.pk}").status_code == 204
    assert client.get("/api/v1/me").status_code == 401
