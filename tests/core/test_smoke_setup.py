import pytest

pytestmark = pytest.mark.django_db


def test_healthz_says_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_pages_need_a_login(client):
    response = client.get("/table/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/table/")
