"""Dates in the reader's own time zone (their person's, else the hub's): shown so on pages, and
a date filter's day is the reader's day, 00:00 to 24:00 where they are."""

import datetime
import zoneinfo

import pytest
from django.test import override_settings

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core import audit, dates, queries
from unsilo.core.actor import Actor
from unsilo.core.models import Role
from unsilo.org.models import SiloKind

pytestmark = pytest.mark.django_db
AUCKLAND = "Pacific/Auckland"  # UTC+13 in December
UTC = datetime.UTC


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def kiwi():
    """A hub admin in Auckland, and three conversations around their 7 December."""
    hub = factories.silo("COE", kind=SiloKind.HUB)
    reader = factories.user(Role.HUB_ADMIN, hub,
                            person=factories.person(hub, timezone=AUCKLAND))
    convs = {
        "6 Dec 23:30": inbox.conversation(hub, at=at("2026-12-06T10:30")),
        "7 Dec 00:30": inbox.conversation(hub, at=at("2026-12-06T11:30")),
        "7 Dec 23:30": inbox.conversation(hub, at=at("2026-12-07T10:30")),
        "8 Dec 00:30": inbox.conversation(hub, at=at("2026-12-07T11:30")),
    }
    return reader, convs


def test_the_readers_zone_is_their_persons_else_the_hubs():
    hub = factories.silo("COE", kind=SiloKind.HUB)
    with_zone = factories.user(Role.VIEWER, hub, person=factories.person(hub, timezone=AUCKLAND))
    without = factories.user(Role.VIEWER, hub, person=factories.person(hub, timezone=""))
    wrong = factories.user(Role.VIEWER, hub, person=factories.person(hub, timezone="Mars/Base"))
    assert dates.reader_zone(with_zone) == zoneinfo.ZoneInfo(AUCKLAND)
    with override_settings(TIME_ZONE="Europe/Berlin"):
        for user in (without, wrong, None):
            assert dates.reader_zone(user) == zoneinfo.ZoneInfo("Europe/Berlin")
    assert dates.reader_zone(without) == zoneinfo.ZoneInfo("UTC")


def test_a_day_filter_on_the_inbox_page_is_the_readers_day(login, kiwi):
    reader, convs = kiwi
    page = login(reader).get("/inbox/?queue=all&status=all&since=2026-12-07&until=2026-12-07"
                             ).content.decode()
    shown = {label for label, c in convs.items() if f'id="conv-{c.pk}"' in page}
    assert shown == {"7 Dec 00:30", "7 Dec 23:30"}


def test_a_day_filter_in_the_api_is_the_token_owners_day(api, kiwi):
    reader, convs = kiwi
    answer = api(reader).get("/api/v1/conversations", {
        "queue": "all", "status": "all", "since": "2026-12-07", "until": "2026-12-07"}).json()
    assert {item["id"] for item in answer["items"]} == {
        convs["7 Dec 00:30"].pk, convs["7 Dec 23:30"].pk}


def test_a_date_time_without_an_offset_is_read_in_the_readers_zone(api, kiwi):
    reader, convs = kiwi
    answer = api(reader).get("/api/v1/conversations", {
        "queue": "all", "status": "all", "since": "2026-12-07T00:00"}).json()
    assert {item["id"] for item in answer["items"]} == {
        c.pk for label, c in convs.items() if label != "6 Dec 23:30"}
    # An offset says where it is: 00:00 UTC is 13:00 in Auckland.
    answer = api(reader).get("/api/v1/conversations", {
        "queue": "all", "status": "all", "since": "2026-12-07T00:00:00+00:00"}).json()
    assert {item["id"] for item in answer["items"]} == {
        convs["7 Dec 23:30"].pk, convs["8 Dec 00:30"].pk}


def test_the_audit_logs_days_are_the_readers_days(kiwi):
    reader, convs = kiwi
    actor = Actor.for_user(reader)
    for label, c in convs.items():
        event = audit.record(actor, "update", c, {"note": [None, label]}, c.silo_id)
        type(event).objects.filter(pk=event.pk).update(at=c.last_message_at)
    day = datetime.date(2026, 12, 7)
    page = queries.audit_log(actor, queries.AuditFilters(since=day, until=day))
    assert sorted(e.changes["note"][1] for e in page.events) == ["7 Dec 00:30", "7 Dec 23:30"]


def test_pages_show_dates_in_the_readers_zone(login, kiwi):
    reader, convs = kiwi
    page = login(reader).get(f"/inbox/c/{convs['7 Dec 00:30'].pk}/").content.decode()
    assert "7 Dec 2026, 00:30 NZDT" in page
    assert 'datetime="2026-12-06T11:30:00Z"' in page  # the machine-readable moment stays UTC


def test_a_reader_without_a_zone_reads_the_hubs(login):
    hub = factories.silo("COE", kind=SiloKind.HUB)
    reader = factories.user(Role.HUB_ADMIN, hub, person=factories.person(hub, timezone=""))
    conv = inbox.conversation(hub, at=at("2026-12-06T11:30"))
    with override_settings(TIME_ZONE="Europe/Berlin"):
        page = login(reader).get(f"/inbox/c/{conv.pk}/").content.decode()
    assert "6 Dec 2026, 12:30 CET" in page


def test_until_a_date_includes_that_whole_day():
    """A defect before issue 9: "2026-12-07" was read as that day's midnight, so `until` left
    the day itself out."""
    from unsilo.inbox import queries as inbox_queries

    hub = factories.silo("COE", kind=SiloKind.HUB)
    reader = Actor.for_user(factories.user(Role.HUB_ADMIN, hub))  # UTC
    evening = inbox.conversation(hub, at=at("2026-12-07T23:59"))
    inbox.conversation(hub, at=at("2026-12-08T00:00"))
    page = inbox_queries.conversation_page(reader, "all", {"status": "all",
                                                           "until": "2026-12-07"})
    assert [c.pk for c in page.items] == [evening.pk]
