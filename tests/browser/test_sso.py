"""Single sign-on in Chromium against the test provider on loopback: the login page's button,
the company's sign-in page, and back at the table, linked to the person the import knows."""

import pytest

from tests import factories
from tests.sso.provider import PASSWORD
from unsilo.core.actor import Actor
from unsilo.core.models import Role, User
from unsilo.org.models import SiloKind
from unsilo.sso import actions

pytestmark = [pytest.mark.browser]


def test_sign_in_with_the_company_account(sso, page):
    care = factories.silo("Care")
    quinn = factories.person(care, email="quinn@example.com", name="Quinn Ode")
    actions.add_group_role(Actor.system(), "care-agents", Role.RESPONDER)
    sso.person("quinn@example.com", ["care-agents"], name="Quinn Ode")

    page.goto("/login/")
    page.get_by_role("link", name="Sign in with your company account").click()
    page.wait_for_url(f"{sso.url}/login/**")
    page.get_by_label("Email").fill("quinn@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url("**/table/")
    header = page.locator("header.top .who")
    assert "Quinn Ode" in header.inner_text() and "Responder" in header.inner_text()
    assert User.objects.get(email="quinn@example.com").person == quinn


def test_with_passwords_off_the_password_form_is_folded_away(sso, page):
    lead = factories.user(Role.HUB_ADMIN, factories.silo("COE", kind=SiloKind.HUB))
    actions.save_settings(Actor.for_user(lead), password_sign_in=False, break_glass=lead,
                          allow_unknown=False)
    page.goto("/login/")
    assert page.get_by_role("link", name="Sign in with your company account").is_visible()
    assert not page.get_by_label("Password").is_visible()
    page.get_by_text("Break-glass sign-in (hub admin only)").click()
    page.get_by_label("Email").fill(lead.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in with a password").click()
    page.wait_for_url("**/table/")
