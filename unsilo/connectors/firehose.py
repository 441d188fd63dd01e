"""Bluesky's event stream (`com.atproto.sync.subscribeRepos`): frames decoded and filtered down
to the posts that concern the company's accounts.

A frame is two DAG-CBOR values: a header ({op, t}) and a body. Only `#commit` bodies can hold
posts; their records sit in a CAR file inside the body (`blocks`). Most frames concern nobody
here, so the work is cut short as early as possible:

1. decode header and body (libipld, native code; `blocks` stays raw bytes);
2. keep only commits that create `app.bsky.feed.post` records, by others than us;
3. unless the author is watched, look for one of our DIDs in the raw CAR bytes — a reply,
   mention or quote of us must carry our DID there (one compiled regex over all of them);
4. only then decode the CAR and read the records.

`#identity` frames teach the handle cache; `#account`, `#sync`, `#info` are read for their
sequence number only. An error frame (op -1, e.g. FutureCursor) raises StreamError.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import libipld

from unsilo.connectors import http
from unsilo.connectors.base import ConnectorError, Incoming
from unsilo.connectors.networks.atproto_records import (
    POST,
    concerns,
    parse_time,
    post_message,
)

POST_PATH = POST + "/"
PLC = "https://plc.directory"
HANDLE_CACHE = 100_000


class StreamError(Exception):
    """The stream said no (an error frame): its error name and message."""


class Handles:
    """DID → handle, cached: learned from `#identity` frames, else looked up in the DID
    document (PLC directory for did:plc, the domain for did:web); the DID when unknown."""

    def __init__(self, plc: str = PLC, known: dict[str, str] | None = None,
                 lookup: bool = True):
        self.plc = plc.rstrip("/")
        self.names: dict[str, str] = dict(known or {})
        self.lookup = lookup
        self._http: httpx.Client | None = None
        self._web: httpx.Client | None = None

    def learn(self, did: str, handle: str) -> None:
        if len(self.names) >= HANDLE_CACHE:
            self.names.clear()
        self.names[did] = handle

    def of(self, did: str) -> str:
        name = self.names.get(did)
        if name is None:
            name = self._resolve(did) if self.lookup else did
            self.learn(did, name)
        return name

    def _resolve(self, did: str) -> str:
        if did.startswith("did:plc:"):
            if self._http is None:
                self._http = httpx.Client(timeout=10)
            client, url = self._http, f"{self.plc}/{did}"
        elif did.startswith("did:web:"):
            # Anyone may name any host in a did:web: it is called only if it is public.
            if self._web is None:
                self._web = http.client(public_only=True)
            host = did.removeprefix("did:web:")
            client, url = self._web, f"https://{host}/.well-known/did.json"
        else:
            return did
        try:
            document = client.get(url).json()
        except (httpx.HTTPError, ValueError, ConnectorError):
            return did
        aliases = document.get("alsoKnownAs") if isinstance(document, dict) else None
        for alias in aliases if isinstance(aliases, list) else ():
            if isinstance(alias, str) and alias.startswith("at://"):
                return alias.removeprefix("at://")
        return did


@dataclass
class Frame:
    seq: int | None
    kind: str  # "#commit", "#identity", …
    messages: list[Incoming] = field(default_factory=list)
    time: str = ""


class Filter:
    """Decodes frames and keeps the posts that concern `ours` (DID → our handle), or that are
    written by a watched DID (author DID → our handle it is watched for)."""

    def __init__(self, ours: dict[str, str], watch: dict[str, str] | None = None,
                 handles: Handles | None = None,
                 on_error: Callable[[Exception, dict], None] | None = None):
        self.handles = handles or Handles()
        self.on_error = on_error
        self.set_accounts(ours, watch or {})

    def set_accounts(self, ours: dict[str, str], watch: dict[str, str]) -> None:
        self.ours, self.watch = dict(ours), dict(watch)
        for did, handle in self.ours.items():
            self.handles.learn(did, handle)
        dids = sorted(self.ours, key=len, reverse=True)
        self._ours_bytes = (re.compile(b"|".join(re.escape(d.encode()) for d in dids))
                            if dids else None)

    def read(self, data: bytes) -> Frame:
        try:
            header, body = libipld.decode_dag_cbor_multi(data)
        except ValueError as error:  # skipped, not fatal: a restart would meet it again
            self._error(error, {})
            return Frame(seq=None, kind="undecodable")
        if header.get("op") == -1:
            raise StreamError(f"{body.get('error')}: {body.get('message') or ''}".strip(": "))
        kind = header.get("t") or ""
        frame = Frame(seq=body.get("seq"), kind=kind, time=body.get("time") or "")
        if kind == "#commit":
            frame.messages = self._commit(body)
        elif kind == "#identity" and isinstance(body.get("handle"), str):
            self.handles.learn(body["did"], body["handle"])
        return frame

    def _commit(self, body: dict) -> list[Incoming]:
        creates = [op for op in body.get("ops") or ()
                   if op.get("action") == "create" and op.get("path", "").startswith(POST_PATH)]
        repo = body.get("repo")
        if not creates or repo in self.ours:
            return []  # nothing posted, or posted by us
        blocks = body.get("blocks") or b""
        watched = self.watch.get(repo, "")
        if not watched and (self._ours_bytes is None or not self._ours_bytes.search(blocks)):
            return []
        try:
            records = libipld.decode_car(blocks)[1]
        except ValueError as error:
            self._error(error, body)
            return []
        seen = parse_time(body.get("time"))
        messages = []
        for op in creates:
            record = records.get(op.get("cid"))
            if not isinstance(record, dict):
                continue
            try:
                account = concerns(record, self.ours) or watched
                if account:
                    uri = f"at://{repo}/{op['path']}"
                    messages.append(post_message(uri, record, self.handles.of(repo), account,
                                                 seen))
            except (AttributeError, KeyError, TypeError, ValueError) as error:
                self._error(error, body)  # a malformed record from the wild: skip it
        return messages

    def _error(self, error: Exception, body: dict) -> None:
        if self.on_error:
            self.on_error(error, body)

