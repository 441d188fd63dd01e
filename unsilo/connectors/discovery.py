"""Unregistered accounts: handles in ingested traffic that use the company's names or brand
terms but are not in the registry — the land-grab and impostor check.

`scan()` (a periodic job, every minute) reads the inbound messages after the watermark in id
order, a batch at a time. Each author handle (and the account a message was addressed to)
whose folded form contains a folded brand term, and that no Account in the registry has on
that network, becomes or bumps a Sighting; the watermark moves in the same transaction, so a
message is counted once however often the scan runs or dies. With no terms set nothing is
read, so the history is checked in full once someone adds them.
"""

import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Greatest, Least, Lower

from unsilo.accounts.models import Account
from unsilo.connectors.models import Discovery, Sighting
from unsilo.inbox.models import Direction, Message

BATCH = 2000

# Characters that pass for letters in a handle: digits, and Cyrillic and Greek look-alikes.
LOOKALIKES = str.maketrans({
    "0": "o", "1": "l", "i": "l", "!": "l", "|": "l", "3": "e", "4": "a", "5": "s", "7": "t",
    "8": "b", "$": "s", "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
    "і": "l", "ј": "j", "ԁ": "d", "ո": "n", "ν": "v", "ο": "o", "α": "a", "ι": "l",
})
SEPARATORS = str.maketrans("", "", "@._- ")


def fold(text: str) -> str:
    """A handle or term as it reads to the eye: lower case, no accents or separators,
    look-alike characters replaced ("Meridlan_Supp0rt" and "meridian support" agree)."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(SEPARATORS).translate(LOOKALIKES)
    return text.replace("rn", "m").replace("vv", "w")


def matched_term(handle: str, terms: list[tuple[str, str]]) -> str:
    """The first brand term (as written) whose folded form is in the folded handle."""
    folded = fold(handle)
    return next((term for term, folded_term in terms if folded_term in folded), "")


def _plain(handle: str) -> str:
    return handle.strip().lstrip("@")


@dataclass
class _Seen:
    network: str
    handle: str
    matched: str
    first: object
    last: object
    example: int
    count: int = 0
    messages: set = field(default_factory=set)


def anything_new() -> bool:
    """Whether `scan` has messages to read (two index probes; the heart asks before it
    enqueues a scan)."""
    discovery = Discovery.objects.filter(pk=1).values_list("terms", "scanned_message_id").first()
    if discovery is None or not discovery[0]:
        return False
    return Message.objects.filter(pk__gt=discovery[1]).exists()


def scan(batch: int = BATCH, max_batches: int = 50) -> int:
    """Read new inbound messages for unregistered brand handles; returns messages read."""
    read = 0
    for _ in range(max_batches):
        done = _scan_batch(batch)
        read += done
        if done < batch:
            break
    return read


@transaction.atomic
def _scan_batch(batch: int) -> int:
    discovery = Discovery.objects.select_for_update().get_or_create(pk=1)[0]
    terms = [(t, fold(t)) for t in discovery.terms if len(fold(t)) >= 3]
    if not terms:
        return 0
    rows = list(Message.objects.filter(pk__gt=discovery.scanned_message_id).order_by("pk")
                .values_list("pk", "direction", "network", "author", "account_handle",
                             "created_at")[:batch])
    if not rows:
        return 0
    seen: dict[tuple[str, str], _Seen] = {}
    for pk, direction, network, author, account_handle, created_at in rows:
        handles = {_plain(account_handle)}
        if direction == Direction.INBOUND:  # our own replies are no sighting of anyone
            handles.add(_plain(author))
        for handle in filter(None, handles):
            term = matched_term(handle, terms)
            if not term:
                continue
            key = (network, handle.lower())
            item = seen.setdefault(key, _Seen(network, handle, term, created_at, created_at, pk))
            if pk not in item.messages:
                item.messages.add(pk)
                item.count += 1
                item.first, item.last = min(item.first, created_at), max(item.last, created_at)
    _remember([item for key, item in seen.items() if key not in _registered(seen)])
    discovery.scanned_message_id = rows[-1][0]
    discovery.save(update_fields=["scanned_message_id"])
    return len(rows)


def _registered(seen: dict) -> set[tuple[str, str]]:
    """The (network, lower-case handle) pairs among `seen` that the registry holds."""
    if not seen:
        return set()
    lowered = {h for _, h in seen} | {"@" + h for _, h in seen}
    rows = (Account.objects.annotate(lower=Lower("handle"))
            .filter(network__in={n for n, _ in seen}, lower__in=lowered)
            .values_list("network", "lower"))
    return {(network, _plain(lower)) for network, lower in rows}


def _remember(items: list[_Seen]) -> None:
    if not items:
        return
    existing = {
        (s.network, s.handle.lower()): s
        for s in Sighting.objects.annotate(lower=Lower("handle")).filter(
            network__in={i.network for i in items},
            lower__in={i.handle.lower() for i in items})
    }
    new = []
    for item in items:
        known = existing.get((item.network, item.handle.lower()))
        if known is None:
            new.append(Sighting(network=item.network, handle=item.handle[:200],
                                matched=item.matched[:200], seen=item.count,
                                first_seen_at=item.first, last_seen_at=item.last,
                                example_id=item.example))
            continue
        Sighting.objects.filter(pk=known.pk).update(
            seen=F("seen") + item.count,
            first_seen_at=Least("first_seen_at", Value(item.first, DateTimeField())),
            last_seen_at=Greatest("last_seen_at", Value(item.last, DateTimeField())))
    Sighting.objects.bulk_create(new)
