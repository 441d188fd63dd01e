"""Reads of the inbox's settings, scoped to the reader (core/permissions.py): saved replies,
routing rules and the hub's settings, a silo's SLA targets and business hours, absences. The
pages and the API read through these; the actions check every change again."""

from django.db.models import Q, QuerySet

from unsilo.core.actor import Actor
from unsilo.core.permissions import can_somewhere, require, silo_filter
from unsilo.inbox import access, sla
from unsilo.inbox.models import (
    Absence,
    BusinessHours,
    InboxSettings,
    RoutingRule,
    SavedReply,
    SlaPolicy,
    Urgency,
)
from unsilo.org.models import Silo


def saved_replies(actor: Actor) -> QuerySet[SavedReply]:
    """The global saved replies and those of the silos whose inbox settings the reader sees."""
    rows = SavedReply.objects.select_related("silo")
    if not can_somewhere(actor, "inbox.view_silo_inbox"):
        return rows.none()
    return rows.filter(Q(silo__isnull=True) | silo_filter(actor, "inbox.view_silo_inbox"))


def routing_rules(actor: Actor) -> QuerySet[RoutingRule]:
    """The hub's rules in the order they are tried."""
    require(actor, "inbox.view_routing")
    return RoutingRule.objects.select_related("silo", "person", "account")


def inbox_settings(actor: Actor) -> InboxSettings:
    """The hub's triage threshold and how often routing retrains."""
    require(actor, "inbox.view_routing")
    return InboxSettings.current()


def sla_policies(actor: Actor, silo: Silo) -> dict[str, SlaPolicy]:
    """The silo's own SLA targets by urgency (the defaults apply to the others)."""
    require(actor, "inbox.view_silo_inbox", silo.pk)
    return {p.urgency: p for p in SlaPolicy.objects.filter(silo=silo)}


def own_business_hours(actor: Actor, silo: Silo) -> BusinessHours | None:
    """The silo's own business hours, if it set any."""
    require(actor, "inbox.view_silo_inbox", silo.pk)
    return BusinessHours.objects.filter(silo=silo).first()


def silo_sla(actor: Actor, silo: Silo) -> dict:
    """Targets per urgency (the defaults where the silo set none) and the business hours its
    clocks count: its own, a parent's, the hub's, or none (round the clock)."""
    own = sla_policies(actor, silo)
    clock = sla.clock()
    policies = []
    for urgency in Urgency.values:
        first, resolution = clock.targets(silo.pk, urgency)
        policies.append({"urgency": urgency, "first_response_minutes": first,
                         "resolution_minutes": resolution, "default": urgency not in own})
    return {"silo_id": silo.pk, "policies": policies, "business_hours": clock._hours_for(silo.pk)}


def absences(actor: Actor) -> QuerySet[Absence]:
    """The reader's own absences and those of the people whose absences they manage."""
    mine = Q(person_id=access.person_id(actor)) if access.person_id(actor) else Q(pk__in=[])
    managed = silo_filter(actor, "inbox.manage_silo_inbox", "person__silo_id")
    return Absence.objects.select_related("person", "person__silo").filter(mine | managed)
