"""Ingestion through the API: validation by index and field, all or nothing, idempotency,
byte-identical text, permission."""

import json

import pytest

from tests import factories
from tests.inbox import factories as inbox_factories
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox.ingest import MAX_TEXT_BYTES
from unsilo.inbox.models import Message, MessageState

pytestmark = pytest.mark.django_db


def msg(n=1, **fields) -> dict:
    item = {"id": f"m{n}", "network": "bluesky", "text": f"Where is my parcel {n}?",
            "author": "ann.bsky.social", "created_at": "2026-03-01T09:30:00Z"}
    item.update(fields)
    return item


def post(client, body):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post("/api/v1/messages", data=data, content_type="application/json")


def problems(response) -> list[tuple[int, str, str]]:
    assert response.status_code == 422, response.content
    return [(e["index"], e["field"], e["reason"]) for e in response.json()["errors"]]


def test_one_message_or_a_list_is_stored_and_counted(api, admin):
    client = api(admin)
    one = post(client, msg(1))
    assert one.status_code == 202, one.content
    assert one.json() == {"received": 1, "new": 1, "duplicates": 0,
                          "ids": [Message.objects.get(external_id="m1").pk]}
    many = post(client, [msg(2), msg(3)])
    assert many.json()["new"] == 2
    stored = Message.objects.get(external_id="m2")
    assert stored.state == MessageState.RECEIVED
    assert stored.created_at.isoformat() == "2026-03-01T09:30:00+00:00"


def test_the_same_message_twice_is_stored_once_and_counted_as_a_duplicate(api, admin):
    client = api(admin)
    first = post(client, [msg(1), msg(2)]).json()
    again = post(client, [msg(1), msg(2), msg(3), msg(3)])
    assert again.status_code == 202
    body = again.json()
    assert (body["received"], body["new"], body["duplicates"]) == (4, 1, 3)
    assert body["ids"][:2] == first["ids"] and body["ids"][2] == body["ids"][3]
    assert Message.objects.count() == 3
    # Same id on another network is another message.
    assert post(client, msg(1, network="x")).json()["new"] == 1


def test_any_network_name_is_accepted_and_twitter_is_read_as_x(api, admin):
    client = api(admin)
    body = post(client, [msg(1, network="Twitter"), msg(2, network="myspace")]).json()
    assert body["new"] == 2
    assert list(Message.objects.order_by("external_id").values_list("network", flat=True)) == [
        "x", "myspace"]
    # The same message under its network's old name is the same message.
    assert post(client, msg(1, network="x")).json()["duplicates"] == 1


def test_every_bad_item_is_named_by_index_and_field_and_nothing_is_stored(api, admin):
    client = api(admin)
    items = [
        msg(0),
        {k: v for k, v in msg(1).items() if k != "author"},
        msg(2, id=""),
        msg(3, network="My Space!"),
        msg(4, created_at="yesterday"),
        msg(5, text=42),
        msg(6, author="ann\u0000"),
        "not an object",
        msg(8, lang=None, thread_id=["t"]),
    ]
    response = post(client, items)
    found = problems(response)
    assert (1, "author", "missing field") in found
    assert (2, "id", "empty id") in found
    assert any(i == 3 and f == "network" and '"My Space!" is not a network name' in r
               for i, f, r in found)
    assert any(i == 4 and f == "created_at" and "ISO 8601" in r for i, f, r in found)
    assert (5, "text", "must be a string, got number") in found
    assert (6, "author", "contains a NUL byte (\\u0000)") in found
    assert (7, "", "must be a JSON object, got str") in found
    assert (8, "thread_id", "must be a string, got array") in found
    assert not any(i in (0, 8) and f == "lang" for i, f, _ in found)  # null optional is fine
    assert response.json()["detail"].startswith("index 1: author: missing field")
    assert Message.objects.count() == 0


def test_text_of_exactly_100_kb_is_stored_whole_and_one_byte_more_is_refused(api, admin):
    client = api(admin)
    exact = "é" * (MAX_TEXT_BYTES // 2)  # two bytes each
    assert len(exact.encode()) == MAX_TEXT_BYTES
    assert post(client, msg(1, text=exact)).status_code == 202
    assert Message.objects.get(external_id="m1").text == exact
    found = problems(post(client, msg(2, text=exact + "a")))
    assert found[0][:2] == (0, "text")
    assert "102,401 bytes" in found[0][2]
    assert not Message.objects.filter(external_id="m2").exists()


def test_bad_body_is_a_clear_422(api, admin):
    client = api(admin)
    broken = post(client, b'{"id": "m1",')
    assert broken.status_code == 422
    assert broken.json()["detail"].startswith("body: not valid JSON")
    assert post(client, b"\xff\xfe").json()["detail"].startswith("body: not UTF-8 (byte 0xff")
    assert post(client, []).status_code == 422


def test_an_unpaired_surrogate_is_refused(api, admin):
    found = problems(post(api(admin), '[{"id": "m1", "network": "x", "text": "a\\ud800b", '
                                       '"author": "a", "created_at": "2026-01-01"}]'))
    assert found[0][:2] == (0, "text") and "surrogate" in found[0][2]


TRICKY = [
    "Paket kaputt 😡📦 — bitte helfen! 👩🏽‍💻🏳️‍🌈",
    "הזמנה שלי לא הגיעה، أين طلبي؟ ‏(RTL)‎",
    "Cafe\u0301 noe\u0308l n\u0303 — combining marks stay as sent",
    "<script>alert('x')</script> & \"quotes\"",
]


@pytest.mark.parametrize("text", TRICKY)
def test_text_comes_back_byte_identical_from_the_database_and_the_api(api, admin, text):
    client = api(admin)
    ids = post(client, msg(1, text=text, author=text[:20])).json()["ids"]
    stored = Message.objects.get(pk=ids[0])
    assert stored.text.encode("utf-8") == text.encode("utf-8")
    got = client.get(f"/api/v1/messages/{ids[0]}")
    assert got.status_code == 200
    assert got.json()["text"].encode("utf-8") == text.encode("utf-8")
    assert got.json()["author"] == text[:20]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CAPTAIN, Role.RESPONDER, Role.REVIEWER])
def test_only_the_hub_may_send_messages(api, sales, role):
    client = api(factories.user(role, sales))
    response = post(client, msg(1))
    assert response.status_code == 403
    assert Message.objects.count() == 0


def test_no_token_is_401(client):
    assert post(client, msg(1)).status_code == 401


def test_a_stored_message_is_hidden_from_readers_of_one_silo_until_it_reaches_theirs(
        api, admin, sales):
    ids = post(api(admin), msg(1)).json()["ids"]
    captain = factories.user(Role.CAPTAIN, sales)
    assert api(captain).get(f"/api/v1/messages/{ids[0]}").status_code == 404


def test_an_ingest_is_audited_once_with_its_counts(api, admin):
    client = api(admin)
    before = AuditEvent.objects.count()
    post(client, [msg(1), msg(2)])
    row = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert (row.action, row.actor_label, row.via) == ("ingest", "lead@example.com", "api")
    assert row.changes["new"] == [None, 2]


def test_processing_is_enqueued_when_the_messages_are_committed(
        api, admin, django_capture_on_commit_callbacks, monkeypatch):
    inbox_factories.fixed_routing(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        post(api(admin), [msg(1), msg(2, in_reply_to="m1")])
    # The test settings run tasks at once: the messages are processed and threaded.
    first, second = Message.objects.order_by("id")
    assert first.state == second.state == MessageState.PROCESSED
    assert first.conversation_id == second.conversation_id is not None


def test_the_same_id_twice_in_one_batch_with_another_text_is_a_bad_item(api, admin):
    client = api(admin)
    response = post(client, [msg(1), msg(2), msg(1, text="A different question")])
    assert problems(response) == [
        (2, "id", 'duplicate id "m1" on bluesky with a different text (first on index 0)')]
    assert Message.objects.count() == 0
    # The same id and the same content twice stays a duplicate.
    same = post(client, [msg(1), msg(1)]).json()
    assert (same["new"], same["duplicates"]) == (1, 1)
