"""Find an expert in a real Chromium: a pasted message in, the ranked people swapped in by htmx
(no reload, no console error under the CSP), each a link to what they have shown."""

import pytest

from tests import factories
from tests.experts.helpers import built, resolved
from unsilo.core.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_pasted_message_finds_who_resolved_it_across_silos(page):
    billing, legal = factories.silo("Billing"), factories.silo("Legal")
    analyst = factories.person(billing, name="Ann Analyst", title="Analyst")
    factories.person(billing, name="Dee Director", title="Director of Billing")
    lou = factories.person(legal, name="Lou Law")
    for n in range(4):
        resolved(analyst, f"double charge on invoice {n}, refund please",
                 consulted=[lou] if n < 2 else ())
    built()
    responder = factories.user(Role.RESPONDER, billing)
    page.goto("/login/")
    page.get_by_label("Email").fill(responder.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/table/")
    page.get_by_role("link", name="Experts").click()
    page.wait_for_url("**/experts/")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Question or customer message").fill(
        "Hi, I was charged twice on my invoice. Please refund the second payment.")
    page.get_by_role("button", name="Find").click()
    results = page.locator("ol.experts > li")
    results.first.wait_for()
    assert page.evaluate("window.notReloaded") is True  # swapped in place by htmx
    assert results.count() == 2
    assert "Ann Analyst" in results.nth(0).inner_text()
    assert "invoice × 4" in results.nth(0).inner_text()
    assert "Lou Law" in results.nth(1).inner_text()
    assert "Dee Director" not in page.locator("#results").inner_text()
    results.nth(0).get_by_role("link", name="Ann Analyst").click()
    page.wait_for_url(f"**/people/{analyst.pk}/")
    assert "Resolved 4 conversations" in page.locator("#expertise + .card").inner_text()
