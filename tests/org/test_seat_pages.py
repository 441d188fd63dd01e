import pytest

from tests import factories as f
from unsilo.core.models import AuditEvent, Role
from unsilo.org.models import SeatMember

pytestmark = pytest.mark.django_db

REFUSED_ROLES = [Role.VIEWER, Role.RESPONDER, Role.REVIEWER]


def test_the_hub_admin_seats_a_person_by_email_and_the_seat_is_no_longer_empty(login):
    s = f.silo("Care")
    p = f.person(s, name="Cleo", email="cleo@example.com")
    client = login(f.user(Role.HUB_ADMIN))

    response = client.post(f"/silos/{s.slug}/seat/", {"email": "CLEO@example.com",
                                                      "role": "captain"}, follow=True)

    member = SeatMember.objects.get(silo=s, person=p)
    assert member.role == "captain"
    assert "Cleo now holds Care's seat as captain." in response.content.decode().replace(
        "&#x27;", "'")
    event = AuditEvent.objects.get(action="create", object_type="org.seatmember")
    assert event.changes["role"] == [None, "captain"] and event.silo_id == s.pk
    table = client.get("/table/").content.decode()
    care_row = next(r for r in table.split("<tr") if ">Care</a>" in r)
    assert "Empty seat" not in care_row


def test_seating_a_member_again_changes_their_role(login):
    s = f.silo()
    p = f.person(s, email="d@example.com")
    f.seat(s, p, "delegate")
    client = login(f.user(Role.HUB_ADMIN))

    client.post(f"/silos/{s.slug}/seat/", {"email": "d@example.com", "role": "captain"})

    assert SeatMember.objects.get(silo=s, person=p).role == "captain"
    event = AuditEvent.objects.get(action="update", object_type="org.seatmember")
    assert event.changes == {"role": ["delegate", "captain"]}


def test_the_seat_form_offers_this_silos_people_and_labels_its_inputs(login):
    s = f.silo()
    f.person(s, email="here@example.com")
    f.person(email="elsewhere@example.com")
    html = login(f.user(Role.HUB_ADMIN)).get(f"/silos/{s.slug}/").content.decode()
    assert 'list="seat-people"' in html and '<datalist id="seat-people">' in html
    assert '<option value="here@example.com">' in html
    assert "elsewhere@example.com" not in html
    assert '<label for="id_email"' in html and '<label for="id_role"' in html


def test_seating_someone_from_another_silo_shows_the_reason_and_writes_nothing(login):
    s, other = f.silo("Care"), f.silo("Sales")
    f.person(other, name="Sam", email="sam@example.com")
    client = login(f.user(Role.HUB_ADMIN))

    response = client.post(f"/silos/{s.slug}/seat/", {"email": "sam@example.com",
                                                      "role": "delegate"})

    assert response.status_code == 200  # the form again, with the reason
    assert "Sam belongs to Sales, not to Care." in response.content.decode()
    assert not SeatMember.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_unknown_email_is_an_error_next_to_the_email_field(login):
    s = f.silo()
    client = login(f.user(Role.HUB_ADMIN))
    response = client.post(f"/silos/{s.slug}/seat/", {"email": "ghost@example.com",
                                                      "role": "delegate"})
    assert response.status_code == 200  # the form again, with the reason
    assert "Nobody in the directory has the email ghost@example.com." in response.content.decode()


def test_removing_a_seat_member_empties_the_seat_and_is_audited(login):
    s = f.silo("Care")
    member = f.seat(s, f.person(s, name="Leaving"))
    client = login(f.user(Role.HUB_ADMIN))
    page = client.get(f"/silos/{s.slug}/").content.decode()
    assert f'action="/silos/{s.slug}/seat/{member.pk}/remove/"' in page

    client.post(f"/silos/{s.slug}/seat/{member.pk}/remove/")

    assert not SeatMember.objects.exists()
    assert AuditEvent.objects.filter(action="delete", object_type="org.seatmember").exists()
    assert "Empty seat" in client.get(f"/silos/{s.slug}/").content.decode()


def test_a_captain_manages_the_seat_of_their_own_silo(login):
    s = f.silo()
    f.person(s, email="mate@example.com")
    client = login(f.user(Role.CAPTAIN, s))

    response = client.post(f"/silos/{s.slug}/seat/", {"email": "mate@example.com",
                                                      "role": "delegate"})

    assert response.status_code == 302
    member = SeatMember.objects.get(silo=s)
    assert client.post(f"/silos/{s.slug}/seat/{member.pk}/remove/").status_code == 302
    assert not SeatMember.objects.exists()


def test_a_captain_gets_403_on_another_silos_seat(login):
    own, other = f.silo("Own"), f.silo("Other")
    f.person(other, email="them@example.com")
    member = f.seat(other, f.person(other))
    client = login(f.user(Role.CAPTAIN, own))

    assert "Seat this person" not in client.get(f"/silos/{other.slug}/").content.decode()
    assert client.post(f"/silos/{other.slug}/seat/", {"email": "them@example.com",
                                                      "role": "captain"}).status_code == 403
    assert client.post(f"/silos/{other.slug}/seat/{member.pk}/remove/").status_code == 403
    assert list(SeatMember.objects.all()) == [member]
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_viewers_responders_and_reviewers_cannot_change_a_seat(login, role):
    s = f.silo()
    f.person(s, email="p@example.com")
    member = f.seat(s, f.person(s))
    client = login(f.user(role, s))

    page = client.get(f"/silos/{s.slug}/").content.decode()
    assert "Seat this person" not in page and "/remove/" not in page
    assert client.post(f"/silos/{s.slug}/seat/", {"email": "p@example.com",
                                                  "role": "captain"}).status_code == 403
    # Even a malformed form is refused before it is read.
    assert client.post(f"/silos/{s.slug}/seat/", {}).status_code == 403
    assert client.post(f"/silos/{s.slug}/seat/{member.pk}/remove/").status_code == 403
    assert list(SeatMember.objects.all()) == [member]
    assert not AuditEvent.objects.exists()


def test_a_seat_member_of_another_silo_cannot_be_removed_through_this_silos_url(login):
    s, other = f.silo(), f.silo()
    member = f.seat(other, f.person(other))
    client = login(f.user(Role.HUB_ADMIN))
    assert client.post(f"/silos/{s.slug}/seat/{member.pk}/remove/").status_code == 404
    assert SeatMember.objects.filter(pk=member.pk).exists()


def test_seat_changes_need_post(login):
    s = f.silo()
    member = f.seat(s, f.person(s))
    client = login(f.user(Role.HUB_ADMIN))
    assert client.get(f"/silos/{s.slug}/seat/{member.pk}/remove/").status_code == 405
    assert SeatMember.objects.filter(pk=member.pk).exists()
