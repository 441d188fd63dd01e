"""People over the API: search and filters, lookup by email, add, change, remove, fast pages."""

import pytest

from tests import factories
from unsilo.core.models import AuditEvent, Role
from unsilo.org.models import Person

pytestmark = pytest.mark.django_db
JSON = "application/json"


def emails(response) -> list[str]:
    return factories.listed(response, "email")


def test_list_shows_people_by_name_with_their_silo(api, admin, sales):
    factories.person(sales, name="Zoe", email="zoe@example.com", skills=["billing"])
    page = api(admin).get("/api/v1/people").json()
    zoe = page["items"][-1]
    assert page["count"] == 2
    assert zoe == {
        "id": zoe["id"], "email": "zoe@example.com", "name": "Zoe", "title": "Specialist",
        "silo_id": sales.pk, "silo_name": "Sales", "skills": ["billing"], "languages": [],
        "timezone": "UTC", "manager_id": None, "capacity": 10, "is_active": True,
    }


def test_list_filters_by_q_silo_title_and_skill(api, admin, sales):
    legal = factories.silo("Legal")
    factories.person(sales, name="Ann", email="ann@example.com", title="Account manager",
                     skills=["billing", "sap"])
    factories.person(sales, name="Bob", email="bob@example.com", title="Engineer",
                     skills=["billing-api"])
    factories.person(legal, name="Cy", email="cy@example.com", title="Counsel", skills=["gdpr"])
    client = api(admin)
    assert emails(client.get("/api/v1/people", {"q": "billing"})) == [
        "ann@example.com", "bob@example.com"
    ]
    assert emails(client.get("/api/v1/people", {"q": "counsel"})) == ["cy@example.com"]
    assert emails(client.get("/api/v1/people", {"silo_id": legal.pk})) == ["cy@example.com"]
    assert emails(client.get("/api/v1/people", {"title": "engineer"})) == ["bob@example.com"]
    # A skill filter matches the whole skill, in any case: "billing" is not "billing-api".
    assert emails(client.get("/api/v1/people", {"skill": "Billing"})) == ["ann@example.com"]
    assert emails(client.get("/api/v1/people", {"skill": "billing", "silo_id": legal.pk})) == []


def test_pagination_respects_limit_offset_and_reports_count(api, admin, sales):
    for n in range(7):
        factories.person(sales, name=f"P{n}")
    client = api(admin)
    page = client.get("/api/v1/people", {"limit": 3, "offset": 3}).json()
    assert page["count"] == 8
    assert [p["name"] for p in page["items"]] == ["P3", "P4", "P5"]
    assert client.get("/api/v1/people", {"limit": 0}).status_code == 422
    assert client.get("/api/v1/people", {"limit": 500}).status_code == 200


def test_a_page_of_people_takes_a_fixed_number_of_queries(
    api, admin, django_assert_max_num_queries
):
    silos = [factories.silo() for _ in range(5)]
    boss = factories.person(silos[0])
    for n in range(60):
        factories.person(silos[n % 5], manager=boss, skills=["x"])
    client = api(admin)
    # the address's failed sign-ins, token lookup, token touch, count, page, the page's silo
    # names: nothing per row
    with django_assert_max_num_queries(6):
        page = client.get("/api/v1/people", {"limit": 50}).json()
    assert len(page["items"]) == 50
    assert page["items"][0]["silo_name"]


def test_get_by_id_and_by_email(api, admin, sales):
    ann = factories.person(sales, email="ann@example.com")
    client = api(admin)
    assert client.get(f"/api/v1/people/{ann.pk}").json()["email"] == "ann@example.com"
    assert client.get("/api/v1/people/by-email/ANN@example.com").json()["id"] == ann.pk
    response = client.get("/api/v1/people/by-email/nobody@example.com")
    assert response.status_code == 404
    assert response.json()["detail"] == "No person with email nobody@example.com."


def test_create_person_with_manager_by_email(api, admin, sales):
    boss = factories.person(sales, email="boss@example.com")
    response = api(admin).post("/api/v1/people", {
        "email": " New.Hire@Example.com ", "name": "New Hire", "silo_id": sales.pk,
        "title": "Agent", "skills": ["returns"], "languages": ["fr"],
        "manager_email": "boss@example.com", "capacity": 5,
    }, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "new.hire@example.com"
    assert body["manager_id"] == boss.pk
    assert (body["silo_id"], body["capacity"], body["languages"]) == (sales.pk, 5, ["fr"])
    row = AuditEvent.objects.get(object_type="org.person", action="create")
    assert (row.via, row.actor, row.silo_id) == ("api", admin, sales.pk)


def test_create_with_manager_by_id(api, admin, sales):
    boss = factories.person(sales)
    response = api(admin).post("/api/v1/people", {
        "email": "x@example.com", "name": "X", "silo_id": sales.pk, "manager_id": boss.pk,
    }, content_type=JSON)
    assert response.json()["manager_id"] == boss.pk


@pytest.mark.parametrize(("extra", "field"), [
    ({"manager_email": "ghost@example.com"}, "manager_email"),
    ({"manager_id": 987654}, "manager_id"),
    ({"silo_id": 987654}, "silo_id"),
    ({"capacity": -1}, "capacity"),
])
def test_create_with_bad_references_names_the_field(api, admin, sales, extra, field):
    body = {"email": "x@example.com", "name": "X", "silo_id": sales.pk, **extra}
    response = api(admin).post("/api/v1/people", body, content_type=JSON)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]
    assert response.json()["detail"].startswith(f"{field}: ")
    assert not Person.objects.filter(email="x@example.com").exists()


def test_create_with_both_manager_fields_is_422(api, admin, sales):
    boss = factories.person(sales)
    response = api(admin).post("/api/v1/people", {
        "email": "x@example.com", "name": "X", "silo_id": sales.pk,
        "manager_id": boss.pk, "manager_email": boss.email,
    }, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"] == "body: Send manager_id or manager_email, not both."


def test_duplicate_email_is_409(api, admin, sales):
    factories.person(sales, email="ann@example.com")
    response = api(admin).post("/api/v1/people", {
        "email": "ANN@example.com", "name": "Ann again", "silo_id": sales.pk,
    }, content_type=JSON)
    assert response.status_code == 409
    assert response.json()["detail"] == "email: Person with this Email already exists."
    assert Person.objects.filter(email="ann@example.com").count() == 1


def test_patch_changes_the_fields_sent_and_clears_manager_with_null(api, admin, sales):
    boss = factories.person(sales)
    ann = factories.person(sales, name="Ann", manager=boss, skills=["a"])
    client = api(admin)
    response = client.patch(f"/api/v1/people/{ann.pk}", {"title": "Lead", "skills": ["a", "b"]},
                            content_type=JSON)
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["skills"]) == ("Lead", ["a", "b"])
    assert response.json()["manager_id"] == boss.pk
    response = client.patch(f"/api/v1/people/{ann.pk}", {"manager_id": None}, content_type=JSON)
    assert response.json()["manager_id"] is None
    row = AuditEvent.objects.filter(object_type="org.person", action="update").first()
    assert row.changes["manager"] == [boss.pk, None]


def test_patch_moves_a_person_to_another_silo(api, admin, sales):
    legal = factories.silo("Legal")
    ann = factories.person(sales)
    response = api(admin).patch(f"/api/v1/people/{ann.pk}", {"silo_id": legal.pk},
                                content_type=JSON)
    assert response.json()["silo_name"] == "Legal"


def test_captain_cannot_move_own_person_into_another_silo(api, sales):
    legal = factories.silo("Legal")
    ann = factories.person(sales)
    client = api(factories.user(Role.CAPTAIN, sales))
    response = client.patch(f"/api/v1/people/{ann.pk}", {"silo_id": legal.pk}, content_type=JSON)
    assert response.status_code == 403
    ann.refresh_from_db()
    assert ann.silo == sales


def test_patch_to_an_email_in_use_is_409(api, admin, sales):
    factories.person(sales, email="taken@example.com")
    ann = factories.person(sales)
    response = api(admin).patch(f"/api/v1/people/{ann.pk}", {"email": "taken@example.com"},
                                content_type=JSON)
    assert response.status_code == 409


def test_patch_self_as_manager_is_422(api, admin, sales):
    ann = factories.person(sales)
    response = api(admin).patch(f"/api/v1/people/{ann.pk}", {"manager_id": ann.pk},
                                content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"] == "manager_id: A person cannot be their own manager."


def test_delete_person(api, admin, sales):
    ann = factories.person(sales)
    client = api(admin)
    assert client.delete(f"/api/v1/people/{ann.pk}").status_code == 204
    assert not Person.objects.filter(pk=ann.pk).exists()
    assert client.delete(f"/api/v1/people/{ann.pk}").status_code == 404


@pytest.mark.parametrize("field", ["name", "email", "silo_id", "skills", "capacity"])
def test_patch_refuses_null_for_a_field_that_needs_a_value(api, admin, sales, field):
    ann = factories.person(sales, name="Ann")
    response = api(admin).patch(f"/api/v1/people/{ann.pk}", {field: None}, content_type=JSON)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]
    ann.refresh_from_db()
    assert ann.name == "Ann"
