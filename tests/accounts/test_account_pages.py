import pytest
from django.db import IntegrityError
from django.utils.html import escape

from tests import factories as f
from unsilo.accounts import actions as account_actions
from unsilo.accounts.models import Account, AccountStatus
from unsilo.core.models import AuditEvent, Role

pytestmark = pytest.mark.django_db

NON_MANAGERS = [Role.VIEWER, Role.RESPONDER, Role.REVIEWER]


def form_data(owner, people, **fields):
    data = {
        "network": "bluesky", "handle": "acme-care.bsky.social", "display_name": "Acme Care",
        "owner_silo": owner.pk if owner else "", "status": AccountStatus.ACTIVE, "notes": "",
        "stewards": "\n".join(p.email for p in people),
    }
    data.update(fields)
    return data


def errors_of(response, field):
    return response.context["form"].errors.get(field, [])


# The registry list ----------------------------------------------------------------------------


def test_registry_lists_accounts_with_stewards_status_badges_and_counts(login):
    care = f.silo("Customer Care")
    acc = f.account(care, display_name="Acme Care", status=AccountStatus.ACTIVE)
    f.account(care, status=AccountStatus.PENDING)
    f.account(None, status=AccountStatus.UNREGISTERED, stewards=0)
    client = login(f.user(Role.VIEWER))
    response = client.get("/accounts/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'href="/accounts/{acc.pk}/"' in page
    for steward in acc.stewards.all():
        assert steward.name in page
    assert '<span class="badge ok">Active</span>' in page
    assert '<span class="badge warn">Pending</span>' in page
    assert '<span class="badge bad">Unregistered</span>' in page
    counts = {c["value"]: c["n"] for c in response.context["counts"]}
    assert counts == {"active": 1, "pending": 1, "unregistered": 1, "retired": 0, "overdue": 0}


def test_registry_filters_by_silo_network_status_and_text(login):
    care, hr = f.silo("Care"), f.silo("HR")
    care_bsky = f.account(care, network="bluesky", handle="care.bsky.social")
    hr_x = f.account(hr, network="x", handle="acme_jobs", display_name="Acme Careers")
    retired = f.account(hr, network="x", handle="acme_old", status=AccountStatus.RETIRED)
    client = login(f.user(Role.VIEWER))

    def shown(**params):
        return {a.pk for a in client.get("/accounts/", params).context["page"].object_list}

    assert shown() == {care_bsky.pk, hr_x.pk, retired.pk}
    assert shown(silo=care.pk) == {care_bsky.pk}
    assert shown(network="x") == {hr_x.pk, retired.pk}
    assert shown(status="retired") == {retired.pk}
    assert shown(q="CAREERS") == {hr_x.pk}
    assert shown(q="care.bsky") == {care_bsky.pk}
    # The counts follow the other filters, so they say what a status click would show.
    counts = client.get("/accounts/", {"network": "x"}).context["counts"]
    assert {c["value"]: c["n"] for c in counts}["retired"] == 1
    assert {c["value"]: c["n"] for c in counts}["active"] == 1


def test_registry_htmx_request_gets_only_the_results(login):
    f.account(handle="only-one")
    client = login(f.user(Role.VIEWER))
    response = client.get("/accounts/", {"q": "only"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "only-one" in page
    assert page.lstrip().startswith('<div id="results"')
    assert "<html" not in page


def test_registry_pages_by_fifty(login):
    owner = f.silo()
    stewards = [f.person(owner), f.person(owner)]
    for n in range(51):
        acc = Account.objects.create(network="x", handle=f"acct{n:03}", owner_silo=owner,
                                     status=AccountStatus.ACTIVE)
        acc.stewards.set(stewards)
    client = login(f.user(Role.VIEWER))
    first = client.get("/accounts/")
    assert len(first.context["page"].object_list) == 50
    assert "page=2" in first.content.decode()
    assert [a.handle for a in client.get("/accounts/?page=2").context["page"].object_list] == [
        "acct050"
    ]


def test_registry_list_takes_the_same_few_queries_for_many_accounts(
    login, django_assert_max_num_queries
):
    owner = f.silo()
    for _ in range(3):
        f.account(owner)
    client = login(f.user(Role.VIEWER))
    # session, user, silos (filter), counts, overdue count, page count, page rows (silos
    # joined), stewards
    with django_assert_max_num_queries(9):
        assert len(client.get("/accounts/").context["page"].object_list) == 3
    for _ in range(30):
        f.account(f.silo())
    with django_assert_max_num_queries(9):
        assert len(client.get("/accounts/").context["page"].object_list) == 33


# Who may register, edit and delete ------------------------------------------------------------


@pytest.mark.parametrize("role", NON_MANAGERS)
def test_roles_without_registry_powers_cannot_register(login, role):
    silo = f.silo()
    client = login(f.user(role, silo))
    stewards = [f.person(silo), f.person(silo)]
    assert client.get("/accounts/new/").status_code == 403
    assert client.post("/accounts/new/", form_data(silo, stewards)).status_code == 403
    assert not Account.objects.exists()
    assert "Register an account" not in client.get("/accounts/").content.decode()


@pytest.mark.parametrize("role", NON_MANAGERS)
def test_roles_without_registry_powers_cannot_edit_or_delete(login, role):
    silo = f.silo()
    acc = f.account(silo, display_name="Before")
    client = login(f.user(role, silo))
    stewards = list(acc.stewards.all())
    assert client.get(f"/accounts/{acc.pk}/edit/").status_code == 403
    edit = client.post(f"/accounts/{acc.pk}/edit/",
                       form_data(silo, stewards, handle=acc.handle, display_name="After"))
    assert edit.status_code == 403
    assert client.post(f"/accounts/{acc.pk}/delete/").status_code == 403
    acc.refresh_from_db()
    assert acc.display_name == "Before"
    page = client.get(f"/accounts/{acc.pk}/").content.decode()
    assert f"/accounts/{acc.pk}/edit/" not in page


def test_captain_registers_an_account_for_their_own_silo(login):
    silo = f.silo("Care")
    client = login(f.user(Role.CAPTAIN, silo))
    stewards = [f.person(silo), f.person(f.silo())]  # a steward may sit in another silo
    response = client.post("/accounts/new/", form_data(silo, stewards))
    acc = Account.objects.get(handle="acme-care.bsky.social")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{acc.pk}/"
    assert acc.owner_silo == silo
    assert set(acc.stewards.all()) == set(stewards)
    event = AuditEvent.objects.get(object_type="accounts.account", object_id=str(acc.pk))
    assert (event.action, event.via, event.silo_id) == ("create", "ui", silo.pk)


def test_captain_is_offered_only_their_own_silo_as_owner(login):
    silo, other = f.silo("Care"), f.silo("Sales")
    client = login(f.user(Role.CAPTAIN, silo))
    response = client.get("/accounts/new/")
    page = response.content.decode()
    assert f'<option value="{silo.pk}">Care</option>' in page
    assert f'<option value="{other.pk}">' not in page
    assert list(response.context["form"].fields["owner_silo"].queryset) == [silo]


def test_captain_cannot_register_an_account_for_another_silo(login):
    silo, other = f.silo(), f.silo()
    client = login(f.user(Role.CAPTAIN, silo))
    response = client.post("/accounts/new/", form_data(other, [f.person(other), f.person(other)]))
    assert response.status_code == 200
    assert "only for the silos you manage" in errors_of(response, "owner_silo")[0]
    assert not Account.objects.exists()


def test_captain_cannot_record_an_account_with_no_owner(login):
    silo = f.silo()
    client = login(f.user(Role.CAPTAIN, silo))
    response = client.post("/accounts/new/",
                           form_data(None, [], status=AccountStatus.UNREGISTERED))
    assert response.status_code == 200
    assert errors_of(response, "owner_silo")
    assert not Account.objects.exists()


def test_captain_gets_403_for_another_silos_account(login):
    silo, other = f.silo(), f.silo()
    acc = f.account(other, display_name="Theirs")
    client = login(f.user(Role.CAPTAIN, silo))
    stewards = list(acc.stewards.all())
    assert client.get(f"/accounts/{acc.pk}/").status_code == 200  # everyone reads the registry
    assert client.get(f"/accounts/{acc.pk}/edit/").status_code == 403
    assert client.post(f"/accounts/{acc.pk}/edit/", form_data(
        other, stewards, handle=acc.handle, display_name="Mine now")).status_code == 403
    assert client.get(f"/accounts/{acc.pk}/delete/").status_code == 403
    assert client.post(f"/accounts/{acc.pk}/delete/").status_code == 403
    acc.refresh_from_db()
    assert acc.display_name == "Theirs"


def test_captain_edits_then_deletes_their_silos_account(login):
    silo = f.silo()
    acc = f.account(silo, display_name="Old name")
    client = login(f.user(Role.CAPTAIN, silo))
    stewards = list(acc.stewards.all())
    edit = client.get(f"/accounts/{acc.pk}/edit/")
    assert stewards[0].email in edit.content.decode()  # stewards prefilled as emails
    response = client.post(f"/accounts/{acc.pk}/edit/", form_data(
        silo, stewards, handle=acc.handle, display_name="New name"))
    assert response.status_code == 302
    acc.refresh_from_db()
    assert acc.display_name == "New name"
    confirm = client.get(f"/accounts/{acc.pk}/delete/")
    assert confirm.status_code == 200 and Account.objects.filter(pk=acc.pk).exists()
    assert client.post(f"/accounts/{acc.pk}/delete/")["Location"] == "/accounts/"
    assert not Account.objects.filter(pk=acc.pk).exists()
    assert AuditEvent.objects.filter(action="delete", object_id=str(acc.pk)).exists()


def test_hub_admin_records_an_unregistered_account_with_no_owner_or_stewards(login):
    client = login(f.user(Role.HUB_ADMIN))
    response = client.post("/accounts/new/", form_data(
        None, [], handle="acme_fake", network="x", status=AccountStatus.UNREGISTERED))
    assert response.status_code == 302
    acc = Account.objects.get(handle="acme_fake")
    assert acc.owner_silo is None and acc.status == AccountStatus.UNREGISTERED


def test_hub_admin_edits_and_deletes_any_silos_account(login):
    acc = f.account(f.silo())
    new_owner = f.silo("New owner")
    client = login(f.user(Role.HUB_ADMIN))
    stewards = list(acc.stewards.all())
    response = client.post(f"/accounts/{acc.pk}/edit/", form_data(
        new_owner, stewards, handle=acc.handle, status=AccountStatus.RETIRED))
    assert response.status_code == 302
    acc.refresh_from_db()
    assert (acc.owner_silo, acc.status) == (new_owner, AccountStatus.RETIRED)
    assert client.post(f"/accounts/{acc.pk}/delete/").status_code == 302
    assert not Account.objects.exists()


# Registry rules shown on the form -------------------------------------------------------------


@pytest.mark.parametrize(("stewards", "error"), [
    pytest.param("{email}", "at least 2 stewards", id="two-steward-rule"),
    pytest.param("{email}, {EMAIL}", "at least 2 stewards", id="same-steward-twice-is-one"),
    pytest.param("{email}, nobody@example.com", "nobody@example.com is", id="unknown-email"),
])
def test_steward_errors_are_shown_on_the_form(login, stewards, error):
    silo = f.silo()
    known = f.person(silo)
    client = login(f.user(Role.HUB_ADMIN))
    response = client.post("/accounts/new/", form_data(
        silo, [], stewards=stewards.format(email=known.email, EMAIL=known.email.upper())))
    assert response.status_code == 200
    assert error in errors_of(response, "stewards")[0]
    assert error in response.content.decode()
    assert not Account.objects.exists()


def test_stewards_accept_commas_and_new_lines_in_any_case(login):
    silo = f.silo()
    a, b, c = f.person(silo), f.person(silo), f.person(silo)
    client = login(f.user(Role.HUB_ADMIN))
    client.post("/accounts/new/", form_data(
        silo, [], stewards=f"{a.email.upper()},{b.email}\n\n{c.email} "))
    assert set(Account.objects.get().stewards.all()) == {a, b, c}


def test_duplicate_handle_is_an_error_on_the_handle_field(login):
    silo = f.silo()
    f.account(silo, network="x", handle="acme")
    client = login(f.user(Role.HUB_ADMIN))
    stewards = [f.person(silo), f.person(silo)]
    response = client.post("/accounts/new/", form_data(silo, stewards, network="x", handle="Acme"))
    assert response.status_code == 200
    assert "already in the registry" in errors_of(response, "handle")[0]
    assert Account.objects.count() == 1
    # The same handle on another network is another account.
    other = client.post("/accounts/new/", form_data(silo, stewards, network="bluesky",
                                                    handle="acme"))
    assert other.status_code == 302


def test_a_handle_registered_meanwhile_is_an_error_on_the_handle_field(login, monkeypatch):
    # Two registrations of one handle at once: the form's check passed, the database refuses.
    def registered_meanwhile(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(account_actions, "register_account", registered_meanwhile)
    silo = f.silo()
    client = login(f.user(Role.HUB_ADMIN))
    response = client.post("/accounts/new/", form_data(silo, [f.person(silo), f.person(silo)]))
    assert response.status_code == 200
    assert errors_of(response, "handle") == [
        "This handle on this network is already in the registry."
    ]


def test_editing_an_account_keeps_its_own_handle_without_a_duplicate_error(login):
    silo = f.silo()
    acc = f.account(silo, network="x", handle="acme")
    client = login(f.user(Role.HUB_ADMIN))
    response = client.post(f"/accounts/{acc.pk}/edit/", form_data(
        silo, list(acc.stewards.all()), network="x", handle="acme", notes="Checked"))
    assert response.status_code == 302


# The account page -----------------------------------------------------------------------------


def test_account_page_links_stewards_and_profile_safely(login):
    acc = f.account(network="bluesky", handle="acme.bsky.social")
    client = login(f.user(Role.VIEWER))
    page = client.get(f"/accounts/{acc.pk}/").content.decode()
    for steward in acc.stewards.all():
        assert f'<a href="/people/{steward.pk}/">{steward.name}</a>' in page
    assert 'href="https://bsky.app/profile/acme.bsky.social" rel="noopener noreferrer"' in page


def test_account_history_shows_to_audit_readers_and_its_captains_only(login, client):
    silo = f.silo()
    admin = f.user(Role.HUB_ADMIN)
    login(admin)
    stewards = [f.person(silo), f.person(silo)]
    client.post("/accounts/new/", form_data(silo, stewards, display_name="First"))
    acc = Account.objects.get()
    client.post(f"/accounts/{acc.pk}/edit/", form_data(silo, stewards, display_name="Second"))
    history = client.get(f"/accounts/{acc.pk}/").context["history"]
    assert [e.action for e in history] == ["update", "create"]
    page = client.get(f"/accounts/{acc.pk}/").content.decode()
    assert "First</del> → <ins>Second" in page

    login(f.user(Role.CAPTAIN, silo))
    assert len(client.get(f"/accounts/{acc.pk}/").context["history"]) == 2
    login(f.user(Role.CAPTAIN, f.silo()))
    assert client.get(f"/accounts/{acc.pk}/").context["history"] is None
    login(f.user(Role.VIEWER, silo))
    response = client.get(f"/accounts/{acc.pk}/")
    assert response.context["history"] is None
    assert "History" not in response.content.decode()


def test_script_in_a_display_name_is_escaped_everywhere(login, client):
    silo = f.silo()
    login(f.user(Role.HUB_ADMIN))
    evil = "<script>alert(1)</script>"
    stewards = [f.person(silo), f.person(silo)]
    client.post("/accounts/new/", form_data(silo, stewards, display_name=evil, handle="x<b>"))
    acc = Account.objects.get()
    for url in ["/accounts/", f"/accounts/{acc.pk}/", f"/accounts/{acc.pk}/edit/",
                f"/accounts/{acc.pk}/delete/", "/admin/audit/"]:
        page = client.get(url).content.decode()
        assert evil not in page, url
        assert "x<b>" not in page, url
    assert escape(evil) in client.get(f"/accounts/{acc.pk}/").content.decode()
    assert escape(evil) in client.get("/admin/audit/").content.decode()
