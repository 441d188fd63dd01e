"""The Admin area: the hub admin's home, the audit log, logins and roles, personal API tokens."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from unsilo.core import actions, queries
from unsilo.core.actor import Actor
from unsilo.core.forms import AuditFilterForm, LoginCreateForm, LoginEditForm, TokenForm
from unsilo.core.forms_actions import submit, success
from unsilo.core.htmx import int_or_none, render_swappable
from unsilo.core.models import Role
from unsilo.core.permissions import ANY, DESCRIPTIONS, GRANTS, OWN, can, require
from unsilo.org import queries as org_queries

SCOPE_WORDS = {ANY: "everywhere", OWN: "own silo only"}


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
        older=int_or_none(request.GET.get("older")), newer=int_or_none(request.GET.get("newer")),
    )
    # Cursor links keep the filters and drop the old cursor.
    params = request.GET.copy()
    for key in ("older", "newer"):
        params.pop(key, None)
    context = {"form": form, "page": page, "filter_query": params.urlencode()}
    return render_swappable(request, "core/audit.html", "results", context)


# Logins and roles ----------------------------------------------------------------------------


def users(request):
    actor = Actor.for_user(request.user)
    q, role = request.GET.get("q", ""), request.GET.get("role", "")
    page = Paginator(queries.logins(actor, q=q, role=role), 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    locks = queries.login_locks(actor, page.object_list)
    for login in page.object_list:
        login.locked_until = locks.get(login.pk)
    context = {"page": page, "q": q, "role": role, "roles": Role.choices}
    return render_swappable(request, "core/users.html", "results", context)


def user_new(request):
    actor = Actor.for_user(request.user)
    require(actor, "core.manage_users")  # the form itself is for user managers only
    form = LoginCreateForm(
        request.POST or None, find_person=lambda email: queries.person_for_login(actor, email)
    )

    def create():
        data = form.cleaned_data
        return actions.create_login(actor, email=data["email"], password=data["password"],
                                    role=data["role"], person=form.person)

    if login := submit(request, form, create, rename={"person": "email"}):
        role = login.get_role_display()
        return success(request, f"{login.email} can now log in as {role}.", "core:users")
    return render(request, "core/users_form.html", {"form": form, "login": None})


def user_edit(request, pk: int):
    actor = Actor.for_user(request.user)
    login = get_object_or_404(queries.logins(actor), pk=pk)
    form = LoginEditForm(request.POST or None, initial={"role": login.role,
                                                        "is_active": login.is_active})
    if submit(request, form, lambda: actions.update_login(actor, login, form.cleaned_data),
              instance=login):
        return success(request, f"Saved {login.email}.", "core:users")
    locked_until = queries.login_locks(actor, [login]).get(login.pk)
    return render(request, "core/users_form.html", {"form": form, "login": login,
                                                    "locked_until": locked_until})


@require_POST
def user_unlock(request, pk: int):
    actor = Actor.for_user(request.user)
    login = get_object_or_404(queries.logins(actor), pk=pk)
    actions.unlock_login(actor, login)
    return success(request, f"Unlocked {login.email}: they can sign in again now.", "core:users")


# Personal API tokens -------------------------------------------------------------------------


def tokens(request):
    """List your tokens; a POST makes one and shows its secret on this response only."""
    actor = Actor.for_user(request.user)
    form = TokenForm(request.POST or None)
    secret = new_token = None
    created = submit(request, form, lambda: actions.create_token(actor, form.cleaned_data["name"]))
    if created:
        new_token, secret = created
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
    return success(request, f"Revoked {token.name}: it no longer works.", "core:tokens")

