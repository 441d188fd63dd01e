"""Bluesky event-stream frames decoded and filtered for the company's accounts, on one core:
frames per second of `unsilo.connectors.firehose.Filter`, beside a baseline in the same run
(every frame through atproto's models: frame, commit model, CAR, each created record as a
model).

    .venv/bin/python bench/firehose.py              # record 20,000 frames once, then time
    .venv/bin/python bench/firehose.py 50000 --fresh

The stream is recorded from the reference PDS on loopback (tools/pds): 40 accounts posting,
replying among themselves, liking, following and reposting, with about 6 % of the writes
mentioning, replying to or quoting one of two "company" accounts. The frames (as the PDS sent
them) are kept in bench/out/firehose-<n>.frames and reused by later runs.
"""

import argparse
import concurrent.futures
import json
import os
import random
import struct
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import _setup

OUT = _setup.REPO / "bench" / "out"
POST = "app.bsky.feed.post"
ACCOUNTS = 40
OURS = 2


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def record(n: int, path: Path) -> None:
    import httpx
    from websockets.sync.client import connect

    from unsilo.connectors.testing.pds import LocalPDS

    rng = random.Random(7)
    with LocalPDS() as pds, httpx.Client(timeout=60) as http:
        people = [pds.create_account(f"bench{i:03d}") for i in range(ACCOUNTS)]
        ours, others = people[:OURS], people[OURS:]
        our_posts, posts = [], []

        def write(author, collection, value):
            value = {"$type": collection, "createdAt": _now(), **value}
            response = http.post(f"{pds.url}/xrpc/com.atproto.repo.createRecord",
                                 headers={"Authorization": f"Bearer {author.access_jwt}"},
                                 json={"repo": author.did, "collection": collection,
                                       "record": value})
            response.raise_for_status()
            return response.json()

        for account in ours:  # something of ours to reply to and quote
            our_posts.append(write(account, POST, {"text": "Hello from the company"}))

        def one(i: int) -> None:
            author, roll = rng.choice(others), rng.random()
            target = rng.choice(our_posts)
            ref = {"uri": target["uri"], "cid": target["cid"]}
            if roll < 0.03:
                account = rng.choice(ours)
                text = f"@{account.handle} where is my order {i}?"
                write(author, POST, {"text": text, "facets": [{
                    "index": {"byteStart": 0, "byteEnd": len(account.handle) + 1},
                    "features": [{"$type": "app.bsky.richtext.facet#mention",
                                  "did": account.did}]}]})
            elif roll < 0.05:
                write(author, POST, {"text": f"reply {i}",
                                     "reply": {"root": ref, "parent": ref}})
            elif roll < 0.06:
                write(author, POST, {"text": f"quote {i}", "embed": {
                    "$type": "app.bsky.embed.record", "record": ref}})
            elif roll < 0.12 and posts:
                other = rng.choice(posts)
                other_ref = {"uri": other["uri"], "cid": other["cid"]}
                write(author, POST, {"text": f"I agree {i}",
                                     "reply": {"root": other_ref, "parent": other_ref}})
            elif roll < 0.27 and posts:
                other = rng.choice(posts)
                write(author, "app.bsky.feed.like",
                      {"subject": {"uri": other["uri"], "cid": other["cid"]}})
            elif roll < 0.30:
                write(author, "app.bsky.graph.follow", {"subject": rng.choice(others).did})
            elif roll < 0.33 and posts:
                other = rng.choice(posts)
                write(author, "app.bsky.feed.repost",
                      {"subject": {"uri": other["uri"], "cid": other["cid"]}})
            else:
                posts.append(write(author, POST, {
                    "text": f"Just a post about my day, number {i} 🌤️", "langs": ["en"]}))

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            for done, _ in enumerate(pool.map(one, range(n)), 1):
                if done % 2000 == 0:
                    print(f"  {done:,} of {n:,} written ({time.monotonic() - started:.0f} s)",
                          file=sys.stderr)
        frames = []
        url = pds.url.replace("http://", "ws://") + "/xrpc/com.atproto.sync.subscribeRepos"
        with connect(f"{url}?cursor=0", max_size=None) as socket:
            while True:
                try:
                    frames.append(socket.recv(timeout=3))
                except TimeoutError:
                    break
    OUT.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        for frame in frames:
            out.write(struct.pack(">I", len(frame)) + frame)
    path.with_suffix(".json").write_text(json.dumps({a.did: a.handle for a in ours}))


def load(path: Path) -> list[bytes]:
    data, frames, at = path.read_bytes(), [], 0
    while at < len(data):
        (size,) = struct.unpack_from(">I", data, at)
        frames.append(data[at + 4:at + 4 + size])
        at += 4 + size
    return frames


def ours_filter(frames: list[bytes], ours: dict[str, str]) -> int:
    from unsilo.connectors.firehose import Filter, Handles

    stream = Filter(ours, handles=Handles(lookup=False))
    return sum(len(stream.read(frame).messages) for frame in frames)


def baseline(frames: list[bytes], ours: dict[str, str]) -> int:
    """What a first version would do: atproto's models for everything."""
    from atproto import CAR, models, parse_subscribe_repos_message
    from atproto_subscription.frames import Frame

    from unsilo.connectors.networks.atproto_records import concerns

    found = 0
    for data in frames:
        message = parse_subscribe_repos_message(Frame.from_bytes(data))
        if not isinstance(message, models.ComAtprotoSyncSubscribeRepos.Commit):
            continue
        blocks = CAR.from_bytes(message.blocks).blocks
        for op in message.ops:
            if op.action != "create" or not op.cid:
                continue
            raw = blocks.get(op.cid)
            record = models.get_or_create(raw, strict=False)
            if (isinstance(record, models.AppBskyFeedPost.Record) and message.repo not in ours
                    and concerns(raw, ours)):
                found += 1
    return found


def best_of(runs: int, work, *args) -> tuple[float, int]:
    times, result = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        result = work(*args)
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=20_000, help="writes to record")
    parser.add_argument("--fresh", action="store_true", help="record again")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = OUT / f"firehose-{args.n}.frames"
    if args.fresh or not path.exists():
        print(f"Recording {args.n:,} writes from the local PDS into {path} …", file=sys.stderr)
        record(args.n, path)
    frames = load(path)
    ours = json.loads(path.with_suffix(".json").read_text())
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    ours_seconds, found = best_of(args.runs, ours_filter, frames, ours)
    base_seconds, base_found = best_of(min(args.runs, 2), baseline, frames, ours)
    assert found == base_found, f"filter found {found}, baseline {base_found}"
    # The slow path alone: frames whose CAR is decoded because a post concerns us.
    hits = [f for f in frames if ours_filter([f], ours)]
    hit_seconds, _ = best_of(args.runs, ours_filter, hits, ours)
    size = sum(map(len, frames)) / len(frames)
    print(f"Bluesky event stream, {len(frames):,} frames recorded from the local PDS "
          f"(mean {size:,.0f} bytes), {found:,} concern our {len(ours)} accounts")
    print(f"  unsilo Filter:        {len(frames) / ours_seconds:>10,.0f} frames/s "
          f"({ours_seconds * 1000:,.0f} ms, best of {args.runs})")
    print(f"  atproto models (all): {len(frames) / base_seconds:>10,.0f} frames/s "
          f"({base_seconds * 1000:,.0f} ms)")
    print(f"  unsilo Filter, only the {len(hits):,} frames that concern us: "
          f"{len(hits) / hit_seconds:,.0f} frames/s")
    print(f"  ratio {base_seconds / ours_seconds:,.1f}× — one core of {_setup.machine()}")


if __name__ == "__main__":
    main()
