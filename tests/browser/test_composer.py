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


# Texts the counter must count exactly as the server does: links, emoji, CJK, combining marks.
SAMPLES = ["Hello", "see https://example.com/a/very/long/path?q=1. and meridian.com/deals",
           "👍🏽🇩🇪👨‍👩‍👧 1️⃣", "日本語のテキスト 안녕", "q\u0303 e\u0301 नमस्ते",
           "hi @dana@mastodon.social",
           "a" * 279 + "🙂"]


@pytest.mark.parametrize("network", ["x", "bluesky", "mastodon"])
def test_the_live_counter_counts_as_the_server_does(page, admin, network):
    from unsilo.connectors import limits

    conv = inbox.conversation(None, network=network)
    log_in(page, admin)
    page.goto(f"/inbox/c/{conv.pk}/")
    box = page.get_by_label("Reply to the customer")
    counter = page.locator("#id_reply-text-counter")
    rule = limits.LIMITS[network]
    for text in SAMPLES:
        box.fill(text)
        assert counter.inner_text() == limits.counter(network, text)["text"], text
    # Over the limit: said in red, the box marked invalid, and screen readers told once.
    box.fill("short")
    box.fill("a" * (rule.max_length + 3))
    assert counter.inner_text() == f"{rule.label}: 3 over the limit of {rule.max_length}"
    assert "over" in counter.get_attribute("class")
    assert box.get_attribute("aria-invalid") == "true"
    assert page.locator("#id_reply-text-counter-alert").inner_text() == counter.inner_text()
    # Typing (not only filling) keeps it current; the alert is not repeated on every key.
    box.press("Backspace")
    assert counter.inner_text().endswith("2 over the limit of " + str(rule.max_length))
    alert = page.locator("#id_reply-text-counter-alert").inner_text()
    assert alert.endswith("3 over the limit of " + str(rule.max_length))


def test_the_outbox_edits_a_failed_reply_with_the_counter(page, admin):
    from tests.connectors.test_outbox_pages import failed_reply
    from unsilo.connectors.models import Delivery

    conv, row = failed_reply(factories.silo("Care"))
    Delivery.objects.filter(pk=row.pk).update(network="x")
    log_in(page, admin)
    page.goto("/outbox/?state=failed")
    # The action buttons sit in a cell of the table's last column (a cell laid out as a flex
    # box drops out of the table's grid: its row's border and the table's edge break there).
    cells = page.evaluate("""() => [...document.querySelectorAll('tbody tr')].map(row =>
        [...row.children].map(td => getComputedStyle(td).display))""")
    headers = page.locator("thead th").count()
    assert cells == [["table-cell"] * headers]
    last = page.locator("tbody tr td").last
    assert last.get_by_role("button", name="Retry").is_visible()
    page.get_by_role("link", name="Edit and send again").click()
    box = page.get_by_label("Text")
    assert page.locator("#id_text-counter").inner_text() == "X: 254 characters left"
    box.fill("Please restart the router, then write to us here.")
    assert page.locator("#id_text-counter").inner_text() == "X: 231 characters left"
    page.get_by_role("button", name="Save and send again").click()
    page.get_by_text("Changed and queued again").wait_for()
    edited = Delivery.objects.get(pk=row.pk).text
    assert edited == "Please restart the router, then write to us here."
