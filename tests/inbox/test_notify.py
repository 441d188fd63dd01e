"""Notifications: one per person however often named, and who hears of escalations."""

import pytest

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core.models import Role
from unsilo.inbox import notify
from unsilo.inbox.models import Notification
from unsilo.org.models import SeatRole, SiloKind

pytestmark = pytest.mark.django_db


def test_notify_writes_one_row_per_distinct_person_and_counts_unread():
    silo = factories.silo("Care")
    ann, bob = factories.person(silo), factories.person(silo)
    conv = inbox.conversation(silo)
    rows = notify.notify([ann.pk, None, bob.pk, ann.pk], "mention", conv, "x" * 900)
    assert sorted(n.person_id for n in rows) == sorted([ann.pk, bob.pk])
    assert len(Notification.objects.get(person=ann).text) == 500
    assert notify.notify([], "mention", conv, "nobody") == []
    assert notify.unread_count(ann.pk) == 1 and notify.unread_count(None) == 0


def test_captains_and_hub_people():
    hub = factories.silo("COE", kind=SiloKind.HUB)
    care = factories.silo("Care")
    captain, delegate = factories.person(care), factories.person(care)
    factories.seat(care, captain, SeatRole.CAPTAIN)
    factories.seat(care, delegate, SeatRole.DELEGATE)
    hub_captain = factories.person(hub)
    factories.seat(hub, hub_captain, SeatRole.CAPTAIN)
    admin = factories.user(Role.HUB_ADMIN, care).person
    factories.user(Role.HUB_ADMIN, care, is_active=False)
    assert notify.captains(care.pk) == [captain.pk]
    assert sorted(notify.hub_people()) == sorted([hub_captain.pk, admin.pk])
