import re

import pytest
from django.test import Client

from tests import factories as f
from unsilo.core import actions
from unsilo.core.actor import Actor
from unsilo.core.auth import user_for_token
from unsilo.core.models import ApiToken, Role

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role.values)


def secret_on(page: str) -> str | None:
    found = re.search(r'<pre class="secret">(usl_[^<]+)</pre>', page)
    return found.group(1) if found else None


@pytest.mark.parametrize("role", ALL_ROLES)
def test_everyone_makes_a_token_and_sees_its_secret_once(login, role):
    me = f.user(role)
    client = login(me)
    assert 'href="/me/tokens/"' in client.get("/me/tokens/").content.decode()  # the header link
    response = client.post("/me/tokens/", {"name": "nightly export"})
    page = response.content.decode()
    secret = secret_on(page)
    assert response.status_code == 200 and secret
    assert "will not be shown again" in page
    assert response["Cache-Control"] == "no-store"
    assert user_for_token(secret) == me
    token = ApiToken.objects.get(user=me)
    assert token.name == "nightly export" and secret.startswith(token.prefix)
    # Afterwards the list names the token but never shows the secret again.
    later = client.get("/me/tokens/").content.decode()
    assert "nightly export" in later and f"{token.prefix}…" in later
    assert secret not in later and secret_on(later) is None


def api_me(secret: str):
    """GET /api/v1/me from a script: no session, only the token."""
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_revoked_token_stops_working(login):
    me = f.user(Role.RESPONDER)
    client = login(me)
    secret = secret_on(client.post("/me/tokens/", {"name": "script"}).content.decode())
    token = ApiToken.objects.get(user=me)
    assert user_for_token(secret) == me
    assert api_me(secret).status_code == 200 and api_me(secret).json()["email"] == me.email
    response = client.post(f"/me/tokens/{token.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/me/tokens/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert user_for_token(secret) is None
    assert api_me(secret).status_code == 401
    page = client.get("/me/tokens/").content.decode()
    assert "revoked" in page and f"/me/tokens/{token.pk}/revoke/" not in page


def test_a_token_works_only_while_its_login_is_active(login):
    me = f.user(Role.VIEWER)
    _, secret = actions.create_token(Actor.for_user(me), "script")
    me.is_active = False
    me.save()
    assert user_for_token(secret) is None


def test_revoking_takes_a_post(login):
    me = f.user(Role.VIEWER)
    token, secret = actions.create_token(Actor.for_user(me), "script")
    response = login(me).get(f"/me/tokens/{token.pk}/revoke/")
    assert response.status_code == 405
    assert user_for_token(secret) == me


def test_nobody_sees_or_revokes_someone_elses_token(login):
    owner = f.user(Role.VIEWER)
    token, secret = actions.create_token(Actor.for_user(owner), "owner's script")
    client = login(f.user(Role.HUB_ADMIN))
    assert "owner&#x27;s script" not in client.get("/me/tokens/").content.decode()
    assert client.post(f"/me/tokens/{token.pk}/revoke/").status_code == 404
    assert user_for_token(secret) == owner


def test_a_token_needs_a_name(login):
    me = f.user(Role.VIEWER)
    response = login(me).post("/me/tokens/", {"name": "   "})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert secret_on(response.content.decode()) is None
    assert not ApiToken.objects.filter(user=me).exists()


def test_token_name_is_escaped(login):
    me = f.user(Role.VIEWER)
    client = login(me)
    client.post("/me/tokens/", {"name": "<script>alert(1)</script>"})
    page = client.get("/me/tokens/").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
