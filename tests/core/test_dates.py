"""Every page shows a date one way: in the reader's time zone, with the zone's abbreviation."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core import audit, dates
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 12, 7, 17, 44, tzinfo=datetime.UTC)
TEMPLATES = Path(__file__).parents[2] / "unsilo"
# Formatting a date in a template any other way than |when or |ago.
OTHER_WAYS = re.compile(r"\|date\b|\|time\b|timesince|timeuntil|isoformat|naturaltime")


def reader(zone: str):
    hub = factories.silo("COE")
    person = factories.person(hub, timezone=zone) if zone else None
    if person is None:
        from unsilo.core.models import User

        return User.objects.create_user("nobody@example.com", factories.PASSWORD,
                                        role=Role.HUB_ADMIN)
    return factories.user(Role.HUB_ADMIN, person=person)


@pytest.mark.parametrize(("zone", "shown"), [
    ("Europe/Berlin", "7 Dec 2026, 18:44 CET"),
    ("America/New_York", "7 Dec 2026, 12:44 EST"),
    ("", "7 Dec 2026, 17:44 UTC"),  # a login without a person reads UTC
    ("Not/AZone", "7 Dec 2026, 17:44 UTC"),
])
def test_a_conversation_shows_its_dates_in_the_readers_time_zone(client, zone, shown):
    conv = inbox.conversation(None, at=AT)
    client.force_login(reader(zone))
    page = client.get(f"/inbox/c/{conv.pk}/").content.decode()
    assert f'<time datetime="2026-12-07T17:44:00Z">{shown}</time>' in page
    assert "p.m." not in page and "2026-12-07 17:44" not in page


def test_the_inbox_says_how_long_ago_with_the_full_date_in_the_title(client):
    at = timezone.now() - datetime.timedelta(minutes=5)
    inbox.conversation(None, at=at)
    client.force_login(reader("Asia/Tokyo"))
    page = client.get("/inbox/?queue=all").content.decode()
    with timezone.override(datetime.timezone(datetime.timedelta(hours=9), "JST")):
        full = dates.full(at)
    assert full.endswith(" JST")
    assert f'title="{full}">5 min ago</time>' in page


def test_the_audit_log_uses_the_same_format(client):
    admin = reader("Europe/Berlin")
    client.force_login(admin)
    audit.record(Actor.for_user(admin), "update", factories.silo("Billing"), {})
    AuditEvent.objects.update(at=AT)
    page = client.get("/admin/audit/").content.decode()
    assert "7 Dec 2026, 18:44 CET" in page


def test_no_template_formats_a_date_another_way():
    others = {}
    for path in TEMPLATES.rglob("templates/**/*.html"):
        found = OTHER_WAYS.findall(path.read_text())
        if found:
            others[str(path.relative_to(TEMPLATES))] = found
    assert not others
