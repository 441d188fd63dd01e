"""`unsilo demo`'s inbox: the full seed, run once, leaves the inbox a COE lead can explore."""

import pytest
from django.utils import timezone

from unsilo.connectors import sending
from unsilo.connectors.models import Delivery
from unsilo.core.models import AuditEvent
from unsilo.demo import corpus as demo_corpus
from unsilo.demo import seed as demo
from unsilo.inbox.models import (
    Absence,
    BusinessHours,
    Consult,
    Conversation,
    Direction,
    Handoff,
    InboxSettings,
    Message,
    MessageState,
    Note,
    Notification,
    NotificationKind,
    ResolvedExample,
    RoutingDecision,
    RoutingModel,
    RoutingRule,
    SavedReply,
    SlaPolicy,
    Status,
)
from unsilo.org.models import SiloKind


@pytest.mark.django_db
def test_the_demo_seed_builds_a_working_inbox_through_the_real_actions():
    result = demo.seed()
    inbox = result["inbox"]
    assert demo.inbox_is_seeded()

    # Routing learned from history before the first message arrived.
    model = RoutingModel.objects.first()
    assert model is not None and model.examples >= 3_000
    assert ResolvedExample.objects.count() >= 3_000
    assert inbox["history"] == 3_000

    rules = {r.name: r for r in RoutingRule.objects.select_related("silo")}
    # Self-harm and safety need no rule: the hub names a safety rota of its own people.
    assert not RoutingRule.objects.filter(risk__in=["self_harm", "safety"]).exists()
    rota = list(InboxSettings.current().safety_people.select_related("silo"))
    assert len(rota) >= 2 and all(p.silo.kind == SiloKind.HUB for p in rota)
    assert rules["Legal threats go to Legal"].silo.name == "Legal"
    assert rules["Press goes to Corporate Communications"].risk == "press"
    assert SavedReply.objects.filter(silo=None).count() >= 2
    assert SavedReply.objects.filter(silo__isnull=False).values("silo").distinct().count() >= 4
    assert SavedReply.objects.filter(text__contains="{customer}").exists()
    assert SlaPolicy.objects.values("silo").distinct().count() >= 4
    assert BusinessHours.objects.filter(always_open=True).exists()
    away = Absence.objects.get()
    assert away.person.email == demo_corpus.experts()[("Finance & Billing", "refunds")]
    assert away.starts < timezone.now() < away.ends

    # ~150 conversations, every message processed, routed with reasons and a confidence.
    conversations = Conversation.objects.all()
    assert 140 <= conversations.count() <= 170
    assert not Message.objects.exclude(state__in=[MessageState.PROCESSED,
                                                  MessageState.QUEUED]).exists()
    routed = conversations.filter(triage=False, silo__isnull=False)
    assert routed.count() > 100
    assert all(c.reasons and c.confidence is not None for c in routed)
    assert RoutingDecision.objects.values("conversation").distinct().count() == \
        conversations.count()
    # The hub's triage queue has work: unclear messages — but never a cry for help, which a
    # person of the safety rota has at once, urgent, never read as positive; the hub is told.
    triage = list(conversations.filter(triage=True))
    assert len(triage) >= 2
    assert not any({"self_harm", "safety"} & set(c.risk) for c in triage)
    cry = conversations.get(preview__contains="I just want to end it all")
    assert cry.assignee in rota and cry.status == Status.OPEN
    assert (cry.urgency, cry.sentiment) == ("urgent", "negative")
    assert Notification.objects.filter(kind=NotificationKind.SAFETY, conversation=cry,
                                       person__silo__kind=SiloKind.HUB).exists()
    assert not any({"self_harm", "safety"} & set(c.risk)
                   for c in conversations.filter(assignee=None))
    assert conversations.filter(decisions__source="rule").exists()
    # The refunds expert on leave is skipped with the reason, at any hour: in Billing's working
    # hours for the next best expert, outside them while the conversation waits in its queue.
    assert any("is away until" in reason for c in conversations for reason in c.reasons)

    # People at work: replies, resolutions, consults, handoffs, notes with @mentions.
    assert conversations.filter(status=Status.RESOLVED).count() >= 10
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() >= 20
    assert Consult.objects.count() >= 5
    assert Handoff.objects.count() >= 5
    assert Note.objects.filter(mentions__isnull=False).count() >= 3
    assert ResolvedExample.objects.filter(source="inbox").count() >= 10
    # The same answer twice from one X account, which X (and so the demo network) refuses as
    # duplicate content: the Outbox has a failure to show with Retry, Edit and Cancel.
    twice = Delivery.objects.filter(text=demo.SAME_ANSWER).order_by("pk")
    assert [d.network for d in twice] == ["x", "x"]
    assert twice[0].account_id == twice[1].account_id
    assert [sending.send(d.pk) for d in twice] == ["sent", "failed"]
    # …and some waiting too long: overdue.
    now = timezone.now()
    overdue = conversations.exclude(status=Status.RESOLVED).filter(
        first_response_at=None, first_response_due__lt=now)
    assert overdue.exists()
    # Everything left its audit trail.
    for action in ("route", "create", "assign", "handoff", "resolve", "reply"):
        assert AuditEvent.objects.filter(action=action).exists(), action
    # What people have shown they can answer: learned from the history at once, with consults
    # of other silos' experts; the refunds expert, not a title, comes first for a refund.
    from unsilo.experts import ranking
    from unsilo.experts.models import ExpertProfile

    assert ExpertProfile.objects.filter(resolved__gt=0).count() >= 20
    assert ExpertProfile.objects.filter(consulted__gt=0).count() >= 3
    refunds = demo_corpus.experts()[("Finance & Billing", "refunds")]
    found = ranking.rank("I was charged twice and want my refund back").experts
    assert found[0].person.email == refunds
    assert "absent" in found[0].unavailable  # on leave in the demo, and still the one who knows
