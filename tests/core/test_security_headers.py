"""Every answer carries the Content-Security-Policy and no page needs inline script or style;
HSTS is sent behind HTTPS; unsilo answers only for the host names it is configured with."""

import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

import unsilo
from tests import factories
from unsilo import config

UNSILO = str(Path(sys.executable).with_name("unsilo"))
GOOD_KEY = "k" * 40
DIRECTIVES = ["default-src 'self'", "script-src 'self'", "style-src 'self'",
              "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
              "form-action 'self'"]
# Inline script, event-handler attributes, inline styles and javascript: links.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"
                    r"|\son[a-z]+\s*=|\sstyle\s*=|<style|javascript:", re.IGNORECASE)


def policy(response) -> list[str]:
    return [d.strip() for d in response["Content-Security-Policy"].split(";")]


@pytest.mark.django_db
def test_every_kind_of_answer_carries_the_policy(client, admin, login):
    anonymous = [client.get("/login/"), client.get("/api/v1/me"), client.get("/healthz")]
    signed_in = login(admin)
    answers = anonymous + [signed_in.get(p) for p in (
        "/table/", "/inbox/", "/api/v1/docs", "/no/such/page/", "/api/v1/openapi.json")]
    for response in answers:
        assert set(DIRECTIVES) <= set(policy(response)), response.request["PATH_INFO"]
        assert "unsafe" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_connect_form_may_lead_to_the_network_and_nothing_else_is_relaxed(login, admin):
    account = factories.account(factories.silo("Care"), network="mastodon")
    directives = policy(login(admin).get(f"/accounts/{account.pk}/connect/"))
    assert not any(d.startswith("form-action") for d in directives)
    assert set(DIRECTIVES) - {"form-action 'self'"} <= set(directives)


@pytest.mark.django_db
def test_pages_hold_no_inline_script_or_style(client, admin, login):
    pages = {"/login/": client.get("/login/").content.decode()}
    signed_in = login(admin)
    for path in ("/table/", "/people/", "/accounts/", "/inbox/", "/inbox/settings/",
                 "/outbox/", "/admin/", "/admin/audit/", "/me/tokens/", "/api/v1/docs"):
        pages[path] = signed_in.get(path).content.decode()
    found = {path: INLINE.findall(html) for path, html in pages.items()}
    assert {path: hits for path, hits in found.items() if hits} == {}


def test_no_template_holds_inline_script_or_style():
    root = Path(unsilo.__file__).parent
    found = {str(t.relative_to(root)): INLINE.findall(t.read_text())
             for t in root.glob("**/templates/**/*.html")}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_inline_check_sees_what_it_must():
    for html in ("<script>x()</script>", '<a onclick="x()">', '<p style="color:red">',
                 "<style>p{}</style>", '<a href="javascript:x()">'):
        assert INLINE.search(html), html
    assert not INLINE.search('<script src="/static/a.js" defer></script>')


def load_settings(monkeypatch, tmp_path, **env) -> dict:
    """unsilo's settings module as a server with this environment reads it."""
    for name in [n for n in os.environ if n.startswith("UNSILO_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("UNSILO_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(unsilo.__file__).with_name("settings.py")))


HSTS = ("SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD")


def test_hsts_is_configured_when_unsilo_https_is_set(monkeypatch, tmp_path):
    https = load_settings(monkeypatch, tmp_path, UNSILO_HTTPS="1")
    assert [https[name] for name in HSTS] == [365 * 24 * 3600, False, False]
    tuned = load_settings(monkeypatch, tmp_path, UNSILO_HTTPS="1", UNSILO_HSTS_SECONDS="600",
                          UNSILO_HSTS_INCLUDE_SUBDOMAINS="1")
    assert [tuned[name] for name in HSTS] == [600, True, False]
    plain = load_settings(monkeypatch, tmp_path)
    assert not any(name in plain for name in HSTS)


@pytest.mark.django_db
def test_hsts_is_sent_on_https_requests_only(client, settings, monkeypatch, tmp_path):
    https = load_settings(monkeypatch, tmp_path, UNSILO_HTTPS="1")
    for name in (*HSTS, "SECURE_PROXY_SSL_HEADER"):
        setattr(settings, name, https[name])
    secure = client.get("/favicon.ico", headers={"X-Forwarded-Proto": "https"})
    assert secure["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/favicon.ico")


# Host names ------------------------------------------------------------------------------------


def test_allowed_hosts_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("UNSILO_ALLOWED_HOSTS", raising=False)
    assert config.allowed_hosts() == ["localhost", "127.0.0.1", "[::1]"]
    monkeypatch.setenv("UNSILO_ALLOWED_HOSTS", " social.example.com, .corp.example ,")
    assert config.allowed_hosts() == ["social.example.com", ".corp.example"]


def test_the_settings_never_answer_for_every_host(monkeypatch, tmp_path):
    assert load_settings(monkeypatch, tmp_path)["ALLOWED_HOSTS"] == [
        "localhost", "127.0.0.1", "[::1]"]


@pytest.mark.parametrize("bind, hosts", [
    ("127.0.0.1", ["localhost", "127.0.0.1", "[::1]"]),
    ("0.0.0.0", ["localhost", "127.0.0.1", "[::1]"]),
    ("192.168.1.20", ["localhost", "127.0.0.1", "[::1]", "192.168.1.20"]),
    ("fd00::5", ["localhost", "127.0.0.1", "[::1]", "[fd00::5]"]),
    ("demo.lan", ["localhost", "127.0.0.1", "[::1]", "demo.lan"]),
])
def test_the_demo_answers_for_this_machine_and_the_address_it_binds(bind, hosts):
    assert config.demo_hosts(bind) == hosts


@pytest.mark.django_db
def test_a_request_for_another_host_is_refused(client, settings):
    settings.ALLOWED_HOSTS = config.allowed_hosts()
    assert client.get("/healthz", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A migrated SQLite database and the environment `unsilo serve` would start with."""
    directory = tmp_path_factory.mktemp("serve")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "UNSILO_SECRET_KEY", "UNSILO_ALLOWED_HOSTS")}
    env.update(UNSILO_DATA_DIR=str(directory), UNSILO_SECRET_KEY=GOOD_KEY,
               DATABASE_URL=f"sqlite:///{directory}/db.sqlite3")
    subprocess.run([UNSILO, "migrate"], env=env, capture_output=True, check=True, timeout=120)
    return env


@pytest.mark.parametrize("hosts, says", [
    ({}, "UNSILO_ALLOWED_HOSTS is not set"),
    ({"UNSILO_ALLOWED_HOSTS": " "}, "UNSILO_ALLOWED_HOSTS is not set"),
    ({"UNSILO_ALLOWED_HOSTS": "social.example.com,*"}, "UNSILO_ALLOWED_HOSTS is *"),
])
def test_serve_refuses_to_answer_for_unnamed_hosts_in_one_sentence(migrated, hosts, says):
    result = subprocess.run([UNSILO, "serve"], env={**migrated, **hosts}, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert says in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1
