"""Sign-in pages (the login page with the provider's button; off to the provider and back) and
the hub's Admin page of single sign-on."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from unsilo.core import views as core_views
from unsilo.core.actor import Actor
from unsilo.core.forms_actions import submit, success
from unsilo.core.login_limits import client_address
from unsilo.core.permissions import require
from unsilo.sso import actions, provider, queries, signin
from unsilo.sso.forms import GroupRoleForm, GroupSeatForm, SettingsForm
from unsilo.sso.models import GroupRole, GroupSeat


class PasswordForm(AuthenticationForm):
    """The password form, which refuses before any check while passwords are switched off."""

    def clean(self):
        email = (self.cleaned_data.get("username") or "").strip().lower()
        if email and not queries.password_allowed(email):
            actions.refuse(client_address(self.request), email, "password sign-in is off")
            raise forms.ValidationError("Passwords are switched off here: sign in with your "
                                        "company account.", code="passwords_off")
        return super().clean()


class LoginView(core_views.LoginView):
    form_class = PasswordForm

    def get_context_data(self, **kwargs):
        conf = provider.config()
        return {**super().get_context_data(**kwargs), "sso": conf,
                "passwords_on": conf is None or queries.sign_in_settings().password_sign_in}


def start(request):
    conf = provider.config()
    if conf is None:
        raise Http404("Single sign-on is not set up here.")
    try:
        return signin.start(request, conf)
    except provider.ProviderError:
        return _refused(request, "Your company's sign-in does not answer just now. Try again "
                                 "in a minute, or ask the hub.", 503)


def callback(request):
    conf = provider.config()
    if conf is None:
        raise Http404("Single sign-on is not set up here.")
    try:
        return redirect(signin.finish(request, conf))
    except signin.Failed as failed:
        return _refused(request, failed.message, failed.status)


def _refused(request, message: str, status: int):
    return render(request, "sso/refused.html", {"message": message}, status=status)


# The hub's page ----------------------------------------------------------------------------


def settings_page(request):
    actor = Actor.for_user(request.user)
    require(actor, "core.manage_users")
    form = SettingsForm(request.POST or None, chosen=queries.sign_in_settings(), prefix="s")
    if submit(request, form, lambda: actions.save_settings(actor, **form.cleaned_data)):
        return success(request, "Sign-in settings saved.", "sso:settings")
    return _page(request, actor, form=form)


@require_POST
def add_role(request):
    actor = Actor.for_user(request.user)
    form = GroupRoleForm(request.POST, prefix="r")
    if submit(request, form, lambda: actions.add_group_role(actor, **form.cleaned_data)):
        return success(request, "Group role added.", "sso:settings")
    return _page(request, actor, status=422, role_form=form)


@require_POST
def add_seat(request):
    actor = Actor.for_user(request.user)
    form = GroupSeatForm(request.POST, prefix="g")
    if submit(request, form, lambda: actions.add_group_seat(actor, **form.cleaned_data)):
        return success(request, "Group seat added.", "sso:settings")
    return _page(request, actor, status=422, seat_form=form)


def _page(request, actor, status: int = 200, **shown):
    """The page, with the forms in `shown` as they were sent and the others empty."""
    roles, seats = queries.mapping(actor)
    context = {"form": SettingsForm(chosen=queries.sign_in_settings(), prefix="s"),
               "role_form": GroupRoleForm(prefix="r"), "seat_form": GroupSeatForm(prefix="g"),
               **shown, "conf": provider.config(), "roles": roles, "seats": seats}
    return render(request, "sso/settings.html", context, status=status)


@require_POST
def remove_role(request, pk: int):
    actions.remove_mapping(Actor.for_user(request.user), get_object_or_404(GroupRole, pk=pk))
    return success(request, "Group role removed.", "sso:settings")


@require_POST
def remove_seat(request, pk: int):
    actions.remove_mapping(Actor.for_user(request.user), get_object_or_404(GroupSeat, pk=pk))
    return success(request, "Group seat removed.", "sso:settings")
