"""The fixtures of single sign-on tests (tests/sso/ and tests/browser/ both use them)."""

import pytest

from tests.sso import provider as test_provider
from unsilo.sso import provider


@pytest.fixture(scope="session")
def oidc_provider():
    started = test_provider.start()
    yield started
    started.stop()


@pytest.fixture
def sso(oidc_provider, live_server, settings, transactional_db):
    """unsilo (the live server) set up to sign in through the test provider, checking each
    session on every request; the provider signing with its published key."""
    oidc_provider.control("client", client_id=test_provider.CLIENT_ID,
                          client_secret=test_provider.CLIENT_SECRET,
                          redirect_uris=[f"{live_server.url}/login/sso/callback/"])
    oidc_provider.control("signing", **{"with": "active"})
    settings.UNSILO_OIDC_ISSUER = oidc_provider.issuer
    settings.UNSILO_OIDC_CLIENT_ID = test_provider.CLIENT_ID
    settings.UNSILO_OIDC_CLIENT_SECRET = test_provider.CLIENT_SECRET
    settings.UNSILO_OIDC_RECHECK_SECONDS = 0
    provider.forget()
    yield oidc_provider
    provider.forget()


@pytest.fixture
def browser_for(live_server):
    """browser_for(): a new person's browser; its connections close when the test ends."""
    opened = []

    def new():
        opened.append(test_provider.Browser(live_server.url))
        return opened[-1]

    yield new
    for browser in opened:
        browser.http.close()
