"""In a real Chromium: a handoff to a silo nobody represents lands in hub triage and the person
handing off reads where it went; a cry for help goes straight to the hub's safety rota."""

import pytest

from tests import factories
from tests.browser.test_inbox import arrive, log_in
from unsilo.core.actor import Actor
from unsilo.core.models import Role
from unsilo.inbox import actions
from unsilo.inbox.models import BusinessHours, Conversation, Notification, NotificationKind
from unsilo.org.models import SeatRole, SiloKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def company():
    hub = factories.silo("COE", kind=SiloKind.HUB)
    BusinessHours.objects.create(silo=hub, always_open=True)
    care, finance = factories.silo("Customer Care"), factories.silo("Finance & Billing")
    factories.person(finance, name="Fin Ance")  # people, but nobody holds the seat
    admin = factories.user(Role.HUB_ADMIN, person=factories.person(hub, name="Lee Lead"))
    captain = factories.user(Role.CAPTAIN, person=factories.person(care, name="Cara Captain"))
    factories.seat(care, captain.person, SeatRole.CAPTAIN)
    return {"hub": hub, "care": care, "finance": finance, "admin": admin, "captain": captain}


def test_a_handoff_to_an_empty_seat_goes_to_hub_triage_and_the_hub_picks_it_up(
        page, browser, live_server, company):
    conv = arrive("Why was I charged twice for order 7?")
    actions.assign(Actor.for_user(company["admin"]), conv, company["captain"].person)

    log_in(page, company["captain"])
    page.goto(f"/inbox/c/{conv.pk}/")
    page.get_by_text("Hand off to another silo").click()
    page.get_by_label("Hand off to").select_option(label="Finance & Billing")
    page.get_by_label("Reason").fill("A double charge: Billing's question")
    page.get_by_role("button", name="Hand off").click()
    # Told where it went, and reading it now without the buttons of someone who works on it.
    page.get_by_text("nobody holds its seat, so it waits in hub triage").wait_for()
    where = page.get_by_role("region", name="Where it is now")
    assert "hub triage" in where.inner_text()
    assert "A double charge: Billing's question" in where.inner_text()
    assert page.get_by_role("button", name="Send reply").count() == 0
    assert page.get_by_role("button", name="Resolve").count() == 0
    conv.refresh_from_db()
    assert conv.triage and conv.silo == company["finance"] and conv.assignee is None

    hub = browser.new_context(base_url=live_server.url)
    problems = []
    try:
        lead = hub.new_page()
        lead.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        log_in(lead, company["admin"])
        lead.goto("/inbox/notifications/")
        lead.get_by_role("link", name="Cara Captain handed").wait_for()
        lead.goto("/inbox/?queue=triage")
        lead.locator(f"#conv-{conv.pk}").get_by_role("link").first.click()
        lead.wait_for_url(f"**/inbox/c/{conv.pk}/")
        assert "seat is empty" in lead.locator("ul.reasons").inner_text()
        lead.locator("summary", has_text="Assign").click()
        lead.get_by_label("Assign to").select_option(label="Fin Ance — 0 open / 10")
        lead.get_by_role("button", name="Assign", exact=True).click()
        lead.get_by_text("Assignment saved.").wait_for()
    finally:
        hub.close()
    assert not problems
    conv.refresh_from_db()
    assert (conv.triage, conv.assignee.name) == (False, "Fin Ance")


def test_a_cry_for_help_goes_straight_to_the_safety_rota(page, company):
    reader = factories.person(company["hub"], name="Ann Care")
    reader_login = factories.user(Role.RESPONDER, person=reader)
    actions.update_inbox_settings(Actor.for_user(company["admin"]), safety_people=[reader])
    conv = arrive("honestly I can't take this anymore. I just want to end it all", n=2)
    conv = Conversation.objects.get(pk=conv.pk)
    assert conv.assignee == reader and not conv.triage

    log_in(page, reader_login)
    page.goto("/inbox/?queue=mine")
    row = page.locator(f"#conv-{conv.pk}")
    assert "urgent" in row.inner_text() and "self_harm" in row.inner_text()
    assert "positive" not in row.inner_text()
    page.goto("/inbox/notifications/")
    page.get_by_text("Self-harm flagged").first.wait_for()
    assert Notification.objects.filter(kind=NotificationKind.SAFETY,
                                       person=company["admin"].person).exists()
