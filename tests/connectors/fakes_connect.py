"""Small connectors for the connect, secrecy and health tests, speaking real HTTP (httpx through
`connectors/http.py`) to a FakeAPI on loopback, registered through UNSILO_CONNECTORS.

- testpass: an app password, sent as `Authorization: Bearer <password>`.
- testoauth: OAuth 2 with PKCE; tokens from `<auth_base>/token`.
- testhook: a push-only source signed with a per-connection secret (like the generic webhook).
"""

import datetime
import hashlib
import hmac
import urllib.parse

import httpx
import pytest

from unsilo.connectors import http, plugins
from unsilo.connectors.base import (
    AccountInfo,
    AuthExpired,
    Connector,
    DeliveryResult,
    Field,
    Incoming,
    Page,
    WebhookRejected,
)

SPECS = ",".join([
    "testpass=tests.connectors.fakes_connect:PasswordNetwork",
    "testoauth=tests.connectors.fakes_connect:OAuthNetwork",
    "testhook=tests.connectors.fakes_connect:HookNetwork",
])


@pytest.fixture
def fake_networks(monkeypatch):
    monkeypatch.setenv("UNSILO_CONNECTORS", SPECS)
    plugins.reload()
    yield
    monkeypatch.delenv("UNSILO_CONNECTORS")
    plugins.reload()


def _bearer(session) -> dict:
    return {"Authorization": f"Bearer {session.secret.get('app_password') or session.secret.get('access_token')}"}  # noqa: E501


class PasswordNetwork(Connector):
    name = "testpass"
    label = "Test network"
    auth = "password"
    fields = (
        Field("api_base", "Server address", required=False, help="Where the API is."),
        Field("app_password", "App password", secret=True, help="Made in the app's settings."),
    )

    def _get(self, session, path, **kwargs):
        with http.client(session.options.get("api_base", "")) as client:
            return http.call(session, client, "GET", path, headers=_bearer, **kwargs).json()

    def verify(self, session):
        me = self._get(session, "/me")
        return AccountInfo(external_id=me["id"], handle=me["handle"])

    def fetch(self, session, position):
        body = self._get(session, "/mentions", params={"since": position} if position else {})
        messages = [Incoming(id=item["id"], network=self.name, text=item["text"],
                             author=item["author"], account=session.handle,
                             created_at=datetime.datetime.fromisoformat(item["at"]))
                    for item in body["items"]]
        return Page(messages, body.get("cursor", ""))

    def reply(self, session, out):
        with http.client(session.options.get("api_base", "")) as client:
            answer = http.call(session, client, "POST", "/posts", headers=_bearer,
                               json={"text": out.text, "parent": out.in_reply_to}).json()
        return DeliveryResult(external_id=answer["id"])

    def find_sent(self, session, out):
        return None


class OAuthNetwork(PasswordNetwork):
    name = "testoauth"
    label = "Test OAuth network"
    auth = "oauth2"
    fields = (Field("api_base", "Server address", required=False),)

    def authorize_url(self, options, state, code_challenge, redirect_uri):
        query = urllib.parse.urlencode({
            "response_type": "code", "client_id": "unsilo-test", "state": state,
            "code_challenge": code_challenge, "code_challenge_method": "S256",
            "redirect_uri": redirect_uri})
        return f"{options['api_base']}/authorize?{query}"

    def finish_authorize(self, options, code, code_verifier, redirect_uri):
        answer = httpx.post(f"{options['api_base']}/token", data={
            "grant_type": "authorization_code", "code": code, "code_verifier": code_verifier,
            "redirect_uri": redirect_uri})
        if answer.status_code != 200:
            raise AuthExpired(http.error_text(answer))
        tokens = answer.json()
        expires = (datetime.datetime.now(datetime.UTC)
                   + datetime.timedelta(seconds=tokens["expires_in"]))
        return {"access_token": tokens["access_token"],
                "refresh_token": tokens["refresh_token"], "expires_at": expires.isoformat()}


class HookNetwork(Connector):
    name = "testhook"
    label = "Test webhook source"
    auth = "none"
    webhooks = True
    can_fetch = can_reply = can_publish = False

    def verify(self, session):
        return AccountInfo(external_id=session.handle, handle=session.handle)

    def check_webhook(self, options, hook_secret, headers, body):
        expected = "sha256=" + hmac.new(hook_secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, headers.get("x-signature", "")):
            raise WebhookRejected("bad signature")
