"""The inbox's settings pages, kept plain: the hub's routing rules and triage threshold; each
silo's saved replies, SLA targets and business hours; absences. Captains see their silo's
parts; everyone may record their own absence. The actions check every power again."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unsilo.core.actor import Actor
from unsilo.core.forms_actions import submit, success
from unsilo.core.permissions import can, require
from unsilo.inbox import actions, sla
from unsilo.inbox.forms import (
    AbsenceForm,
    BusinessHoursForm,
    RuleForm,
    SafetyForm,
    SavedReplyForm,
    SlaForm,
    ThresholdForm,
)
from unsilo.inbox.models import Urgency
from unsilo.inbox.queries import settings as settings_queries
from unsilo.inbox.views.queues import actor_of
from unsilo.org.models import Silo
from unsilo.org.queries_pages import silos_where


def _managed_silos(actor: Actor):
    return silos_where(actor, "inbox.manage_silo_inbox")


@require_GET
def overview(request):
    actor = actor_of(request)
    hub = can(actor, "inbox.manage_routing")
    silos = list(_managed_silos(actor))
    # The saved replies this person may change (the composer lists those they may use).
    replies = settings_queries.saved_replies(actor).order_by("silo__name", "title")
    if not hub:
        replies = replies.filter(silo__in=silos)
    absences = settings_queries.absences(actor).filter(ends__gte=timezone.now())
    current = settings_queries.inbox_settings(actor) if hub else None
    rota = list(current.safety_people.order_by("name")) if current and current.pk else []
    return render(request, "inbox/settings.html", {
        "hub": hub,
        "safety_rota": rota,
        "safety_form": SafetyForm(initial={"people": "\n".join(p.email for p in rota)})
        if hub else None,
        "rules": settings_queries.routing_rules(actor) if hub else [],
        "threshold_form": ThresholdForm(initial={"triage_threshold": current.triage_threshold})
        if hub else None,
        "replies": replies,
        "silos": silos,
        "absences": absences.order_by("starts")[:200],
        "absence_form": AbsenceForm(initial={"person": request.user.person.email
                                             if request.user.person_id else ""}),
    })


@require_POST
def threshold(request):
    actor = actor_of(request)
    form = ThresholdForm(request.POST)
    if submit(request, form, lambda: actions.update_inbox_settings(
            actor, triage_threshold=form.cleaned_data["triage_threshold"])):
        return success(request, "Triage threshold saved.", "inbox:settings")
    return render(request, "inbox/settings_form.html", {
        "form": form, "title": "Triage threshold", "action": request.path})


@require_POST
def safety(request):
    """Who reads self-harm and safety messages first (the hub's safety rota)."""
    actor = actor_of(request)
    form = SafetyForm(request.POST)
    if submit(request, form, lambda: actions.update_inbox_settings(
            actor, safety_people=form.cleaned_data["safety_people"]), rename={
            "safety_people": "people"}):
        return success(request, "Safety rota saved: self-harm and safety go to them first.",
                       "inbox:settings")
    return render(request, "inbox/settings_form.html", {
        "form": form, "title": "Safety rota", "action": request.path})


@require_http_methods(["GET", "POST"])
def rule_edit(request, pk=None):
    actor = actor_of(request)
    if not can(actor, "inbox.manage_routing"):
        raise PermissionDenied("Routing rules are the hub's.")
    rule = get_object_or_404(settings_queries.routing_rules(actor), pk=pk) if pk else None
    initial = {}
    if rule is not None:
        initial = {f: getattr(rule, f) for f in ("name", "position", "enabled", "network",
                                                 "language", "risk", "target")}
        initial.update(keywords=", ".join(rule.keywords), account=rule.account_id,
                       silo=rule.silo_id, person=rule.person.email if rule.person_id else "")
    form = RuleForm(request.POST or None, initial=initial)
    if submit(request, form, lambda: actions.save_rule(actor, rule, **form.cleaned_data),
              instance=rule):
        return success(request, "Rule saved.", "inbox:settings")
    title = f"Rule “{rule.name}”" if rule else "New routing rule"
    return render(request, "inbox/settings_form.html",
                  {"form": form, "title": title, "action": request.path})


@require_POST
def rule_delete(request, pk):
    actor = actor_of(request)
    actions.delete_rule(actor, get_object_or_404(settings_queries.routing_rules(actor), pk=pk))
    return success(request, "Rule deleted.", "inbox:settings")


@require_http_methods(["GET", "POST"])
def reply_edit(request, pk=None):
    actor = actor_of(request)
    saved = _saved_reply(actor, pk) if pk else None
    hub = can(actor, "inbox.manage_silo_inbox")
    initial = {"title": saved.title, "text": saved.text, "silo": saved.silo_id} if saved else {}
    form = SavedReplyForm(request.POST or None, initial=initial, silos=_managed_silos(actor),
                          allow_global=hub)
    if submit(request, form, lambda: actions.save_saved_reply(actor, saved, **form.cleaned_data),
              instance=saved):
        return success(request, "Saved reply saved.", "inbox:settings")
    title = f"Saved reply “{saved.title}”" if saved else "New saved reply"
    return render(request, "inbox/settings_form.html",
                  {"form": form, "title": title, "action": request.path})


def _saved_reply(actor, pk):
    """A saved reply to change: 404 unless the reader may see it, 403 unless they may change
    it (the hub: global ones and any silo's; captains: their own silo's)."""
    saved = get_object_or_404(settings_queries.saved_replies(actor), pk=pk)
    require(actor, "inbox.manage_silo_inbox", saved.silo_id)
    return saved


@require_POST
def reply_delete(request, pk):
    actor = actor_of(request)
    actions.delete_saved_reply(actor, _saved_reply(actor, pk))
    return success(request, "Saved reply deleted.", "inbox:settings")


@require_http_methods(["GET", "POST"])
def silo_sla(request, silo_id):
    """A silo's SLA targets for every urgency and its business hours, on one page."""
    actor = actor_of(request)
    silo = get_object_or_404(Silo, pk=silo_id)
    if not can(actor, "inbox.manage_silo_inbox", silo.pk):
        raise PermissionDenied("Only the hub and this silo's captains change its SLAs.")
    policies = settings_queries.sla_policies(actor, silo)
    initial = {}
    for urgency in Urgency.values:
        first, resolution = sla.DEFAULT_TARGETS[urgency] if urgency not in policies else (
            policies[urgency].first_response_minutes, policies[urgency].resolution_minutes)
        initial.update({f"{urgency}_first": first, f"{urgency}_resolution": resolution})
    hours = settings_queries.own_business_hours(actor, silo)
    hours_initial = {f: getattr(hours, f) for f in ("timezone", "start", "end", "weekdays",
                                                    "always_open")} if hours else {}
    which = request.POST.get("form")
    sla_form = SlaForm(request.POST if which == "sla" else None, initial=initial)
    hours_form = BusinessHoursForm(request.POST if which == "hours" else None,
                                   initial=hours_initial)

    def save_targets():
        d = sla_form.cleaned_data
        for urgency in Urgency.values:
            actions.save_sla_policy(actor, silo, urgency,
                                    first_response_minutes=d[f"{urgency}_first"],
                                    resolution_minutes=d[f"{urgency}_resolution"])
        return True

    if which == "sla" and submit(request, sla_form, save_targets):
        return success(request, f"SLA targets of {silo.name} saved.", "inbox:silo_sla",
                       silo_id=silo.pk)
    if which == "hours" and submit(request, hours_form, lambda: actions.save_business_hours(
            actor, silo, **hours_form.cleaned_data)):
        return success(request, f"Business hours of {silo.name} saved.", "inbox:silo_sla",
                       silo_id=silo.pk)
    return render(request, "inbox/settings_sla.html", {
        "silo": silo, "sla_form": sla_form, "hours_form": hours_form, "hours": hours,
    })


@require_POST
def absence_new(request):
    actor = actor_of(request)
    form = AbsenceForm(request.POST)

    def add():
        d = form.cleaned_data
        return actions.add_absence(actor, d["person_obj"], starts=d["starts"], ends=d["ends"],
                                   reason=d["reason"])
    if form.is_valid() and form.cleaned_data.get("person_obj") and submit(request, form, add):
        return success(request, "Absence recorded: routing skips them meanwhile.",
                       "inbox:settings")
    return render(request, "inbox/settings_form.html", {
        "form": form, "title": "Record an absence", "action": request.path})


@require_POST
def absence_delete(request, pk):
    actor = actor_of(request)
    actions.delete_absence(actor, get_object_or_404(settings_queries.absences(actor), pk=pk))
    return success(request, "Absence removed.", "inbox:settings")
