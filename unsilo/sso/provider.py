"""The company's OpenID provider as this installation sees it: its settings from the
environment, its discovery document, and its signing keys.

The discovery document and the JWKS are kept per process (an hour); a token signed with a key
id the kept JWKS lacks makes one fresh fetch (the provider rotated its key), at most every ten
seconds, so a stream of forged key ids cannot make unsilo hammer the provider.
"""

import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import jwt
import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEEP_SECONDS = 3600
REFETCH_SECONDS = 10
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class ProviderError(Exception):
    """The provider did not answer as OpenID Connect says (or not at all)."""


@dataclass(frozen=True)
class Config:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    groups_claim: str
    name: str
    recheck_seconds: int
    timeout: float


def config() -> Config | None:
    """The provider's settings, or None when single sign-on is not configured."""
    issuer = settings.UNSILO_OIDC_ISSUER
    if not issuer:
        return None
    parts = urlsplit(issuer)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
        raise ImproperlyConfigured("UNSILO_OIDC_ISSUER must be an https address.")
    if not settings.UNSILO_OIDC_CLIENT_ID or not settings.UNSILO_OIDC_CLIENT_SECRET:
        raise ImproperlyConfigured("UNSILO_OIDC_ISSUER needs UNSILO_OIDC_CLIENT_ID and "
                                   "UNSILO_OIDC_CLIENT_SECRET.")
    return Config(issuer=issuer, client_id=settings.UNSILO_OIDC_CLIENT_ID,
                  client_secret=settings.UNSILO_OIDC_CLIENT_SECRET,
                  scopes=settings.UNSILO_OIDC_SCOPES,
                  groups_claim=settings.UNSILO_OIDC_GROUPS_CLAIM,
                  name=settings.UNSILO_OIDC_NAME,
                  recheck_seconds=settings.UNSILO_OIDC_RECHECK_SECONDS,
                  timeout=settings.UNSILO_OIDC_TIMEOUT)


_lock = threading.Lock()
_discovered: dict[str, tuple[float, dict]] = {}
_jwks: dict[str, tuple[float, dict]] = {}


def get(url: str, timeout: float) -> dict:
    try:
        answer = requests.get(url, timeout=timeout)
        answer.raise_for_status()
        return answer.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderError(f"{url}: {error}") from error


def discovery(conf: Config) -> dict:
    """The provider's /.well-known/openid-configuration, checked to name this issuer."""
    with _lock:
        kept = _discovered.get(conf.issuer)
    if kept and time.monotonic() - kept[0] < KEEP_SECONDS:
        return kept[1]
    document = get(f"{conf.issuer}/.well-known/openid-configuration", conf.timeout)
    if document.get("issuer", "").rstrip("/") != conf.issuer:
        raise ProviderError(f"the discovery document names issuer {document.get('issuer')!r}, "
                            f"not {conf.issuer!r}")
    for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not document.get(field):
            raise ProviderError(f"the discovery document has no {field}")
    with _lock:
        _discovered[conf.issuer] = (time.monotonic(), document)
    return document


def signing_key(conf: Config, token: str) -> jwt.PyJWK:
    """The provider's public key that signed `token` (by its key id), from the JWKS."""
    kid = jwt.get_unverified_header(token).get("kid")
    uri = discovery(conf)["jwks_uri"]
    with _lock:
        kept = _jwks.get(uri)
    fresh = kept is None or time.monotonic() - kept[0] >= KEEP_SECONDS
    if not fresh and _find(kept[1], kid) is None and time.monotonic() - kept[0] >= REFETCH_SECONDS:
        fresh = True  # a key id we have not seen: the provider may have rotated its key
    if fresh:
        kept = (time.monotonic(), get(uri, conf.timeout))
        with _lock:
            _jwks[uri] = kept
    key = _find(kept[1], kid)
    if key is None:
        raise ProviderError(f"no key {kid!r} in the provider's JWKS")
    return jwt.PyJWK(key)


def _find(jwks: dict, kid: str | None) -> dict | None:
    keys = [k for k in jwks.get("keys", []) if k.get("use", "sig") == "sig"]
    if kid is None:
        return keys[0] if len(keys) == 1 else None
    return next((k for k in keys if k.get("kid") == kid), None)


def forget() -> None:
    """Drop what this process keeps of every provider (tests, and a changed configuration)."""
    with _lock:
        _discovered.clear()
        _jwks.clear()
