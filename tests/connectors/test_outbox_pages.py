"""The outbox page and the Retry / Cancel buttons (on it and under a failed reply in its
conversation): who sees which deliveries, counts per state, filters, escaping, and the role
check on the server."""

import pytest

from tests import factories as f
from tests.inbox import factories as inbox
from unsilo.connectors import outbound, sending
from unsilo.connectors.models import Delivery, DeliveryState
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox import actions
from unsilo.inbox.models import MessageState

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system(label="test")


def delivery(silo, *, state=DeliveryState.QUEUED, text="We are on it.", error="",
             network="mastodon", account=None) -> Delivery:
    account = account or f.account(silo, network=network)
    made = outbound.queue(SYSTEM, kind="reply", network=account.network, text=text,
                          account=account, silo_id=silo.pk if silo else None)
    Delivery.objects.filter(pk=made.pk).update(state=state, last_error=error)
    made.refresh_from_db()
    return made


def failed_reply(silo):
    """A reply in a conversation of `silo` whose delivery failed with the network's words."""
    conv = inbox.conversation(silo)
    agent = Actor.for_user(f.user(Role.RESPONDER, silo))
    message = actions.reply(agent, conv, "Please restart the router.")
    row = Delivery.objects.get(message=message)
    Delivery.objects.filter(pk=row.pk).update(state=DeliveryState.SENDING, attempts=1)
    row.refresh_from_db()
    sending._fail(row, "403: You are not allowed to reply to this status")
    return conv, row


@pytest.fixture
def care():
    return f.silo("Care")


# The page -------------------------------------------------------------------------------------


def test_the_hub_sees_every_delivery_failed_first_with_counts_per_state(login, admin, care):
    sent = delivery(care, state=DeliveryState.SENT, text="sent one")
    failed = delivery(f.silo("Sales"), state=DeliveryState.FAILED, text="failed one",
                      error="503: Over capacity")
    delivery(None, text="a post with no silo")
    response = login(admin).get("/outbox/")
    assert response.status_code == 200
    rows = response.context["page"].object_list
    assert rows[0] == failed and sent in rows and len(rows) == 3
    counts = {c["value"]: c["n"] for c in response.context["counts"]}
    assert counts == {"failed": 1, "queued": 1, "sending": 0, "sent": 1, "cancelled": 0}
    page = response.content.decode()
    assert "503: Over capacity" in page
    assert f'action="/outbox/{failed.pk}/retry/"' in page
    assert f'action="/outbox/{sent.pk}/retry/"' not in page  # only what failed is retried
    assert '<a href="/outbox/" aria-current="page">Outbox</a>' in page


def test_a_silo_sees_only_its_own_deliveries(login, care):
    mine = delivery(care, text="ours")
    delivery(f.silo("Sales"), text="theirs")
    response = login(f.user(Role.RESPONDER, care)).get("/outbox/")
    assert response.context["page"].object_list == [mine]
    assert "theirs" not in response.content.decode()


def test_filters_by_state_account_and_network(login, admin, care):
    account = f.account(care, network="x")
    on_x = delivery(care, account=account, state=DeliveryState.FAILED, error="boom")
    delivery(care, network="reddit", state=DeliveryState.FAILED, error="boom")
    delivery(care, account=account, state=DeliveryState.SENT)
    client = login(admin)
    assert client.get(f"/outbox/?state=failed&account={account.pk}").context[
        "page"].object_list == [on_x]
    response = client.get("/outbox/?network=x&state=failed")
    assert response.context["page"].object_list == [on_x]
    counts = {c["value"]: c["n"] for c in response.context["counts"]}
    assert (counts["failed"], counts["sent"]) == (1, 1)  # the counts ignore the state filter
    partial = client.get("/outbox/?state=sent", headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="results">')


def test_user_text_and_the_networks_words_are_escaped(login, admin, care):
    delivery(care, state=DeliveryState.FAILED, text="<script>alert(1)</script>",
             error='<img src=x onerror="alert(2)">')
    page = login(admin).get("/outbox/").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_the_page_reads_a_fixed_number_of_queries_however_many_rows(
        login, admin, care, django_assert_max_num_queries):
    client = login(admin)
    for _ in range(3):
        delivery(care, state=DeliveryState.FAILED, error="boom")
    client.get("/outbox/")
    with django_assert_max_num_queries(12) as few:
        client.get("/outbox/")
    for _ in range(30):
        delivery(care, state=DeliveryState.FAILED, error="boom")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/outbox/")


def test_pages_of_fifty(login, admin, care):
    account = f.account(care)
    for n in range(51):
        delivery(care, account=account, text=f"reply {n}")
    client = login(admin)
    first = client.get("/outbox/")
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 of 2 (51 deliveries)" in first.content.decode()
    assert len(client.get("/outbox/?page=2").context["page"].object_list) == 1


# Retry and Cancel -----------------------------------------------------------------------------


def test_retry_from_the_outbox_queues_it_again_and_goes_back(login, care):
    failed = delivery(care, state=DeliveryState.FAILED, error="503: Over capacity")
    captain = f.user(Role.CAPTAIN, care)
    response = login(captain).post(f"/outbox/{failed.pk}/retry/",
                                   {"next": "/outbox/?state=failed"})
    assert response.status_code == 302 and response.url == "/outbox/?state=failed"
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (DeliveryState.QUEUED, 0)
    assert AuditEvent.objects.filter(action="delivery_retry", actor=captain).count() == 1


def test_a_captain_of_another_silo_may_not_retry_or_cancel(login, care):
    failed = delivery(care, state=DeliveryState.FAILED, error="503: Over capacity")
    client = login(f.user(Role.CAPTAIN, f.silo("Sales")))
    # Not in their outbox: not found, as a conversation of another silo is.
    assert client.post(f"/outbox/{failed.pk}/retry/").status_code == 404
    assert client.post(f"/outbox/{failed.pk}/cancel/").status_code == 404
    failed.refresh_from_db()
    assert failed.state == DeliveryState.FAILED


def test_a_viewer_sees_the_outbox_but_gets_no_buttons_and_may_not_retry(login, care):
    failed = delivery(care, state=DeliveryState.FAILED, error="boom")
    client = login(f.user(Role.VIEWER, care))
    page = client.get("/outbox/").content.decode()
    assert "boom" in page and "/retry/" not in page
    assert client.post(f"/outbox/{failed.pk}/retry/").status_code == 403


def test_retrying_what_is_not_failed_says_why(login, admin, care):
    sent = delivery(care, state=DeliveryState.SENT)
    response = login(admin).post(f"/outbox/{sent.pk}/retry/", follow=True)
    assert "Only a failed delivery can be retried; this one is sent." in \
        response.content.decode()


def test_a_redirect_elsewhere_is_refused(login, admin, care):
    failed = delivery(care, state=DeliveryState.FAILED, error="boom")
    response = login(admin).post(f"/outbox/{failed.pk}/cancel/",
                                 {"next": "https://evil.example/"})
    assert response.url == "/outbox/"
    failed.refresh_from_db()
    assert failed.state == DeliveryState.CANCELLED


def test_htmx_cancel_answers_the_row_again(login, admin, care):
    queued = delivery(care, text="not this one")
    response = login(admin).post(f"/outbox/{queued.pk}/cancel/", {"next": "/outbox/"},
                                 headers={"HX-Request": "true"})
    row = response.content.decode().strip()
    assert row.startswith(f'<tr id="delivery-{queued.pk}">')
    assert "Cancelled" in row and "/cancel/" not in row


def test_the_button_is_checked_on_the_server_for_an_unknown_delivery(login, admin):
    assert login(admin).post("/outbox/999999/retry/").status_code == 404


# Under a failed reply in its conversation -----------------------------------------------------


def test_a_failed_reply_shows_the_networks_error_with_retry_and_cancel(login, care):
    conv, row = failed_reply(care)
    client = login(f.user(Role.RESPONDER, care))
    page = client.get(f"/inbox/c/{conv.pk}/").content.decode()
    assert "403: You are not allowed to reply to this status" in page
    assert f'action="/outbox/{row.pk}/retry/"' in page
    assert f'action="/outbox/{row.pk}/cancel/"' in page

    response = client.post(f"/outbox/{row.pk}/retry/", {"next": f"/inbox/c/{conv.pk}/"})
    assert response.url == f"/inbox/c/{conv.pk}/"
    message = row.message
    message.refresh_from_db()
    assert (message.state, message.delivery_error) == (MessageState.QUEUED, "")
    page = client.get(f"/inbox/c/{conv.pk}/").content.decode()
    assert f'action="/outbox/{row.pk}/retry/"' not in page


def test_a_failed_reply_offers_no_buttons_to_someone_who_may_not_respond(login, care):
    conv, row = failed_reply(care)
    page = login(f.user(Role.VIEWER, care)).get(f"/inbox/c/{conv.pk}/").content.decode()
    assert "403: You are not allowed to reply" in page
    assert "/retry/" not in page


def test_a_cancelled_reply_shows_why_and_no_retry(login, care):
    conv, row = failed_reply(care)
    client = login(f.user(Role.CAPTAIN, care))
    client.post(f"/outbox/{row.pk}/cancel/", {"next": f"/inbox/c/{conv.pk}/"})
    page = client.get(f"/inbox/c/{conv.pk}/").content.decode()
    assert "not sent." in page and "/retry/" not in page
