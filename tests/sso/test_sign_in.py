"""Sign-in through a provider process on loopback: the code flow with PKCE and nonce, the
just-in-time link to the person the people import knows, and the refusals."""

from tests import factories
from unsilo.core.models import AuditEvent, Role, User
from unsilo.org.models import SiloKind
from unsilo.sso.models import ProviderLink, SignInSettings


def test_first_sign_in_links_the_person_by_verified_email(sso, browser_for):
    sales = factories.silo("Sales")
    ann = factories.person(sales, email="ann@example.com", name="Ann Lee")
    sso.person("Ann@Example.com", ["staff"], name="Ann Lee")

    you = browser_for()
    page = you.sign_in("Ann@Example.com")

    assert page.status_code == 200 and page.url.endswith("/table/")
    login = User.objects.get(email="ann@example.com")
    assert login.person == ann and login.role == Role.VIEWER and not login.has_usable_password()
    link = ProviderLink.objects.get(user=login)
    assert link.issuer == sso.issuer and link.groups == ["staff"]
    row = AuditEvent.objects.get(action="sso_sign_in", object_id=str(login.pk))
    assert row.changes["login"] == [None, "made at first sign-in"]
    assert you.get("/inbox/").status_code == 200  # a session like any other


def test_the_second_sign_in_finds_the_same_login(sso, browser_for):
    factories.user(Role.RESPONDER, factories.silo("Care"), email="bo@example.com")
    sso.person("bo@example.com")
    browser_for().sign_in("bo@example.com")
    browser_for().sign_in("bo@example.com")
    assert User.objects.filter(email="bo@example.com").count() == 1
    assert AuditEvent.objects.filter(action="sso_sign_in").count() == 2
    assert User.objects.get(email="bo@example.com").role == Role.RESPONDER  # no mapping: kept


def test_an_unverified_email_is_refused(sso, browser_for):
    factories.person(factories.silo("Sales"), email="cy@example.com")
    sso.person("cy@example.com", email_verified=False)
    page = browser_for().sign_in("cy@example.com")
    assert page.status_code == 403
    assert "has not verified your email address" in page.text
    assert not User.objects.filter(email="cy@example.com").exists()
    assert AuditEvent.objects.get(action="sso_refused").changes["reason"][1] == \
        "email not verified"


def test_someone_the_people_import_does_not_know_is_refused(sso, browser_for):
    sso.person("stranger@example.com")
    you = browser_for()
    page = you.sign_in("stranger@example.com")
    assert page.status_code == 403 and "unsilo does not know you yet" in page.text
    assert not User.objects.filter(email="stranger@example.com").exists()
    assert you.get("/table/").status_code == 302  # not signed in
    assert AuditEvent.objects.filter(action="sso_refused").count() == 1


def test_the_hub_may_let_unknown_people_in_as_viewers_not_yet_placed(sso, browser_for):
    admin = factories.user(Role.HUB_ADMIN, factories.silo("COE", kind=SiloKind.HUB))
    from unsilo.core.actor import Actor
    from unsilo.sso import actions

    actions.save_settings(Actor.for_user(admin), password_sign_in=True, break_glass=None,
                          allow_unknown=True)
    sso.person("new@example.com", name="New Starter")
    page = browser_for().sign_in("new@example.com")
    assert page.status_code == 200
    login = User.objects.get(email="new@example.com")
    assert login.role == Role.VIEWER
    assert login.person.silo == SignInSettings.objects.get().unplaced_silo
    assert login.person.silo.name == "Not yet placed" and login.person.name == "New Starter"


def test_a_login_a_hub_admin_switched_off_stays_out(sso, browser_for):
    factories.user(Role.RESPONDER, factories.silo("Care"), email="off@example.com",
                   is_active=False)
    sso.person("off@example.com")
    page = browser_for().sign_in("off@example.com")
    assert page.status_code == 403 and "switched off" in page.text


def test_the_sign_in_returns_to_the_page_asked_for(sso, browser_for):
    factories.user(Role.RESPONDER, factories.silo("Care"), email="rio@example.com")
    sso.person("rio@example.com")
    you = browser_for()
    login_page = you.get("/inbox/?q=refund")
    assert login_page.status_code == 302  # to /login/?next=…
    page = you.follow(you.to_callback("rio@example.com",
                                      start="/login/sso/?next=/inbox/%3Fq%3Drefund"))
    assert page.status_code == 200 and page.url.endswith("/inbox/?q=refund")
    # Somewhere else is not a place to return to.
    other = browser_for()
    page = other.follow(other.to_callback(
        "rio@example.com", start="/login/sso/?next=https://evil.example.com/"))
    assert page.url.endswith("/table/")
