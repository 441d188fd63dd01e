"""Links a network supplies (a feed entry's link, a status URL, a webhook's answer, the link
of a published reply, a profile) are kept only when they are http(s): the message or the
delivery goes through without them, and no page renders anything else into an href."""

import json
import time
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories as f
from tests.connectors import factories
from tests.connectors.network import network_api  # noqa: F401 - the `api` fixture
from tests.inbox.test_message_links import HOSTILE
from unsilo.connectors import outbound, sending, tasks
from unsilo.connectors.models import Delivery, DeliveryState, Sighting
from unsilo.connectors.networks.webhook import signature
from unsilo.connectors.testing.fakeapi import Reply
from unsilo.core.actor import Actor
from unsilo.inbox.models import Message

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "whsec-links-1"
XML = {"content-type": "application/rss+xml; charset=utf-8"}


def message(**fields) -> dict:
    return {"id": "form-1", "network": "contactform", "text": "My order never arrived",
            "author": "dana@example.com", "created_at": "2026-03-01T09:30:00Z", **fields}


def signed(body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {"X-Unsilo-Timestamp": timestamp,
            "X-Unsilo-Signature": signature(SECRET, timestamp, body)}


def no_hostile_href(page: str) -> None:
    lowered = page.lower()
    for scheme in ("javascript:", "vbscript:", "data:"):
        assert f'href="{scheme}' not in lowered and f'src="{scheme}' not in lowered
    assert 'href="//' not in page


def rss_feed(links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Entry {n}</title><guid>urn:entry:{n}</guid>"
        f"<link>{link.replace('&', '&amp;').replace('<', '&lt;')}</link></item>"
        for n, link in enumerate(links))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
            f"<link>https://news.example/</link>{items}</channel></rss>").encode()


def test_feed_entries_with_hostile_links_come_in_without_them(api):
    # feedparser resolves relative links against the feed's address, into http(s) ones.
    hostile = [link for link in HOSTILE if not link.startswith("/")]
    api.route("GET", "/feed.xml", body=rss_feed([*hostile, "https://news.example/1"]),
              headers=XML)
    conn = factories.connection("rss", handle="news",
                                options={"feed_url": f"{api.url}/feed.xml"})
    assert tasks.fetch_connection.call(conn.pk) == len(hostile) + 1
    urls = dict(Message.objects.values_list("external_id", "url"))
    assert urls.pop(f"urn:entry:{len(hostile)}") == "https://news.example/1"
    assert set(urls.values()) == {""}


def test_a_mastodon_status_with_a_hostile_url_comes_in_without_it(api):
    notes = json.loads((FIXTURES / "mastodon" / "notifications.json").read_text())
    notes[0]["status"]["url"] = "JaVaScRiPt:alert(1)"
    notes[1]["status"]["url"], notes[1]["status"]["uri"] = None, "java\tscript:alert(1)"
    api.route("GET", "/api/v1/notifications", [Reply(json=notes), Reply(json=[])])
    conn = factories.connection(
        "mastodon", handle="acme@social.example", external_id="109302",
        options={"instance": "https://social.example", "api_base": api.url},
        secret={"access_token": "tok"})
    assert tasks.fetch_connection.call(conn.pk) == 2
    assert set(Message.objects.values_list("url", flat=True)) == {""}


def test_a_webhook_message_with_a_hostile_url_is_refused_naming_it(client):
    conn = factories.connection("webhook", handle="contact-form", hook_secret=SECRET)
    body = json.dumps([message(), message(id="form-2", url="javascript:alert(1)")]).encode()
    response = client.post(f"/hooks/webhook/{conn.hook_id}/", body,
                           content_type="application/json", headers=signed(body))
    assert response.status_code == 400
    assert 'index 1: url: "javascript:alert(1)" is not an http:// or https:// URL' in (
        response.json()["error"])
    assert not Message.objects.exists()


@pytest.mark.parametrize("link", ["javascript:alert(1)", " javascript:alert(1)",
                                  "data:text/html,x", "//evil.example/"])
def test_a_webhook_answer_with_a_hostile_link_is_delivered_without_it(api, settings, link):
    settings.UNSILO_DEMO_DELIVERY = False
    api.route("POST", "/replies", json={"id": "r-7", "url": link})
    conn = factories.connection("webhook", handle="contact-form", hook_secret=SECRET,
                                options={"reply_url": f"{api.url}/replies"})
    conversation_message = Message.objects.create(
        network="webhook", external_id="form-1", author="dana", text="hello",
        created_at=timezone.now())
    reply = outbound.queue(Actor.system(), kind="reply", network="webhook", text="Sorry!",
                           account=conn.account, in_reply_to=conversation_message.external_id)
    assert sending.send(reply.pk) == DeliveryState.SENT
    reply.refresh_from_db()
    assert (reply.external_id, reply.url) == ("r-7", "")


def test_a_published_link_is_kept_when_it_is_https(api, settings):
    settings.UNSILO_DEMO_DELIVERY = False
    api.route("POST", "/replies", json={"id": "r-8", "url": "https://forms.example/r-8"})
    conn = factories.connection("webhook", handle="contact-form", hook_secret=SECRET,
                                options={"reply_url": f"{api.url}/replies"})
    reply = outbound.queue(Actor.system(), kind="reply", network="webhook", text="Sorry!",
                           account=conn.account, in_reply_to="form-1")
    assert sending.send(reply.pk) == DeliveryState.SENT
    reply.refresh_from_db()
    assert reply.url == "https://forms.example/r-8"


@pytest.mark.parametrize("link", HOSTILE)
def test_the_outbox_never_renders_a_hostile_published_link(login, admin, link):
    account = f.account(None, network="mastodon")
    made = outbound.queue(Actor.system(), kind="reply", network="mastodon", text="Sorry!",
                          account=account)
    Delivery.objects.filter(pk=made.pk).update(state=DeliveryState.SENT, url=link)
    page = login(admin).get("/outbox/?state=sent").content.decode()
    assert "Sorry!" in page and "on mastodon</a>" not in page
    no_hostile_href(page)


def test_a_hostile_handle_is_a_path_on_the_networks_own_site(login, admin):
    account = f.account(None, network="x", handle="javascript:alert(1)//")
    Sighting.objects.create(network="x", handle="javascript:alert(1)", matched="acme")
    client = login(admin)
    detail = client.get(f"/accounts/{account.pk}/").content.decode()
    assert 'href="https://x.com/javascript%3Aalert%281%29%2F%2F"' in detail
    no_hostile_href(detail)
    unregistered = client.get("/accounts/unregistered/").content.decode()
    assert 'href="https://x.com/javascript%3Aalert%281%29"' in unregistered
    no_hostile_href(unregistered)


def test_the_api_never_hands_out_a_hostile_published_link(admin):
    account = f.account(None, network="mastodon")
    made = outbound.queue(Actor.system(), kind="reply", network="mastodon", text="Sorry!",
                          account=account)
    Delivery.objects.filter(pk=made.pk).update(state=DeliveryState.SENT,
                                               url="javascript:alert(1)")
    # A client of its own: this module's `api` fixture is the network.
    client = Client(headers={"Authorization": f"Bearer {f.api_token(admin)}"})
    items = client.get("/api/v1/deliveries").json()["items"]
    assert [d["url"] for d in items] == [""]
