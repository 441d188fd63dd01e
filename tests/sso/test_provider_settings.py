"""Single sign-on's settings from the environment: none is today's password sign-in; a bad
one is said at start-up, naming the setting."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from unsilo.sso import provider


def test_without_an_issuer_there_is_no_single_sign_on(settings):
    settings.UNSILO_OIDC_ISSUER = ""
    assert provider.config() is None


def test_an_issuer_must_be_https_except_on_loopback(settings):
    settings.UNSILO_OIDC_CLIENT_ID, settings.UNSILO_OIDC_CLIENT_SECRET = "unsilo", "secret"
    settings.UNSILO_OIDC_ISSUER = "http://login.example.com"
    with pytest.raises(ImproperlyConfigured, match="UNSILO_OIDC_ISSUER must be an https"):
        provider.config()
    settings.UNSILO_OIDC_ISSUER = "http://127.0.0.1:9000/o"
    assert provider.config().issuer == "http://127.0.0.1:9000/o"


def test_an_issuer_needs_its_client(settings):
    settings.UNSILO_OIDC_ISSUER = "https://login.example.com"
    settings.UNSILO_OIDC_CLIENT_ID = ""
    with pytest.raises(ImproperlyConfigured, match="UNSILO_OIDC_CLIENT_ID"):
        provider.config()


def test_a_discovery_document_of_another_issuer_is_refused(settings, monkeypatch):
    settings.UNSILO_OIDC_CLIENT_ID, settings.UNSILO_OIDC_CLIENT_SECRET = "unsilo", "secret"
    settings.UNSILO_OIDC_ISSUER = "https://login.example.com"
    document = {"issuer": "https://evil.example.com", "authorization_endpoint": "a",
                "token_endpoint": "t", "jwks_uri": "j"}
    monkeypatch.setattr(provider, "get", lambda url, timeout: document)
    provider.forget()
    with pytest.raises(provider.ProviderError, match="names issuer"):
        provider.discovery(provider.config())
    document["issuer"] = "https://login.example.com/"
    assert provider.discovery(provider.config())["token_endpoint"] == "t"
    provider.forget()


def test_a_provider_that_does_not_answer_gets_a_clear_page(db, client, settings):
    import socket

    with socket.socket() as closed:  # a loopback port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.UNSILO_OIDC_CLIENT_ID, settings.UNSILO_OIDC_CLIENT_SECRET = "unsilo", "secret"
    settings.UNSILO_OIDC_ISSUER = f"http://127.0.0.1:{port}/o"
    settings.UNSILO_OIDC_TIMEOUT = 2
    provider.forget()
    page = client.get("/login/sso/")
    assert page.status_code == 503
    assert "does not answer just now" in page.content.decode()
    provider.forget()


def test_unsilo_never_imports_the_test_provider():
    import ast
    from pathlib import Path

    import unsilo

    found = []
    for path in Path(unsilo.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.name}: {n}" for n in names
                      if n.split(".")[0] in ("idp", "oauth2_provider", "tests")]
    assert found == []
