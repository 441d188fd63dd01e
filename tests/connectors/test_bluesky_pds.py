"""Bluesky against the reference PDS on loopback (the `pds` fixture): connecting with an app
password, posting and replying through the outbound queue, and never posting twice."""

import datetime
import uuid

import httpx
import pytest

from tests.connectors import factories
from unsilo.connectors import outbound, sending, tasks
from unsilo.connectors.base import Outbound
from unsilo.connectors.models import ConnectionStatus, Delivery, DeliveryState
from unsilo.connectors.networks.atproto_records import delivery_rkey
from unsilo.connectors.networks.bluesky import BlueskyConnector
from unsilo.core.actor import Actor

POST = "app.bsky.feed.post"
BLUESKY = BlueskyConnector()


def name(prefix):
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def create_post(pds, author, text, reply=None):
    record = {"$type": POST, "text": text,
              "createdAt": datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")}
    if reply:
        record["reply"] = reply
    response = httpx.post(f"{pds.url}/xrpc/com.atproto.repo.createRecord",
                          headers={"Authorization": f"Bearer {author.access_jwt}"},
                          json={"repo": author.did, "collection": POST, "record": record})
    assert response.status_code == 200, response.text
    return response.json()


def posts_of(pds, did):
    response = httpx.get(f"{pds.url}/xrpc/com.atproto.repo.listRecords",
                         params={"repo": did, "collection": POST, "limit": 100})
    return response.json()["records"]


def record(pds, uri):
    did, collection, rkey = uri.removeprefix("at://").split("/")
    return httpx.get(f"{pds.url}/xrpc/com.atproto.repo.getRecord",
                     params={"repo": did, "collection": collection, "rkey": rkey}).json()


@pytest.fixture
def settings_no_demo(settings):
    settings.UNSILO_DEMO_DELIVERY = False
    return settings


@pytest.fixture
def company(pds, db, settings_no_demo):
    """Our account, connected with an app password as the connect form stores it and verified
    by the worker; and a customer on the same server."""
    ours, customer = pds.create_account(name("acme")), pds.create_account(name("cust"))
    conn = factories.connection("bluesky", handle=ours.handle, options={"service": pds.url},
                                secret={"app_password": ours.password},
                                status=ConnectionStatus.PENDING)
    assert tasks.verify_connection.call(conn.pk) == ConnectionStatus.CONNECTED
    conn.refresh_from_db()
    return ours, customer, conn


def test_connecting_with_an_app_password_verifies_the_did(pds, company):
    ours, _, conn = company
    assert conn.external_id == ours.did
    stored = factories.stored_secret(conn)
    assert stored["did"] == ours.did and stored["access_jwt"] and stored["refresh_jwt"]


def test_a_wrong_app_password_leaves_the_connection_needing_reconnecting(pds, db):
    account = pds.create_account(name("acme"))
    conn = factories.connection("bluesky", handle=account.handle, options={"service": pds.url},
                                secret={"app_password": "wrong-password"},
                                status=ConnectionStatus.PENDING)
    assert tasks.verify_connection.call(conn.pk) == ConnectionStatus.EXPIRED
    conn.refresh_from_db()
    assert "Invalid identifier or password" in conn.last_error


def test_a_post_goes_out_through_the_queue_under_its_own_record_key(pds, company):
    ours, _, conn = company
    delivery = outbound.queue(Actor.system(), kind="post", network="bluesky",
                              text="We are back online. Thanks for your patience!",
                              account=conn.account)
    assert sending.send(delivery.pk) == DeliveryState.SENT

    delivery.refresh_from_db()
    rkey = delivery_rkey(delivery.idempotency_key, delivery.created_at)
    assert delivery.external_id == f"at://{ours.did}/{POST}/{rkey}"
    assert delivery.url == f"https://bsky.app/profile/{ours.handle}/post/{rkey}"
    [posted] = posts_of(pds, ours.did)
    assert posted["uri"] == delivery.external_id
    assert posted["value"]["text"] == "We are back online. Thanks for your patience!"


def test_replies_refer_to_their_parent_and_the_threads_root(pds, company):
    ours, customer, conn = company
    root = create_post(pds, customer, f"@{ours.handle} my parcel is lost")
    first = outbound.queue(Actor.system(), kind="reply", network="bluesky",
                           text=f"Sorry @{customer.handle}! Which order?", account=conn.account,
                           in_reply_to=root["uri"], thread_id=root["uri"])
    assert sending.send(first.pk) == DeliveryState.SENT
    first.refresh_from_db()
    ref = {"uri": root["uri"], "cid": root["cid"]}
    answer = record(pds, first.external_id)
    assert answer["value"]["reply"] == {"root": ref, "parent": ref}
    [facet] = answer["value"]["facets"]
    assert facet["features"][0]["did"] == customer.did

    follow = create_post(pds, customer, "Order 1234",
                         reply={"root": ref, "parent": {"uri": first.external_id,
                                                        "cid": answer["cid"]}})
    second = outbound.queue(Actor.system(), kind="reply", network="bluesky",
                            text="Found it, it arrives tomorrow.", account=conn.account,
                            in_reply_to=follow["uri"], thread_id=root["uri"])
    assert sending.send(second.pk) == DeliveryState.SENT
    second.refresh_from_db()
    assert record(pds, second.external_id)["value"]["reply"] == {
        "root": ref, "parent": {"uri": follow["uri"], "cid": follow["cid"]}}


def test_delivering_the_same_outbound_twice_posts_once(pds, company):
    ours, _, conn = company
    out = Outbound(delivery_id=1, kind="post", network="bluesky", account_handle=ours.handle,
                   text="Only once, please.", idempotency_key=uuid.uuid4().hex,
                   created_at=datetime.datetime.now(datetime.UTC))
    session = factories.session(conn)
    assert BLUESKY.find_sent(session, out) is None

    first = BLUESKY.deliver(session, out)
    again = BLUESKY.deliver(session, out)  # as after a timeout: the record is there already

    assert again == first
    assert [p["uri"] for p in posts_of(pds, ours.did)] == [first.external_id]
    assert BLUESKY.find_sent(session, out) == first


def test_an_in_doubt_delivery_is_sent_again_without_a_double_post(pds, company):
    ours, _, conn = company
    delivery = outbound.queue(Actor.system(), kind="post", network="bluesky",
                              text="Maintenance tonight.", account=conn.account)
    session = factories.session(conn)
    # The first attempt reached the network, then the worker died before recording it.
    BLUESKY.deliver(session, sending.outbound(delivery))
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.SENDING, attempts=1,
        lease_until=datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1))

    assert sending.send(delivery.pk) == DeliveryState.SENT

    assert len(posts_of(pds, ours.did)) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.state == DeliveryState.SENT
