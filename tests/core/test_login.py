import re

import pytest
from django.test import Client

from tests import factories as f
from unsilo.core.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


def csrf_of(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def log_in(browser, email, password, next_url=""):
    form = browser.get("/login/")
    return browser.post("/login/", {
        "csrfmiddlewaretoken": csrf_of(form.content.decode()), "username": email,
        "password": password, "next": next_url,
    })


def is_logged_in(browser) -> bool:
    return browser.get("/me/tokens/").status_code == 200


def test_log_in_with_email_and_password(browser):
    me = f.user(Role.VIEWER)
    response = log_in(browser, me.email.upper(), f.PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/table/"
    assert is_logged_in(browser)


def test_log_in_returns_to_the_page_asked_for(browser):
    me = f.user(Role.VIEWER)
    assert browser.get("/accounts/")["Location"] == "/login/?next=/accounts/"
    assert log_in(browser, me.email, f.PASSWORD, "/accounts/")["Location"] == "/accounts/"


def test_log_in_without_the_csrf_token_is_refused(browser):
    me = f.user(Role.VIEWER)
    browser.get("/login/")
    response = browser.post("/login/", {"username": me.email, "password": f.PASSWORD})
    assert response.status_code == 403
    assert not is_logged_in(browser)


def test_wrong_password_shows_an_error(browser):
    me = f.user(Role.VIEWER)
    response = log_in(browser, me.email, "not the password")
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()
    assert not is_logged_in(browser)


def test_five_failures_lock_the_login_from_that_address_even_against_the_right_password(
        browser):
    me = f.user(Role.VIEWER)
    for _ in range(4):
        assert "locked" not in log_in(browser, me.email, "wrong").content.decode()
    fifth = log_in(browser, me.email, "wrong")
    assert fifth.status_code == 429
    assert ("Too many failed sign-ins for this login from this address: locked for 15 more "
            "minutes.") in fifth.content.decode()
    right = log_in(browser, me.email, f.PASSWORD)
    assert right.status_code == 429
    assert "locked for 15 more minutes" in right.content.decode()
    assert "Please enter a correct" not in right.content.decode()  # it was not even checked
    assert not is_logged_in(browser)


def test_logout_is_post_only(browser):
    me = f.user(Role.VIEWER)
    log_in(browser, me.email, f.PASSWORD)
    assert browser.get("/logout/").status_code == 405
    assert is_logged_in(browser)
    page = browser.get("/me/tokens/").content.decode()
    response = browser.post("/logout/", {"csrfmiddlewaretoken": csrf_of(page)})
    assert response.status_code == 302
    assert not is_logged_in(browser)
