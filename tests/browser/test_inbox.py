"""The inbox in a real Chromium: live arrivals, a reply with a saved reply, resolving, text
shown as text, and the collision warning between two people."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.browser.pages import log_in
from unsilo.core.actor import Actor
from unsilo.core.models import Role
from unsilo.inbox import ingest
from unsilo.inbox.models import Conversation, Direction, Message, RoutingRule, SavedReply, Status
from unsilo.org.models import SiloKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = "<script>alert(1)</script> <b>html</b>"
# A <b> element made from the hostile text would mean it was parsed as HTML.
INJECTED_BOLD = ("() => [...document.querySelectorAll('b')]"
                 ".filter(b => b.textContent === 'html').length")


def arrive(text: str, author: str = "dana.customer", n: int = 1) -> Conversation:
    """A customer message through the ingestion pipeline, as a connector would send it."""
    ingest.ingest([{"id": f"b-{n}", "network": "bluesky", "text": text, "author": author,
                    "created_at": timezone.now().isoformat()}], Actor.system(), "test")
    return Conversation.objects.get(thread_key=f"bluesky:b-{n}")


@pytest.fixture
def company():
    hub = factories.silo("COE", kind=SiloKind.HUB)
    billing = factories.silo("Billing")
    RoutingRule.objects.create(name="Refunds to Billing", keywords=["refund"], silo=billing)
    SavedReply.objects.create(title="Refund on its way",
                              text="Hi {customer}, your refund is on its way. {agent_first}")
    return {
        "hub": hub, "billing": billing,
        "admin": factories.user(Role.HUB_ADMIN, hub),
        "captain": factories.user(Role.CAPTAIN, billing),
        "responder": factories.user(Role.RESPONDER, billing),
    }


def test_hub_admin_sees_a_new_message_arrive_replies_and_resolves(page, company):
    log_in(page, company["admin"])
    page.goto("/inbox/")
    assert page.get_by_role("heading", name="Inbox").is_visible()
    arrive("Where is my refund for order 42?")
    # No reload: the live list polls and adds the row.
    row = page.locator("#rows tr", has_text="Where is my refund for order 42?")
    row.wait_for(timeout=10_000)
    row.get_by_role("link", name="dana.customer").click()

    page.wait_for_url("**/inbox/c/*/")
    assert page.locator("ul.reasons").get_by_text("matched rule ‘Refunds to Billing’").is_visible()
    assert page.locator("meter#confidence").get_attribute("value") == "1.000"

    page.get_by_label("Saved reply").select_option(label="Refund on its way")
    page.get_by_role("button", name="Insert").click()
    reply_box = page.get_by_label("Reply to the customer")
    page.wait_for_function(
        "() => document.querySelector('#id_reply-text').value.includes('on its way')")
    assert reply_box.input_value().startswith("Hi dana.customer, your refund is on its way.")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Reply queued for delivery.").wait_for()
    sent = Message.objects.get(direction=Direction.OUTBOUND)
    assert sent.text.startswith("Hi dana.customer, your refund is on its way.")
    assert page.locator(".bubble.out", has_text="your refund is on its way").is_visible()

    page.get_by_role("button", name="Resolve", exact=True).click()
    page.get_by_text("Resolved.").first.wait_for()
    assert Conversation.objects.get().status == Status.RESOLVED


def test_html_in_messages_authors_and_notes_is_shown_as_text(page, company):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    conv = arrive(f"refund please {HOSTILE}", author=HOSTILE)
    log_in(page, company["captain"])
    page.goto("/inbox/?queue=silo")
    row = page.locator("#rows tr", has_text="refund please")
    assert HOSTILE in row.inner_text()
    assert page.evaluate(INJECTED_BOLD) == 0

    page.goto(f"/inbox/c/{conv.pk}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith(HOSTILE)
    page.get_by_role("textbox", name="Internal note").fill(f"note {HOSTILE}")
    page.get_by_role("button", name="Add note").click()
    page.get_by_text("Note added.").wait_for()
    note = page.locator(".thread .note")
    assert f"note {HOSTILE}" in note.inner_text()
    assert page.evaluate(INJECTED_BOLD) == 0
    assert dialogs == []


def test_two_people_on_one_conversation_see_each_other_and_a_collision_warning(
        page, browser, live_server, company):
    conv = arrive("I need a refund today")
    other = browser.new_context(base_url=live_server.url)
    problems = []
    try:
        captain = other.new_page()
        captain.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        log_in(captain, company["captain"])
        captain.goto(f"/inbox/c/{conv.pk}/")
        captain.get_by_label("Reply to the customer").fill("Let me check your order")

        log_in(page, company["responder"])
        page.goto(f"/inbox/c/{conv.pk}/")
        name = company["captain"].name
        page.get_by_text(f"{name} is typing a reply").wait_for(timeout=10_000)
        # The captain sees the responder viewing, too.
        captain.get_by_text(f"{company['responder'].name} is viewing").wait_for(timeout=10_000)

        page.get_by_label("Reply to the customer").fill("Refund approved")
        page.get_by_role("button", name="Send reply").click()
        alert = page.get_by_role("alert")
        alert.wait_for()
        assert f"{name} is typing" in alert.inner_text()
        assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
        page.get_by_role("button", name="Send anyway").click()
        page.get_by_text("Reply queued for delivery.").wait_for()
        assert Message.objects.get(direction=Direction.OUTBOUND).text == "Refund approved"
    finally:
        other.close()
    assert not problems


def test_keyboard_reaches_the_queues_and_filters(page, company):
    log_in(page, company["captain"])
    page.goto("/inbox/")
    tabs = page.get_by_role("navigation", name="Queues")
    assert tabs.get_by_role("link", name="My silo").is_visible()
    page.get_by_label("Search").fill("refund")
    page.wait_for_url("**q=refund**")
    assert page.locator("#results").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "network"


def test_every_inbox_page_loads_cleanly_with_labels(page, company):
    from tests.browser.test_every_page import UNLABELLED_INPUTS
    from unsilo.inbox.models import Absence, Notification, NotificationKind

    conv = arrive("refund for my broken kettle")
    admin = company["admin"]
    Notification.objects.create(person=admin.person, kind=NotificationKind.MENTION,
                                conversation=conv, text="You were mentioned")
    Absence.objects.create(person=company["responder"].person, starts=timezone.now(),
                           ends=timezone.now() + datetime.timedelta(days=1))
    rule = RoutingRule.objects.get()
    saved = SavedReply.objects.get()
    log_in(page, admin)
    for path in ("/inbox/", "/inbox/?queue=triage", "/inbox/?queue=overdue&status=all",
                 f"/inbox/c/{conv.pk}/", "/inbox/notifications/", "/inbox/settings/",
                 "/inbox/settings/rules/new/", f"/inbox/settings/rules/{rule.pk}/",
                 f"/inbox/settings/replies/{saved.pk}/",
                 f"/inbox/settings/silos/{company['billing'].pk}/sla/"):
        assert page.goto(path).status == 200, path
        assert page.locator("h1").count() == 1, path
        assert page.evaluate(UNLABELLED_INPUTS) == [], path
    assert page.get_by_role("link", name="Notifications 1 unread").is_visible()


def test_a_conversation_with_new_activity_moves_to_the_top_once(page, company):
    first = arrive("refund still missing", n=1)
    arrive("refund for the kettle", author="other.customer", n=2)
    log_in(page, company["admin"])
    page.goto("/inbox/?queue=silo")
    rows = page.locator("#rows tr")
    assert rows.first.get_attribute("data-conv") != str(first.pk)
    ingest.ingest([{"id": "b-1-reply", "network": "bluesky", "text": "any news on my refund?",
                    "author": "dana.customer", "in_reply_to": "b-1",
                    "created_at": timezone.now().isoformat()}], Actor.system(), "test")
    page.wait_for_function(
        f"() => document.querySelector('#rows tr').dataset.conv === '{first.pk}'",
        timeout=10_000)
    assert page.locator(f"#rows tr[data-conv='{first.pk}']").count() == 1
    assert rows.count() == 2
