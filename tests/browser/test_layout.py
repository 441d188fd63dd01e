"""Layout a person relies on, in a real Chromium: the audit log's changes wrap between words,
not inside them; the inbox, a conversation and the table fit a phone."""

import pytest

from tests import factories
from tests.browser.pages import log_in
from unsilo.core import audit
from unsilo.core.actor import Actor
from unsilo.core.models import Role
from unsilo.org.models import SiloKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# For each word of the changes column: on how many lines it is drawn.
WORD_LINES = """
() => [...document.querySelectorAll('.changes li')].flatMap(li => {
  const out = [];
  const walk = document.createTreeWalker(li, NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    for (const m of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      out.push([m[0], tops.size]);
    }
  }
  return out;
})
"""
LONG_TOKEN = "https://example.com/" + "a1b2c3d4" * 40


def test_the_audit_log_wraps_changes_between_words(page):
    admin = factories.user(Role.HUB_ADMIN, factories.silo("COE", kind=SiloKind.HUB))
    silo = factories.silo("Customer Care and Aftersales Support for Appliances")
    audit.record(Actor.for_user(admin), "update", silo, {
        "description": ["Answers questions about deliveries, refunds and repairs",
                        "Answers questions about deliveries, refunds, repairs and warranties"],
        "website": [None, LONG_TOKEN]}, silo.pk)
    page.set_viewport_size({"width": 760, "height": 800})
    log_in(page, admin)
    page.goto("/admin/audit/")
    lines = dict(page.evaluate(WORD_LINES))
    long = next(word for word in lines if word.startswith("https://example.com/"))
    broken = [word for word, n in lines.items() if n > 1 and word != long]
    assert not broken, f"words broken across lines: {broken}"
    # A token longer than the column still breaks rather than widening the page.
    assert lines[long] > 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 760


PHONE = {"width": 390, "height": 844}


def test_the_inbox_a_conversation_and_the_table_fit_a_phone(page):
    from unsilo.demo import seed as demo
    from unsilo.demo.company import PASSWORD
    from unsilo.inbox.models import Conversation

    logins = dict(demo.seed()["logins"])
    page.set_viewport_size(PHONE)
    page.goto("/login/")
    page.get_by_label("Email").fill(logins["Hub admin"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/table/")
    conv = Conversation.objects.exclude(silo=None).order_by("-message_count").first()
    for path in ("/inbox/?queue=all", f"/inbox/c/{conv.pk}/", "/table/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide"
        # The navigation folds away: the page's own heading shows near the top.
        header = page.locator("header.top").bounding_box()
        assert header["height"] <= 64, f"{path}: the navigation takes {header['height']} px"
        assert page.locator("main h1").bounding_box()["y"] < 200, path
    # The folded navigation opens and reaches every section.
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Outbox").click()
    page.wait_for_url("**/outbox/")
