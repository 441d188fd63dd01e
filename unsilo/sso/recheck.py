"""Is a signed-in session still welcome? Its person must still be in the people import, and
the provider must still honour its access token (else its refresh token): a person disabled at
the provider has had their tokens revoked there.

A provider that does not answer (down, 5xx) keeps the session: one outage must not sign the
whole company out; the next check asks again.
"""

import logging

import requests

from unsilo.core.models import User
from unsilo.sso import provider
from unsilo.sso.backend import SsoBackend

log = logging.getLogger("unsilo.sso")
GONE = "is marked as gone in the people import"
DISABLED = "was disabled at the company's sign-in provider"


def lost_reason(user: User, state: dict, conf: provider.Config | None) -> str | None:
    """Why `user` may no longer come in, or None. May renew `state`'s tokens in place."""
    if user.person_id and not user.person.is_active:
        return GONE
    if conf is None:
        return None
    try:
        if _userinfo_answers(conf, state.get("access_token")):
            return None
        if state.get("refresh_token"):
            answer = SsoBackend(conf).refresh(state["refresh_token"])
            state["access_token"] = answer.get("access_token")
            state["refresh_token"] = answer.get("refresh_token") or state["refresh_token"]
            return None
    except requests.HTTPError as error:
        status = error.response.status_code if error.response is not None else 0
        if status < 400 or status >= 500:
            log.warning("the provider could not re-check %s: %s", user.email, error)
            return None
    except (requests.RequestException, provider.ProviderError) as error:
        log.warning("the provider could not re-check %s: %s", user.email, error)
        return None
    return DISABLED


def _userinfo_answers(conf: provider.Config, access_token: str | None) -> bool:
    """True when userinfo accepts the token; False when it refuses it (401/403)."""
    url = provider.discovery(conf).get("userinfo_endpoint")
    if not url or not access_token:
        return False
    answer = requests.get(url, headers={"Authorization": f"Bearer {access_token}"},
                          timeout=conf.timeout)
    if answer.status_code in (401, 403):
        return False
    answer.raise_for_status()
    return True
