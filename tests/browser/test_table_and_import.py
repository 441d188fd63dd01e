"""A COE lead logs in, sees who is not at the table, and imports people from a CSV."""

import pytest

from tests import factories
from tests.browser.pages import log_in
from unsilo.core.models import Role
from unsilo.org.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hub_admin_sees_an_empty_seat_and_a_bad_csv_row(page, tmp_path):
    hub = factories.silo("Social COE Hub", kind="hub")
    admin = factories.user(Role.HUB_ADMIN, hub)
    factories.seat(hub, admin.person)
    factories.silo("Finance & Billing")

    log_in(page, admin)
    finance_row = page.locator("tr", has_text="Finance & Billing")
    assert finance_row.get_by_text("Empty seat").is_visible()
    assert not page.locator("tr", has_text="Social COE Hub").get_by_text("Empty seat").count()

    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "email,name,title,silo\n"
        "ann@example.com,Ann Lee,Analyst,Finance & Billing\n"
        "not-an-email,Bob Roe,Clerk,Finance & Billing\n"
    )
    page.goto("/people/import/")
    page.get_by_label("People CSV").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check file").click()
    errors = page.locator("table.import-errors")
    errors.wait_for()
    assert "Line 3" in errors.text_content()
    assert "malformed email" in errors.text_content()
    assert "Nothing was imported" in page.content()
    assert not Person.objects.filter(email="ann@example.com").exists()


def test_keyboard_user_can_reach_the_table_from_the_skip_link(page):
    admin = factories.user(Role.VIEWER)
    log_in(page, admin)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
