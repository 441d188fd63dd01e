"""People search: one search column matches name, email, title and skills in any case, and
follows every way a person changes (the UI and API actions, the importer, the migration)."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from tests import factories
from unsilo.core.actor import Actor
from unsilo.core.models import Role, Via
from unsilo.org import actions, queries, queries_pages
from unsilo.org.importer import apply_people_import, parse_people_csv
from unsilo.org.models import Person

pytestmark = pytest.mark.django_db

CLI = Actor.system(via=Via.CLI, label="cli:tester")


@pytest.fixture
def viewer():
    return factories.actor(Role.VIEWER)


@pytest.fixture
def ann():
    return factories.person(factories.silo("Sales"), name="Ann Lee", email="ann.lee@example.com",
                            title="Account Manager", skills=["Crisis Comms", "billing"])


def found(actor, **filters) -> list[str]:
    return [p.email for p in queries.people(actor, **filters) if p.email != actor.user.email]


def import_csv(*lines: str):
    plan = parse_people_csv(("\n".join(lines) + "\n").encode())
    assert plan.errors == []
    return apply_people_import(CLI, plan)


@pytest.mark.parametrize("q", ["ann lee", "LEE", "ann.lee@EXAMPLE", "account man", "crisis comms",
                               "BILLING", "  Ann   Lee  "])
def test_search_matches_name_email_title_or_skill_in_any_case(viewer, ann, q):
    factories.person(name="Bob Roe", email="bob@example.com", title="Clerk", skills=["sap"])
    assert found(viewer, q=q) == ["ann.lee@example.com"]


def test_search_for_words_no_one_has_finds_nobody(viewer, ann):
    assert found(viewer, q="zebra") == []
    # A search spans one field at a time, and % or _ are letters, not wildcards.
    assert found(viewer, q="manager crisis") == []
    assert found(viewer, q="a%n") == [] and found(viewer, q="ann_lee") == []


def test_one_letter_finds_names_that_start_with_it_and_two_find_word_starts(viewer, ann):
    factories.person(name="Bob Roe", email="bob@example.com", title="Clerk")
    factories.person(name="Eve Stone", email="eve@example.com", title="Engineer")
    assert found(viewer, q="E") == ["eve@example.com"]
    assert found(viewer, q="ro") == ["bob@example.com"]
    assert found(viewer, q="CO") == ["ann.lee@example.com"]  # her skill "Crisis Comms"
    assert found(viewer, q="nn") == []  # inside "Ann", not at the start of a word


def test_title_filter_matches_the_title_only(viewer, ann):
    factories.person(name="Manager Bob", email="bob@example.com", title="Clerk")
    assert found(viewer, title="MANAGER") == ["ann.lee@example.com"]
    assert found(viewer, title="billing") == []


def test_skill_filter_matches_a_whole_skill_in_any_case(viewer, ann):
    factories.person(name="Bob", email="bob@example.com", title="billing", skills=["billing-api"])
    assert found(viewer, skill="crisis  COMMS") == ["ann.lee@example.com"]
    assert found(viewer, skill="Billing") == ["ann.lee@example.com"]
    assert found(viewer, skill="crisis") == []
    assert found(viewer, skill="Ann Lee") == []


def test_search_follows_a_persons_edit(ann):
    hub = factories.actor(Role.HUB_ADMIN)
    actions.update_person(hub, ann, {"name": "Ann Okafor", "email": "ann.okafor@example.com",
                                     "title": "Spokesperson", "skills": ["Recalls"]})
    for gone in ("lee", "account", "billing"):
        assert found(hub, q=gone) == []
    for q in ("okafor", "spokes", "recalls"):
        assert found(hub, q=q) == ["ann.okafor@example.com"]
    assert found(hub, skill="recalls") == ["ann.okafor@example.com"]


def test_saving_some_fields_keeps_the_search_in_step(viewer, ann):
    ann.title = "Counsel"
    ann.save(update_fields=["title"])
    assert found(viewer, q="counsel") == ["ann.lee@example.com"]


def test_an_imported_person_is_found_by_name_email_title_and_skill(viewer):
    import_csv("email,name,title,silo,skills",
               "dora@x.com,Dora Diaz,Data Analyst,Legal,GDPR;privacy")
    for q in ("dora diaz", "DORA@X", "data analyst", "gdpr"):
        assert found(viewer, q=q) == ["dora@x.com"]
    assert found(viewer, skill="Privacy") == ["dora@x.com"]


def test_a_reimport_moves_the_search_with_the_changes(viewer, ann):
    import_csv("email,name,title,silo,skills", "ann.lee@example.com,Ann Lee,Counsel,Sales,gdpr")
    assert found(viewer, q="counsel") == found(viewer, skill="GDPR") == ["ann.lee@example.com"]
    assert found(viewer, q="account manager") == found(viewer, q="billing") == []
    # A file without skills leaves them, and the search keeps finding them.
    import_csv("email,name,title,silo", "ann.lee@example.com,Ann Leigh,Counsel,Sales")
    assert found(viewer, q="leigh") == found(viewer, skill="gdpr") == ["ann.lee@example.com"]


def test_the_migration_fills_the_search_of_people_already_there(viewer, ann):
    Person.objects.filter(pk=ann.pk).update(search="")
    migration = importlib.import_module("unsilo.org.migrations.0003_person_search")
    migration.fill_search(apps, SimpleNamespace(connection=connection))
    assert found(viewer, q="crisis comms") == ["ann.lee@example.com"]


def test_the_people_page_and_the_api_search_the_same_way(login, ann):
    user = factories.user(Role.VIEWER, email="viewer@example.com")
    page = login(user).get("/people/", {"q": "CRISIS"})
    assert page.status_code == 200
    assert "1 person matching" in page.content.decode() and "Ann Lee" in page.content.decode()
    api = login(user).get("/api/v1/people", {"q": "crisis", "skill": "billing"})
    assert [p["email"] for p in api.json()["items"]] == ["ann.lee@example.com"]
    assert login(user).get("/api/v1/people", {"title": "crisis"}).json()["count"] == 0


@pytest.mark.parametrize(("matches", "number", "shown", "count"), [
    (7, 1, 3, 7), (7, 3, 1, 7), (7, 9, 1, 7),  # past the end: the last page
    (6, 2, 3, 6), (6, 3, 3, 6), (2, 1, 2, 2), (0, 1, 0, 0), (0, 4, 0, 0),
])
def test_a_search_page_counts_every_match(viewer, matches, number, shown, count):
    for n in range(matches):
        factories.person(name=f"Okafor {n}")
    factories.person(name="Someone Else")
    rows = queries.people(viewer, q="okafor")
    page = queries_pages.directory_page(rows, number, per_page=3, searching=True)
    assert (len(page.object_list), page.paginator.count) == (shown, count)
    assert all(p.name.startswith("Okafor") for p in page.object_list)


@pytest.mark.parametrize(("offset", "names", "count"), [
    (0, ["Okafor 0", "Okafor 1", "Okafor 2"], 5), (3, ["Okafor 3", "Okafor 4"], 5), (9, [], 5),
])
def test_the_api_counts_every_match_whatever_the_offset(login, offset, names, count):
    for n in range(5):
        factories.person(name=f"Okafor {n}")
    client = login(factories.user(Role.VIEWER))
    page = client.get("/api/v1/people", {"q": "okafor", "limit": 3, "offset": offset}).json()
    assert ([p["name"] for p in page["items"]], page["count"]) == (names, count)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are PostgreSQL's")
@pytest.mark.parametrize(("filters", "index"), [
    ({"q": "crisis"}, "org_person_search_trgm"), ({"q": "cr"}, "org_person_search_trgm"),
    ({"title": "manager"}, "org_person_search_trgm"), ({"skill": "sap"}, "org_person_search_trgm"),
    ({"q": "a"}, "org_person_search_initial"),
])
def test_postgresql_searches_through_an_index(viewer, ann, filters, index):
    rows = queries.people(viewer, **filters).order_by().values("pk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = rows.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own index")
def test_sqlite_keeps_its_name_and_search_index():
    # Made by raw SQL in migration 0003: a later migration that rebuilds org_person drops it.
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "org_person")
    assert indexes["org_person_name_search"]["columns"] == ["name", "id", "search"]
