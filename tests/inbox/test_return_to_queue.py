"""return_to_queue: a person's open work back in their silo's queue, one audit row each."""

import pytest
from django.core.exceptions import PermissionDenied

from tests import factories
from tests.inbox.factories import conversation
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox import actions
from unsilo.inbox.models import RoutingDecision, Status

pytestmark = pytest.mark.django_db


def test_open_and_waiting_work_goes_back_resolved_work_stays(admin):
    care = factories.silo("Care")
    rae = factories.person(care, name="Rae")
    open_one = conversation(care, assignee=rae)
    waiting = conversation(care, assignee=rae, status=Status.WAITING)
    resolved = conversation(care, assignee=rae, status=Status.RESOLVED)

    assert actions.return_to_queue(Actor.for_user(admin), rae, "left the company") == 2

    for conv in (open_one, waiting):
        conv.refresh_from_db()
        assert conv.assignee_id is None and conv.silo == care
        assert conv.reasons == ["back in the queue: Rae left the company"]
        row = AuditEvent.objects.get(action="return_to_queue", object_id=str(conv.pk))
        assert row.actor == admin and row.silo_id == care.pk
        assert RoutingDecision.objects.filter(conversation=conv, assignee=None).exists()
    resolved.refresh_from_db()
    assert resolved.assignee == rae


def test_only_the_hub_or_the_system_may_take_someones_work_back():
    care = factories.silo("Care")
    captain = factories.user(Role.CAPTAIN, care)
    rae = factories.person(care)
    conversation(care, assignee=rae)
    with pytest.raises(PermissionDenied):
        actions.return_to_queue(Actor.for_user(captain), rae, "left")
    assert actions.return_to_queue(Actor.system(), rae, "left") == 1
