"""Connecting a registered account to its network from its page: a form for app passwords and
tokens, or a browser sign-in (OAuth with state and PKCE); disconnecting; the health panel.

Typed secrets go straight into an action that encrypts them; the pages never show one again.
The only secret ever shown is the generic webhook's signing secret, made by unsilo, once.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from unsilo.accounts import queries as account_queries
from unsilo.connectors import actions, health, plugins
from unsilo.connectors.forms import ConnectForm
from unsilo.core.actor import Actor
from unsilo.core.csp import csp_update
from unsilo.core.forms import add_action_errors
from unsilo.core.permissions import can, require

SESSION_KEY = "unsilo_oauth"  # pending browser sign-ins by state
CALLBACK_PATH = "/accounts/connect/callback/"


def panel(actor: Actor, account) -> dict:
    """What the account page shows about the connection (used by accounts/views.py)."""
    connector = plugins.connector(account.network)
    return {
        "health": health.of(account),
        "connector": connector,
        "may_connect": connector is not None and can(actor, "accounts.connect",
                                                     account.owner_silo_id),
    }


def _account(request, pk: int):
    actor = Actor.for_user(request.user)
    account = get_object_or_404(account_queries.accounts(actor).select_related("connection"),
                                pk=pk)
    require(actor, "accounts.connect", account.owner_silo_id)
    return actor, account


def _redirect_uri(request) -> str:
    base = settings.UNSILO_PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")
    return base + CALLBACK_PATH


def hook_url(request, connection) -> str:
    base = settings.UNSILO_PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")
    return f"{base}/hooks/{connection.network}/{connection.hook_id}/"


@never_cache
# A browser sign-in posts this form and is redirected to the network, which form-action
# 'self' would stop.
@csp_update(form_action=None)
@sensitive_post_parameters()
@sensitive_variables("form", "done")  # next to the view: it hides the view's own locals
def connect(request, pk: int):
    """GET: the connect form; POST: store credentials (or start the sign-in)."""
    actor, account = _account(request, pk)
    context = {"account": account, **panel(actor, account)}
    connector = context["connector"]
    if connector is None:
        messages.error(request, f"No connector for {account.get_network_display()} is installed "
                                "on this server.")
        return redirect("accounts:detail", pk=account.pk)
    current = context["health"].connection
    form = ConnectForm(request.POST if request.method == "POST" else None, connector=connector,
                       options=current.options if current else None)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        try:
            if connector.auth == "oauth2":
                return _begin(request, actor, account, form.cleaned_data)
            done = actions.connect(actor, account, form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            if done.signing_secret:
                return render(request, "connectors/signing_secret.html", {
                    "account": account, "secret": done.signing_secret,
                    "hook_url": hook_url(request, done.connection)})
            messages.success(request, f"Credentials stored (never shown again). unsilo is "
                                      f"checking them with {connector.label} now.")
            return redirect("accounts:detail", pk=account.pk)
    return render(request, "connectors/connect.html", context)


def _begin(request, actor, account, fields: dict):
    started = actions.begin_authorize(actor, account, fields, _redirect_uri(request))
    pending = {state: item for state, item in request.session.get(SESSION_KEY, {}).items()
               if _fresh(item)}
    pending[started.state] = started.pending
    request.session[SESSION_KEY] = pending
    return redirect(started.url)


def _fresh(item: dict) -> bool:
    try:
        return datetime.datetime.fromisoformat(item["expires"]) > timezone.now()
    except (KeyError, TypeError, ValueError):
        return False


@require_GET
@never_cache
def callback(request):
    """The network sends the browser back here with `state` and `code` (or `error`)."""
    actor = Actor.for_user(request.user)
    pending_all = request.session.get(SESSION_KEY, {})
    state = request.GET.get("state", "")
    # Used once: whatever happens next, this state opens nothing again.
    pending = pending_all.pop(state, None) if state else None
    request.session[SESSION_KEY] = pending_all
    if pending is None:
        return _refused(request, None, "This sign-in does not match one started here (it was "
                                       "used already, or started in another browser): nothing "
                                       "was stored. Start again from the account's page.")
    account = account_queries.accounts(actor).filter(pk=pending["account"]).first()
    if account is None:
        return _refused(request, None, "The account of this sign-in is gone.")
    if not _fresh(pending):
        return _refused(request, account, "The sign-in took more than 10 minutes and has "
                                          "expired: nothing was stored. Please start again.")
    if request.GET.get("error"):
        words = request.GET.get("error_description") or request.GET["error"]
        return _refused(request, account, f"The network did not grant access ({words[:200]}): "
                                          "nothing was stored.")
    code = request.GET.get("code", "")
    if not code:
        return _refused(request, account, "The network sent no authorization code: nothing was "
                                          "stored.")
    try:
        actions.finish_authorize(actor, account, pending, code)
    except ValidationError as error:
        return _refused(request, account, " ".join(error.messages))
    messages.success(request, "Connected: the tokens are stored encrypted and never shown "
                              "again. unsilo is checking them now.")
    return redirect("accounts:detail", pk=account.pk)


def _refused(request, account, why: str):
    messages.error(request, why)
    if account is None:
        return redirect("accounts:list")
    return redirect("accounts:detail", pk=account.pk)


def disconnect(request, pk: int):
    """GET asks to confirm; POST forgets the credentials."""
    actor, account = _account(request, pk)
    if request.method == "POST":
        actions.disconnect(actor, account)
        messages.success(request, f"Disconnected {account}: its credentials are deleted. Revoke "
                                  "unsilo's access on the network too if it is no longer wanted.")
        return redirect("accounts:detail", pk=account.pk)
    return render(request, "connectors/disconnect.html", {"account": account})


@require_POST
def check(request, pk: int):
    """Check the stored credentials again (after fixing something on the network's side)."""
    _, account = _account(request, pk)
    if health.of(account).connected:
        actions.recheck(Actor.for_user(request.user), account)
        messages.success(request, "Checking the connection again.")
    return redirect("accounts:detail", pk=account.pk)
