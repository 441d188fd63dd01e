"""Steps the browser tests share."""

from tests import factories


def log_in(page, user):
    """Sign `user` in with the password every test login has, and wait for the table."""
    page.goto("/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/table/")
