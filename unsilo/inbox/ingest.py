"""Ingestion: every inbound message — API, `unsilo ingest`, connectors — enters here.

validate → store (idempotent on network + id) → enqueue processing on commit. The worker
then threads, classifies, routes and notifies (`pipeline.py`).

A request (API call) or a file (CLI) is **all or nothing**: every item is checked first, and
when any is bad nothing is stored and every bad item is reported by index (API, from 0) or
physical line (file, from 1) with its field and reason. A client fixes and sends again; since
storing is idempotent, sending again what went in before is safe and counted as duplicates.
The same id twice in one batch is a duplicate only when both items say the same; otherwise the
second is a bad item naming the first, so no text is dropped unseen.
Fields not in the contract (docs/product.md) are ignored, so richer lines (history) are accepted.
"""

import datetime
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from unsilo.core import audit
from unsilo.core.actor import Actor
from unsilo.core.bulk import insert_new
from unsilo.core.models import AuditEvent
from unsilo.core.permissions import require
from unsilo.core.weburl import is_web_url, web_url
from unsilo.inbox.models import Direction, Message, MessageState
from unsilo.learning.types import Incoming

# Any network may send messages in (a back-test file, a network without a connector yet); the
# ones in the registry also get a connector. Old names are read as the network's current one.
NETWORK_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,29}")
NETWORK_ALIASES = {"twitter": "x"}


def network_name(value: str) -> str | None:
    """The stored name of a network as a message gives it, or None when it cannot be one."""
    name = value.strip().lower()
    if not NETWORK_NAME.fullmatch(name):
        return None
    return NETWORK_ALIASES.get(name, name)


MAX_TEXT_BYTES = 100 * 1024  # 100 KB of UTF-8: exactly this is accepted and stored whole
REQUIRED = ("id", "network", "text", "author", "created_at")
OPTIONAL = ("account", "thread_id", "in_reply_to", "url", "lang")
# Longest value each field may have, in characters (the columns they are stored in).
LIMITS = {"id": 200, "author": 200, "account": 200, "thread_id": 200, "in_reply_to": 200,
          "url": 2000, "lang": 16}
# Rows per INSERT batch while storing.
CHUNK = 500
BOM = b"\xef\xbb\xbf"

Progress = Callable[[str, int, int], None]  # progress(phase, done, total)


@dataclass(frozen=True)
class ItemError:
    """One problem: `at` is the line (files, from 1) or index (API, from 0) of the item."""

    at: int
    field: str  # "" when the whole item is unreadable
    reason: str

    def describe(self, where: str = "line") -> str:
        return f"{where} {self.at}: " + (f"{self.field}: {self.reason}" if self.field
                                          else self.reason)


@dataclass
class IngestReport:
    received: int = 0  # valid items
    new: int = 0
    duplicates: int = 0
    errors: list[ItemError] = field(default_factory=list)
    new_ids: list[int] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)  # API: every item's message id, in order

    @property
    def ok(self) -> bool:
        return not self.errors


# Checking ------------------------------------------------------------------------------------


def _type_name(value) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", list: "array",
            dict: "object"}.get(type(value), type(value).__name__)


def _string_problem(value: str) -> str | None:
    if "\x00" in value:
        return "contains a NUL byte (\\u0000)"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            return (f"contains an unpaired surrogate (\\u{ord(value[error.start]):04x}), "
                    "which is not valid UTF-8")
    return None


def parse_time(value: str) -> datetime.datetime | None:
    """ISO 8601 (a trailing Z accepted); without a zone the time is taken as UTC."""
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def check_message(item) -> tuple[Incoming | None, list[tuple[str, str]]]:
    """The message an item (a decoded JSON value) holds, or its problems as (field, reason).
    The history import checks its lines' message fields with this too."""
    if not isinstance(item, dict):
        return None, [("", f"must be a JSON object, got {_type_name(item)}")]
    problems: list[tuple[str, str]] = []
    values: dict[str, str] = {}
    for name in REQUIRED + OPTIONAL:
        value = item.get(name)
        if value is None:
            if name in REQUIRED:
                problems.append((name, "missing field" if name not in item
                                 else "must be a string, got null"))
            continue
        if not isinstance(value, str):
            problems.append((name, f"must be a string, got {_type_name(value)}"))
            continue
        if problem := _string_problem(value):
            problems.append((name, problem))
            continue
        limit = LIMITS.get(name)
        if limit and len(value) > limit:
            problems.append((name, f"longer than {limit} characters ({len(value):,})"))
            continue
        values[name] = value
    if "id" in values and not values["id"].strip():
        problems.append(("id", "empty id"))
    if "author" in values and not values["author"].strip():
        problems.append(("author", "empty author"))
    network = values.get("network")
    if network is not None:
        network = network_name(network)
        if network is None:
            problems.append(("network", f'"{values["network"][:40]}" is not a network name '
                                        "(lowercase letters, digits, '.', '_', '-'; at most 30)"))
    text = values.get("text")
    # A character is at most 4 bytes: only long texts need encoding to be measured.
    if text is not None and len(text) * 4 > MAX_TEXT_BYTES:
        size = len(text.encode("utf-8"))
        if size > MAX_TEXT_BYTES:
            problems.append(("text", f"longer than 100 KB ({size:,} bytes of UTF-8; "
                                     f"at most {MAX_TEXT_BYTES:,})"))
    if values.get("url") and not is_web_url(values["url"]):
        # JSON quoting shows a tab or a leading space that hides a scheme.
        problems.append(("url", f"{json.dumps(values['url'][:40])} is not an http:// or "
                                "https:// URL"))
    created = None
    if "created_at" in values:
        created = parse_time(values["created_at"])
        if created is None:
            problems.append(("created_at", f'"{values["created_at"][:40]}" is not an ISO 8601 '
                                           "time such as 2026-03-01T09:30:00Z"))
    if problems:
        return None, problems
    return Incoming(
        id=values["id"], network=network, text=text, author=values["author"], created_at=created,
        account=values.get("account", ""), thread_id=values.get("thread_id", ""),
        in_reply_to=values.get("in_reply_to", ""), url=values.get("url", ""),
        lang=values.get("lang", ""),
    ), []


class Repeats:
    """Where each (network, id) of one batch was first seen: a second item with the same id and
    the same content is a duplicate; with other content it is a problem naming the first."""

    def __init__(self, where: str):
        self.where = where
        self.first: dict[tuple[str, str], tuple[int, Incoming]] = {}

    def problem(self, at: int, message: Incoming) -> tuple[str, str] | None:
        seen = self.first.setdefault((message.network, message.id), (at, message))
        at_first, earlier = seen
        if earlier == message:
            return None
        differ = [name for name in Incoming.__dataclass_fields__
                  if getattr(earlier, name) != getattr(message, name)]
        return ("id", f'duplicate id "{message.id}" on {message.network} with a different '
                      f"{', '.join(differ)} (first on {self.where} {at_first})")


def check_items(items: Iterable) -> tuple[list[Incoming], list[ItemError]]:
    """Check a list (API): the messages, and the problems by index (from 0)."""
    messages, errors = [], []
    repeats = Repeats("index")
    for index, item in enumerate(items):
        if isinstance(item, Incoming):
            message, problems = item, []
        else:
            message, problems = check_message(item)
        if message is not None and (repeat := repeats.problem(index, message)):
            message, problems = None, [repeat]
        errors.extend(ItemError(index, name, reason) for name, reason in problems)
        if message is not None:
            messages.append(message)
    return messages, errors


def read_lines(data: bytes) -> Iterator[tuple[int, object | None, list[tuple[str, str]]]]:
    """Each non-blank physical line of a JSON Lines file: (line number, value, problems)."""
    if data.startswith(BOM):
        data = data[len(BOM):]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            column = len(raw[:error.start].decode("utf-8", errors="replace")) + 1
            yield number, None, [("", f"not UTF-8 (byte 0x{raw[error.start]:02x} at column "
                                      f"{column}); save the file as UTF-8")]
            continue
        try:
            yield number, json.loads(line), []
        except json.JSONDecodeError as error:
            yield number, None, [("", f"not valid JSON ({error.msg} at column {error.colno})")]


def check_file(data: bytes, progress: Progress | None = None
               ) -> tuple[list[Incoming], list[ItemError]]:
    """Check a JSON Lines file: the messages, and the problems by line number (from 1)."""
    messages, errors = [], []
    lines = data.count(b"\n") + 1
    step = max(1, lines // 200)
    repeats = Repeats("line")
    for number, value, problems in read_lines(data):
        if not problems:
            message, problems = check_message(value)
            if message is not None and (repeat := repeats.problem(number, message)):
                message, problems = None, [repeat]
            if message is not None:
                messages.append(message)
        errors.extend(ItemError(number, name, reason) for name, reason in problems)
        if progress and number % step == 0:
            progress("checking", number, lines)
    if progress:
        progress("checking", lines, lines)
    return messages, errors


# Storing -------------------------------------------------------------------------------------


def ingest(items: list, actor: Actor, source: str, progress: Progress | None = None
           ) -> IngestReport:
    """Check and store inbound messages (dicts as in the contract, or `Incoming`), all or
    nothing; processing is enqueued once they are committed. Errors are by index."""
    require(actor, "inbox.ingest")
    messages, errors = check_items(items)
    if errors:
        return IngestReport(errors=errors)
    return store(messages, actor, source, progress)


def ingest_json(body: bytes, actor: Actor, source: str) -> IngestReport:
    """The same for a request body: one message object or a list of them."""
    require(actor, "inbox.ingest")
    try:
        items = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ValidationError({"body": f"not UTF-8 (byte 0x{body[error.start]:02x} at byte "
                                       f"{error.start + 1})"}) from error
    except json.JSONDecodeError as error:
        raise ValidationError({"body": f"not valid JSON ({error.msg} at line {error.lineno} "
                                       f"column {error.colno})"}) from error
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not items:
        raise ValidationError({"body": "send one message object or a non-empty list of them"})
    report = ingest(items, actor, source)
    if report.ok:
        # One new message: its id is known already (the common single-message call).
        report.ids = report.new_ids if report.new == len(items) == 1 else _ids_in_order(items)
    return report


def _ids_in_order(items: list[dict]) -> list[int]:
    """unsilo's id of each item's message (new or stored before), in the items' order."""
    keys = [(network_name(item["network"]), item["id"]) for item in items]
    wanted: dict[str, list[str]] = {}
    for network, external_id in keys:
        wanted.setdefault(network, []).append(external_id)
    ids = {}
    for network, external_ids in wanted.items():
        for start in range(0, len(external_ids), 900):
            ids.update(((network, ext), pk) for ext, pk in Message.objects.filter(
                network=network, external_id__in=external_ids[start:start + 900]
            ).values_list("external_id", "pk"))
    return [ids[key] for key in keys]


def ingest_file(data: bytes, actor: Actor, source: str, progress: Progress | None = None
                ) -> IngestReport:
    """The same for a JSON Lines file; errors are by line."""
    require(actor, "inbox.ingest")
    messages, errors = check_file(data, progress)
    if errors:
        return IngestReport(errors=errors)
    return store(messages, actor, source, progress)


def store(messages: list[Incoming], actor: Actor, source: str,
          progress: Progress | None = None, within: Callable[[], object] | None = None
          ) -> IngestReport:
    """Store checked messages in one transaction; a message already stored (same network and
    id, sent before or twice in this batch) is a duplicate and left as it was. `within` runs
    in the same transaction: a connector saves its stream position there, so the messages and
    the position after them are stored together or not at all."""
    require(actor, "inbox.ingest")
    report = IngestReport(received=len(messages))
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, len(messages), CHUNK):
            rows = [_row(m, now) for m in messages[start:start + CHUNK]]
            report.new_ids.extend(pk for (pk,) in insert_new(
                Message, rows, unique=["network", "external_id"]))
            if progress:
                progress("storing", min(start + CHUNK, len(messages)), len(messages))
        report.new = len(report.new_ids)
        report.duplicates = report.received - report.new
        if within is not None:
            within()
        if report.new:
            _audit(actor, source, report, now)
            transaction.on_commit(_enqueue_processing)
    return report


def _row(m: Incoming, now: datetime.datetime) -> Message:
    # A connector's message is not refused for its link: a link that is not http(s) is dropped.
    return Message(network=m.network, external_id=m.id, direction=Direction.INBOUND,
                   state=MessageState.RECEIVED, account_handle=m.account, author=m.author,
                   text=m.text, created_at=m.created_at, received_at=now,
                   thread_id=m.thread_id, in_reply_to=m.in_reply_to, url=web_url(m.url),
                   lang=m.lang)


def _audit(actor: Actor, source: str, report: IngestReport, now: datetime.datetime) -> None:
    # One row per request or file says who sent what through which door; the routing of each
    # conversation gets its own row when the worker routes it.
    first = Message(pk=report.new_ids[0], network="", external_id="")
    row: AuditEvent = audit.event(actor, "ingest", first,
                                  {"new": [None, report.new],
                                   "duplicates": [None, report.duplicates],
                                   "source": [None, source]}, at=now)
    row.object_repr = f"{report.new:,} new messages via {source}"[:300]
    row.save()


def _enqueue_processing() -> None:
    from unsilo.inbox.tasks import processing as tasks

    tasks.enqueue_processing()
