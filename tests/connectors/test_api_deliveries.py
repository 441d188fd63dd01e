"""The outbound queue over the API: the list and its filters, one delivery, retry and cancel,
each with the role checked as in the web UI."""

import pytest

from tests import factories as f
from unsilo.connectors import outbound, sending
from unsilo.connectors.models import Delivery, DeliveryState
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system(label="test")


def delivery(silo, *, state=DeliveryState.QUEUED, text="We are on it.", error="",
             account=None, network="mastodon") -> Delivery:
    account = account or f.account(silo, network=network)
    made = outbound.queue(SYSTEM, kind="reply", network=account.network, text=text,
                          account=account, in_reply_to="109", silo_id=silo.pk)
    Delivery.objects.filter(pk=made.pk).update(state=state, last_error=error)
    made.refresh_from_db()
    return made


def ids(response) -> list[int]:
    return f.listed(response, "id")


@pytest.fixture
def care():
    return f.silo("Care")


def test_the_list_puts_failures_first_and_says_what_the_network_said(api, admin, care):
    sent = delivery(care, state=DeliveryState.SENT)
    failed = delivery(care, state=DeliveryState.FAILED, error="422: Text too long")
    page = api(admin).get("/api/v1/deliveries").json()
    assert page["count"] == 2 and [d["id"] for d in page["items"]] == [failed.pk, sent.pk]
    item = page["items"][0]
    assert (item["state"], item["last_error"], item["account_handle"], item["in_reply_to"],
            item["silo_id"], item["kind"]) == ("failed", "422: Text too long",
                                               failed.account.handle, "109", care.pk, "reply")
    assert item["next_attempt_at"] is None and item["idempotency_key"] == failed.idempotency_key


def test_the_list_filters_by_state_account_and_network(api, admin, care):
    account = f.account(care, network="x")
    on_x = delivery(care, account=account, state=DeliveryState.FAILED)
    other = delivery(care, network="reddit", state=DeliveryState.FAILED)
    delivery(care, account=account)
    client = api(admin)
    assert ids(client.get("/api/v1/deliveries", {"state": "failed", "network": "x"})) == [
        on_x.pk]
    assert sorted(ids(client.get("/api/v1/deliveries", {"state": "failed"}))) == sorted(
        [on_x.pk, other.pk])
    assert len(ids(client.get("/api/v1/deliveries", {"account_id": account.pk}))) == 2
    assert client.get("/api/v1/deliveries", {"state": "lost"}).status_code == 422


def test_the_list_pages_like_the_other_lists(api, admin, care):
    account = f.account(care)
    for n in range(3):
        delivery(care, account=account, text=f"reply {n}")
    page = api(admin).get("/api/v1/deliveries", {"limit": 2, "offset": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 1


def test_a_silo_reads_only_its_own_deliveries(api, care):
    mine = delivery(care)
    theirs = delivery(f.silo("Sales"))
    client = api(f.user(Role.RESPONDER, care))
    assert ids(client.get("/api/v1/deliveries")) == [mine.pk]
    assert client.get(f"/api/v1/deliveries/{mine.pk}").json()["text"] == "We are on it."
    missing = client.get(f"/api/v1/deliveries/{theirs.pk}")
    assert missing.status_code == 404 and missing.json()["detail"] == \
        f"No delivery with id {theirs.pk}."


def test_retry_queues_a_failed_delivery_again(api, care):
    failed = delivery(care, state=DeliveryState.FAILED, error="503: Over capacity")
    captain = f.user(Role.CAPTAIN, care)
    response = api(captain).post(f"/api/v1/deliveries/{failed.pk}/retry")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["attempts"]) == ("queued", 0)
    assert body["next_attempt_at"] is not None
    event = AuditEvent.objects.get(action="delivery_retry")
    assert (event.actor, event.via) == (captain, "api")


def test_retry_of_what_did_not_fail_is_refused_with_the_reason(api, admin, care):
    sent = delivery(care, state=DeliveryState.SENT)
    response = api(admin).post(f"/api/v1/deliveries/{sent.pk}/retry")
    assert response.status_code == 422
    assert response.json()["detail"] == ("state: Only a failed delivery can be retried; this "
                                         "one is sent.")


def test_cancel_stops_a_queued_delivery(api, admin, care):
    queued = delivery(care)
    response = api(admin).post(f"/api/v1/deliveries/{queued.pk}/cancel")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert sending.send(queued.pk) == DeliveryState.CANCELLED


# A viewer reads every silo's outbox (refused: 403); others do not see this one (404, as for a
# conversation of another silo).
@pytest.mark.parametrize("role,status", [(Role.CAPTAIN, 404), (Role.RESPONDER, 404),
                                         (Role.VIEWER, 403)])
def test_someone_outside_the_silo_may_not_retry_or_cancel(api, care, role, status):
    failed = delivery(care, state=DeliveryState.FAILED, error="boom")
    client = api(f.user(role, f.silo("Sales")))
    for verb in ("retry", "cancel"):
        response = client.post(f"/api/v1/deliveries/{failed.pk}/{verb}")
        assert response.status_code == status
        if status == 403:
            assert response.json()["detail"] == ("You may not act on this silo's outgoing "
                                                 "messages.")
    failed.refresh_from_db()
    assert failed.state == DeliveryState.FAILED


def test_a_viewer_of_the_silo_reads_but_may_not_retry(api, care):
    failed = delivery(care, state=DeliveryState.FAILED, error="boom")
    client = api(f.user(Role.VIEWER, care))
    assert ids(client.get("/api/v1/deliveries")) == [failed.pk]
    assert client.post(f"/api/v1/deliveries/{failed.pk}/retry").status_code == 403


def test_an_unknown_delivery_is_a_404(api, admin):
    response = api(admin).post("/api/v1/deliveries/424242/retry")
    assert response.status_code == 404 and response.json()["detail"] == \
        "No delivery with id 424242."


def test_without_a_token_the_api_answers_401(client, care):
    assert client.get("/api/v1/deliveries").status_code == 401
