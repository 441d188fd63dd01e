"""Connectors are plug-ins: a package found through the entry-point group `unsilo.connectors`
adds a network, and one that fails to load leaves the others working. The worked example of
docs/connectors.md (examples/unsilo-discourse) is exercised end to end here."""

import sys
from pathlib import Path

import pytest

from tests.connectors import factories
from unsilo.connectors import outbound, plugins, sending, tasks
from unsilo.connectors.models import DeliveryState
from unsilo.connectors.testing.fakeapi import FakeAPI, Reply
from unsilo.core.actor import Actor
from unsilo.inbox.models import Message

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "unsilo-discourse"


@pytest.fixture
def installed_example(tmp_path, monkeypatch):
    """The example package as pip would install it: importable, with its entry point in a
    dist-info folder on sys.path."""
    info = tmp_path / "unsilo_discourse-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: unsilo-discourse\n"
                                   "Version: 0.1.0\n")
    (info / "entry_points.txt").write_text(
        '[unsilo.connectors]\ndiscourse = unsilo_discourse:DiscourseConnector\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(EXAMPLE))
    plugins.reload()
    yield
    sys.modules.pop("unsilo_discourse", None)
    monkeypatch.undo()
    plugins.reload()


def test_a_package_adds_a_network_through_the_entry_point_group(installed_example):
    found = plugins.connector("discourse")
    assert type(found).__name__ == "DiscourseConnector" and found.label == "Discourse forum"
    assert "bluesky" in plugins.connectors()  # the built-in ones are plug-ins the same way


def test_a_plugin_that_fails_to_load_is_reported_and_the_others_still_load(monkeypatch):
    monkeypatch.setenv("UNSILO_CONNECTORS", "broken=no_such_package.connector:Nope")
    plugins.reload()
    try:
        assert "broken" not in plugins.connectors()
        assert "No module named 'no_such_package'" in plugins.broken()["broken"]
        assert "webhook" in plugins.connectors()
    finally:
        monkeypatch.delenv("UNSILO_CONNECTORS")
        plugins.reload()


@pytest.fixture
def forum():
    api = FakeAPI()
    yield api
    api.close()


POSTS = {"latest_posts": [  # newest first, as Discourse lists them
    {"id": 32, "topic_id": 7, "post_number": 3, "username": "acme_support",
     "raw": "We are on it.", "created_at": "2026-11-30T10:05:00.000Z",
     "reply_to_post_number": 2},
    {"id": 31, "topic_id": 7, "post_number": 2, "username": "maria",
     "raw": "Still broken after the update", "created_at": "2026-11-30T10:00:00.000Z",
     "reply_to_post_number": 1},
    {"id": 30, "topic_id": 7, "post_number": 1, "username": "maria",
     "raw": "Dishwasher error E24", "created_at": "2026-11-30T09:00:00.000Z",
     "reply_to_post_number": None},
]}


@pytest.mark.django_db(transaction=True)
def test_the_example_connector_reads_the_forum_and_replies_once(installed_example, forum,
                                                                  settings):
    settings.UNSILO_DEMO_DELIVERY = False
    forum.route("GET", "/posts.json", json=POSTS)
    forum.route("POST", "/posts.json", json={"id": 33, "topic_id": 7, "post_number": 4})
    conn = factories.connection("discourse", handle="acme_support",
                                options={"api_base": forum.url, "api_username": "acme_support"},
                                secret={"api_key": "k-123"})

    assert tasks.fetch_connection.call(conn.pk) == 2  # our own post is not inbound
    assert tasks.fetch_connection.call(conn.pk) == 0  # the position kept: nothing twice
    first = Message.objects.get(external_id="7/1")
    assert (first.author, first.thread_id, first.text) == ("maria", "7/1", "Dishwasher error E24")
    assert Message.objects.get(external_id="7/2").in_reply_to == "7/1"
    call = forum.calls("GET", "/posts.json")[0]
    assert (call.headers["api-key"], call.headers["api-username"]) == ("k-123", "acme_support")

    delivery = outbound.queue(Actor.system(), kind="reply", network="discourse",
                              text="Try a reset", account=conn.account, in_reply_to="7/2")
    assert sending.send(delivery.pk) == DeliveryState.SENT
    assert forum.calls("POST", "/posts.json")[0].json() == {
        "raw": "Try a reset", "topic_id": 7, "reply_to_post_number": 2}
    delivery.refresh_from_db()
    assert delivery.external_id == "7/4"


def test_a_rate_limited_forum_says_how_long_to_wait(installed_example, forum, db):
    from unsilo.connectors.base import RateLimited

    forum.route("GET", "/posts.json", Reply(429, json={"errors": ["Slow down"]},
                                            headers={"Retry-After": "42"}))
    conn = factories.connection("discourse", options={"api_base": forum.url,
                                                      "api_username": "acme"},
                                secret={"api_key": "k"})
    with pytest.raises(RateLimited) as raised:
        plugins.connector("discourse").fetch(factories.session(conn), "")
    assert raised.value.retry_after == 42
