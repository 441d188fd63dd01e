"""What the OAuth 2 networks share: a token answer turned into the secret unsilo stores, and
renewing it with the refresh token (RFC 6749 §5.1 and §6)."""

import datetime
from collections.abc import Callable

from unsilo.connectors.base import AuthExpired, PermanentError, Session


def token_secret(answer: dict, previous: dict | None = None, lifetime: int = 3600) -> dict:
    """The secret to store from a token endpoint's answer. A network that sends no new refresh
    token with a renewal (Google, LinkedIn) keeps the old one; `lifetime` is the token's life
    in seconds when the answer does not say."""
    expires = (datetime.datetime.now(datetime.UTC)
               + datetime.timedelta(seconds=int(answer.get("expires_in") or lifetime)))
    secret = {"access_token": answer["access_token"], "expires_at": expires.isoformat()}
    refresh = answer.get("refresh_token") or (previous or {}).get("refresh_token")
    if refresh:
        secret["refresh_token"] = refresh
    if answer.get("scope"):
        secret["scope"] = answer["scope"]
    return secret


def renew(session: Session, label: str, exchange: Callable[[dict], dict]) -> None:
    """Renew the session's token: `exchange(grant)` posts the refresh grant to the network's
    token endpoint and returns the new secret, which is stored at once. A missing or refused
    refresh token means someone must reconnect (AuthExpired)."""
    refresh_token = session.secret.get("refresh_token")
    if not refresh_token:
        raise AuthExpired(f"the {label} token expired and no refresh token is stored: "
                          "reconnect the account")
    try:
        secret = exchange({"grant_type": "refresh_token", "refresh_token": refresh_token})
    except (AuthExpired, PermanentError) as error:
        raise AuthExpired(f"{label} refused to renew the token ({error}): reconnect the "
                          "account") from error
    session.update_secret(secret)
