"""Ids that come from the browser (paths, query strings, form fields) past any row's id answer
4xx or the form again, never a 500: SQLite cannot even hold such a number."""

import pytest
from django.urls import URLResolver, get_resolver

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core.models import Role
from unsilo.inbox.models import Absence, Notification, NotificationKind, RoutingRule, SavedReply
from unsilo.org.models import SiloKind

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"
# Every form field of the pages that names a row by id.
ID_FIELDS = ("seen", "silo", "person", "account", "owner_silo", "parent", "manager",
             "suggested", "expert", "id", "member", "stewards")


def _routes(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif "<int:" in route:
            yield route


def _url(route: str, ids: dict, fallback: str) -> str:
    """The route with each `<int:…>` filled from `ids` by the route's start, else `fallback`."""
    url = "/" + route
    url = url.replace("<str:slug>", "sales").replace("<slug:what>", "claim")
    while "<int:" in url:
        start = url.index("<int:")
        value = next((str(pk) for prefix, pk in ids.items() if url.startswith(prefix)), fallback)
        url = url[:start] + value + url[url.index(">", start) + 1:]
    return url


@pytest.fixture
def world():
    hub = factories.silo("COE", kind=SiloKind.HUB)
    sales = factories.silo("Sales", slug="sales")
    admin = factories.user(Role.HUB_ADMIN, hub)
    person = factories.person(sales)
    conv = inbox.conversation(sales)
    return admin, {
        "/inbox/c/": conv.pk, "/people/": person.pk, "/accounts/": factories.account(sales).pk,
        "/inbox/settings/rules/": RoutingRule.objects.create(name="r", silo=sales).pk,
        "/inbox/settings/replies/": SavedReply.objects.create(title="t", text="x").pk,
        "/inbox/settings/silos/": sales.pk, "/admin/users/": admin.pk,
        "/inbox/settings/absences/": Absence.objects.create(
            person=person, starts=conv.created_at, ends=conv.created_at).pk,
    }


ROUTES = sorted(set(_routes()))


@pytest.mark.parametrize("route", ROUTES)
def test_a_huge_id_in_the_path_is_not_a_500(login, world, route):
    admin, _ids = world
    client = login(admin)
    url = _url(route, {}, HUGE)
    for response in (client.get(url), client.post(url, {})):
        assert response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize("route", ROUTES)
def test_huge_ids_in_the_form_fields_are_not_a_500(login, world, route):
    admin, ids = world
    client = login(admin)
    url = _url(route, ids, "1")
    fields = {name: HUGE for name in ID_FIELDS}
    for prefix in ("reply", "assign", "consult", "handoff"):
        fields.update({f"{prefix}-{name}": HUGE for name in ID_FIELDS})
    fields.update({"reply-text": "hi", "text": "hi", "title": "t", "name": "n", "form": "sla"})
    response = client.post(url, fields)
    assert response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize("path", ["/people/", "/outbox/", "/inbox/", "/accounts/", "/audit/",
                                  "/inbox/notifications/", "/table/"])
def test_huge_ids_in_a_query_string_are_not_a_500(login, world, path):
    admin, _ids = world
    query = {name: HUGE for name in ("silo", "account", "page", "person", "owner")}
    response = login(admin).get(path, query)
    assert response.status_code < 500, (path, response.status_code)


def test_marking_a_huge_notification_id_read_marks_nothing(login, world):
    admin, _ids = world
    unread = Notification.objects.create(person=admin.person, kind=NotificationKind.MENTION,
                                         text="You were mentioned")
    response = login(admin).post("/inbox/notifications/read/", {"id": HUGE})
    assert response.status_code == 302
    unread.refresh_from_db()
    assert unread.read_at is None
