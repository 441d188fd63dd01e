"""The SLA sweep: warn at 80 %, tell the captains at breach, the hub after another 50 % — each
once, however often it runs — and stop the clocks at first response and resolution."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.concurrency import as_another_worker
from tests.inbox import factories as inbox
from unsilo.core import periodic
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox import actions
from unsilo.inbox.models import Conversation, Notification, NotificationKind, SlaPolicy
from unsilo.inbox.tasks import sla as tasks_sla
from unsilo.org.models import SeatRole, SiloKind

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)
SECOND = datetime.timedelta(seconds=1)


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


def test_the_sweep_is_a_periodic_job_queued_only_while_a_clock_runs(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = next(j for j in periodic.JOBS.values() if j.func is tasks_sla.sweep_slas)
    assert job.seconds == tasks_sla.SWEEP_EVERY
    sweeps = DBTaskResult.objects.filter(args_kwargs__args=[job.name])
    conv = inbox.conversation(factories.silo("Care"))
    now = timezone.now()
    periodic.enqueue_due(now)
    assert sweeps.count() == 0  # no clock runs
    conv.resolution_due = now
    conv.save()
    periodic.enqueue_due(now + job.seconds * SECOND)
    periodic.enqueue_due(now + 2 * job.seconds * SECOND)  # the first still waits
    assert sweeps.count() == 1


# A conversation changes while a sweep is under way (another worker, its own connection) ------


def sweep_after(change, at):
    """Sweep at `at`, with `change` made by another worker after the sweep has read the
    conversations and before it acts on them."""
    advance = tasks_sla._advance

    def changed_meanwhile(*args, **kwargs):
        as_another_worker(change)
        return advance(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks_sla, "_advance", changed_meanwhile)
        return tasks_sla.sweep_slas(at)


@pytest.mark.django_db(transaction=True)
def test_a_conversation_resolved_while_the_sweep_runs_is_not_marked_breached(world):
    conv, start = world["conv"], world["start"]
    lead = Actor.for_user(world["lead"].user)
    counts = sweep_after(lambda: actions.resolve(lead, Conversation.objects.get(pk=conv.pk)),
                         start + 120 * MINUTE)
    assert counts["breached"] == 0
    assert told(NotificationKind.SLA_BREACH) == []
    assert not AuditEvent.objects.filter(action="sla_breach").exists()
    conv.refresh_from_db()
    assert (conv.status, conv.sla_state) == ("resolved", "")


@pytest.mark.django_db(transaction=True)
def test_a_conversation_handed_off_while_the_sweep_runs_is_judged_by_its_new_clock(world):
    conv, start = world["conv"], world["start"]
    lead = Actor.for_user(world["lead"].user)
    billing = factories.silo("Billing")
    SlaPolicy.objects.create(silo=billing, urgency="urgent", first_response_minutes=1000,
                             resolution_minutes=5000)
    counts = sweep_after(lambda: actions.handoff(lead, Conversation.objects.get(pk=conv.pk),
                                                 billing, "a refund question"),
                         start + 120 * MINUTE)
    assert counts == {"warned": 0, "breached": 0, "escalated": 0}
    assert told(NotificationKind.SLA_BREACH) == []  # Care's captain is not told
    conv.refresh_from_db()
    assert (conv.silo_id, conv.sla_state) == (billing.pk, "")
