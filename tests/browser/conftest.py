"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright."""

import os

import pytest

CHROMIUM = os.environ.get("UNSILO_CHROMIUM", "/usr/bin/chromium")
# Quiet, closed-network friendly flags: no background requests to the internet.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/test.sh does).")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh page; fails the test on any console error or uncaught page error."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()
    assert not problems, f"browser console errors: {problems}"


from tests.sso.fixtures import oidc_provider, sso  # noqa: E402, F401 - single sign-on's
