"""The email choices on *What reaches you* in Chromium: a labelled choice per kind, saved, and
the captain's always-on kinds without *No email*; the list of emails sent shows where each
stands."""

import pytest

from tests import factories
from tests.browser.test_every_page import UNLABELLED_INPUTS
from unsilo.core.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_captain_chooses_how_each_kind_reaches_them_by_email(page, tmp_path):
    care = factories.silo("Care")
    captain = factories.user(Role.CAPTAIN, care, email="cap@example.com")
    factories.seat(care, captain.person)
    page.goto("/login/")
    page.get_by_label("Email").fill("cap@example.com")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/table/")
    page.goto("/inbox/notifications/preferences/")
    assert page.evaluate(UNLABELLED_INPUTS) == []
    breach = page.get_by_label("SLA breached by email")
    assert "never" not in breach.locator("option").evaluate_all("os => os.map(o => o.value)")
    page.get_by_label("Mentioned in a note by email").select_option("digest")
    page.screenshot(path=str(tmp_path / "preferences.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Saved" in page.content()
    assert page.get_by_label("Mentioned in a note by email").input_value() == "digest"
    assert page.get_by_label("Consult request by email").input_value() == "now"
    assert "No email has been sent to you yet." in page.content()
