"""The SLA sweep: warn at 80 %, tell the captains at breach, the hub after another 50 % — each
once, however often it runs — and stop the clocks at first response and resolution."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core import worker
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox.models import Notification, NotificationKind, SlaPolicy
from unsilo.inbox.tasks import sla as tasks_sla
from unsilo.org.models import SeatRole, SiloKind

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def world():
    hub = factories.silo("COE", kind=SiloKind.HUB)
    lead = factories.user(Role.HUB_ADMIN, hub).person
    care = factories.silo("Care")
    captain = factories.person(care)
    factories.seat(care, captain, SeatRole.CAPTAIN)
    agent = factories.person(care)
    # Urgent in Care: first response in 100 minutes, resolution in 1000, round the clock.
    SlaPolicy.objects.create(silo=care, urgency="urgent", first_response_minutes=100,
                             resolution_minutes=1000)
    start = timezone.now()
    conv = inbox.conversation(care, assignee=agent, urgency="urgent",
                              first_response_due=start + 100 * MINUTE,
                              resolution_due=start + 1000 * MINUTE)
    return {"conv": conv, "agent": agent, "captain": captain, "lead": lead, "start": start}


def told(kind) -> list[int]:
    return sorted(Notification.objects.filter(kind=kind).values_list("person_id", flat=True))


def test_warn_breach_escalate_each_once(world):
    start, conv = world["start"], world["conv"]
    assert tasks_sla.sweep_slas(start + 50 * MINUTE) == {"warned": 0, "breached": 0,
                                                          "escalated": 0}
    assert tasks_sla.sweep_slas(start + 81 * MINUTE)["warned"] == 1
    assert tasks_sla.sweep_slas(start + 82 * MINUTE)["warned"] == 0
    assert told(NotificationKind.SLA_WARNING) == [world["agent"].pk]
    conv.refresh_from_db()
    assert conv.sla_state == "warned"

    assert tasks_sla.sweep_slas(start + 101 * MINUTE)["breached"] == 1
    tasks_sla.sweep_slas(start + 102 * MINUTE)
    assert told(NotificationKind.SLA_BREACH) == [world["captain"].pk]
    assert AuditEvent.objects.filter(action="sla_breach", object_id=str(conv.pk)).count() == 1

    assert tasks_sla.sweep_slas(start + 151 * MINUTE)["escalated"] == 1
    tasks_sla.sweep_slas(start + 500 * MINUTE)
    assert told(NotificationKind.SLA_BREACH) == sorted([world["captain"].pk,
                                                        world["lead"].pk])
    assert AuditEvent.objects.filter(action="sla_escalation").count() == 1
    conv.refresh_from_db()
    assert conv.sla_state == "escalated"


def test_first_response_stops_its_clock_resolution_clock_runs_on(world):
    start, conv = world["start"], world["conv"]
    conv.first_response_at = start + 10 * MINUTE
    conv.save()
    assert tasks_sla.sweep_slas(start + 200 * MINUTE) == {"warned": 0, "breached": 0,
                                                           "escalated": 0}
    # 80 % of the 1000-minute resolution target.
    assert tasks_sla.sweep_slas(start + 801 * MINUTE)["warned"] == 1


def test_resolved_conversations_are_not_swept(world):
    conv = world["conv"]
    conv.status, conv.resolved_at = "resolved", world["start"]
    conv.save()
    tasks_sla.sweep_slas(world["start"] + 5000 * MINUTE)
    assert not Notification.objects.exists()


def test_a_late_sweep_jumps_straight_to_breach_without_a_stale_warning(world):
    tasks_sla.sweep_slas(world["start"] + 120 * MINUTE)
    assert told(NotificationKind.SLA_WARNING) == []
    assert told(NotificationKind.SLA_BREACH) == [world["captain"].pk]


def test_unassigned_warning_goes_to_the_captains(world):
    conv = world["conv"]
    conv.assignee = None
    conv.save()
    tasks_sla.sweep_slas(world["start"] + 85 * MINUTE)
    assert told(NotificationKind.SLA_WARNING) == [world["captain"].pk]


def test_the_worker_heart_calls_registered_periodic_work():
    calls = []
    worker.every(1000, lambda: calls.append(1))
    try:
        heart = worker.Heart("test")
        heart.call_periodic()
        heart.call_periodic()  # not due again yet
        assert calls == [1]
        assert any(func is tasks_sla.enqueue_sweep for _, func in worker.PERIODIC)
    finally:
        worker.PERIODIC.pop()


def test_the_periodic_sweep_is_queued_once_while_one_waits_and_not_for_nothing(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    sweeps = DBTaskResult.objects.filter(task_path=tasks_sla.sweep.module_path)
    conv = inbox.conversation(factories.silo("Care"))
    tasks_sla.enqueue_sweep()
    assert sweeps.count() == 0  # no clock runs
    conv.resolution_due = timezone.now()
    conv.save()
    tasks_sla.enqueue_sweep()
    tasks_sla.enqueue_sweep()
    assert sweeps.count() == 1
