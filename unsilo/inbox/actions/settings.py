"""The inbox's settings: the hub's routing rules and triage threshold; each silo's saved
replies, SLA targets, business hours and its people's absences."""

import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from unsilo.core import actions as core_actions
from unsilo.core.actor import Actor
from unsilo.core.permissions import can, require
from unsilo.inbox import access
from unsilo.inbox.models import (
    Absence,
    BusinessHours,
    InboxSettings,
    RoutingRule,
    RuleTarget,
    SavedReply,
    SlaPolicy,
    Urgency,
)
from unsilo.inbox.routing import safety
from unsilo.inbox.sla import MIDNIGHT
from unsilo.org.models import Person, Silo

RULE_FIELDS = {"name", "position", "enabled", "network", "account", "language", "keywords",
               "risk", "target", "silo", "person"}


def _only(fields: dict, allowed: set[str]) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError({unknown[0]: "This field cannot be set here."})


def _save(actor: Actor, obj, fields: dict, silo_id: int | None):
    """Create `obj` with `fields`, or update it: one audit row either way."""
    if obj.pk is None:
        for name, value in fields.items():
            setattr(obj, name, value)
        return core_actions.create(actor, obj, silo_id=silo_id)
    return core_actions.update(actor, obj, {**fields, "updated_at": timezone.now()}
                               if hasattr(obj, "updated_at") else fields, silo_id=silo_id)


# Routing rules (the hub) ------------------------------------------------------------------


@transaction.atomic
def save_rule(actor: Actor, rule: RoutingRule | None = None, **fields) -> RoutingRule:
    """Create a hub rule (rule None) or change the fields given."""
    require(actor, "inbox.manage_routing")
    _only(fields, RULE_FIELDS)
    rule = rule or RoutingRule()
    if "keywords" in fields:
        words = fields["keywords"]
        if isinstance(words, str):
            words = words.split(",")
        fields["keywords"] = [w.strip() for w in words if str(w).strip()]
    target = fields.get("target", rule.target)
    silo = fields.get("silo", rule.silo if rule.silo_id else None)
    person = fields.get("person", rule.person if rule.person_id else None)
    if target == RuleTarget.SILO and silo is None:
        raise ValidationError({"silo": "Choose the silo this rule sends conversations to."})
    if target == RuleTarget.PERSON and person is None:
        raise ValidationError({"person": "Choose the person this rule sends conversations to."})
    if target == RuleTarget.REVIEW:
        fields.update(silo=None, person=None)
    if fields.get("risk") in safety.FLAGS:
        raise ValidationError({"risk": "Self-harm and safety never wait on a rule: they go "
                                       "straight to the people the hub names for them (Inbox "
                                       "settings → Safety)."})
    return _save(actor, rule, fields, None)


def delete_rule(actor: Actor, rule: RoutingRule) -> None:
    require(actor, "inbox.manage_routing")
    core_actions.delete(actor, rule)


@transaction.atomic
def update_inbox_settings(actor: Actor, **fields) -> InboxSettings:
    """The hub's routing settings: the triage threshold, how often routing retrains, and who
    reads self-harm and safety first (`safety_people`: people, one or a rota)."""
    require(actor, "inbox.manage_routing")
    _only(fields, {"triage_threshold", "retrain_after", "retrain_minutes", "safety_people"})
    threshold = fields.get("triage_threshold")
    if threshold is not None and not 0 <= float(threshold) <= 1:
        raise ValidationError({"triage_threshold": "Give a confidence between 0 and 1."})
    if "safety_people" in fields:
        people = list(fields["safety_people"] or [])
        gone = [p.name for p in people if not p.is_active]
        if gone:
            raise ValidationError({"safety_people": f"{', '.join(gone)} is no longer active."})
        fields["safety_people"] = [p.pk for p in people]
    current = InboxSettings.objects.select_for_update().order_by("id").first()
    if current is None and "safety_people" in fields:
        # Many-to-many needs a saved row first.
        current = _save(actor, InboxSettings(), {}, None)
    return _save(actor, current or InboxSettings(), fields, None)


# A silo's saved replies, SLA targets and business hours ------------------------------------


@transaction.atomic
def save_saved_reply(actor: Actor, saved_reply: SavedReply | None = None, **fields
                     ) -> SavedReply:
    """Create or change a saved reply: global (silo None) for the hub, a silo's own for its
    captains. Moving one between silos needs the power on both."""
    _only(fields, {"title", "text", "silo"})
    saved_reply = saved_reply or SavedReply()
    if saved_reply.pk is not None:
        require(actor, "inbox.manage_silo_inbox", saved_reply.silo_id)
    silo = fields.get("silo", saved_reply.silo if saved_reply.silo_id else None)
    require(actor, "inbox.manage_silo_inbox", silo.pk if silo else None)
    for name in ("title", "text"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    return _save(actor, saved_reply, fields, silo.pk if silo else None)


def delete_saved_reply(actor: Actor, saved_reply: SavedReply) -> None:
    require(actor, "inbox.manage_silo_inbox", saved_reply.silo_id)
    core_actions.delete(actor, saved_reply, silo_id=saved_reply.silo_id)


@transaction.atomic
def save_sla_policy(actor: Actor, silo: Silo, urgency: str, *, first_response_minutes: int,
                    resolution_minutes: int) -> SlaPolicy:
    """Set the silo's targets for one urgency, in business minutes."""
    require(actor, "inbox.manage_silo_inbox", silo.pk)
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": f"Choose one of {', '.join(Urgency.values)}."})
    if first_response_minutes < 1:
        raise ValidationError({"first_response_minutes": "Give at least 1 minute."})
    if resolution_minutes < first_response_minutes:
        raise ValidationError({"resolution_minutes":
                               "Resolution cannot be due before the first response."})
    policy = SlaPolicy.objects.filter(silo=silo, urgency=urgency).first() or SlaPolicy(
        silo=silo, urgency=urgency)
    return _save(actor, policy, {"first_response_minutes": first_response_minutes,
                                 "resolution_minutes": resolution_minutes}, silo.pk)


def delete_sla_policy(actor: Actor, policy: SlaPolicy) -> None:
    """Back to the default targets for that urgency."""
    require(actor, "inbox.manage_silo_inbox", policy.silo_id)
    core_actions.delete(actor, policy, silo_id=policy.silo_id)


def _clock_time(value, field: str) -> datetime.time:
    if isinstance(value, datetime.time):
        return value
    try:
        return datetime.time.fromisoformat(str(value))
    except ValueError as error:
        raise ValidationError({field: f"“{value}” is not a time such as 09:00."}) from error


@transaction.atomic
def save_business_hours(actor: Actor, silo: Silo, **fields) -> BusinessHours:
    """When the silo works: `timezone`, `start`, `end`, `weekdays` (0 = Monday), or
    `always_open`. SLA clocks of the silo (and silos inside it without their own) count
    only these hours."""
    require(actor, "inbox.manage_silo_inbox", silo.pk)
    _only(fields, {"timezone", "start", "end", "weekdays", "always_open"})
    hours = BusinessHours.objects.filter(silo=silo).first() or BusinessHours(silo=silo)
    if "timezone" in fields:
        try:
            ZoneInfo(fields["timezone"])
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValidationError({"timezone": f"“{fields['timezone']}” is not a time zone "
                                               "such as Europe/Berlin."}) from error
    for name in ("start", "end"):
        if name in fields:
            fields[name] = _clock_time(fields[name], name)
    start = _clock_time(fields.get("start", hours.start), "start")
    end = _clock_time(fields.get("end", hours.end), "end")
    # An end of 00:00 is midnight, the end of the day.
    if not fields.get("always_open", hours.always_open) and end != MIDNIGHT and start >= end:
        raise ValidationError({"end": "The working day must end after it starts."})
    if "weekdays" in fields:
        try:
            days = sorted({int(d) for d in fields["weekdays"] or []})
        except (TypeError, ValueError):
            days = [-1]
        if any(not 0 <= d <= 6 for d in days):
            raise ValidationError({"weekdays": "Give weekdays as numbers, 0 = Monday to "
                                               "6 = Sunday."})
        fields["weekdays"] = days
    return _save(actor, hours, fields, silo.pk)


@transaction.atomic
def delete_business_hours(actor: Actor, hours: BusinessHours) -> None:
    """The silo's clocks fall back to its parent's (or the hub's) hours."""
    require(actor, "inbox.manage_silo_inbox", hours.silo_id)
    # Locks the hours and their silo: a silo being deleted meanwhile waits, or is already gone.
    hours = (BusinessHours.objects.select_for_update().select_related("silo")
             .filter(pk=hours.pk).first())
    if hours is None:
        raise BusinessHours.DoesNotExist("These business hours are gone: their silo was just "
                                         "deleted, or someone removed them.")
    core_actions.delete(actor, hours, silo_id=hours.silo_id)


# Absences -------------------------------------------------------------------------------------


def _require_absence_power(actor: Actor, person: Person) -> None:
    # Anyone may record their own absence; the silo's captains and the hub anyone's.
    if access.person_id(actor) == person.pk and actor.user is not None:
        return
    if not can(actor, "inbox.manage_silo_inbox", person.silo_id):
        raise PermissionDenied("You may record absences only for yourself or for people of "
                               "your own silo (captains).")


@transaction.atomic
def add_absence(actor: Actor, person: Person, *, starts: datetime.datetime,
                ends: datetime.datetime, reason: str = "") -> Absence:
    """`person` is away from `starts` to `ends`: routing skips them meanwhile."""
    _require_absence_power(actor, person)
    if ends <= starts:
        raise ValidationError({"ends": "The absence must end after it starts."})
    absence = Absence(person=person, starts=starts, ends=ends, reason=(reason or "").strip())
    return core_actions.create(actor, absence, silo_id=person.silo_id)


def delete_absence(actor: Actor, absence: Absence) -> None:
    _require_absence_power(actor, absence.person)
    core_actions.delete(actor, absence, silo_id=absence.person.silo_id)
