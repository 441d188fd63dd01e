"""The inbox API's settings and notifications: saved replies (and rendering one for a
conversation), the hub's routing rules and settings, each silo's SLA targets and business
hours, absences, and my notifications."""

from django.http import Http404
from django.utils import timezone
from ninja import Router, Status

from unsilo.accounts.models import Account
from unsilo.core.api import found, input_names, referenced
from unsilo.core.schemas import Count, Id, errors
from unsilo.inbox import actions, queries
from unsilo.inbox.models import Urgency
from unsilo.inbox.queries import settings as settings_queries
from unsilo.inbox.schemas.settings import (
    AbsenceIn,
    AbsenceOut,
    BusinessHoursIn,
    InboxSettingsOut,
    InboxSettingsPatch,
    MarkedOut,
    MarkReadIn,
    NotificationsOut,
    RenderedOut,
    RuleIn,
    RuleOut,
    RulePatch,
    SavedReplyIn,
    SavedReplyOut,
    SavedReplyPatch,
    SiloSlaOut,
    SlaPolicyIn,
)
from unsilo.org import queries as org_queries
from unsilo.org.models import Person, Silo

router = Router(tags=["Inbox settings"])
WRITE_ERRORS = errors(403, 404, 422)


def _silo(silo_id: int | None, field: str = "silo_id") -> Silo | None:
    return None if silo_id is None else referenced(Silo.objects.all(), silo_id, field, "silo")


def _saved_reply(request, saved_reply_id: int):
    return found(settings_queries.saved_replies(request.actor), saved_reply_id, "saved reply")


def _rule(request, rule_id: int):
    return found(settings_queries.routing_rules(request.actor), rule_id, "routing rule")


def _silo_of_path(request, silo_id: int) -> Silo:
    return found(org_queries.silos(request.actor), silo_id, "silo")


# Saved replies ----------------------------------------------------------------------------------


@router.get("/saved-replies", response={200: list[SavedReplyOut]}, summary="List saved replies")
def list_saved_replies(request, silo_id: Id | None = None):
    """The global saved replies and your silo's (the hub and viewers see every silo's)."""
    rows = settings_queries.saved_replies(request.actor)
    return rows.filter(silo_id=silo_id) if silo_id is not None else rows


@router.post("/saved-replies", response={201: SavedReplyOut, **WRITE_ERRORS},
             summary="Create a saved reply")
def create_saved_reply(request, payload: SavedReplyIn):
    """Global (no silo_id) for hub admins; a silo's own for its captains."""
    with input_names(silo="silo_id"):
        saved = actions.save_saved_reply(request.actor, None, title=payload.title,
                                         text=payload.text, silo=_silo(payload.silo_id))
    return Status(201, saved)


@router.patch("/saved-replies/{saved_reply_id}", response={200: SavedReplyOut, **WRITE_ERRORS},
              summary="Change a saved reply")
def update_saved_reply(request, saved_reply_id: Id, payload: SavedReplyPatch):
    saved = _saved_reply(request, saved_reply_id)
    data = payload.dict(exclude_unset=True)
    if "silo_id" in data:
        data["silo"] = _silo(data.pop("silo_id"))
    with input_names(silo="silo_id"):
        return actions.save_saved_reply(request.actor, saved, **data)


@router.delete("/saved-replies/{saved_reply_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete a saved reply")
def delete_saved_reply(request, saved_reply_id: Id):
    actions.delete_saved_reply(request.actor, _saved_reply(request, saved_reply_id))
    return Status(204, None)


@router.get("/saved-replies/{saved_reply_id}/render",
            response={200: RenderedOut, **errors(404)}, summary="Fill in a saved reply")
def render_saved_reply(request, saved_reply_id: Id, conversation_id: Id):
    """The saved reply's text with its variables filled in for one conversation."""
    saved = _saved_reply(request, saved_reply_id)
    conv = queries.conversation_for(request.actor, conversation_id)
    return {"text": actions.render_saved_reply(saved, conv, request.actor)}


# Routing rules and settings (the hub) -----------------------------------------------------------


def _rule_data(data: dict) -> dict:
    if "silo_id" in data:
        data["silo"] = _silo(data.pop("silo_id"))
    if "person_id" in data:
        pid = data.pop("person_id")
        data["person"] = None if pid is None else referenced(Person.objects.all(), pid,
                                                             "person_id", "person")
    if "account_id" in data:
        aid = data.pop("account_id")
        data["account"] = None if aid is None else referenced(Account.objects.all(), aid,
                                                              "account_id", "account")
    return data


RULE_NAMES = {"silo": "silo_id", "person": "person_id", "account": "account_id"}


@router.get("/routing/rules", response={200: list[RuleOut], **errors(403)},
            summary="List routing rules")
def list_rules(request):
    """The hub's rules in the order they are tried; the first that matches wins. The hub,
    viewers and captains."""
    return settings_queries.routing_rules(request.actor)


@router.post("/routing/rules", response={201: RuleOut, **WRITE_ERRORS},
             summary="Create a routing rule")
def create_rule(request, payload: RuleIn):
    with input_names(**RULE_NAMES):
        rule = actions.save_rule(request.actor, None, **_rule_data(payload.dict()))
    return Status(201, rule)


@router.patch("/routing/rules/{rule_id}", response={200: RuleOut, **WRITE_ERRORS},
              summary="Change a routing rule")
def update_rule(request, rule_id: Id, payload: RulePatch):
    rule = _rule(request, rule_id)
    with input_names(**RULE_NAMES):
        return actions.save_rule(request.actor, rule,
                                 **_rule_data(payload.dict(exclude_unset=True)))


@router.delete("/routing/rules/{rule_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete a routing rule")
def delete_rule(request, rule_id: Id):
    actions.delete_rule(request.actor, _rule(request, rule_id))
    return Status(204, None)


@router.get("/inbox/settings", response={200: InboxSettingsOut, **errors(403)},
            summary="Inbox settings")
def get_settings(request):
    """The hub's triage threshold and how often routing retrains. The hub, viewers and
    captains."""
    return settings_queries.inbox_settings(request.actor)


@router.patch("/inbox/settings", response={200: InboxSettingsOut, **errors(403, 422)},
              summary="Change inbox settings")
def update_settings(request, payload: InboxSettingsPatch):
    return actions.update_inbox_settings(request.actor, **payload.dict(exclude_unset=True))


# SLA targets and business hours of a silo -------------------------------------------------------


@router.get("/silos/{silo_id}/sla", response={200: SiloSlaOut, **errors(403, 404)},
            summary="A silo's SLA targets and business hours")
def get_silo_sla(request, silo_id: Id):
    """Targets per urgency (the defaults where the silo set none) and the business hours its
    clocks count (its own, a parent's, the hub's, or none: round the clock). Whoever reads the
    silo's inbox."""
    return settings_queries.silo_sla(request.actor, _silo_of_path(request, silo_id))


@router.put("/silos/{silo_id}/sla/{urgency}", response={200: SiloSlaOut, **WRITE_ERRORS},
            summary="Set a silo's SLA targets for one urgency")
def set_sla_policy(request, silo_id: Id, urgency: Urgency, payload: SlaPolicyIn):
    silo = _silo_of_path(request, silo_id)
    actions.save_sla_policy(request.actor, silo, urgency, **payload.dict())
    return settings_queries.silo_sla(request.actor, silo)


@router.delete("/silos/{silo_id}/sla/{urgency}", response={200: SiloSlaOut, **WRITE_ERRORS},
               summary="Back to the default SLA targets for one urgency")
def delete_sla_policy(request, silo_id: Id, urgency: Urgency):
    silo = _silo_of_path(request, silo_id)
    policy = settings_queries.sla_policies(request.actor, silo).get(urgency)
    if policy is None:
        raise Http404(f"{silo.name} has no {urgency} SLA policy of its own.")
    actions.delete_sla_policy(request.actor, policy)
    return settings_queries.silo_sla(request.actor, silo)


@router.put("/silos/{silo_id}/business-hours", response={200: SiloSlaOut, **WRITE_ERRORS},
            summary="Set a silo's business hours")
def set_business_hours(request, silo_id: Id, payload: BusinessHoursIn):
    silo = _silo_of_path(request, silo_id)
    actions.save_business_hours(request.actor, silo, **payload.dict())
    return settings_queries.silo_sla(request.actor, silo)


@router.delete("/silos/{silo_id}/business-hours", response={200: SiloSlaOut, **WRITE_ERRORS},
               summary="Remove a silo's own business hours")
def delete_business_hours(request, silo_id: Id):
    """The silo's clocks then count its parent's (or the hub's) hours."""
    silo = _silo_of_path(request, silo_id)
    hours = settings_queries.own_business_hours(request.actor, silo)
    if hours is None:
        raise Http404(f"{silo.name} has no business hours of its own.")
    actions.delete_business_hours(request.actor, hours)
    return settings_queries.silo_sla(request.actor, silo)


# Absences ---------------------------------------------------------------------------------------


@router.get("/absences", response={200: list[AbsenceOut]}, summary="List absences")
def list_absences(request, person_id: Id | None = None, current: bool = False):
    """Yours; a captain's silo's; the hub's: everyone's. `current`: only those not over."""
    rows = settings_queries.absences(request.actor)
    if person_id is not None:
        rows = rows.filter(person_id=person_id)
    if current:
        rows = rows.filter(ends__gt=timezone.now())
    return rows


@router.post("/absences", response={201: AbsenceOut, **WRITE_ERRORS}, summary="Record an absence")
def add_absence(request, payload: AbsenceIn):
    """Anyone may record their own; captains their silo's people; the hub anyone's."""
    person = referenced(Person.objects.all(), payload.person_id, "person_id", "person")
    absence = actions.add_absence(request.actor, person, starts=payload.starts,
                                  ends=payload.ends, reason=payload.reason)
    return Status(201, absence)


@router.delete("/absences/{absence_id}", response={204: None, **WRITE_ERRORS},
               summary="Delete an absence")
def delete_absence(request, absence_id: Id):
    absence = found(settings_queries.absences(request.actor), absence_id, "absence")
    actions.delete_absence(request.actor, absence)
    return Status(204, None)


# My notifications -------------------------------------------------------------------------------


@router.get("/notifications", response={200: NotificationsOut}, summary="My notifications")
def list_notifications(request, limit: Count = 100):
    """Your newest notifications and how many are unread."""
    return {"unread": queries.unread_count(request.actor),
            "items": queries.notifications(request.actor, limit=min(max(limit, 1), 500))}


@router.post("/notifications/read", response={200: MarkedOut}, summary="Mark notifications read")
def mark_read(request, payload: MarkReadIn):
    """Mark the notifications `ids` read (null: all of them)."""
    return {"marked": actions.mark_read(request.actor, payload.ids)}
