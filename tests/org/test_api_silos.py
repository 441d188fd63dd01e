"""Silos over the API: list with filters, create, read, change and delete, with audit rows."""

import pytest

from tests import factories
from unsilo.core.models import AuditEvent, Role
from unsilo.org.models import SiloKind

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_list_shows_head_count_and_empty_seat(api, admin):
    sales = factories.silo("Sales")
    captain = factories.person(sales)
    factories.person(sales)
    factories.seat(sales, captain)
    factories.silo("Legal")
    items = api(admin).get("/api/v1/silos").json()["items"]
    by_name = {s["name"]: s for s in items}
    assert by_name["Sales"]["people_count"] == 2
    assert by_name["Sales"]["seat_empty"] is False
    assert by_name["Legal"]["people_count"] == 0
    assert by_name["Legal"]["seat_empty"] is True
    assert set(by_name["Sales"]) == {
        "id", "name", "slug", "kind", "parent_id", "description", "people_count", "seat_empty"
    }


def test_list_filters_by_name_kind_and_parent(api, admin):
    emea = factories.silo("EMEA", kind=SiloKind.REGION)
    factories.silo("EMEA Sales", parent=emea)
    factories.silo("Americas Sales", kind=SiloKind.REGION)
    client = api(admin)

    def names(**params):
        return sorted(factories.listed(client.get("/api/v1/silos", params), "name"))

    assert names(q="sales") == ["Americas Sales", "EMEA Sales"]
    assert names(kind="region") == ["Americas Sales", "EMEA"]
    assert names(parent_id=emea.pk) == ["EMEA Sales"]


def test_list_rejects_an_unknown_kind(api, admin):
    response = api(admin).get("/api/v1/silos", {"kind": "tribe"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("kind: ")


def test_list_is_paginated_with_count(api, admin):
    for n in range(4):
        factories.silo(f"Team {n}")
    page = api(admin).get("/api/v1/silos", {"limit": 2, "offset": 1}).json()
    assert page["count"] == 5  # four teams and the hub
    assert len(page["items"]) == 2


def test_list_query_count_does_not_grow_with_silos(api, admin, django_assert_max_num_queries):
    for n in range(30):
        factories.seat(s := factories.silo(f"Team {n}"), factories.person(s))
    client = api(admin)
    # the address's failed sign-ins, token lookup, token touch, count, page
    with django_assert_max_num_queries(5):
        assert len(client.get("/api/v1/silos", {"limit": 50}).json()["items"]) == 31


def test_create_silo_inside_another_writes_an_api_audit_row(api, admin):
    emea = factories.silo("EMEA", kind=SiloKind.REGION)
    response = api(admin).post(
        "/api/v1/silos",
        {"name": "EMEA Care", "kind": "function", "parent_id": emea.pk, "description": "Care"},
        content_type=JSON,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "emea-care"
    assert body["parent_id"] == emea.pk
    assert body["seat_empty"] is True
    row = AuditEvent.objects.get(object_type="org.silo", action="create")
    assert (row.via, row.actor, row.object_id) == ("api", admin, str(body["id"]))


def test_create_with_an_unknown_parent_names_the_field(api, admin):
    response = api(admin).post(
        "/api/v1/silos", {"name": "Orphan", "parent_id": 424242}, content_type=JSON
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "parent_id: No silo with id 424242."


def test_get_one_silo_and_404_for_unknown(api, admin):
    sales = factories.silo("Sales")
    client = api(admin)
    assert client.get(f"/api/v1/silos/{sales.pk}").json()["name"] == "Sales"
    assert client.get("/api/v1/silos/999999").status_code == 404


def test_patch_changes_only_the_fields_sent(api, admin):
    sales = factories.silo("Sales", description="Old")
    response = api(admin).patch(
        f"/api/v1/silos/{sales.pk}", {"name": "Global Sales"}, content_type=JSON
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Global Sales"
    assert response.json()["slug"] == "global-sales"
    assert response.json()["description"] == "Old"
    row = AuditEvent.objects.get(object_type="org.silo", action="update")
    assert row.changes["name"] == ["Sales", "Global Sales"] and row.via == "api"


def test_patch_moves_a_silo_to_the_top_with_null_parent(api, admin):
    emea = factories.silo("EMEA")
    child = factories.silo("Child", parent=emea)
    response = api(admin).patch(
        f"/api/v1/silos/{child.pk}", {"parent_id": None}, content_type=JSON
    )
    assert response.status_code == 200
    assert response.json()["parent_id"] is None


def test_patch_refuses_a_cycle_naming_parent_id(api, admin):
    emea = factories.silo("EMEA")
    child = factories.silo("Child", parent=emea)
    response = api(admin).patch(
        f"/api/v1/silos/{emea.pk}", {"parent_id": child.pk}, content_type=JSON
    )
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["parent_id"]


def test_captain_may_describe_own_silo_but_not_rename_it(api):
    home = factories.silo("Care")
    client = api(factories.user(Role.CAPTAIN, home))
    url = f"/api/v1/silos/{home.pk}"
    assert client.patch(url, {"description": "We answer"}, content_type=JSON).status_code == 200
    assert client.patch(url, {"name": "Kingdom"}, content_type=JSON).status_code == 403
    home.refresh_from_db()
    assert (home.name, home.description) == ("Care", "We answer")


def test_delete_empty_silo(api, admin):
    spare = factories.silo("Spare")
    response = api(admin).delete(f"/api/v1/silos/{spare.pk}")
    assert response.status_code == 204
    assert AuditEvent.objects.filter(object_type="org.silo", action="delete").count() == 1


def test_delete_silo_with_people_is_refused_with_a_reason(api, admin):
    sales = factories.silo("Sales")
    factories.person(sales)
    response = api(admin).delete(f"/api/v1/silos/{sales.pk}")
    assert response.status_code == 422
    assert "still has people" in response.json()["detail"]


def test_delete_silo_that_owns_accounts_is_409_not_500(api, admin):
    sales = factories.silo("Sales")
    factories.account(sales, stewards=0)
    response = api(admin).delete(f"/api/v1/silos/{sales.pk}")
    assert response.status_code == 409
    assert "accounts" in response.json()["detail"]


def test_patch_refuses_a_null_name(api, admin):
    sales = factories.silo("Sales")
    response = api(admin).patch(f"/api/v1/silos/{sales.pk}", {"name": None}, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"] == "name: Input should be a valid string"
