import re

import pytest

from tests import factories as f
from unsilo.core.models import Role
from unsilo.org.models import SiloKind

pytestmark = pytest.mark.django_db


def rows(html: str) -> list[str]:
    """The table's body rows, in page order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr\b.*?</tr>", body, flags=re.S)


def row_of(html: str, name: str) -> str:
    return next(r for r in rows(html) if f">{name}</a>" in r)


def test_a_silo_without_seat_members_shows_an_empty_seat_and_a_seated_one_does_not(login):
    f.silo("Legal")
    seated = f.silo("Marketing")
    f.seat(seated, f.person(seated))
    client = login(f.user(Role.VIEWER))

    html = client.get("/table/").content.decode()

    empty_row, seated_row = row_of(html, "Legal"), row_of(html, "Marketing")
    assert 'class="empty-seat' in empty_row
    assert '<span class="badge bad">Empty seat</span>' in empty_row
    assert "Empty seat" not in seated_row
    assert "empty-seat" not in seated_row


def test_the_table_lists_captains_and_delegates_with_links_to_their_pages(login):
    sales = f.silo("Sales")
    captain = f.person(sales, name="Ada Captain")
    delegate = f.person(sales, name="Bo Delegate")
    f.seat(sales, captain, "captain")
    f.seat(sales, delegate, "delegate")
    client = login(f.user(Role.VIEWER))

    row = row_of(client.get("/table/").content.decode(), "Sales")

    assert f'<a href="/people/{captain.pk}/">Ada Captain</a>' in row
    assert f'<a href="/people/{delegate.pk}/">Bo Delegate</a>' in row


def test_children_follow_their_parent_indented_and_the_hub_comes_first(login):
    americas = f.silo("Americas", kind=SiloKind.REGION)
    f.silo("Zeta Care", parent=americas)
    f.silo("Europe", kind=SiloKind.REGION)
    f.silo("Zulu COE", kind=SiloKind.HUB)
    client = login(f.user(Role.VIEWER))

    html = client.get("/table/").content.decode()
    order = [re.search(r'/">([^<]+)</a>', r).group(1) for r in rows(html)]

    assert order.index("Zulu COE") == 0
    assert order.index("Americas") < order.index("Zeta Care") < order.index("Europe")
    assert 'class="indent-1"' in row_of(html, "Zeta Care")
    assert "indent-" not in row_of(html, "Americas")
    assert "The hub" in row_of(html, "Zulu COE")


def test_headline_counts_silos_filled_and_empty_seats_and_people(login):
    seated = f.silo("Seated")
    f.seat(seated, f.person(seated))
    f.person(seated)
    f.silo("Unseated one")
    client = login(f.user(Role.VIEWER))  # the viewer's own silo is a third, empty seat

    html = client.get("/table/").content.decode()

    assert "<b>3</b> silos" in html
    assert "<b>1</b> seats filled" in html
    assert "<b>2</b> empty seats" in html
    assert "<b>3</b> people" in html


def test_only_empty_seats_filter_works_as_a_plain_get_form(login):
    seated = f.silo("Seated")
    f.seat(seated, f.person(seated))
    f.silo("Nobody here")
    client = login(f.user(Role.VIEWER))

    response = client.get("/table/?empty=1")

    html = response.content.decode()
    assert "<html" in html
    names = [re.search(r'/">([^<]+)</a>', r).group(1) for r in rows(html)]
    assert "Nobody here" in names
    assert "Seated" not in names
    assert 'id="only-empty" checked' in html


def test_the_htmx_filter_returns_only_the_table_fragment(login):
    f.silo("Nobody here")
    client = login(f.user(Role.VIEWER))

    response = client.get("/table/?empty=1", headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="seats">')
    assert "Nobody here" in html
    assert "HX-Request" in response["Vary"]


def test_the_table_runs_a_fixed_number_of_queries_however_many_silos(
    login, django_assert_max_num_queries
):
    client = login(f.user(Role.VIEWER))
    with django_assert_max_num_queries(6):
        client.get("/table/")
    for n in range(40):
        s = f.silo(f"Silo number {n}", parent=None)
        f.silo(f"Child number {n}", parent=s)
        f.seat(s, f.person(s), "captain")
        f.seat(s, f.person(s), "delegate")
    with django_assert_max_num_queries(6):
        response = client.get("/table/")
    assert response.content.decode().count("<tr") == 1 + 81


def test_names_with_markup_are_escaped_on_the_table(login):
    s = f.silo("<b>Bold</b> silo", slug="bold-silo")
    f.seat(s, f.person(s, name="<script>alert(1)</script>"))
    client = login(f.user(Role.VIEWER))

    html = client.get("/table/").content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; silo" in html


def test_new_silo_and_import_links_show_only_for_the_hub(login, client):
    f.silo("Anything")
    viewer_html = login(f.user(Role.VIEWER)).get("/table/").content.decode()
    assert "/silos/new/" not in viewer_html
    assert "/people/import/" not in viewer_html

    client.logout()
    admin_html = login(f.user(Role.HUB_ADMIN)).get("/table/").content.decode()
    assert "/silos/new/" in admin_html
    assert "/people/import/" in admin_html


def test_after_login_users_land_on_the_table(client):
    u = f.user(Role.VIEWER)
    response = client.post("/login/", {"username": u.email, "password": f.PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/table/"


def test_a_silo_with_an_ampersand_in_its_slug_still_links_to_its_page(login):
    odd = f.silo("Finance & Billing")  # the factory keeps "&" in the slug
    client = login(f.user(Role.VIEWER))

    assert client.get("/table/").status_code == 200
    assert client.get(f"/silos/{odd.slug}/").status_code == 200
