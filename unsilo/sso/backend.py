"""mozilla-django-oidc's backend, fed by discovery: it exchanges the code (with the PKCE
verifier), checks the ID token's signature against the provider's keys and its nonce; this
subclass adds the issuer, audience and expiry checks and hands the claims to sign_in."""

import logging

import jwt
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from unsilo.core.auth import EmailBackend
from unsilo.sso import provider

log = logging.getLogger("unsilo.sso")

ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]


class SsoBackend(OIDCAuthenticationBackend):
    """Logs in no one by itself (Django's authenticate() never reaches it: its signature takes
    no password); the callback view calls `tokens` and `claims`, then `sign_in`."""

    def __init__(self, conf: provider.Config | None = None):  # noqa: D107 - no settings read
        self.conf = conf
        if conf is not None:
            found = provider.discovery(conf)
            self.OIDC_OP_TOKEN_ENDPOINT = found["token_endpoint"]
            self.OIDC_OP_USER_ENDPOINT = found.get("userinfo_endpoint")
            self.OIDC_OP_JWKS_ENDPOINT = found["jwks_uri"]
            self.OIDC_RP_CLIENT_ID = conf.client_id
            self.OIDC_RP_CLIENT_SECRET = conf.client_secret
            self.OIDC_RP_SIGN_ALGO = "RS256"
            self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, sso_claims=None):
        return None

    def get_user(self, user_id):
        return EmailBackend().get_user(user_id)

    def get_settings(self, attr, *args):
        values = {"OIDC_TIMEOUT": self.conf.timeout if self.conf else 5,
                  "OIDC_USE_NONCE": True, "OIDC_VERIFY_SSL": True, "OIDC_PROXY": None,
                  "OIDC_TOKEN_USE_BASIC_AUTH": False, "OIDC_VERIFY_KID": True,
                  "OIDC_ALLOW_UNSECURED_JWT": False, "OIDC_RP_SCOPES": self.conf.scopes}
        return values[attr] if attr in values else (args[0] if args else None)

    def retrieve_matching_jwk(self, token):
        try:
            return provider.signing_key(self.conf, token)
        except provider.ProviderError as error:
            raise SuspiciousOperation(str(error)) from error

    def _verify_jws(self, payload, key):
        """The signature, and that the token is this issuer's, for this client, still valid."""
        alg = jwt.get_unverified_header(payload).get("alg")
        if alg not in ALGORITHMS:
            raise SuspiciousOperation(f"ID token signed with {alg!r}, which unsilo refuses")
        try:
            return jwt.decode(payload, key, algorithms=[alg], audience=self.conf.client_id,
                              issuer=self.conf.issuer, leeway=60,
                              options={"require": ["exp", "iat", "iss", "aud", "sub"]})
        except jwt.PyJWTError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from error

    def tokens(self, code: str, redirect_uri: str, code_verifier: str | None) -> dict:
        """The token answer for this code (id_token, access_token, refresh_token)."""
        payload = {"client_id": self.conf.client_id, "client_secret": self.conf.client_secret,
                   "grant_type": "authorization_code", "code": code,
                   "redirect_uri": redirect_uri}
        if code_verifier:
            payload["code_verifier"] = code_verifier
        return self.get_token(payload)

    def claims(self, answer: dict, nonce: str) -> dict:
        """The ID token's claims, checked; from userinfo too when the ID token lacks the
        email's verification or the groups (some providers keep them there)."""
        id_token = answer.get("id_token")
        if not id_token:
            raise SuspiciousOperation("the provider's answer has no ID token")
        found = self.verify_token(id_token, nonce=nonce)
        wanted = ("email", "email_verified", self.conf.groups_claim)
        if any(name not in found for name in wanted) and self.OIDC_OP_USER_ENDPOINT:
            extra = self.get_userinfo(answer.get("access_token"), id_token, found)
            if extra.get("sub") != found["sub"]:
                raise SuspiciousOperation("userinfo speaks of another subject")
            found = {**extra, **found}
        return found

    def refresh(self, refresh_token: str) -> dict:
        return self.get_token({"client_id": self.conf.client_id,
                               "client_secret": self.conf.client_secret,
                               "grant_type": "refresh_token", "refresh_token": refresh_token})
