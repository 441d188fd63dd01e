"""Under the Content-Security-Policy (core/csp.py) every page of the demo company loads with
no violation, the API docs included, and htmx still swaps, polls and searches."""

import pytest

from tests import factories
from tests.connectors.fakes_connect import fake_networks  # noqa: F401 - a fixture
from unsilo.accounts.models import Account
from unsilo.connectors.testing.fakeapi import FakeAPI
from unsilo.demo import seed
from unsilo.demo.company import PASSWORD
from unsilo.inbox.models import Conversation
from unsilo.org.models import Person, Silo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script, outside the policy: records what the policy refused.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective}: ${e.blockedURI || "inline"} ` +
                           `(${e.sourceFile || location.pathname}:${e.lineNumber})`));
"""


@pytest.fixture
def company():
    return dict(seed.seed()["logins"])


@pytest.fixture
def watched(page):
    """The page, recording policy violations and console messages about the policy."""
    console = []
    page.on("console", lambda m: console.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.add_init_script(RECORD_VIOLATIONS)
    page.console_about_policy = console
    return page


def violations(page) -> list[str]:
    return page.evaluate("window.__violations") + page.console_about_policy


def log_in(page, email, password=PASSWORD):
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/table/")


def test_the_policy_is_enforced_and_its_violations_are_seen(browser, live_server):
    # A page of its own: the refusal this test provokes is a console error on purpose.
    context = browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        response = page.goto("/login/")
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
        # An inline script slipped into the page does not run, and the refusal is recorded.
        ran = page.evaluate("""() => { window.__ran = false;
            const s = document.createElement("script"); s.textContent = "window.__ran = true";
            document.body.append(s); return new Promise(r => setTimeout(() => r(window.__ran)));
        }""")
        assert ran is False
        page.wait_for_function("window.__violations.length > 0")
        assert page.evaluate("window.__violations")[0].startswith("script-src")
    finally:
        context.close()


def test_every_page_loads_without_a_policy_violation_and_htmx_works(watched, company):
    log_in(watched, company["Hub admin"])
    silo = Silo.objects.get(name="Customer Care")
    person = Person.objects.filter(silo=silo).first()
    account = Account.objects.exclude(owner_silo=None).first()
    conversation = Conversation.objects.order_by("pk").first()
    paths = [
        "/table/", "/people/", f"/people/{person.pk}/", f"/people/{person.pk}/edit/",
        f"/silos/{silo.slug}/", "/accounts/", f"/accounts/{account.pk}/",
        f"/accounts/{account.pk}/connect/", "/accounts/unregistered/", "/admin/",
        "/admin/audit/", "/admin/users/", "/me/tokens/", "/people/import/", "/inbox/",
        f"/inbox/c/{conversation.pk}/", "/inbox/notifications/", "/inbox/settings/",
        "/outbox/", "/publish/", "/api/v1/docs",
    ]
    seen = {}
    for path in paths:
        response = watched.goto(path)
        assert response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
        watched.wait_for_load_state("networkidle")
        seen[path] = violations(watched)
    assert {p: v for p, v in seen.items() if v} == {}
    # The API docs did render (Swagger UI's script ran under the policy).
    watched.goto("/api/v1/docs")
    watched.locator("#swagger-ui .info .title", has_text="unsilo API").wait_for()
    assert violations(watched) == []

    # htmx under the policy (one demo company for both: seeding it takes a while).
    someone = Person.objects.filter(is_active=True).order_by("pk").last()
    watched.goto("/people/")
    with watched.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        watched.get_by_label("Search").fill(someone.email)
    watched.locator("#results", has_text=someone.email).wait_for()
    assert "1 person" in watched.locator("#results [role=status]").inner_text()
    # The inbox: the live poll asks on its own, a search swaps the rows.
    watched.goto("/inbox/?queue=all")
    with watched.expect_request(lambda r: "/inbox/new/" in r.url, timeout=10_000):
        pass
    conversation = Conversation.objects.order_by("pk").first()
    with watched.expect_response(lambda r: r.request.headers.get("hx-request") == "true"
                                 and "q=" in r.url):
        watched.get_by_label("Search").fill(conversation.author)
    watched.locator("#results", has_text=conversation.author).first.wait_for()
    assert violations(watched) == []


@pytest.mark.usefixtures("fake_networks")
def test_a_browser_sign_in_leaves_for_the_network_from_the_connect_form(page, admin):
    # form-action 'self' would stop the redirect to the network that follows the POST.
    network = FakeAPI()
    try:
        network.route("GET", "/authorize", body=b"<title>Sign in</title>",
                      headers={"content-type": "text/html"})
        network.route("GET", "/favicon.ico", status=204)
        account = factories.account(factories.silo("Care"), network="testoauth", handle="acme")
        log_in(page, admin.email, factories.PASSWORD)
        page.goto(f"/accounts/{account.pk}/connect/")
        page.get_by_label("Server address").fill(network.url)
        with page.expect_navigation(url=f"{network.url}/authorize**"):
            page.get_by_role("button", name="Continue to Test OAuth network").click()
        assert network.calls("GET", "/authorize")[0].arg("code_challenge_method") == "S256"
    finally:
        network.close()
