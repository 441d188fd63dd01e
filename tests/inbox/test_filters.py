"""One bad filter value never drops the others: the page keeps the good filters and says which
one it ignored; the API answers 422 naming every bad field (docs/inbox.md)."""

import pytest

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core.models import Role
from unsilo.inbox import queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing():
    silo = factories.silo("Billing")
    return {
        "silo": silo,
        "captain": factories.user(Role.CAPTAIN, silo),
        "angry": inbox.conversation(silo, text="Charged twice, furious", sentiment="negative",
                                    network="x"),
        "happy": inbox.conversation(silo, text="Thanks, all sorted", sentiment="positive",
                                    network="x"),
        "elsewhere": inbox.conversation(silo, text="Charged twice again", sentiment="negative",
                                        network="bluesky"),
    }


def rows(page: str) -> set[str]:
    return {part.split('"')[0] for part in page.split('id="conv-')[1:]}


def test_an_invalid_status_is_named_and_the_other_filters_still_apply(login, billing):
    client = login(billing["captain"])
    page = client.get("/inbox/", {"queue": "silo", "status": "any", "sentiment": "negative",
                                  "network": "x"}).content.decode()
    assert rows(page) == {str(billing["angry"].pk)}
    assert "One filter was ignored" in page and "the others apply" in page
    assert "status: &#x27;any&#x27; is not one of open, waiting, resolved, all" in page
    # The filter bar still shows what applies.
    assert '<option value="negative" selected>' in page


def test_every_bad_value_is_named_and_a_status_list_keeps_its_good_values(login, billing):
    client = login(billing["captain"])
    page = client.get("/inbox/", {"queue": "silo", "status": "open,any", "sentiment": "furious",
                                  "since": "yesterday", "network": "bluesky"}).content.decode()
    assert rows(page) == {str(billing["elsewhere"].pk)}
    assert "3 filters were ignored" in page
    for field in ("status:", "sentiment:", "since:"):
        assert field in page, field


def test_the_search_as_you_type_swap_says_so_too(login, billing):
    client = login(billing["captain"])
    page = client.get("/inbox/", {"queue": "silo", "status": "any", "q": "twice"},
                      headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in page
    assert rows(page) == {str(billing["angry"].pk), str(billing["elsewhere"].pk)}
    assert "One filter was ignored" in page


def test_a_cursor_from_elsewhere_shows_the_first_page_and_says_so(login, billing):
    page = login(billing["captain"]).get("/inbox/", {
        "queue": "silo", "after": "garbage", "network": "x"}).content.decode()
    assert rows(page) == {str(billing["angry"].pk), str(billing["happy"].pk)}
    assert "cursor:" in page


def test_the_api_answers_422_naming_every_bad_field(api, billing):
    client = api(billing["captain"])
    response = client.get("/api/v1/conversations", {"status": "any", "sentiment": "negative",
                                                    "since": "yesterday"})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"status", "since"}
    fine = client.get("/api/v1/conversations", {"status": "open", "sentiment": "negative",
                                                "network": "x"})
    assert factories.listed(fine, "id") == [billing["angry"].pk]


def test_clean_filters_keeps_the_good_ones():
    kept, bad = queries.clean_filters({"status": "open,any", "network": "x", "account": "me",
                                       "q": "refund", "nonsense": "1"})
    assert kept == {"status": "open", "network": "x", "q": "refund"}
    assert [e.field for e in bad] == ["status", "account"]
