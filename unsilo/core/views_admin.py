"""The Admin area: the hub admin's home, the audit log, logins and roles, personal API tokens."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from unsilo.core import actions, queries
from unsilo.core.actor import Actor
from unsilo.core.forms import (
    AuditFilterForm,
    LoginCreateForm,
    LoginEditForm,
    TokenForm,
    add_action_errors,
)
from unsilo.core.models import Role
from unsilo.core.permissions import ANY, DESCRIPTIONS, GRANTS, OWN, can, require
from unsilo.org import queries as org_queries

SCOPE_WORDS = {ANY: "everywhere", OWN: "own silo only"}


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def role_matrix() -> list[dict]:
    """Each permission with, per role, where it applies: the table a COE lead reads."""
    return [
        {
            "perm": perm,
            "description": DESCRIPTIONS[perm],
            "scopes": [SCOPE_WORDS.get(grants.get(role), "") for role in Role.values],
        }
        for perm, grants in GRANTS.items()
    ]


def admin_home(request):
    actor = Actor.for_user(request.user)
    is_admin = can(actor, "core.view_audit") or can(actor, "core.manage_users")
    return render(request, "core/admin.html", {
        "is_admin": is_admin,
        "roles": Role.choices,
        "matrix": role_matrix() if is_admin else [],
    })


# The audit log -------------------------------------------------------------------------------


def audit_log(request):
    actor = Actor.for_user(request.user)
    form = AuditFilterForm(
        request.GET, object_types=queries.audited_types(actor), silos=org_queries.silos(actor)
    )
    page = queries.audit_log(
        actor, form.filters(),
        older=_int(request.GET.get("older")), newer=_int(request.GET.get("newer")),
    )
    # Cursor links keep the filters and drop the old cursor.
    params = request.GET.copy()
    for key in ("older", "newer"):
        params.pop(key, None)
    context = {"form": form, "page": page, "filter_query": params.urlencode()}
    template = "core/audit.html#results" if request.htmx else "core/audit.html"
    return render(request, template, context)


# Logins and roles ----------------------------------------------------------------------------


def users(request):
    actor = Actor.for_user(request.user)
    q, role = request.GET.get("q", ""), request.GET.get("role", "")
    paginator = Paginator(queries.logins(actor, q=q, role=role), 50)
    context = {
        "page": paginator.get_page(request.GET.get("page")),
        "q": q, "role": role, "roles": Role.choices,
    }
    template = "core/users.html#results" if request.htmx else "core/users.html"
    return render(request, template, context)


def user_new(request):
    actor = Actor.for_user(request.user)
    require(actor, "core.manage_users")  # the form itself is for user managers only
    form = LoginCreateForm(
        request.POST or None, find_person=lambda email: queries.person_for_login(actor, email)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            login = actions.create_login(
                actor, email=data["email"], password=data["password"], role=data["role"],
                person=form.person,
            )
        except ValidationError as error:
            add_action_errors(form, error, rename={"person": "email"})
        else:
            role = login.get_role_display()
            messages.success(request, f"{login.email} can now log in as {role}.")
            return redirect("core:users")
    return render(request, "core/users_form.html", {"form": form, "login": None})


def user_edit(request, pk: int):
    actor = Actor.for_user(request.user)
    login = get_object_or_404(queries.logins(actor), pk=pk)
    form = LoginEditForm(request.POST or None, initial={"role": login.role,
                                                        "is_active": login.is_active})
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_login(actor, login, form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Saved {login.email}.")
            return redirect("core:users")
    return render(request, "core/users_form.html", {"form": form, "login": login})


# Personal API tokens -------------------------------------------------------------------------


def tokens(request):
    """List your tokens; a POST makes one and shows its secret on this response only."""
    actor = Actor.for_user(request.user)
    form = TokenForm(request.POST or None)
    secret = new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            new_token, secret = actions.create_token(actor, form.cleaned_data["name"])
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            form = TokenForm()
    response = render(request, "core/tokens.html", {
        "form": form, "tokens": queries.my_tokens(actor), "secret": secret,
        "new_token": new_token, "api_docs": "/api/v1/docs",
    })
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_revoke(request, pk: int):
    actor = Actor.for_user(request.user)
    token = get_object_or_404(queries.my_tokens(actor), pk=pk)
    actions.revoke_token(actor, token)
    messages.success(request, f"Revoked {token.name}: it no longer works.")
    return redirect("core:tokens")

