"""The reply composer in a real Chromium: a saved reply goes in at the caret and keeps what was
typed; replies in the conversation's language come first."""

import pytest

from tests import factories
from tests.browser.test_inbox import log_in
from tests.inbox import factories as inbox
from unsilo.core.models import Role
from unsilo.inbox.models import SavedReply
from unsilo.org.models import SiloKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CARET = "() => [document.activeElement.id, document.activeElement.selectionStart]"


@pytest.fixture
def admin():
    return factories.user(Role.HUB_ADMIN, factories.silo("COE", kind=SiloKind.HUB))


def test_insert_puts_the_saved_reply_at_the_caret_and_keeps_the_draft(page, admin):
    SavedReply.objects.create(title="Order number", text="Could you send {customer} the order "
                                                         "number?")
    conv = inbox.conversation(None, author="dana", language="en")
    log_in(page, admin)
    page.goto(f"/inbox/c/{conv.pk}/")
    box = page.get_by_label("Reply to the customer")
    box.fill("Hi Dana, Thanks!")
    box.evaluate("b => b.setSelectionRange(9, 9)")  # after "Hi Dana, "
    page.get_by_label("Saved reply").select_option(label="Order number")
    assert box.input_value() == "Hi Dana, Thanks!"  # choosing alone changes nothing
    page.get_by_role("button", name="Insert").click()
    inserted = "Could you send dana the order number?"
    page.wait_for_function("() => document.querySelector('#id_reply-text').value.length > 20")
    assert box.input_value() == f"Hi Dana, {inserted} Thanks!"
    # The caret waits after the inserted text, in the reply box.
    assert page.evaluate(CARET) == ["id_reply-text", len(f"Hi Dana, {inserted} ")]

    # Insert again: a second copy at the caret, never a replaced draft.
    page.get_by_role("button", name="Insert").click()
    page.wait_for_function(f"() => document.querySelector('#id_reply-text').value"
                           f".split({inserted!r}).length === 3")
    # One Ctrl-Z takes back one insert.
    page.keyboard.press("Control+z")
    assert box.input_value() == f"Hi Dana, {inserted} Thanks!"


def test_saved_replies_in_the_conversations_language_come_first(page, admin):
    for title, text in [("Apology", "Sorry for the wait, {customer}. We are on it today."),
                        ("Zurückrufen", "Hallo {customer}, wir rufen Sie heute noch zurück, "
                                        "versprochen."),
                        ("Bedankt", "Hallo {customer}, bedankt voor je bericht, we kijken "
                                    "er vandaag naar.")]:
        SavedReply.objects.create(title=title, text=text)
    conv = inbox.conversation(None, text="Wo bleibt meine Bestellung?", language="de")
    log_in(page, admin)
    page.goto(f"/inbox/c/{conv.pk}/")
    options = page.locator("#saved-reply option:not([value=''])").all_inner_texts()
    assert options[0] == "Zurückrufen"
    assert sorted(options[1:]) == ["Apology · en", "Bedankt · nl"]
    group = page.locator("#saved-reply optgroup").first.get_attribute("label")
    assert group == "In the conversation's language (de)"
