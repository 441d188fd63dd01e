"""A search box never answers 500, however long the text typed into it: pages cut it to
core.search.LIMIT characters, the API answers 422 naming the field."""

import pytest

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core import audit, search
from unsilo.core.actor import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rows(admin):
    """A row in every table searched: SQLite only refuses the pattern when it has a row to try."""
    inbox.conversation(admin.person.silo)
    factories.person(admin.person.silo, title="Care Agent", skills=["refunds"])
    audit.record(Actor.for_user(admin), "update", admin, {"name": ["a", "b"]})

LONG = "x" * 60_000
PAGES = ["/inbox/?q=", "/admin/users/?q=", "/people/?q=", "/people/?title=",
         "/admin/audit/?q=", "/admin/audit/?actor_email="]
API = ["/api/v1/conversations?q=", "/api/v1/people?q=", "/api/v1/people?skill=",
       "/api/v1/silos?q="]


@pytest.mark.parametrize("url", PAGES)
def test_a_page_searches_the_first_characters_of_a_very_long_word(login, admin, url):
    answer = login(admin).get(url + LONG)
    assert answer.status_code == 200


@pytest.mark.parametrize("url", API)
def test_the_api_refuses_a_search_longer_than_the_limit_naming_the_field(api, admin, url):
    answer = api(admin).get(url + LONG)
    assert answer.status_code == 422
    field = url.rsplit("?", 1)[1].rstrip("=")
    assert field in answer.content.decode()
    assert api(admin).get(url + "x" * search.LIMIT).status_code == 200


def test_a_search_term_is_trimmed_and_cut():
    assert search.term("  refund  ") == "refund"
    assert search.term(None) == ""
    assert len(search.term("y" * 10_000)) == search.LIMIT
