"""The two legs of a sign-in through the provider, as mozilla-django-oidc runs them: off to
the provider with a fresh state, nonce and PKCE challenge kept in the session; back with a code
whose state must be one this session sent, used once."""

import time

from django.conf import settings
from django.contrib import auth
from django.core.exceptions import SuspiciousOperation
from django.urls import reverse
from mozilla_django_oidc.views import OIDCAuthenticationRequestView
from requests import RequestException

from unsilo.core.login_limits import client_address
from unsilo.sso import actions, provider
from unsilo.sso.backend import SsoBackend

BACKEND = "unsilo.sso.backend.SsoBackend"


class Failed(Exception):
    """A sign-in that stops here; `message` is for the person, `status` the page's."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.message, self.status = message, status


class StartView(OIDCAuthenticationRequestView):
    """The library's request view with the endpoint from discovery and PKCE (S256) on."""

    def __init__(self, conf: provider.Config, **kwargs):
        self.conf = conf
        self.OIDC_OP_AUTH_ENDPOINT = provider.discovery(conf)["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = conf.client_id

    def get_settings(self, attr, *args):
        values = {"OIDC_RP_SCOPES": self.conf.scopes, "OIDC_USE_NONCE": True,
                  "OIDC_USE_PKCE": True, "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
                  "OIDC_AUTHENTICATION_CALLBACK_URL": "sso:callback"}
        return values[attr] if attr in values else (args[0] if args else None)


def start(request, conf: provider.Config):
    """The redirect to the provider."""
    view = StartView(conf)
    view.setup(request)
    return view.get(request)


def finish(request, conf: provider.Config):
    """Check the provider's answer and sign the person in; Failed says why not."""
    address = client_address(request)
    if request.GET.get("error"):
        _pop_state(request)
        what = request.GET.get("error_description") or request.GET["error"]
        actions.refuse(address, "", f"the provider answered {what}")
        raise Failed(f"Your company account did not sign you in: {what}", 403)
    entry = _pop_state(request)
    if entry is None or not request.GET.get("code"):
        actions.refuse(address, "", "a sign-in answer this browser did not ask for (unknown or "
                                    "replayed state)")
        raise Failed("This sign-in link was already used or was not started here: sign in "
                     "again.", 400)
    backend = SsoBackend(conf)
    try:
        answer = backend.tokens(request.GET["code"],
                                request.build_absolute_uri(reverse("sso:callback")),
                                entry.get("code_verifier"))
        claims = backend.claims(answer, entry.get("nonce"))
    except (SuspiciousOperation, RequestException, provider.ProviderError) as error:
        actions.refuse(address, "", f"the provider's answer was refused: {error}"[:500])
        raise Failed("unsilo could not trust your company account's answer, so you are not "
                     "signed in. Try again; if it happens again, tell the hub.", 400) from error
    try:
        user = actions.sign_in(conf.issuer, claims, conf.groups_claim, address)
    except actions.Refused as refused:
        raise Failed(refused.message, 403) from refused
    after = request.session.get("oidc_login_next") or settings.LOGIN_REDIRECT_URL
    auth.login(request, user, backend=BACKEND)
    # For the session's re-checks at the provider (middleware.py); never in the audit log.
    request.session["sso"] = {"access_token": answer.get("access_token"),
                              "refresh_token": answer.get("refresh_token"),
                              "checked_at": time.time()}
    return after


def _pop_state(request) -> dict | None:
    """The session's entry for the answer's state, removed so that it works once."""
    states = request.session.get("oidc_states") or {}
    entry = states.pop(request.GET.get("state") or "", None)
    request.session["oidc_states"] = states
    return entry
