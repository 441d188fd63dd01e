"""Admin → Publishing policy: the hub's rules, the pause switch and certifications."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from unsilo.core.actor import Actor
from unsilo.core.forms_actions import submit, success
from unsilo.core.permissions import can, require
from unsilo.org import queries as org_queries
from unsilo.publishing import actions, queries
from unsilo.publishing.forms import PauseForm, RuleForm


def policy_page(request):
    actor = Actor.for_user(request.user)
    if request.method == "POST":
        require(actor, "publishing.manage_policy")  # the form is for the hub only
    silos = list(org_queries.silos(actor))
    form = RuleForm(request.POST or None, silos=silos)
    if submit(request, form, lambda: actions.add_rule(actor, form.rule())):
        return success(request, f"Added the rule “{form.cleaned_data['name']}”.",
                       "publishing:policy")
    switch = queries.switch(actor)
    rules = list(queries.rules(actor))
    for rule in rules:
        rule.reviewers = queries.rule_reviewers(rule)
    return render(request, "publishing/policy.html", {
        "form": form, "rules": rules, "switch": switch,
        "certifications": queries.certifications(actor).order_by("expires_at")[:500],
        "can_manage": can(actor, "publishing.manage_policy"),
    })


@require_POST
def rule_remove(request, pk: int):
    actor = Actor.for_user(request.user)
    rule = get_object_or_404(queries.rules(actor), pk=pk)
    actions.remove_rule(actor, rule)
    return success(request, f"Removed the rule “{rule.name}”.", "publishing:policy")


@require_POST
def pause(request):
    actor = Actor.for_user(request.user)
    form = PauseForm(request.POST)
    form.is_valid()
    paused = form.cleaned_data.get("paused", False)
    actions.set_paused(actor, paused, form.cleaned_data.get("reason", ""))
    return success(request, "Publishing is paused." if paused else "Publishing is on again.",
                   "publishing:policy")


@require_POST
def revoke(request, pk: int):
    actor = Actor.for_user(request.user)
    cert = get_object_or_404(queries.certifications(actor), pk=pk)
    actions.revoke(actor, cert)
    return success(request, f"Revoked {cert.person.email}'s certification.", "publishing:policy")
