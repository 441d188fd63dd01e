import pytest

from tests import factories as f
from unsilo.core.models import AuditEvent, Role
from unsilo.org.models import Silo, SiloKind

pytestmark = pytest.mark.django_db

REFUSED_ROLES = [Role.VIEWER, Role.RESPONDER, Role.REVIEWER]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# Reading ------------------------------------------------------------------------------------


def test_the_silo_page_shows_its_facts_description_seat_and_accounts_link(login):
    region = f.silo("Europe", kind=SiloKind.REGION)
    care = f.silo("Care DE", parent=region, description="Support for <German> customers.")
    f.silo("Care Berlin", parent=care)
    captain = f.person(care, name="Clara Captain")
    f.seat(care, captain, "captain")
    client = login(f.user(Role.VIEWER))

    html = client.get(f"/silos/{care.slug}/").content.decode()

    assert "<h1>Care DE" in html
    assert "Department" in html
    assert f'<a href="/silos/{region.slug}/">Europe</a>' in html
    assert ">Care Berlin</a>" in html
    assert "Support for &lt;German&gt; customers." in html
    assert f'<a href="/people/{captain.pk}/">Clara Captain</a>' in html
    assert f'href="/accounts/?silo={care.pk}"' in html
    assert "Empty seat" not in html


def test_a_silo_without_seat_members_says_its_seat_is_empty(login):
    s = f.silo("Lonely")
    html = login(f.user(Role.VIEWER)).get(f"/silos/{s.slug}/").content.decode()
    assert '<span class="badge bad">Empty seat</span>' in html


def test_the_silo_page_lists_its_people_fifty_a_page_and_links_to_the_directory(login):
    s = f.silo("Crowd")
    for n in range(60):
        f.person(s, name=f"Crowd {n:02d}")
    client = login(f.user(Role.VIEWER))

    first = client.get(f"/silos/{s.slug}/").content.decode()
    second = client.get(f"/silos/{s.slug}/?page=2").content.decode()

    assert first.count('<th scope="row"><a href="/people/') == 50
    assert "Page 1 of 2" in first and "Crowd 49" in first and "Crowd 50" not in first
    assert "Crowd 50" in second and "Crowd 59" in second
    assert f'href="/people/?silo={s.pk}"' in first
    assert "60 people" in first


def test_an_unknown_silo_is_a_404(login):
    assert login(f.user(Role.VIEWER)).get("/silos/nowhere/").status_code == 404


def test_silo_action_buttons_show_only_to_who_may_use_them(login, client):
    s = f.silo("Mine")
    viewer_html = login(f.user(Role.VIEWER, s)).get(f"/silos/{s.slug}/").content.decode()
    for url in ("/edit/", "/delete/", "/people/new/", "/silos/new/"):
        assert url not in viewer_html
    client.logout()
    captain_html = login(f.user(Role.CAPTAIN, s)).get(f"/silos/{s.slug}/").content.decode()
    assert f"/silos/{s.slug}/edit/" in captain_html
    assert f"/silos/{s.slug}/delete/" not in captain_html
    assert "/silos/new/" not in captain_html
    client.logout()
    admin_html = login(f.user(Role.HUB_ADMIN)).get(f"/silos/{s.slug}/").content.decode()
    assert f"/silos/{s.slug}/delete/" in admin_html
    assert "/silos/new/" in admin_html


# Creating -----------------------------------------------------------------------------------


def test_the_hub_admin_creates_a_silo_inside_a_region_and_it_is_audited(login):
    region = f.silo("Americas", kind=SiloKind.REGION)
    client = login(f.user(Role.HUB_ADMIN))

    response = client.post("/silos/new/", {
        "name": "Care US", "kind": "department", "parent": region.pk, "description": "Phones.",
    })

    care = Silo.objects.get(name="Care US")
    assert response.status_code == 302 and response["Location"] == f"/silos/{care.slug}/"
    assert care.parent == region and care.description == "Phones."
    event = AuditEvent.objects.get(action="create", object_type="org.silo")
    assert event.object_id == str(care.pk)
    assert event.changes["name"] == [None, "Care US"]
    assert event.changes["parent"] == [None, region.pk]


def test_a_duplicate_silo_name_shows_next_to_the_name_field(login):
    f.silo("Taken")
    client = login(f.user(Role.HUB_ADMIN))

    response = client.post("/silos/new/", {"name": "Taken", "kind": "department"})

    assert response.status_code == 200  # the form again, with the reason
    html = response.content.decode()
    assert "already exists" in html
    assert html.index("already exists") > html.index('<label for="id_name"')
    assert html.index("already exists") < html.index('<label for="id_kind"')
    assert Silo.objects.filter(name="Taken").count() == 1


@pytest.mark.parametrize("role", [*REFUSED_ROLES, Role.CAPTAIN])
def test_only_the_hub_creates_silos(login, role):
    client = login(f.user(role))
    assert client.get("/silos/new/").status_code == 403
    assert client.post("/silos/new/", {"name": "Rogue", "kind": "department"}).status_code == 403
    assert not Silo.objects.filter(name="Rogue").exists()
    assert not AuditEvent.objects.exists()


# Editing ------------------------------------------------------------------------------------


def test_the_hub_admin_renames_and_moves_a_silo(login):
    region = f.silo("EMEA", kind=SiloKind.REGION)
    s = f.silo("Old name", slug="old-name")
    client = login(f.user(Role.HUB_ADMIN))

    response = client.post(f"/silos/{s.slug}/edit/", {
        "name": "New name", "kind": "function", "parent": region.pk, "description": "",
    })

    s.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == "/silos/new-name/"
    assert (s.name, s.kind, s.parent_id) == ("New name", "function", region.pk)
    event = AuditEvent.objects.get(action="update", object_type="org.silo")
    assert event.changes["name"] == ["Old name", "New name"]


def test_a_silo_cannot_move_inside_its_own_child(login):
    parent = f.silo("Parent", kind=SiloKind.REGION)
    child = f.silo("Child", parent=parent)
    client = login(f.user(Role.HUB_ADMIN))

    response = client.post(f"/silos/{parent.slug}/edit/", {
        "name": "Parent", "kind": "region", "parent": child.pk, "description": "",
    })

    assert response.status_code == 200  # the form again, with the reason
    assert "cannot sit inside itself" in response.content.decode()
    parent.refresh_from_db()
    assert parent.parent_id is None


def test_a_captain_edits_only_the_description_of_their_own_silo(login):
    s = f.silo("Own", description="Before")
    client = login(f.user(Role.CAPTAIN, s))

    form_html = client.get(f"/silos/{s.slug}/edit/").content.decode()
    assert 'name="description"' in form_html
    assert 'name="name"' not in form_html and 'name="parent"' not in form_html

    response = client.post(f"/silos/{s.slug}/edit/", {"description": "After", "name": "Hijack"})

    assert response.status_code == 302
    s.refresh_from_db()
    assert (s.name, s.description) == ("Own", "After")
    event = AuditEvent.objects.get(action="update", object_type="org.silo")
    assert event.changes == {"description": ["Before", "After"]}


def test_a_captain_gets_403_editing_another_silo(login):
    own, other = f.silo("Own"), f.silo("Other", description="Theirs")
    client = login(f.user(Role.CAPTAIN, own))

    assert client.get(f"/silos/{other.slug}/edit/").status_code == 403
    assert client.post(f"/silos/{other.slug}/edit/", {"description": "Mine"}).status_code == 403
    other.refresh_from_db()
    assert other.description == "Theirs"


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_viewers_responders_and_reviewers_cannot_edit_or_delete_a_silo(login, role):
    s = f.silo("Kept", description="Kept")
    client = login(f.user(role, s))

    assert client.get(f"/silos/{s.slug}/edit/").status_code == 403
    assert client.post(f"/silos/{s.slug}/edit/", {"description": "Changed"}).status_code == 403
    assert client.post(f"/silos/{s.slug}/delete/").status_code == 403
    s.refresh_from_db()
    assert s.description == "Kept"
    assert not AuditEvent.objects.exists()


# Deleting -----------------------------------------------------------------------------------


def test_the_hub_admin_deletes_an_empty_silo_after_confirming(login):
    s = f.silo("Gone soon")
    client = login(f.user(Role.HUB_ADMIN))

    assert "Delete Gone soon?" in client.get(f"/silos/{s.slug}/delete/").content.decode()
    response = client.post(f"/silos/{s.slug}/delete/", follow=True)

    assert not Silo.objects.filter(pk=s.pk).exists()
    assert "Silo Gone soon deleted." in messages_of(response)
    assert AuditEvent.objects.filter(action="delete", object_type="org.silo",
                                     object_id=str(s.pk)).exists()


def test_a_silo_with_people_or_children_is_not_deleted_and_the_message_says_why(login):
    with_people = f.silo("Staffed")
    f.person(with_people)
    with_child = f.silo("Parent")
    f.silo("Kid", parent=with_child)
    client = login(f.user(Role.HUB_ADMIN))

    people_response = client.post(f"/silos/{with_people.slug}/delete/", follow=True)
    child_response = client.post(f"/silos/{with_child.slug}/delete/", follow=True)

    assert "still has people" in " ".join(messages_of(people_response))
    assert "still holds other silos" in " ".join(messages_of(child_response))
    assert Silo.objects.filter(pk__in=[with_people.pk, with_child.pk]).count() == 2
    assert not AuditEvent.objects.exists()


def test_a_captain_cannot_delete_even_their_own_silo(login):
    s = f.silo("Own")
    client = login(f.user(Role.CAPTAIN, s))
    assert client.get(f"/silos/{s.slug}/delete/").status_code == 403
    assert client.post(f"/silos/{s.slug}/delete/").status_code == 403
    assert Silo.objects.filter(pk=s.pk).exists()


def test_a_refused_rename_keeps_the_page_pointing_at_the_silo_as_saved(login):
    f.silo("Taken")
    s = f.silo("Mine", slug="mine")
    client = login(f.user(Role.HUB_ADMIN))

    response = client.post("/silos/mine/edit/", {"name": "Taken", "kind": "department"})

    html = response.content.decode()
    assert "already exists" in html
    assert "<h1>Edit Mine</h1>" in html and 'href="/silos/mine/"' in html
    s.refresh_from_db()
    assert (s.name, s.slug) == ("Mine", "mine")
