"""The event-stream filter: which posts of the whole network concern the company, and how they
become inbox messages; and the listener's reconnecting (frames built as the PDS encodes them;
the real server's in test_bluesky_listen.py)."""

import datetime
import threading
import time

import libipld
import pytest
from websockets.sync.server import serve

from tests.connectors import factories
from tests.connectors.bluesky_frames import CUSTOMER, OURS, STRANGER, commit, frame, post
from unsilo.connectors import inbound
from unsilo.connectors.cli.listen import Listener, stream_key, subscribe_url
from unsilo.connectors.firehose import Filter, Handles, StreamError
from unsilo.inbox.models import Message

HANDLE = "acme.bsky.social"
OUR_POST = f"at://{OURS}/app.bsky.feed.post/3lkq2aaaaaa2a"
THEIR_POST = f"at://{STRANGER}/app.bsky.feed.post/3lkq2bbbbbb2a"
PATH = "app.bsky.feed.post/3lkq5new0002a"


@pytest.fixture
def stream():
    handles = Handles(lookup=False, known={CUSTOMER: "maria.bsky.social"})
    return Filter({OURS: HANDLE}, handles=handles)


def only(stream, data):
    [message] = stream.read(data).messages
    return message


def test_a_reply_to_our_post_becomes_a_message_in_its_thread(stream):
    data = commit(CUSTOMER, ("create", PATH, post("Still broken", reply_to=OUR_POST,
                                                   root=THEIR_POST)), seq=41)
    frame = stream.read(data)
    assert (frame.seq, frame.kind) == (41, "#commit")
    [message] = frame.messages
    assert message.id == f"at://{CUSTOMER}/{PATH}"
    assert (message.thread_id, message.in_reply_to) == (THEIR_POST, OUR_POST)
    assert (message.author, message.account, message.text, message.lang) == (
        "maria.bsky.social", HANDLE, "Still broken", "en")
    assert message.url == "https://bsky.app/profile/maria.bsky.social/post/3lkq5new0002a"
    assert message.created_at == datetime.datetime(2026, 3, 1, 9, 59, 59, 500000,
                                                   tzinfo=datetime.UTC)


def test_a_reply_deeper_in_a_thread_we_started_is_ours(stream):
    message = only(stream, commit(CUSTOMER, ("create", PATH, post(
        "me too", reply_to=THEIR_POST, root=OUR_POST))))
    assert (message.thread_id, message.in_reply_to) == (OUR_POST, THEIR_POST)


def test_mentions_and_quotes_of_us_are_ours_and_start_their_own_thread(stream):
    mention = only(stream, commit(CUSTOMER, ("create", PATH, post("hey @acme", mention=OURS))))
    assert (mention.thread_id, mention.in_reply_to) == (mention.id, "")
    quote = only(stream, commit(CUSTOMER, ("create", PATH, post("lol", quote=OUR_POST))))
    assert quote.account == HANDLE
    with_media = only(stream, commit(CUSTOMER, ("create", PATH, post(
        "look", quote=OUR_POST, with_media=True))))
    assert with_media.text == "look"


def test_posts_that_do_not_concern_us_are_dropped(stream):
    assert stream.read(commit(CUSTOMER, ("create", PATH, post(
        "hi @other", reply_to=THEIR_POST, mention=STRANGER, quote=THEIR_POST)))).messages == []
    # Our DID in the text alone is no mention.
    assert stream.read(commit(CUSTOMER, ("create", PATH, post(f"see {OURS}")))).messages == []


def test_our_own_posts_likes_and_deletes_are_not_messages(stream):
    like = {"$type": "app.bsky.feed.like", "subject": {"uri": OUR_POST, "cid": "bafy"},
            "createdAt": "2026-03-01T10:00:00Z"}
    for data in (
        commit(OURS, ("create", PATH, post("thanks", reply_to=OUR_POST))),
        commit(CUSTOMER, ("create", "app.bsky.feed.like/3lkq5like002a", like)),
        commit(CUSTOMER, ("delete", PATH, None)),
        commit(CUSTOMER, ("update", PATH, post("edited", reply_to=OUR_POST))),
    ):
        assert stream.read(data).messages == []


def test_several_posts_in_one_commit_each_count(stream):
    frame = stream.read(commit(CUSTOMER,
                               ("create", "app.bsky.feed.post/3lkq5aaaaaa2a",
                                post("one", reply_to=OUR_POST)),
                               ("create", "app.bsky.feed.post/3lkq5bbbbbb2a", post("two")),
                               ("create", "app.bsky.feed.post/3lkq5cccccc2a",
                                post("three @acme", mention=OURS))))
    assert [m.text for m in frame.messages] == ["one", "three @acme"]


def test_a_watched_author_is_ours_whatever_they_post():
    stream = Filter({OURS: HANDLE}, watch={STRANGER: HANDLE}, handles=Handles(lookup=False))
    message = only(stream, commit(STRANGER, ("create", PATH, post("our CEO speaks"))))
    assert (message.account, message.author) == (HANDLE, STRANGER)  # unresolved: the DID


def test_identity_frames_teach_handles(stream):
    renamed = frame("#identity", {"did": CUSTOMER, "seq": 7, "handle": "maria.example.com",
                                  "time": "2026-03-01T10:00:00Z"})
    assert stream.read(renamed).seq == 7
    message = only(stream, commit(CUSTOMER, ("create", PATH, post("hi @a", mention=OURS))))
    assert message.author == "maria.example.com"


def test_other_frames_only_move_the_sequence_on(stream):
    for kind in ("#account", "#sync", "#info"):
        read = stream.read(frame(kind, {"did": CUSTOMER, "seq": 9, "active": True}))
        assert (read.seq, read.kind, read.messages) == (9, kind, [])


def test_an_error_frame_raises_with_the_streams_words(stream):
    data = libipld.encode_dag_cbor({"op": -1}) + libipld.encode_dag_cbor(
        {"error": "FutureCursor", "message": "Cursor in the future."})
    with pytest.raises(StreamError, match="FutureCursor: Cursor in the future."):
        stream.read(data)


def test_odd_records_are_read_as_far_as_they_make_sense(stream):
    odd = {"$type": "app.bsky.feed.post", "text": 5, "langs": [7], "createdAt": None,
           "reply": {"parent": "nope"},
           "facets": [{"features": "nope"}, {"features": [{"$type": "app.bsky.richtext"
                                                           ".facet#mention", "did": OURS}]}]}
    message = only(stream, commit(CUSTOMER, ("create", PATH, odd),
                                  time="2026-03-01T10:00:00.000Z"))
    assert (message.text, message.lang, message.in_reply_to) == ("", "", "")
    assert message.created_at == datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC)


def test_an_undecodable_commit_is_reported_and_skipped_not_fatal():
    errors = []
    stream = Filter({OURS: HANDLE}, handles=Handles(lookup=False),
                    on_error=lambda error, body: errors.append((body.get("seq"), str(error))))
    broken = frame("#commit", {"seq": 12, "repo": CUSTOMER, "time": "2026-03-01T10:00:00Z",
                               "ops": [{"action": "create", "path": PATH, "cid": None}],
                               "blocks": b"\x05not a car " + OURS.encode()})
    assert stream.read(broken).messages == []
    assert [seq for seq, _ in errors] == [12]
    garbage = stream.read(b"\xff\x00 not cbor")
    assert (garbage.seq, garbage.messages, len(errors)) == (None, [], 2)
    # The next frame is read as usual.
    assert only(stream, commit(CUSTOMER, ("create", PATH, post("@acme", mention=OURS))))


def test_accounts_can_change_while_listening(stream):
    data = commit(CUSTOMER, ("create", PATH, post("hi @new", mention=STRANGER)))
    assert stream.read(data).messages == []
    stream.set_accounts({OURS: HANDLE, STRANGER: "new.bsky.social"}, {})
    assert only(stream, data).account == "new.bsky.social"


# The listener's connection handling, against a stream server on loopback ---------------------


@pytest.fixture
def relay():
    """A stream server that sends frames 1–3 and drops the connection, then on the next
    connection sends what comes after the asked cursor and stays open."""
    frames = {seq: commit(CUSTOMER, ("create", f"app.bsky.feed.post/3lkq6aaaaa{seq}2a",
                                     post(f"@acme {seq}", mention=OURS)), seq=seq)
              for seq in range(1, 6)}
    asked, done = [], threading.Event()

    def handler(socket):
        asked.append(socket.request.path)
        cursor = int(socket.request.path.partition("cursor=")[2] or 0)
        if len(asked) == 1:
            for seq in (1, 2, 3):
                socket.send(frames[seq])
            time.sleep(0.3)
            socket.close()  # a dropped connection
            return
        for seq in range(cursor + 1, 6):
            socket.send(frames[seq])
        done.wait(10)

    with serve(handler, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.socket.getsockname()[1]}", asked
        done.set()
        server.shutdown()


@pytest.mark.django_db
def test_the_listener_reconnects_after_a_drop_and_goes_on_from_the_stored_cursor(relay):
    url, asked = relay
    factories.connection("bluesky", handle=HANDLE, external_id=OURS)
    said = []
    listener = Listener(url, "http://127.0.0.1:9", batch=1, flush_seconds=0.05, once_idle=1.0,
                        say=said.append)
    listener.filter.handles.lookup = False

    listener.run()

    assert asked == ["/xrpc/com.atproto.sync.subscribeRepos",
                     "/xrpc/com.atproto.sync.subscribeRepos?cursor=3"]
    assert any("reconnecting in" in line for line in said)
    texts = sorted(Message.objects.filter(network="bluesky").values_list("text", flat=True))
    assert texts == [f"@acme {seq}" for seq in range(1, 6)]
    assert inbound.position(stream_key(url)).value == "5"


def test_stream_urls_and_position_keys():
    assert subscribe_url("https://bsky.network", "") == \
        "wss://bsky.network/xrpc/com.atproto.sync.subscribeRepos"
    assert subscribe_url("http://127.0.0.1:2583/", "42") == \
        "ws://127.0.0.1:2583/xrpc/com.atproto.sync.subscribeRepos?cursor=42"
    assert stream_key("https://bsky.network") == "bluesky:firehose:bsky.network"
