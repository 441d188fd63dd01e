"""subscribeRepos frames built the way the reference PDS encodes them (DAG-CBOR header and body;
a CAR file of the commit block, a tree node and the records in `blocks`), for unit tests of
the stream filter. The PDS tests read real ones."""

import datetime
import hashlib
import itertools

import libipld

_seq = itertools.count(1)
OURS = "did:plc:acmeacmeacmeacmeacmeacme"
CUSTOMER = "did:plc:cust0mer1aaaaaaaaaaaaaaa"
STRANGER = "did:plc:str4ngerstr4ngerstr4nger"


def cid(data: bytes) -> bytes:
    """A CIDv1, dag-cbor, sha2-256, as raw bytes (libipld writes such bytes as links)."""
    return b"\x01\x71\x12\x20" + hashlib.sha256(data).digest()


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | 0x80 if n else byte)
        if not n:
            return bytes(out)


def car(blocks: list[bytes]) -> tuple[bytes, list[bytes]]:
    cids = [cid(b) for b in blocks]
    header = libipld.encode_dag_cbor({"version": 1, "roots": [cids[0]]})
    out = _varint(len(header)) + header
    for c, data in zip(cids, blocks, strict=True):
        out += _varint(len(c) + len(data)) + c + data
    return out, cids


def frame(kind: str, body: dict) -> bytes:
    return libipld.encode_dag_cbor({"t": kind, "op": 1}) + libipld.encode_dag_cbor(body)


def commit(repo: str, *ops: tuple[str, str, dict | None], seq: int | None = None,
           time: str = "2026-03-01T10:00:00.000Z") -> bytes:
    """A #commit frame of `repo` with ops (action, path, record or None)."""
    records = [libipld.encode_dag_cbor(r) for _, _, r in ops if r is not None]
    node = libipld.encode_dag_cbor({"e": [], "l": None})
    head = libipld.encode_dag_cbor({"did": repo, "rev": "3n3kcqq", "sig": b"\x00" * 64,
                                    "data": cid(node), "prev": None, "version": 3})
    blocks, cids = car([head, node, *records])
    record_cids = iter(cids[2:])
    body = {"ops": [{"cid": next(record_cids) if r is not None else None, "path": path,
                     "action": action} for action, path, r in ops],
            "rev": "3n3kcqq", "seq": seq if seq is not None else next(_seq), "repo": repo,
            "time": time, "blobs": [], "since": None, "blocks": blocks, "commit": cids[0],
            "rebase": False, "tooBig": False}
    return frame("#commit", body)


def post(text: str, *, reply_to: str = "", root: str = "", mention: str = "",
         quote: str = "", with_media: bool = False, langs=("en",)) -> dict:
    record = {"$type": "app.bsky.feed.post", "text": text, "langs": list(langs),
              "createdAt": "2026-03-01T09:59:59.500Z"}
    if reply_to:
        record["reply"] = {"root": {"uri": root or reply_to, "cid": "bafyroot"},
                           "parent": {"uri": reply_to, "cid": "bafyparent"}}
    if mention:
        start = text.encode().index(b"@")
        record["facets"] = [{"index": {"byteStart": start, "byteEnd": len(text.encode())},
                             "features": [{"$type": "app.bsky.richtext.facet#mention",
                                           "did": mention}]}]
    if quote:
        embed = {"$type": "app.bsky.embed.record", "record": {"uri": quote, "cid": "bafyq"}}
        if with_media:
            embed = {"$type": "app.bsky.embed.recordWithMedia", "record": embed,
                     "media": {"$type": "app.bsky.embed.images", "images": []}}
        record["embed"] = embed
    return record


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")
