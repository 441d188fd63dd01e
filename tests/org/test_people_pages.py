import re

import pytest

from tests import factories as f
from unsilo.core.models import AuditEvent, Role
from unsilo.org.models import Person

pytestmark = pytest.mark.django_db

REFUSED_ROLES = [Role.VIEWER, Role.RESPONDER, Role.REVIEWER]


def names_listed(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<th scope="row"><a href="/people/\d+/">([^<]+)</a>', body)


def person_data(silo, **overrides) -> dict:
    data = {
        "name": "Grace Hopper", "email": "grace@example.com", "title": "Rear admiral",
        "silo": silo.pk, "skills": "compilers; crisis comms, COBOL", "languages": "en, es",
        "timezone": "America/New_York", "manager_email": "", "capacity": "7", "is_active": "on",
    }
    return {**data, **overrides}


# The directory ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    ["ada love", "ada@analytical", "ENGINE WHISPERER", "difference engines"],
    ids=["name", "email", "title", "skill"],
)
def test_search_finds_a_person_by_name_email_title_or_skill(login, q):
    s = f.silo("Engineering")
    f.person(s, name="Ada Lovelace", email="ada@analytical.example", title="Engine whisperer",
             skills=["difference engines", "poetry"])
    f.person(s, name="Charles Babbage", email="charles@example.com", title="Inventor",
             skills=["gears"])
    client = login(f.user(Role.VIEWER))

    html = client.get("/people/", {"q": q.replace("ada love", "Ada Love")}).content.decode()

    assert names_listed(html) == ["Ada Lovelace"]
    assert "1 person matching" in html


def test_the_people_table_shows_title_silo_email_and_skills(login):
    s = f.silo("Care")
    p = f.person(s, name="Ana", title="Agent", email="ana@example.com", skills=["billing", "de"])
    client = login(f.user(Role.VIEWER))

    html = client.get("/people/", {"q": "Ana"}).content.decode()

    assert f'<a href="/people/{p.pk}/">Ana</a>' in html
    assert f'<a href="/silos/{s.slug}/">Care</a>' in html
    assert "ana@example.com" in html
    assert "billing, de" in html
    assert "Agent" in html


def test_pagination_shows_fifty_a_page_and_page_two(login):
    s = f.silo("Big")
    for n in range(120):
        f.person(s, name=f"Member {n:03d}")
    client = login(f.user(Role.VIEWER, s))

    first = client.get("/people/", {"silo": s.pk}).content.decode()
    second = client.get("/people/", {"silo": s.pk, "page": 2}).content.decode()

    assert len(names_listed(first)) == 50
    assert "121 people" in first  # the viewer's own person sits in this silo too
    assert "Page 1 of 3" in first
    assert f'href="?silo={s.pk}&amp;page=2"' in first
    listed = names_listed(second)
    assert len(listed) == 50
    assert listed[0] == "Member 050"  # "Person …", the viewer, sorts last
    assert "Page 2 of 3" in second
    assert "Previous" in second and "Next" in second


def test_a_page_past_the_end_shows_the_last_page_and_a_bad_page_number_the_first(login):
    s = f.silo("Big")
    for n in range(60):
        f.person(s, name=f"Member {n:02d}")
    client = login(f.user(Role.VIEWER))

    searched = client.get("/people/", {"q": "Member", "page": 9}).content.decode()
    listed = client.get("/people/", {"silo": s.pk, "page": 9}).content.decode()
    garbled = client.get("/people/", {"q": "Member", "page": "x"}).content.decode()

    for html in (searched, listed):
        assert "Page 2 of 2" in html
        assert names_listed(html) == [f"Member {n}" for n in range(50, 60)]
    assert "Page 1 of 2" in garbled and "60 people" in garbled


def test_a_search_that_matches_nobody_says_so(login):
    f.person(name="Ada")
    html = login(f.user(Role.VIEWER)).get("/people/", {"q": "zzzz"}).content.decode()
    assert "0 people matching" in html and "Nobody matches" in html


def test_the_htmx_search_returns_only_the_results_fragment(login):
    f.person(name="Ada Lovelace")
    client = login(f.user(Role.VIEWER))

    response = client.get("/people/", {"q": "Ada"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="results">')
    assert names_listed(html) == ["Ada Lovelace"]
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(login):
    client = login(f.user(Role.VIEWER))
    response = client.get(
        "/people/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_the_search_box_searches_as_you_type_and_still_works_without_javascript(login):
    html = login(f.user(Role.VIEWER)).get("/people/").content.decode()
    form = html.split('role="search"', 1)[0].rsplit("<form", 1)[1]
    assert 'method="get"' in form and 'action="/people/"' in form
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    assert 'hx-target="#results"' in html
    assert 'hx-push-url="true"' in html
    assert '<label for="people-q">' in html and '<label for="people-silo">' in html


def test_the_silo_filter_lists_only_that_silos_people(login):
    care, sales = f.silo("Care"), f.silo("Sales")
    f.person(care, name="Carer")
    f.person(sales, name="Seller")
    client = login(f.user(Role.VIEWER))

    html = client.get("/people/", {"silo": care.pk}).content.decode()

    assert names_listed(html) == ["Carer"]
    assert f'<option value="{care.pk}" selected>' in html


def test_search_and_silo_filter_combine(login):
    care, sales = f.silo("Care"), f.silo("Sales")
    f.person(care, name="Pat Care", skills=["refunds"])
    f.person(sales, name="Pat Sales", skills=["refunds"])
    client = login(f.user(Role.VIEWER))

    html = client.get("/people/", {"silo": sales.pk, "q": "refunds"}).content.decode()

    assert names_listed(html) == ["Pat Sales"]


def test_the_people_list_runs_a_fixed_number_of_queries(login, django_assert_max_num_queries):
    silos = [f.silo() for _ in range(5)]
    for n in range(80):
        f.person(silos[n % 5], skills=["x"])
    client = login(f.user(Role.VIEWER))
    for params in ({}, {"q": "Person"}, {"silo": silos[0].pk}, {"page": 2}):
        with django_assert_max_num_queries(6):
            response = client.get("/people/", params)
        assert response.status_code == 200


def test_the_import_link_shows_only_for_those_who_may_import(login, client):
    assert "/people/import/" not in login(f.user(Role.CAPTAIN)).get("/people/").content.decode()
    client.logout()
    assert "/people/import/" in login(f.user(Role.HUB_ADMIN)).get("/people/").content.decode()


# A person's page ----------------------------------------------------------------------------


def test_the_person_page_shows_their_facts_seats_reports_accounts_and_login(login):
    s = f.silo("Care")
    boss = f.person(s, name="Boss")
    p = f.person(s, name="Ana", title="Agent", skills=["billing"], languages=["pt", "en"],
                 timezone="Europe/Lisbon", capacity=4, manager=boss)
    report = f.person(s, name="Junior", manager=p)
    f.seat(s, p, "captain")
    acc = f.account(s, handle="acme-care")
    acc.stewards.add(p)
    f.user(Role.RESPONDER, person=p)
    client = login(f.user(Role.VIEWER))

    html = client.get(f"/people/{p.pk}/").content.decode()

    assert "<h1>Ana" in html
    for fact in ("Agent", "billing", "pt, en", "Europe/Lisbon", "4 open conversations",
                 "acme-care", "Yes, as responder", "(captain)"):
        assert fact in html
    assert f'<a href="/silos/{s.slug}/">Care</a>' in html
    assert f'<a href="/people/{boss.pk}/">Boss</a>' in html
    assert f'<a href="/people/{report.pk}/">Junior</a>' in html


def test_a_person_without_a_login_says_so(login):
    p = f.person(name="No Login")
    html = login(f.user(Role.VIEWER)).get(f"/people/{p.pk}/").content.decode()
    assert "No login" in html


def test_user_text_with_a_script_tag_is_escaped_on_the_person_page(login):
    p = f.person(name="<script>alert('x')</script>", title="<img src=x onerror=alert(1)>",
                 skills=["<script>"])
    html = login(f.user(Role.VIEWER)).get(f"/people/{p.pk}/").content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_edit_buttons_show_only_where_the_user_may_manage_people(login, client):
    own = f.silo("Own")
    mine, theirs = f.person(own), f.person()
    captain = login(f.user(Role.CAPTAIN, own))
    assert f"/people/{mine.pk}/edit/" in captain.get(f"/people/{mine.pk}/").content.decode()
    assert f"/people/{theirs.pk}/edit/" not in captain.get(f"/people/{theirs.pk}/").content.decode()
    client.logout()
    viewer = login(f.user(Role.VIEWER, own))
    assert f"/people/{mine.pk}/edit/" not in viewer.get(f"/people/{mine.pk}/").content.decode()


# Writes -------------------------------------------------------------------------------------


def test_the_hub_admin_adds_a_person_with_skills_and_languages_as_text_and_it_is_audited(login):
    s = f.silo("Engineering")
    client = login(f.user(Role.HUB_ADMIN))

    response = client.post("/people/new/", person_data(s))

    grace = Person.objects.get(email="grace@example.com")
    assert response.status_code == 302 and response["Location"] == f"/people/{grace.pk}/"
    assert grace.skills == ["compilers", "crisis comms", "COBOL"]
    assert grace.languages == ["en", "es"]
    assert grace.capacity == 7 and grace.timezone == "America/New_York"
    event = AuditEvent.objects.get(action="create", object_type="org.person")
    assert event.object_id == str(grace.pk)
    assert event.via == "ui"
    assert event.changes["skills"] == [None, ["compilers", "crisis comms", "COBOL"]]
    assert event.silo_id == s.pk


def test_a_bad_time_zone_and_an_unknown_manager_show_next_to_their_fields(login):
    s = f.silo()
    client = login(f.user(Role.HUB_ADMIN))

    response = client.post("/people/new/", person_data(
        s, timezone="Mars/Olympus", manager_email="ghost@example.com"))

    assert response.status_code == 200  # the form again, with the reason
    html = response.content.decode()
    assert "is not a time zone" in html
    assert "Nobody in the directory has the email ghost@example.com." in html
    assert not Person.objects.filter(email="grace@example.com").exists()


def test_a_duplicate_email_is_refused_with_a_message_and_nothing_written(login):
    s = f.silo()
    f.person(s, email="grace@example.com")
    client = login(f.user(Role.HUB_ADMIN))
    count = Person.objects.count()

    response = client.post("/people/new/", person_data(s, email="Grace@Example.com"))

    assert response.status_code == 200  # the form again, with the reason
    assert "already exists" in response.content.decode()
    assert Person.objects.count() == count


def test_the_person_form_labels_every_input(login):
    html = login(f.user(Role.HUB_ADMIN)).get("/people/new/").content.decode()
    for name in ("name", "email", "title", "silo", "skills", "languages", "timezone",
                 "manager_email", "capacity", "is_active"):
        assert f'<label for="id_{name}"' in html


def test_the_hub_admin_edits_a_person_and_the_audit_row_holds_the_changes(login):
    s = f.silo()
    p = f.person(s, name="Old Name", skills=["a"])
    client = login(f.user(Role.HUB_ADMIN))

    response = client.post(f"/people/{p.pk}/edit/", person_data(
        s, name="New Name", email=p.email, skills="a; b"))

    assert response.status_code == 302
    p.refresh_from_db()
    assert p.name == "New Name" and p.skills == ["a", "b"]
    event = AuditEvent.objects.get(action="update", object_type="org.person")
    assert event.changes["name"] == ["Old Name", "New Name"]
    assert event.changes["skills"] == [["a"], ["a", "b"]]


def test_the_edit_form_starts_from_the_persons_values(login):
    s = f.silo()
    boss = f.person(s, email="boss@example.com")
    p = f.person(s, skills=["a", "b"], manager=boss)
    html = login(f.user(Role.HUB_ADMIN)).get(f"/people/{p.pk}/edit/").content.decode()
    assert 'value="a; b"' in html
    assert 'value="boss@example.com"' in html


def test_removing_a_person_asks_first_then_deletes_and_audits(login):
    s = f.silo()
    p = f.person(s, name="Leaving")
    client = login(f.user(Role.HUB_ADMIN))

    confirm = client.get(f"/people/{p.pk}/delete/").content.decode()
    assert "Remove Leaving?" in confirm and "<button" in confirm
    assert Person.objects.filter(pk=p.pk).exists()

    response = client.post(f"/people/{p.pk}/delete/")

    assert response.status_code == 302
    assert not Person.objects.filter(pk=p.pk).exists()
    assert AuditEvent.objects.filter(action="delete", object_type="org.person",
                                     object_id=str(p.pk)).exists()


def test_a_captain_adds_and_edits_people_in_their_own_silo(login):
    own = f.silo("Own")
    p = f.person(own, name="Mine")
    client = login(f.user(Role.CAPTAIN, own))

    assert client.post("/people/new/", person_data(own)).status_code == 302
    assert client.post(f"/people/{p.pk}/edit/", person_data(
        own, name="Mine Renamed", email=p.email)).status_code == 302
    p.refresh_from_db()
    assert p.name == "Mine Renamed"


def test_a_captain_is_offered_only_their_own_silo(login):
    own = f.silo("Own Silo")
    f.silo("Other Silo")
    html = login(f.user(Role.CAPTAIN, own)).get("/people/new/").content.decode()
    select = html.split('name="silo"', 1)[1].split("</select>", 1)[0]
    assert "Own Silo" in select and "Other Silo" not in select


def test_a_captain_gets_403_for_people_of_another_silo(login):
    own, other = f.silo("Own"), f.silo("Other")
    mine, theirs = f.person(own), f.person(other, name="Theirs")
    client = login(f.user(Role.CAPTAIN, own))

    assert client.get(f"/people/{theirs.pk}/edit/").status_code == 403
    assert client.post(f"/people/{theirs.pk}/edit/",
                       person_data(other, email=theirs.email)).status_code == 403
    assert client.post(f"/people/{theirs.pk}/delete/").status_code == 403
    assert client.post("/people/new/", person_data(other)).status_code == 403
    # Moving their own person out to another silo needs the power there too.
    assert client.post(f"/people/{mine.pk}/edit/",
                       person_data(other, email=mine.email)).status_code == 403
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.name == "Theirs" and mine.silo_id == own.pk
    assert not Person.objects.filter(email="grace@example.com").exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_viewers_responders_and_reviewers_cannot_change_people(login, role):
    s = f.silo()
    p = f.person(s, name="Untouched")
    client = login(f.user(role, s))

    assert client.get("/people/new/").status_code == 403
    assert client.post("/people/new/", person_data(s)).status_code == 403
    assert client.get(f"/people/{p.pk}/edit/").status_code == 403
    assert client.post(f"/people/{p.pk}/edit/", person_data(s, email=p.email)).status_code == 403
    assert client.post(f"/people/{p.pk}/delete/").status_code == 403
    p.refresh_from_db()
    assert p.name == "Untouched"
    assert not AuditEvent.objects.exists()
    assert "/people/new/" not in client.get("/people/").content.decode()


def test_an_unknown_person_is_a_404(login):
    client = login(f.user(Role.HUB_ADMIN))
    assert client.get("/people/999999/").status_code == 404
    assert client.post("/people/999999/delete/").status_code == 404


def test_removing_one_of_only_two_stewards_is_refused_with_a_reason(login):
    from tests import factories
    from unsilo.core.models import Role

    account = factories.account(stewards=2)
    steward = account.stewards.first()
    admin = factories.user(Role.HUB_ADMIN)
    response = login(admin).post(f"/people/{steward.pk}/delete/", follow=True)
    assert response.status_code == 200
    assert "was not removed" in response.content.decode()
    assert "name another steward first" in response.content.decode()
    assert account.stewards.filter(pk=steward.pk).exists()
