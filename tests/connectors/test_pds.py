"""The local Bluesky server behaves like Bluesky where the connector depends on it: accounts,
posts with mention facets, records read back, and the firehose replayed from a cursor."""

import threading
from datetime import UTC, datetime

import httpx
import pytest
from atproto import CAR, FirehoseSubscribeReposClient, models, parse_subscribe_repos_message

POST = "app.bsky.feed.post"
Commit = models.ComAtprotoSyncSubscribeRepos.Commit


def create_post(pds, author, text, facets=()):
    response = httpx.post(
        f"{pds.url}/xrpc/com.atproto.repo.createRecord",
        headers={"Authorization": f"Bearer {author.access_jwt}"},
        json={
            "repo": author.did,
            "collection": POST,
            "record": {
                "$type": POST, "text": text, "facets": list(facets),
                "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            },
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


def mention(text, handle, did):
    """A mention facet over `@handle`; its offsets count UTF-8 bytes, as Bluesky's do."""
    start = text.encode().index(f"@{handle}".encode())
    return {
        "index": {"byteStart": start, "byteEnd": start + len(f"@{handle}".encode())},
        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
    }


def firehose(pds, cursor, done, timeout=20):
    """Decoded subscribeRepos frames from after `cursor`, until `done(frames)` holds."""
    client = FirehoseSubscribeReposClient(
        {"cursor": cursor}, base_uri=pds.url.replace("http://", "ws://", 1) + "/xrpc",
    )
    frames = []

    def on_message(message):
        frames.append(parse_subscribe_repos_message(message))
        if done(frames):
            client.stop()

    thread = threading.Thread(target=client.start, args=(on_message,), daemon=True)
    thread.start()
    thread.join(timeout)
    client.stop()
    thread.join(5)
    return frames


def post_commit(frames, post):
    """The firehose commit that created `post` (a createRecord answer), or None."""
    path = post["uri"].split("/", 3)[3]
    for frame in frames:
        if isinstance(frame, Commit):
            for op in frame.ops:
                if op.action == "create" and op.path == path and str(op.cid) == post["cid"]:
                    return frame, op
    return None


@pytest.fixture(scope="module")
def greeting(pds):
    """alice's post greeting bob with a mention, as (alice, bob, text, createRecord answer)."""
    alice, bob = pds.create_account("alice"), pds.create_account("bob")
    text = "Grüße @bob.test, welcome!"
    post = create_post(pds, alice, text, [mention(text, bob.handle, bob.did)])
    return alice, bob, text, post


def test_accounts_get_their_handles_and_plc_identities(pds, greeting):
    alice, bob, _, _ = greeting
    assert (alice.handle, bob.handle) == ("alice.test", "bob.test")
    assert alice.did.startswith("did:plc:") and bob.did.startswith("did:plc:")
    assert alice.did != bob.did
    document = httpx.get(f"{pds.plc_url}/{alice.did}").json()
    assert document["alsoKnownAs"] == ["at://alice.test"]


def test_a_post_with_a_mention_reads_back_unchanged(pds, greeting):
    alice, bob, text, post = greeting
    rkey = post["uri"].rsplit("/", 1)[1]
    response = httpx.get(
        f"{pds.url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": alice.did, "collection": POST, "rkey": rkey},
    )
    assert response.status_code == 200, response.text
    record = response.json()
    assert record["uri"] == f"at://{alice.did}/{POST}/{rkey}"
    assert record["cid"] == post["cid"]
    assert record["value"]["text"] == text
    [facet] = record["value"]["facets"]
    assert facet["features"] == [{"$type": "app.bsky.richtext.facet#mention", "did": bob.did}]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert text.encode()[start:end].decode() == "@bob.test"


def test_firehose_replays_the_post_commit_from_cursor_zero(pds, greeting):
    alice, bob, text, post = greeting
    frames = firehose(pds, 0, lambda frames: post_commit(frames, post) is not None)
    found = post_commit(frames, post)
    assert found, f"no commit for {post['uri']} in {len(frames)} frames"
    commit, op = found
    assert commit.repo == alice.did
    record = CAR.from_bytes(commit.blocks).blocks.get(op.cid)
    assert record["text"] == text
    assert record["facets"][0]["features"][0]["did"] == bob.did


def test_firehose_resumes_after_its_cursor_without_repeating(pds, greeting):
    alice, _, _, first = greeting
    frames = firehose(pds, 0, lambda frames: post_commit(frames, first) is not None)
    seen, _ = post_commit(frames, first)

    second = create_post(pds, alice, "A second post")
    resumed = firehose(pds, seen.seq, lambda frames: post_commit(frames, second) is not None)

    assert post_commit(resumed, second), "the new post did not arrive"
    assert post_commit(resumed, first) is None
    assert all(frame.seq > seen.seq for frame in resumed)
