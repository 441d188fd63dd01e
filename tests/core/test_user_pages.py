import pytest
from django.test import Client

from tests import factories as f
from unsilo.core.models import AuditEvent, Role, User

pytestmark = pytest.mark.django_db

NOT_HUB = [Role.CAPTAIN, Role.RESPONDER, Role.REVIEWER, Role.VIEWER]
GOOD_PASSWORD = "plum orchard sunrise 42"


def errors_of(response, field):
    return response.context["form"].errors.get(field, [])


@pytest.mark.parametrize("role", NOT_HUB)
def test_login_pages_are_403_for_everyone_but_the_hub_admin(login, role):
    other = f.user(Role.VIEWER)
    someone = f.person()
    client = login(f.user(role))
    assert client.get("/admin/users/").status_code == 403
    assert client.get("/admin/users/new/").status_code == 403
    new = {"email": someone.email, "role": Role.HUB_ADMIN, "password": GOOD_PASSWORD}
    assert client.post("/admin/users/new/", new).status_code == 403
    assert client.get(f"/admin/users/{other.pk}/edit/").status_code == 403
    edit = {"role": Role.HUB_ADMIN, "is_active": "on"}
    assert client.post(f"/admin/users/{other.pk}/edit/", edit).status_code == 403
    other.refresh_from_db()
    assert other.role == Role.VIEWER
    assert not User.objects.filter(email=someone.email).exists()


def test_logins_list_shows_role_person_silo_and_last_login(login):
    care = f.silo("Customer Care")
    ann = f.user(Role.CAPTAIN, care)
    response = login(f.user(Role.HUB_ADMIN)).get("/admin/users/")
    page = response.content.decode()
    assert ann.email in page and "Spoke captain" in page and "Customer Care" in page
    assert f'href="/people/{ann.person_id}/"' in page
    assert f'href="/admin/users/{ann.pk}/edit/"' in page
    assert "never" in page


def test_logins_list_filters_by_text_and_role(login):
    ann = f.user(Role.CAPTAIN, email="ann@corp.test")
    f.user(Role.VIEWER, email="bob@corp.test")
    client = login(f.user(Role.HUB_ADMIN))
    assert [u.pk for u in client.get("/admin/users/", {"q": "ANN@"}).context["page"]] == [ann.pk]
    assert [u.pk for u in client.get("/admin/users/", {"role": "captain"}).context["page"]] == [
        ann.pk
    ]


def test_hub_admin_gives_a_person_a_login_that_works(login):
    care = f.silo()
    person = f.person(care, email="carla@corp.test", name="Carla")
    client = login(f.user(Role.HUB_ADMIN))
    response = client.post("/admin/users/new/", {
        "email": "Carla@Corp.test", "role": Role.CAPTAIN, "password": GOOD_PASSWORD,
    })
    assert response.status_code == 302
    made = User.objects.get(email="carla@corp.test")
    assert (made.person, made.role, made.name) == (person, Role.CAPTAIN, "Carla")
    assert made.silo_id == care.pk
    event = AuditEvent.objects.get(object_type="core.user", object_id=str(made.pk))
    assert event.action == "create" and event.changes["password"][1] == "[redacted]"
    signed_in = Client().post("/login/", {"username": "carla@corp.test",
                                          "password": GOOD_PASSWORD})
    assert (signed_in.status_code, signed_in["Location"]) == (302, "/table/")


def test_new_login_needs_a_known_person(login):
    client = login(f.user(Role.HUB_ADMIN))
    response = client.post("/admin/users/new/", {
        "email": "ghost@corp.test", "role": Role.VIEWER, "password": GOOD_PASSWORD,
    })
    assert response.status_code == 200
    assert "ghost@corp.test" in errors_of(response, "email")[0]
    assert "ghost@corp.test" in response.content.decode()
    assert not User.objects.filter(email="ghost@corp.test").exists()


def test_a_person_gets_only_one_login(login):
    existing = f.user(Role.VIEWER)
    client = login(f.user(Role.HUB_ADMIN))
    response = client.post("/admin/users/new/", {
        "email": existing.email, "role": Role.HUB_ADMIN, "password": GOOD_PASSWORD,
    })
    assert "already has a login" in errors_of(response, "email")[0]
    existing.refresh_from_db()
    assert existing.role == Role.VIEWER


@pytest.mark.parametrize("password", ["Sh0rt!x", "password1234"])
def test_weak_initial_password_is_an_error_on_the_field(login, password):
    person = f.person()
    client = login(f.user(Role.HUB_ADMIN))
    response = client.post("/admin/users/new/", {
        "email": person.email, "role": Role.VIEWER, "password": password,
    })
    assert response.status_code == 200
    assert errors_of(response, "password")
    assert password not in response.content.decode()  # never echoed back
    assert not User.objects.filter(email=person.email).exists()


def test_hub_admin_changes_a_role_and_deactivates_a_login(login):
    bob = f.user(Role.VIEWER)
    client = login(f.user(Role.HUB_ADMIN))
    page = client.get(f"/admin/users/{bob.pk}/edit/").content.decode()
    assert '<option value="viewer" selected>' in page
    response = client.post(f"/admin/users/{bob.pk}/edit/", {"role": Role.REVIEWER})
    assert response.status_code == 302
    bob.refresh_from_db()
    assert (bob.role, bob.is_active) == (Role.REVIEWER, False)
    event = AuditEvent.objects.get(object_type="core.user", object_id=str(bob.pk))
    assert event.changes["role"] == ["viewer", "reviewer"]
    assert event.changes["is_active"] == [True, False]


def test_hub_admin_cannot_change_their_own_role(login):
    admin = f.user(Role.HUB_ADMIN)
    client = login(admin)
    response = client.post(f"/admin/users/{admin.pk}/edit/",
                           {"role": Role.VIEWER, "is_active": "on"})
    assert response.status_code == 200
    assert "cannot change your own role" in errors_of(response, "role")[0]
    assert "cannot change your own role" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.HUB_ADMIN


def test_unknown_login_is_404(login):
    assert login(f.user(Role.HUB_ADMIN)).get("/admin/users/999999/edit/").status_code == 404
