"""Every page of the demo company in a real Chromium: it loads without console errors, each
input has a label, and text people typed is shown as text, never run."""

import pytest

from unsilo.accounts.models import Account
from unsilo.core.actor import Actor
from unsilo.demo import seed
from unsilo.demo.company import PASSWORD
from unsilo.org import actions as org_actions
from unsilo.org.models import Person, Silo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE_NAME = '<script>alert("x")</script> Dana <b>Bold</b>'
UNLABELLED_INPUTS = """
() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => !['hidden', 'submit', 'button'].includes(el.type))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 120))
"""


@pytest.fixture
def company():
    logins = dict(seed.seed()["logins"])
    person = Person.objects.get(email=logins["Responder"])
    org_actions.update_person(Actor.system(), person, {"name": HOSTILE_NAME})
    return logins


def log_in(page, email):
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/table/")


def test_every_page_loads_cleanly_with_labels_on_every_input(page, company):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, company["Hub admin"])
    silo = Silo.objects.get(name="Customer Care")
    person = Person.objects.filter(silo=silo).first()
    account = Account.objects.first()
    paths = [
        "/table/", "/table/?empty=1", "/people/", "/people/?q=care", f"/people/{person.pk}/",
        f"/people/{person.pk}/edit/", "/people/new/", f"/silos/{silo.slug}/",
        f"/silos/{silo.slug}/edit/", "/silos/new/", "/accounts/", "/accounts/?status=unregistered",
        f"/accounts/{account.pk}/", f"/accounts/{account.pk}/edit/", "/accounts/new/",
        "/admin/", "/admin/audit/", "/admin/users/", "/admin/users/new/", "/admin/sso/",
        "/me/tokens/",
        "/people/import/", "/inbox/", "/publish/", "/knowledge/", "/listening/", "/analytics/",
        "/outbox/", "/outbox/?state=failed", "/accounts/unregistered/", "/experts/",
        # The connect page of one account per network: each connector's own form.
        *(f"/accounts/{pk}/connect/" for pk in {
            a.network: a.pk for a in Account.objects.exclude(owner_silo=None)}.values()),
        "/api/v1/docs",
    ]
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        if path.startswith("/api/"):
            continue
        assert page.locator("h1").count() == 1, path
        assert page.evaluate(UNLABELLED_INPUTS) == [], path
    assert dialogs == []


def test_text_people_typed_is_shown_as_text(page, company):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, company["Viewer"])
    person = Person.objects.get(email=company["Responder"])
    for path in (f"/people/{person.pk}/", "/people/?q=dana", "/table/"):
        page.goto(path)
        if path != "/table/":
            assert page.get_by_text(HOSTILE_NAME).first.is_visible()
        assert page.locator("b", has_text="Bold").count() == 0
    assert dialogs == []
