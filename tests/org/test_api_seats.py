"""Seats over the API: the whole table, one seat, seating and unseating people."""

import pytest

from tests import factories
from unsilo.core.models import AuditEvent
from unsilo.org.models import SeatMember, SeatRole

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_table_lists_every_silo_with_captains_delegates_and_empty_seats(api, admin):
    sales = factories.silo("Sales")
    ann = factories.person(sales, name="Ann", email="ann@example.com")
    bob = factories.person(sales, name="Bob", email="bob@example.com")
    factories.seat(sales, ann, SeatRole.CAPTAIN)
    factories.seat(sales, bob, SeatRole.DELEGATE)
    factories.silo("Legal")
    response = api(admin).get("/api/v1/seats")
    assert response.status_code == 200
    seats = {s["silo_name"]: s for s in response.json()}
    assert set(seats) == {"COE", "Sales", "Legal"}
    assert seats["Sales"] == {
        "silo_id": sales.pk, "silo_name": "Sales", "people_count": 2,
        "captains": [{"id": ann.pk, "name": "Ann", "email": "ann@example.com"}],
        "delegates": [{"id": bob.pk, "name": "Bob", "email": "bob@example.com"}],
        "empty": False,
    }
    assert seats["Legal"]["empty"] is True


def test_table_takes_a_fixed_number_of_queries(api, admin, django_assert_max_num_queries):
    for n in range(20):
        silo = factories.silo(f"Team {n}")
        factories.seat(silo, factories.person(silo))
    client = api(admin)
    with django_assert_max_num_queries(6):  # one of them: the address's failed sign-ins
        assert len(client.get("/api/v1/seats").json()) == 21


def test_one_seat_and_404_for_an_unknown_silo(api, admin):
    sales = factories.silo("Sales")
    factories.seat(sales, factories.person(sales))
    client = api(admin)
    seat = client.get(f"/api/v1/seats/{sales.pk}").json()
    assert (seat["silo_name"], len(seat["captains"]), seat["empty"]) == ("Sales", 1, False)
    assert client.get("/api/v1/seats/999999").status_code == 404


def test_put_seats_a_person_then_changes_their_role(api, admin):
    sales = factories.silo("Sales")
    ann = factories.person(sales, name="Ann")
    client = api(admin)
    url = f"/api/v1/seats/{sales.pk}/members/{ann.pk}"
    response = client.put(url, {"role": "delegate"}, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["role"] == "delegate"
    assert response.json()["person"]["name"] == "Ann"
    response = client.put(url, {"role": "captain"}, content_type=JSON)
    assert response.json()["role"] == "captain"
    assert SeatMember.objects.get(silo=sales, person=ann).role == "captain"
    actions_logged = list(
        AuditEvent.objects.filter(object_type="org.seatmember").values_list("action", "via")
    )
    assert sorted(actions_logged) == [("create", "api"), ("update", "api")]


def test_put_may_seat_someone_from_a_silo_inside(api, admin):
    emea = factories.silo("EMEA")
    emea_sales = factories.silo("EMEA Sales", parent=emea)
    ann = factories.person(emea_sales)
    response = api(admin).put(f"/api/v1/seats/{emea.pk}/members/{ann.pk}", {"role": "captain"},
                              content_type=JSON)
    assert response.status_code == 200


def test_put_refuses_a_person_from_another_silo(api, admin):
    sales, legal = factories.silo("Sales"), factories.silo("Legal")
    outsider = factories.person(legal)
    response = api(admin).put(f"/api/v1/seats/{sales.pk}/members/{outsider.pk}",
                              {"role": "captain"}, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("person: ")
    assert not SeatMember.objects.exists()


def test_put_refuses_an_unknown_role(api, admin):
    sales = factories.silo("Sales")
    ann = factories.person(sales)
    response = api(admin).put(f"/api/v1/seats/{sales.pk}/members/{ann.pk}", {"role": "king"},
                              content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("role: ")


def test_delete_unseats_and_404s_when_not_seated(api, admin):
    sales = factories.silo("Sales")
    ann = factories.person(sales)
    factories.seat(sales, ann)
    client = api(admin)
    url = f"/api/v1/seats/{sales.pk}/members/{ann.pk}"
    assert client.delete(url).status_code == 204
    assert not SeatMember.objects.exists()
    assert client.get(f"/api/v1/seats/{sales.pk}").json()["empty"] is True
    assert client.delete(url).status_code == 404
