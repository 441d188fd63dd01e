"""The API as a whole: its schema and docs, who gets in, and the shape of its errors."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories
from unsilo.core import actions, audit
from unsilo.core.actor import Actor
from unsilo.core.models import ApiToken, AuditEvent, Role, Via
from unsilo.org.models import Silo

pytestmark = pytest.mark.django_db


# Schema and docs -----------------------------------------------------------------------------


def test_openapi_lists_every_resource_path(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/silos", "/api/v1/silos/{silo_id}", "/api/v1/people", "/api/v1/people/{person_id}",
        "/api/v1/people/by-email/{email}", "/api/v1/seats", "/api/v1/seats/{silo_id}",
        "/api/v1/seats/{silo_id}/members/{person_id}", "/api/v1/accounts",
        "/api/v1/accounts/{account_id}", "/api/v1/me", "/api/v1/me/tokens",
        "/api/v1/me/tokens/{token_id}", "/api/v1/audit",
    ]:
        assert path in paths, path


def test_every_operation_has_a_tag_and_a_summary(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    tags = set()
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {path}"
            assert len(operation.get("tags", [])) == 1, f"{method} {path}"
            tags.update(operation["tags"])
    assert tags == {"Silos", "People", "Seats", "Accounts", "Me", "Audit", "Messages", "Inbox",
                    "Inbox settings", "Connections", "Deliveries", "Single sign-on", "Experts",
                    "Publishing"}


def test_openapi_documents_the_error_answers_of_a_write(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/people"]["post"]
    assert {"201", "401", "403", "409", "422"} <= operation["responses"].keys()


def test_docs_page_loads_only_local_scripts_and_styles(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in a for a in assets)
    assert all(a.startswith("/static/") for a in assets), assets
    assert "https://" not in "".join(assets)


def test_docs_static_files_are_served(client):
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


# Who gets in ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_no_token_is_401_in_json(method):
    # CSRF enforced, as for a real client: a caller without a token must still get 401, not 403.
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)("/api/v1/silos", {}, content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Send a valid API token: Authorization: Bearer usl_…"}


@pytest.mark.parametrize("header", ["Bearer usl_not-a-real-token", "Bearer abc", "Token usl_x"])
def test_unknown_or_malformed_token_is_401(client, header):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_revoked_token_is_401():
    user = factories.user(Role.HUB_ADMIN)
    secret = factories.api_token(user)
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/me").status_code == 200
    actions.revoke_token(Actor.for_user(user), ApiToken.objects.get(user=user))
    assert client.get("/api/v1/me").status_code == 401
    response = client.post("/api/v1/silos", {"name": "Late"}, content_type="application/json")
    assert response.status_code == 401


def test_token_of_a_deactivated_login_is_401(client):
    user = factories.user(Role.HUB_ADMIN)
    secret = factories.api_token(user)
    user.is_active = False
    user.save()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_a_used_token_records_when_it_was_last_used(api):
    user = factories.user()
    api(user).get("/api/v1/me")
    assert ApiToken.objects.get(user=user).last_used_at is not None


def test_signed_in_browser_session_may_read(login):
    client = login(factories.user(Role.VIEWER))
    assert client.get("/api/v1/me").status_code == 200


def test_session_write_without_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    client.force_login(factories.user(Role.HUB_ADMIN))
    response = client.post("/api/v1/silos", {"name": "Forged"}, content_type="application/json")
    assert response.status_code == 403


# Errors --------------------------------------------------------------------------------------


def test_unknown_id_is_404_naming_what_is_missing(api):
    response = api(factories.user()).get("/api/v1/people/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "No person with id 999999."}


def test_model_validation_error_is_422_naming_the_field(api):
    user = factories.user(Role.HUB_ADMIN)
    response = api(user).post(
        "/api/v1/people", {"email": "not-an-email", "name": "Ann", "silo_id": user.silo_id},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "email: Enter a valid email address.",
        "fields": {"email": ["Enter a valid email address."]},
    }


def test_schema_error_is_422_naming_the_field_as_the_client_sent_it(api):
    response = api(factories.user(Role.HUB_ADMIN)).post(
        "/api/v1/people", {"email": "ann@example.com", "name": "Ann"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "silo_id: Field required"
    assert response.json()["fields"] == {"silo_id": ["Field required"]}


def test_bad_query_parameter_is_422_naming_it(api):
    response = api(factories.user()).get("/api/v1/people", {"limit": 501})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("limit: ")


def test_role_refusal_is_403_with_a_sentence(api):
    response = api(factories.user(Role.VIEWER)).post(
        "/api/v1/silos", {"name": "Nope"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role may not create, move and delete silos."}


def test_duplicate_is_409_not_500(api):
    factories.silo("Marketing")
    response = api(factories.user(Role.HUB_ADMIN)).post(
        "/api/v1/silos", {"name": "Marketing"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "name: Silo with this Name already exists."


# The audit log -------------------------------------------------------------------------------


def test_writes_through_the_api_are_audited_as_the_token_owner(api):
    admin = factories.user(Role.HUB_ADMIN, email="lead@example.com")
    created = api(admin).post("/api/v1/silos", {"name": "Care"}, content_type="application/json")
    row = AuditEvent.objects.get(object_type="org.silo")
    assert (row.via, row.actor, row.actor_label) == ("api", admin, "lead@example.com")
    assert row.object_id == str(created.json()["id"])


def test_audit_log_lists_newest_first_with_before_and_after(api):
    admin = factories.user(Role.HUB_ADMIN, email="lead@example.com")
    client = api(admin)
    silo_id = client.post("/api/v1/silos", {"name": "Care"}, content_type="application/json"
                          ).json()["id"]
    client.patch(f"/api/v1/silos/{silo_id}", {"description": "We answer"},
                 content_type="application/json")
    page = client.get("/api/v1/audit", {"object_type": "org.silo"}).json()
    assert page["count"] == 2
    newest, oldest = page["items"]
    assert (newest["action"], oldest["action"]) == ("update", "create")
    assert newest["changes"] == {"description": ["", "We answer"]}
    assert (newest["actor"], newest["actor_id"], newest["via"]) == ("lead@example.com", admin.pk,
                                                                    "api")
    assert newest["object_id"] == str(silo_id)


def test_audit_log_filters(api):
    admin = factories.user(Role.HUB_ADMIN, email="lead@example.com")
    sales = factories.silo("Sales")
    old = audit.record(Actor.system(via=Via.CLI), "create", sales, {})
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=3))
    audit.record(Actor.for_user(admin), "update", sales, {"name": ["a", "b"]})
    client = api(admin)  # its token's own audit row: object_type core.apitoken

    def actions_of(**params):
        items = client.get("/api/v1/audit", params).json()["items"]
        return [(i["object_type"], i["action"]) for i in items]

    assert actions_of(object_type="org.silo") == [("org.silo", "update"), ("org.silo", "create")]
    assert actions_of(object_type="org.silo", action="create") == [("org.silo", "create")]
    assert actions_of(object_id=str(sales.pk), object_type="org.silo", via="cli") == [
        ("org.silo", "create")
    ]
    assert actions_of(actor="LEAD@example.com", via="ui") == [("org.silo", "update")]
    assert actions_of(actor="unsilo") == [("org.silo", "create")]
    yesterday = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert ("org.silo", "create") not in actions_of(since=yesterday)
    assert actions_of(until=yesterday) == [("org.silo", "create")]
    assert client.get("/api/v1/audit", {"via": "fax"}).status_code == 422


def test_audit_log_is_paginated(api):
    admin = factories.user(Role.HUB_ADMIN)
    for n in range(5):
        factories.silo(f"S{n}")
    for silo in Silo.objects.all():
        audit.record(Actor.for_user(admin), "update", silo, {})
    page = api(admin).get("/api/v1/audit", {"object_type": "org.silo", "limit": 2}).json()
    assert (page["count"], len(page["items"])) == (6, 2)
