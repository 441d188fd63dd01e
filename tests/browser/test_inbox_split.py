"""The inbox on a wide screen in a real Chromium: the list beside the open conversation (no
page load between conversations, the URL follows, back works), the keyboard shortcuts, the
@mention picker in the note box and a bulk resolve."""

import pytest

from tests import factories
from tests.browser.pages import log_in
from tests.inbox import factories as inbox
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox.models import Conversation, Note, Notification, Status
from unsilo.org.models import SiloKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDE = {"width": 1440, "height": 900}


@pytest.fixture
def company():
    factories.silo("COE", kind=SiloKind.HUB)
    billing, legal = factories.silo("Billing"), factories.silo("Legal")
    convs = [inbox.conversation(billing, text=f"Refund {n} never came", at=inbox.minutes_ago(n),
                                author=f"customer-{n}") for n in range(1, 4)]
    return {
        "billing": billing, "legal": legal, "convs": convs,
        "captain": factories.user(Role.CAPTAIN, billing),
        "dana": factories.person(legal, name="Dana Ruiz", email="dana@example.com",
                                 title="Counsel"),
    }


def open_inbox(page, company):
    page.set_viewport_size(WIDE)
    log_in(page, company["captain"])
    page.goto("/inbox/?queue=silo")
    # Set on this document: a full page load would lose it.
    page.evaluate("window.sameDocument = true")


def shown_in_pane(page) -> str | None:
    return page.evaluate("document.querySelector('#pane #conversation')?.dataset.conv ?? null")


def test_a_row_opens_beside_the_list_without_a_page_load_and_back_works(page, company):
    first = company["convs"][0]
    open_inbox(page, company)
    row = page.locator(f"#conv-{first.pk}")
    assert "unread" in row.get_attribute("class")
    assert row.get_by_text("Unread:").count() == 1
    row.get_by_role("link", name=first.author).click()
    page.locator(f"#pane #conversation[data-conv='{first.pk}']").wait_for()
    assert page.url.endswith(f"/inbox/c/{first.pk}/")
    assert page.evaluate("window.sameDocument") is True
    assert page.locator("#rows").is_visible()  # the list stays beside it
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDE["width"]
    list_box = page.locator("#rows").bounding_box()
    pane_box = page.locator("#pane").bounding_box()
    assert list_box["x"] + list_box["width"] <= pane_box["x"]  # side by side
    assert "unread" not in row.get_attribute("class")

    # An action in the pane answers in the pane.
    pane = page.locator("#pane")
    pane.get_by_role("textbox", name="Internal note").fill("Checking the refund now")
    pane.get_by_role("button", name="Add note").click()
    pane.get_by_text("Note added.").wait_for()
    assert page.evaluate("window.sameDocument") is True
    assert Note.objects.get().text == "Checking the refund now"

    page.go_back()
    page.wait_for_url("**/inbox/?queue=silo")
    page.locator("#pane .pane-empty").wait_for()
    # The conversation's own page still works on its own.
    page.goto(f"/inbox/c/{first.pk}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith(first.author)
    assert page.locator("#pane").count() == 0


def test_shortcuts_move_through_the_list_resolve_and_list_themselves(page, company):
    convs = company["convs"]  # newest first in the list: 1, 2, 3 minutes ago
    open_inbox(page, company)
    page.keyboard.press("j")
    page.locator(f"#pane #conversation[data-conv='{convs[0].pk}']").wait_for()
    page.keyboard.press("j")
    page.locator(f"#pane #conversation[data-conv='{convs[1].pk}']").wait_for()
    page.keyboard.press("k")
    page.locator(f"#pane #conversation[data-conv='{convs[0].pk}']").wait_for()
    assert page.locator(f"#conv-{convs[0].pk}").get_attribute("aria-current") == "true"
    assert page.evaluate("window.sameDocument") is True

    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "id_reply-text"
    page.keyboard.type("j")  # typing in a field is typing, not a shortcut
    assert page.locator("#id_reply-text").input_value() == "j"
    assert shown_in_pane(page) == str(convs[0].pk)
    page.locator("#id_reply-text").fill("")
    page.locator("#id_reply-text").blur()

    page.keyboard.press("e")
    page.locator("#pane").get_by_text("Resolved. Routing learns").wait_for()
    assert Conversation.objects.get(pk=convs[0].pk).status == Status.RESOLVED
    # The list is read again: the resolved one leaves the open queue, the others stay.
    page.locator(f"#conv-{convs[0].pk}").wait_for(state="detached")
    assert page.locator("#rows tr").count() == 2
    assert page.evaluate("window.sameDocument") is True

    search = page.locator("#inbox-q")
    search.focus()
    search.blur()
    page.locator("button[data-shortcuts]").focus()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    dialog.wait_for()
    assert dialog.get_by_text("Mark the open conversation resolved").is_visible()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    # Focus goes back where it was.
    assert page.evaluate("document.activeElement.dataset.shortcuts") == ""

    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "inbox-q"


def test_the_note_box_offers_people_to_mention_and_the_note_links_them(page, company):
    first, dana = company["convs"][0], company["dana"]
    open_inbox(page, company)
    page.goto(f"/inbox/c/{first.pk}/")
    box = page.get_by_role("textbox", name="Internal note")
    box.click()
    box.press_sequentially("Please ask @dan")
    option = page.get_by_role("option", name="Dana Ruiz")
    option.wait_for()
    assert "Legal · Counsel" in option.inner_text()
    assert box.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Enter")
    assert box.input_value() == "Please ask @Dana Ruiz "
    assert page.get_by_role("listbox", name="People to mention").is_hidden()
    box.press_sequentially("about it")
    page.get_by_role("button", name="Add note").click()
    page.get_by_text("Note added.").wait_for()
    link = page.locator(".thread .note a.mention")
    assert link.inner_text() == "@Dana Ruiz"
    assert link.get_attribute("href") == f"/people/{dana.pk}/"
    assert Notification.objects.filter(person=dana).count() == 1


def test_bulk_resolve_of_ticked_conversations(page, company):
    convs = company["convs"]
    open_inbox(page, company)
    assert page.get_by_role("button", name="Resolve ticked").is_hidden()
    for c in convs[:2]:
        page.get_by_label(f"Select the conversation with {c.author}").check()
    assert page.locator("#bulk-count").inner_text() == "2 ticked"
    page.get_by_role("button", name="Resolve ticked").click()
    page.get_by_text("Resolved 2 conversations.").wait_for()
    assert [Conversation.objects.get(pk=c.pk).status for c in convs] == [
        Status.RESOLVED, Status.RESOLVED, Status.OPEN]
    assert AuditEvent.objects.filter(action="resolve").count() == 2


def test_on_a_narrow_screen_a_row_is_a_page_of_its_own(page, company):
    first = company["convs"][0]
    page.set_viewport_size({"width": 900, "height": 900})
    log_in(page, company["captain"])
    page.goto("/inbox/?queue=silo")
    assert page.locator("#pane").is_hidden()
    page.locator(f"#conv-{first.pk}").get_by_role("link", name=first.author).click()
    page.wait_for_url(f"**/inbox/c/{first.pk}/")
    assert page.locator("#rows").count() == 0
