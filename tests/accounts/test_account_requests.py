"""Accounts without a land grab: request → approve or decline, claim, confirm, lapse, retire."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from unsilo.accounts import requests, stewardship
from unsilo.accounts.models import Account, AccountRequest, AccountStatus, RequestStatus
from unsilo.connectors import outbound
from unsilo.connectors.models import Delivery
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def captain(sales):
    return factories.user(Role.CAPTAIN, sales)


def _ask(user, silo, handle="acme.bsky.social", stewards=None, claim=None):
    stewards = stewards or [factories.person(silo).pk, factories.person(silo).pk]
    return requests.request_account(Actor.for_user(user), {
        "network": "bluesky", "handle": handle, "owner_silo": silo, "purpose": "Spring launch",
    }, stewards, claim=claim)


def test_approving_a_request_registers_the_account_with_its_stewards_and_audit_rows(
        admin, captain, sales):
    wanted = _ask(captain, sales)
    stewards = set(wanted.stewards.values_list("pk", flat=True))
    # The hub hears of it, with a link to the request.
    told = Notification.objects.get(kind=NotificationKind.ACCOUNT_REQUEST, person=admin.person)
    assert told.link == f"/accounts/requests/{wanted.pk}/"
    account = requests.approve_request(Actor.for_user(admin), wanted)
    assert account.status == AccountStatus.ACTIVE and account.owner_silo == sales
    assert set(account.stewards.values_list("pk", flat=True)) == stewards
    assert account.stewards_confirmed_at is not None
    wanted.refresh_from_db()
    assert (wanted.status, wanted.account, wanted.decided_by) == (RequestStatus.APPROVED,
                                                                  account, admin)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"create", "account_request_approved"} <= actions
    assert AuditEvent.objects.filter(object_type="accounts.account",
                                     object_id=str(account.pk)).exists()
    # And the captain hears the answer.
    assert Notification.objects.filter(person=captain.person,
                                       link=f"/accounts/{account.pk}/").exists()


def test_declining_keeps_the_request_with_its_reason(admin, captain, sales):
    wanted = _ask(captain, sales)
    with pytest.raises(ValidationError) as refused:
        requests.decline_request(Actor.for_user(admin), wanted, "  ")
    assert "reason" in refused.value.message_dict
    requests.decline_request(Actor.for_user(admin), wanted, "We already have one for this.")
    wanted.refresh_from_db()
    assert (wanted.status, wanted.reason) == (RequestStatus.DECLINED,
                                              "We already have one for this.")
    assert not Account.objects.exists()
    assert AuditEvent.objects.filter(action="account_request_declined").count() == 1
    with pytest.raises(ValidationError):  # decided once
        requests.approve_request(Actor.for_user(admin), wanted)


def test_a_captain_requests_only_for_their_own_silo_and_never_approves(api, captain, sales):
    legal = factories.silo("Legal")
    client = api(captain)
    body = {"network": "bluesky", "handle": "acme-legal", "owner_silo_id": legal.pk,
            "purpose": "x", "stewards": [factories.person(legal).pk, factories.person(legal).pk]}
    assert client.post("/api/v1/account-requests", body, content_type=JSON).status_code == 403
    wanted = _ask(captain, sales)
    response = client.post(f"/api/v1/account-requests/{wanted.pk}/approve")
    assert response.status_code == 403
    wanted.refresh_from_db()
    assert wanted.status == RequestStatus.REQUESTED


def test_a_responder_cannot_request(sales):
    responder = factories.user(Role.RESPONDER, sales)
    with pytest.raises(PermissionDenied):
        _ask(responder, sales)


def test_a_handle_in_the_registry_or_already_requested_is_refused_naming_the_field(
        api, captain, sales):
    factories.account(sales, handle="taken.bsky.social")
    _ask(captain, sales, handle="open.bsky.social")
    client = api(captain)
    for handle in ("Taken.bsky.social", "open.bsky.social"):
        response = client.post("/api/v1/account-requests", {
            "network": "bluesky", "handle": handle, "owner_silo_id": sales.pk, "purpose": "x",
            "stewards": [factories.person(sales).pk, factories.person(sales).pk],
        }, content_type=JSON)
        assert response.status_code == 422, handle
        assert response.json()["detail"].startswith("handle: "), response.json()


def test_a_request_needs_the_minimum_of_stewards(captain, sales):
    with pytest.raises(ValidationError) as refused:
        _ask(captain, sales, stewards=[factories.person(sales).pk])
    assert "stewards" in refused.value.message_dict


def test_the_api_round_trip_has_typed_shapes(api, admin, captain, sales):
    ann, bob = factories.person(sales), factories.person(sales)
    created = api(captain).post("/api/v1/account-requests", {
        "network": "bluesky", "handle": "acme-api", "owner_silo_id": sales.pk,
        "purpose": "Support", "stewards": [ann.pk, bob.pk]}, content_type=JSON)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "requested" and body["owner_silo_name"] == "Sales"
    assert sorted(s["id"] for s in body["stewards"]) == sorted([ann.pk, bob.pk])
    listed = api(captain).get("/api/v1/account-requests").json()
    assert [r["id"] for r in listed["items"]] == [body["id"]]
    declined = api(admin).post(f"/api/v1/account-requests/{body['id']}/decline", {},
                               content_type=JSON)
    assert declined.status_code == 422 and "reason" in str(declined.json())
    approved = api(admin).post(f"/api/v1/account-requests/{body['id']}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    account = api(admin).get(f"/api/v1/accounts/{approved.json()['account_id']}").json()
    assert account["status"] == "active" and account["confirmation_overdue"] is False


def test_claiming_a_discovered_account_enters_the_request_flow(admin, captain, sales):
    found = Account.objects.create(network="bluesky", handle="acme-fans.bsky.social",
                                   status=AccountStatus.UNREGISTERED)
    wanted = _ask(captain, sales, handle="", claim=found)
    assert (wanted.network, wanted.handle, wanted.account) == (found.network, found.handle,
                                                               found)
    account = requests.approve_request(Actor.for_user(admin), wanted)
    assert account.pk == found.pk  # completed, not a second row
    found.refresh_from_db()
    assert (found.status, found.owner_silo) == (AccountStatus.ACTIVE, sales)
    with pytest.raises(ValidationError) as refused:  # an active account is no claim
        _ask(captain, sales, claim=found)
    assert "account" in refused.value.message_dict


def test_the_claim_page_is_prefilled_with_the_found_handle(login, captain):
    found = Account.objects.create(network="bluesky", handle="acme-fans.bsky.social",
                                   status=AccountStatus.UNREGISTERED)
    page = login(captain).get(f"/accounts/{found.pk}/claim/")
    assert page.status_code == 200
    assert b'value="acme-fans.bsky.social"' in page.content
    detail = login(captain).get(f"/accounts/{found.pk}/")
    assert b"Claim for my silo" in detail.content


def _aged(account, days):
    Account.objects.filter(pk=account.pk).update(
        stewards_confirmed_at=timezone.now() - datetime.timedelta(days=days))


def test_confirmation_by_a_steward_resets_the_clock(sales):
    account = factories.account(sales)
    _aged(account, 100)
    steward = account.stewards.first()
    user = factories.user(Role.RESPONDER, sales, person=steward)
    other = factories.user(Role.CAPTAIN, sales)
    assert stewardship.overdue(Account.objects.all()).count() == 1
    with pytest.raises(PermissionDenied):
        stewardship.confirm(Actor.for_user(other), account)
    stewardship.confirm(Actor.for_user(user), account)
    assert stewardship.overdue(Account.objects.all()).count() == 0
    assert account.stewards_confirmed_by == user
    assert AuditEvent.objects.filter(action="stewards_confirmed").count() == 1


def test_the_lapse_job_tells_the_hub_once_per_lapse(admin, sales):
    account = factories.account(sales)
    factories.account(sales)  # confirmed in time: not told
    _aged(account, 91)
    assert stewardship.anything_lapsed()
    assert stewardship.report_lapsed() == 1
    told = Notification.objects.filter(kind=NotificationKind.STEWARDSHIP)
    assert told.count() == 1 and told.get().person == admin.person
    assert told.get().link == f"/accounts/{account.pk}/"
    # The next day: the same lapse is not told again.
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert not stewardship.anything_lapsed()
    assert stewardship.report_lapsed(tomorrow) == 0
    assert told.count() == 1
    # Confirmed, then lapsed again: told again.
    steward = factories.user(Role.RESPONDER, sales, person=account.stewards.first())
    stewardship.confirm(Actor.for_user(steward), account)
    _aged(account, 95)
    assert stewardship.report_lapsed() == 1
    assert told.count() == 2


def test_the_overdue_filter_of_the_list(api, admin, sales):
    late = factories.account(sales, handle="late")
    factories.account(sales, handle="fine")
    _aged(late, 120)
    page = api(admin).get("/api/v1/accounts", {"overdue": True}).json()
    assert [a["handle"] for a in page["items"]] == ["late"]


def test_retiring_keeps_history_and_refuses_new_deliveries(admin, sales):
    account = factories.account(sales)
    actor = Actor.for_user(admin)
    old = outbound.queue(actor, kind="post", network=account.network, text="Hello",
                         account=account, silo_id=sales.pk)
    stewardship.retire(actor, account, "The campaign ended.")
    account.refresh_from_db()
    assert (account.status, account.retired_by, account.retired_reason) == (
        AccountStatus.RETIRED, admin, "The campaign ended.")
    assert Delivery.objects.filter(pk=old.pk).exists()
    assert list(account.stewards.all())  # kept
    with pytest.raises(ValidationError) as refused:
        outbound.queue(actor, kind="post", network=account.network, text="Again",
                       account=account, silo_id=sales.pk)
    assert "account" in refused.value.message_dict
    assert AuditEvent.objects.filter(action="account_retired").count() == 1


def test_retiring_over_the_api_needs_a_reason(api, admin, sales):
    account = factories.account(sales)
    client = api(admin)
    assert client.post(f"/api/v1/accounts/{account.pk}/retire", {"reason": ""},
                       content_type=JSON).status_code == 422
    done = client.post(f"/api/v1/accounts/{account.pk}/retire", {"reason": "Closed"},
                       content_type=JSON)
    assert done.status_code == 200 and done.json()["status"] == "retired"


def test_the_hub_approves_on_the_request_page(login, admin, captain, sales):
    wanted = _ask(captain, sales)
    page = login(admin).get(f"/accounts/requests/{wanted.pk}/")
    assert b"Approve and register" in page.content
    done = login(admin).post(f"/accounts/requests/{wanted.pk}/", {"decision": "approve"})
    assert done.status_code == 302
    assert AccountRequest.objects.get(pk=wanted.pk).status == RequestStatus.APPROVED


def test_the_hub_gets_an_email_linking_to_the_request(admin, captain, sales):
    from unsilo.inbox.emails import render_notification
    from unsilo.mail.models import OutgoingMail

    wanted = _ask(captain, sales)
    told = Notification.objects.get(kind=NotificationKind.ACCOUNT_REQUEST, person=admin.person)
    mail = OutgoingMail.objects.get(topic="notification", source_id=told.pk)
    letter = render_notification(mail)
    assert "Sales requests acme.bsky.social on Bluesky" in letter.subject
    assert letter.items[0].link.endswith(f"/accounts/requests/{wanted.pk}/")


def test_the_pages_show_requests_confirmation_and_retiring(login, admin, captain, sales):
    _ask(captain, sales)
    account = factories.account(sales)
    _aged(account, 100)
    client = login(admin)
    listing = client.get("/accounts/").content.decode()
    assert "Requests (1 waiting)" in listing
    assert len(client.get("/accounts/?status=overdue").context["page"].object_list) == 1
    assert b"acme.bsky.social" in client.get("/accounts/requests/").content
    steward = factories.user(Role.RESPONDER, sales, person=account.stewards.first())
    page = login(steward).get(f"/accounts/{account.pk}/").content.decode()
    assert "Confirm I still look after this account" in page and "Confirmation overdue" in page
    assert login(steward).post(f"/accounts/{account.pk}/confirm/").status_code == 302
    assert not Account.objects.get(pk=account.pk).confirmation_overdue
    refused = login(admin).post(f"/accounts/{account.pk}/retire/", {"reason": ""})
    assert refused.status_code == 200 and Account.objects.get(pk=account.pk).status == "active"
    login(admin).post(f"/accounts/{account.pk}/retire/", {"reason": "Campaign over"})
    assert Account.objects.get(pk=account.pk).status == AccountStatus.RETIRED


def test_a_notification_links_only_to_a_path_of_unsilo(admin):
    from unsilo.inbox import notify

    for link, kept in (("/accounts/1/", "/accounts/1/"), ("https://evil.example/", ""),
                       ("//evil.example/", ""), ("javascript:alert(1)", "")):
        row = notify.unsaved([admin.person_id], NotificationKind.STEWARDSHIP, None, "x", link)[0]
        assert row.link == kept, link


def test_the_lapse_report_is_a_daily_periodic_job():
    from unsilo.core import periodic

    job = next(j for j in periodic.JOBS.values() if j.func is stewardship.report_lapsed)
    assert job.seconds == 86400 and job.when is stewardship.anything_lapsed
