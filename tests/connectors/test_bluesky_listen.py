"""`unsilo listen` as a real process, reading the reference PDS's event stream into a company
database of its own (a file SQLite database, or a fresh PostgreSQL one when the suite runs
there): mentions and replies arrive threaded, a restart resumes from the stored cursor, and a
listener killed with SIGKILL mid-stream loses nothing and stores nothing twice."""

import concurrent.futures
import json
import signal
import subprocess
import time
import uuid

import httpx
import pytest

from tests.core.test_worker_recovery import UNSILO, company, python  # noqa: F401
from tests.inbox.test_worker_kill import counter
from unsilo.connectors.cli.listen import stream_key

BLUESKY = "SELECT count(*) FROM inbox_message WHERE network = 'bluesky'"


def mention_facet(text, account):
    start = text.encode().index(f"@{account.handle}".encode())
    return [{"index": {"byteStart": start, "byteEnd": start + len(account.handle) + 1},
             "features": [{"$type": "app.bsky.richtext.facet#mention", "did": account.did}]}]


def mention(pds, author, ours, text, client=None):
    text = f"@{ours.handle} {text}"
    return post(pds, author, text, facets=mention_facet(text, ours), client=client)


def post(pds, author, text, facets=(), reply=None, client=None):
    record = {"$type": "app.bsky.feed.post", "text": text, "facets": list(facets),
              "createdAt": "2026-03-01T10:00:00.000Z"}
    if reply:
        record["reply"] = reply
    response = (client or httpx).post(
        f"{pds.url}/xrpc/com.atproto.repo.createRecord",
        headers={"Authorization": f"Bearer {author.access_jwt}"},
        json={"repo": author.did, "collection": "app.bsky.feed.post", "record": record})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def accounts(pds, company):  # noqa: F811
    """Our account, registered and connected in the company's database; a customer; and a
    stranger whose posts concern nobody."""
    suffix = uuid.uuid4().hex[:8]
    ours, customer, stranger = (pds.create_account(f"{who}{suffix}")
                                for who in ("acme", "cust", "strn"))
    python(company, f"""
        from tests.connectors import factories
        factories.connection("bluesky", handle="{ours.handle}", external_id="{ours.did}")
    """)
    return ours, customer, stranger


def listen(processes, pds, env, *extra):
    return processes(
        [UNSILO, "listen", "--service", pds.url, "--plc", pds.plc_url, "--cursor", "0",
         "--flush-seconds", "0.2", *extra],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_until(count, sql, at_least, seconds=30):
    deadline = time.monotonic() + seconds
    while count(sql) < at_least:
        assert time.monotonic() < deadline, f"{count(sql)} of {at_least} after {seconds} s"
        time.sleep(0.05)


def stop(process):
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    return err


def stored_position(count, pds):
    return count(f"SELECT CAST(position AS INTEGER) FROM connectors_streamposition "
                 f"WHERE key = '{stream_key(pds.url)}'")


@pytest.mark.django_db
def test_mentions_and_replies_arrive_threaded_and_a_restart_resumes(processes, pds,
                                                                     company,  # noqa: F811
                                                                     accounts):
    ours, customer, stranger = accounts
    count, db = counter(company)
    listener = listen(processes, pds, company)
    try:
        # The customer mentions us; we answer; the customer replies to our answer.
        first = mention(pds, customer, ours, "my order 1234 is late")
        ref = {"uri": first["uri"], "cid": first["cid"]}
        answer = post(pds, ours, "Sorry! Looking into it.", reply={"root": ref, "parent": ref})
        follow = post(pds, customer, "Thanks, still waiting", reply={
            "root": ref, "parent": {"uri": answer["uri"], "cid": answer["cid"]}})
        post(pds, stranger, "nothing to do with anyone")
        wait_until(count, BLUESKY, 2)
        err = stop(listener)
    finally:
        listener.kill()  # and the fixture ends its process group
    assert listener.returncode == 0, err
    assert "stopped at seq" in err
    rows = db.execute("SELECT external_id, thread_id, in_reply_to, author, account_handle "
                      "FROM inbox_message ORDER BY external_id").fetchall()
    assert sorted(rows) == sorted([
        (first["uri"], first["uri"], "", customer.handle, ours.handle),
        (follow["uri"], first["uri"], answer["uri"], customer.handle, ours.handle)])
    position = stored_position(count, pds)

    # While no one listens, more arrives; the next run starts where the last one stopped.
    later = [mention(pds, customer, ours, f"any news {i}?")["uri"] for i in range(3)]
    again = listen(processes, pds, company, "--once-idle", "1.5")
    _, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert f"subscribeRepos?cursor={position}" in err
    assert count(BLUESKY) == 5
    assert {u for (u,) in db.execute("SELECT external_id FROM inbox_message")} >= set(later)
    # Each message was new when stored: the second run did not read the first run's again.
    assert sum(_new(c) for c in ingested(db)) == 5
    assert sum(_new(c, "duplicates") for c in ingested(db)) == 0

    # The worker threads the mention and the reply to our answer into one conversation.
    python(company, """
        from unsilo.inbox.pipeline import process_pending
        process_pending()
    """)
    assert count("SELECT count(DISTINCT conversation_id) FROM inbox_message "
                 f"WHERE thread_id = '{first['uri']}'") == 1
    assert count("SELECT count(*) FROM inbox_message WHERE conversation_id IS NULL") == 0
    db.close()


N = 300


@pytest.mark.django_db
def test_a_listener_killed_mid_stream_loses_nothing_and_stores_nothing_twice(
        processes, pds, company, accounts):  # noqa: F811
    ours, customer, stranger = accounts
    count, db = counter(company)
    def write_all():
        """N posts that concern us (mentions of us, replies to our post), among as many that
        do not, four at a time."""
        with httpx.Client(timeout=30) as client:
            first = mention(pds, customer, ours, "first", client=client)
            announcement = post(pds, ours, "We are live!", client=client)
            ref = {"uri": announcement["uri"], "cid": announcement["cid"]}

            def one(i):
                if i % 2:
                    return post(pds, stranger, f"chatter {i}", client=client)["uri"], False
                if i % 4:
                    return mention(pds, customer, ours, f"number {i}", client=client)["uri"], True
                return post(pds, customer, f"reply {i}", client=client,
                            reply={"root": ref, "parent": ref})["uri"], True

            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                done = list(pool.map(one, range(2 * (N - 1))))
        return {first["uri"]} | {uri for uri, concerns_us in done if concerns_us}

    listener = listen(processes, pds, company, "--batch", "20")
    with concurrent.futures.ThreadPoolExecutor(1) as writer:
        posted = writer.submit(write_all)
        try:
            wait_until(count, BLUESKY, N // 4)
        finally:
            listener.send_signal(signal.SIGKILL)
            _, first_err = listener.communicate(timeout=30)
        at_kill = count(BLUESKY)
        position = stored_position(count, pds)
        assert 0 < at_kill < N, "the listener was not killed mid-stream"

        restarted = listen(processes, pds, company, "--batch", "20", "--once-idle", "3")
        expected = posted.result(timeout=120)
        _, err = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, err
    assert f"subscribeRepos?cursor={position}" in err

    stored = [u for (u,) in db.execute("SELECT external_id FROM inbox_message")]
    assert len(expected) == N
    assert len(stored) == N and set(stored) == expected  # no gap, nothing twice
    # Every message went in once: the ingest audit rows add up to N new ones.
    assert sum(_new(c) for c in ingested(db)) == N
    assert sum(_new(c, "duplicates") for c in ingested(db)) == 0
    db.close()


def ingested(db) -> list:
    return [c for (c,) in db.execute(
        "SELECT changes FROM core_auditevent WHERE action = 'ingest' ORDER BY id")]


def _new(changes, field="new") -> int:
    changes = json.loads(changes) if isinstance(changes, str) else changes
    return changes[field][1]
