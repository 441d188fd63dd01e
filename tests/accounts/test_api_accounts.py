"""The account registry over the API: list and filters, register, change, delete, conflicts."""

import pytest

from tests import factories
from unsilo.accounts.models import Account
from unsilo.core.models import AuditEvent

pytestmark = pytest.mark.django_db
JSON = "application/json"


def handles(response) -> list[str]:
    return factories.listed(response, "handle")


def test_list_shows_owner_stewards_and_profile_link(api, admin, sales):
    account = factories.account(sales, handle="acme", network="x", display_name="ACME")
    page = api(admin).get("/api/v1/accounts").json()
    assert page["count"] == 1
    item = page["items"][0]
    assert item["owner_silo_name"] == "Sales"
    assert item["profile_url"] == "https://x.com/acme"
    assert sorted(s["id"] for s in item["stewards"]) == sorted(
        account.stewards.values_list("pk", flat=True)
    )


def test_list_filters_by_silo_network_status_and_q(api, admin, sales):
    legal = factories.silo("Legal")
    factories.account(sales, handle="acme-sales", network="x")
    factories.account(legal, handle="acme-legal", network="bluesky", display_name="Counsel")
    factories.account(sales, handle="old-acme", network="x", status="retired")
    client = api(admin)
    assert handles(client.get("/api/v1/accounts", {"silo_id": legal.pk})) == ["acme-legal"]
    assert handles(client.get("/api/v1/accounts", {"network": "x"})) == ["acme-sales", "old-acme"]
    assert handles(client.get("/api/v1/accounts", {"status": "retired"})) == ["old-acme"]
    assert handles(client.get("/api/v1/accounts", {"q": "counsel"})) == ["acme-legal"]
    assert client.get("/api/v1/accounts", {"status": "lost"}).status_code == 422


def test_a_page_of_accounts_takes_a_fixed_number_of_queries(
    api, admin, django_assert_max_num_queries
):
    for _ in range(15):
        factories.account(stewards=3)
    client = api(admin)
    # the address's failed sign-ins, token lookup, token touch, count, page, stewards
    with django_assert_max_num_queries(6):
        page = client.get("/api/v1/accounts").json()
    assert len(page["items"]) == 15
    assert all(len(a["stewards"]) == 3 for a in page["items"])


def test_register_account_with_steward_ids(api, admin, sales):
    ann, bob = factories.person(sales), factories.person(sales)
    response = api(admin).post("/api/v1/accounts", {
        "network": "bluesky", "handle": " acme.bsky.social ", "owner_silo_id": sales.pk,
        "stewards": [ann.pk, bob.pk], "status": "active",
    }, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["handle"] == "acme.bsky.social"
    assert {s["email"] for s in body["stewards"]} == {ann.email, bob.email}
    row = AuditEvent.objects.get(object_type="accounts.account", action="create")
    assert (row.via, row.actor, row.silo_id) == ("api", admin, sales.pk)
    assert sorted(row.changes["stewards"][1]) == sorted([ann.pk, bob.pk])


def test_register_unregistered_account_needs_no_owner_or_stewards(api, admin):
    response = api(admin).post("/api/v1/accounts", {
        "network": "x", "handle": "acme_fake", "status": "unregistered",
    }, content_type=JSON)
    assert response.status_code == 201
    assert response.json()["owner_silo_id"] is None


@pytest.mark.parametrize(("change", "field"), [
    ({"stewards": []}, "stewards"),
    ({"owner_silo_id": None}, "owner_silo_id"),
    ({"network": "myspace"}, "network"),
    ({"status": "lost"}, "status"),
])
def test_register_with_bad_input_names_the_field(api, admin, sales, change, field):
    data = {"network": "x", "handle": "acme", "owner_silo_id": sales.pk,
            "stewards": [factories.person(sales).pk, factories.person(sales).pk], **change}
    response = api(admin).post("/api/v1/accounts", data, content_type=JSON)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]
    assert not Account.objects.exists()


def test_register_with_an_unknown_steward_id_names_it(api, admin, sales):
    ann = factories.person(sales)
    response = api(admin).post("/api/v1/accounts", {
        "network": "x", "handle": "acme", "owner_silo_id": sales.pk, "stewards": [ann.pk, 999999],
    }, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"] == "stewards: No person with id 999999."


@pytest.mark.parametrize(("network", "status", "detail", "stored"), [
    pytest.param("x", 409, "Account with this Network and Handle already exists.", 1,
                 id="same-network-is-409"),
    pytest.param("bluesky", 201, None, 2, id="another-network-is-fine"),
])
def test_a_handle_is_registered_once_per_network(api, admin, sales, network, status, detail,
                                                 stored):
    factories.account(sales, network="x", handle="acme")
    response = api(admin).post("/api/v1/accounts", {
        "network": network, "handle": "acme", "status": "unregistered",
    }, content_type=JSON)
    assert response.status_code == status
    assert response.json().get("detail") == detail
    assert Account.objects.count() == stored


def test_get_one_account_and_404(api, admin, sales):
    account = factories.account(sales)
    client = api(admin)
    assert client.get(f"/api/v1/accounts/{account.pk}").json()["handle"] == account.handle
    assert client.get("/api/v1/accounts/999999").status_code == 404


def test_patch_replaces_stewards_and_keeps_the_rest(api, admin, sales):
    account = factories.account(sales, display_name="ACME")
    new = [factories.person(sales).pk, factories.person(sales).pk]
    response = api(admin).patch(f"/api/v1/accounts/{account.pk}", {"stewards": new},
                                content_type=JSON)
    assert response.status_code == 200
    assert sorted(s["id"] for s in response.json()["stewards"]) == sorted(new)
    assert response.json()["display_name"] == "ACME"


def test_patch_below_two_stewards_is_refused(api, admin, sales):
    account = factories.account(sales)
    response = api(admin).patch(f"/api/v1/accounts/{account.pk}",
                                {"stewards": [factories.person(sales).pk]}, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("stewards: ")
    assert account.stewards.count() == 2


def test_patch_hands_the_account_to_another_silo(api, admin, sales):
    legal = factories.silo("Legal")
    account = factories.account(sales)
    response = api(admin).patch(f"/api/v1/accounts/{account.pk}", {"owner_silo_id": legal.pk},
                                content_type=JSON)
    assert response.json()["owner_silo_name"] == "Legal"


def test_delete_account(api, admin, sales):
    account = factories.account(sales)
    assert api(admin).delete(f"/api/v1/accounts/{account.pk}").status_code == 204
    assert not Account.objects.exists()
    assert AuditEvent.objects.filter(object_type="accounts.account", action="delete").exists()


def test_patch_refuses_null_stewards_but_null_owner_unregisters(api, admin, sales):
    account = factories.account(sales)
    client = api(admin)
    url = f"/api/v1/accounts/{account.pk}"
    response = client.patch(url, {"stewards": None}, content_type=JSON)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["stewards"]
    response = client.patch(url, {"owner_silo_id": None, "status": "unregistered"},
                            content_type=JSON)
    assert response.status_code == 200
    assert response.json()["owner_silo_id"] is None
