"""unsilo has an icon: every page links it and /favicon.ico, which browsers ask for anyway,
leads to it instead of a 404 (or a login page)."""

import pytest


@pytest.mark.django_db
def test_favicon_ico_leads_to_the_icon_without_a_login(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/unsilo/favicon.svg"
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(icon.streaming_content)


@pytest.mark.django_db
def test_every_page_links_the_icon(client, admin, login):
    for page in (client.get("/login/"), login(admin).get("/table/")):
        assert ('<link rel="icon" href="/static/unsilo/favicon.svg" type="image/svg+xml">'
                in page.content.decode())
