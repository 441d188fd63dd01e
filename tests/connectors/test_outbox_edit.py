"""A failed reply can be edited and sent again, from the Outbox or its conversation; the
composer refuses a reply too long for the network before queuing it."""

import pytest

from tests import factories as f
from tests.connectors.test_outbox_pages import failed_reply
from tests.inbox import factories as inbox
from unsilo.connectors import outbound
from unsilo.connectors.models import Delivery, DeliveryState
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox.models import Direction, Message, MessageState

pytestmark = pytest.mark.django_db


@pytest.fixture
def care():
    return f.silo("Care")


def test_a_failed_reply_is_edited_and_sent_again_from_the_outbox(login, care):
    conv, row = failed_reply(care)
    client = login(f.user(Role.RESPONDER, care))
    outbox = client.get("/outbox/?state=failed").content.decode()
    assert f'href="/outbox/{row.pk}/edit/?next=' in outbox
    page = client.get(f"/outbox/{row.pk}/edit/?next=/inbox/c/{conv.pk}/")
    assert page.status_code == 200
    assert "403: You are not allowed to reply to this status" in page.content.decode()
    response = client.post(f"/outbox/{row.pk}/edit/", {
        "text": "Please restart the router, then tell us.", "next": f"/inbox/c/{conv.pk}/"})
    assert response.status_code == 302 and response.url == f"/inbox/c/{conv.pk}/"
    row.refresh_from_db()
    # Queued again (and, with the demo network here, sent once the request committed).
    assert row.text == "Please restart the router, then tell us."
    assert row.state in (DeliveryState.QUEUED, DeliveryState.SENT) and row.attempts <= 1
    message = Message.objects.get(pk=row.message_id)
    assert message.text == "Please restart the router, then tell us."
    assert message.state in (MessageState.QUEUED, MessageState.SENT)
    assert not message.delivery_error
    event = AuditEvent.objects.get(action="delivery_edited")
    assert event.changes["text"] == ["Please restart the router.",
                                     "Please restart the router, then tell us."]
    thread = client.get(f"/inbox/c/{conv.pk}/").content.decode()
    assert "Please restart the router, then tell us." in thread


def test_the_edit_is_refused_when_still_too_long(login, care):
    conv, row = failed_reply(care)
    Delivery.objects.filter(pk=row.pk).update(network="x")
    client = login(f.user(Role.RESPONDER, care))
    response = client.post(f"/outbox/{row.pk}/edit/", {"text": "a" * 281})
    assert response.status_code == 200
    assert "Too long for X: 281 characters, at most 280" in response.content.decode()
    row.refresh_from_db()
    assert row.state == DeliveryState.FAILED and row.text == "Please restart the router."


def test_only_who_may_act_edits_and_only_a_failed_delivery(login, care):
    conv, row = failed_reply(care)
    stranger = login(f.user(Role.RESPONDER, f.silo("Sales")))
    assert stranger.post(f"/outbox/{row.pk}/edit/", {"text": "hijack"}).status_code == 404
    viewer = login(f.user(Role.VIEWER, care))
    assert viewer.post(f"/outbox/{row.pk}/edit/", {"text": "hijack"}).status_code == 403
    Delivery.objects.filter(pk=row.pk).update(state=DeliveryState.SENT)
    captain = login(f.user(Role.CAPTAIN, care))
    response = captain.post(f"/outbox/{row.pk}/edit/", {"text": "again"})
    assert "Only a failed delivery can be edited" in response.content.decode()
    assert Delivery.objects.get(pk=row.pk).text == "Please restart the router."


def test_the_back_link_never_leaves_the_site(login, care):
    conv, row = failed_reply(care)
    client = login(f.user(Role.RESPONDER, care))
    page = client.get(f"/outbox/{row.pk}/edit/?next=javascript:alert(1)").content.decode()
    assert "javascript:" not in page
    assert 'href="/outbox/">Back' in page


def test_the_composer_refuses_a_reply_too_long_for_x_before_queuing(login, care):
    conv = inbox.conversation(care, network="x")
    client = login(f.user(Role.RESPONDER, care))
    page = client.get(f"/inbox/c/{conv.pk}/").content.decode()
    assert "X: 280 characters left" in page and "data-limit=" in page
    response = client.post(f"/inbox/c/{conv.pk}/reply/", {"reply-text": "Thanks! " * 40})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Too long for X: 319 characters, at most 280" in text
    assert "X: 39 over the limit of 280" in text  # the draft is kept, with its count
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
    assert not Delivery.objects.exists()


def test_the_api_refuses_the_same_with_the_field_named(api, care):
    conv = inbox.conversation(care, network="bluesky")
    client = api(f.user(Role.RESPONDER, care))
    response = client.post(f"/api/v1/conversations/{conv.pk}/replies",
                           {"text": "🙂" * 301}, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "Too long for Bluesky: 301 characters, at most 300" in response.content.decode()
    assert outbound.Delivery.objects.count() == 0
