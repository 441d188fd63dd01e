"""Threading: which conversation each stored message belongs to, and getting or creating those
conversations so that two batches racing on one new thread still make one conversation.

A conversation's key is network + ":" + thread id, where the thread id is the message's
`thread_id`, else the thread of the message it replies to (`in_reply_to`), else that parent's
id when the parent has not arrived yet, else the message's own id. A root's key is therefore its
own id, and a reply that arrived before its parent is already waiting under that key.
"""

from dataclasses import dataclass

from django.db import connection

from unsilo.core.bulk import bare, insert_new
from unsilo.inbox.models import Conversation, Message

# How far up a chain of replies to look for a thread among messages not yet processed.
MAX_DEPTH = 8
CHUNK = 900  # ids per lookup: under SQLite's 999 parameters


@dataclass(frozen=True, slots=True)
class Known:
    """What threading needs of a message: its thread fields, and its conversation's key when
    it has been threaded already."""

    thread_id: str
    in_reply_to: str
    conversation_key: str | None = None


def thread_keys(batch: list[Message]) -> dict[int, str]:
    """message id -> the key of its conversation, for every message of the batch."""
    known: dict[tuple[str, str], Known] = {
        (m.network, m.external_id): Known(m.thread_id, m.in_reply_to) for m in batch}
    wanted = {(m.network, m.in_reply_to) for m in batch if m.in_reply_to and not m.thread_id}
    for _ in range(MAX_DEPTH):
        wanted -= known.keys()
        if not wanted:
            break
        found = _stored(wanted)
        known.update(found)
        wanted = {(net, k.in_reply_to) for (net, _), k in found.items()
                  if k.conversation_key is None and not k.thread_id and k.in_reply_to}
    memo: dict[tuple[str, str], str] = {}

    def key_of(ref: tuple[str, str], seen: frozenset) -> str:
        if ref in memo:
            return memo[ref]
        network, own_id = ref
        info = known.get(ref)
        if info is None:
            key = f"{network}:{own_id}"  # a parent still to come: its own id will be its key
        elif info.conversation_key:
            key = info.conversation_key
        elif info.thread_id:
            key = f"{network}:{info.thread_id}"
        elif info.in_reply_to and (network, info.in_reply_to) not in seen:
            key = key_of((network, info.in_reply_to), seen | {ref})
        else:
            key = f"{network}:{own_id}"
        memo[ref] = key
        return key

    return {m.pk: key_of((m.network, m.external_id), frozenset()) for m in batch}


def _stored(refs: set[tuple[str, str]]) -> dict[tuple[str, str], Known]:
    """The stored messages among `refs` (network, external id), inbound or outbound."""
    by_network: dict[str, list[str]] = {}
    for network, external_id in refs:
        by_network.setdefault(network, []).append(external_id)
    found = {}
    for network, ids in by_network.items():
        for start in range(0, len(ids), CHUNK):
            rows = Message.objects.filter(network=network, external_id__in=ids[start:start + CHUNK])
            for ext, thread_id, reply_to, key in rows.values_list(
                    "external_id", "thread_id", "in_reply_to", "conversation__thread_key"):
                found[(network, ext)] = Known(thread_id, reply_to, key)
    return found


def stored_conversations(keys: list[str]) -> dict[str, Conversation]:
    """The conversations stored under `keys`, fresh and locked for this transaction."""
    return _locked(list(_ids_by_key(keys).values()))


def new_conversation(key: str, first: Message) -> Conversation:
    return bare(Conversation, network=first.network, thread_key=key, author=first.author,
                created_at=first.created_at, last_message_at=first.created_at,
                message_count=0, search="")


def insert_conversations(fresh: list[Conversation]) -> dict[str, Conversation]:
    """Insert new conversations and give each its id; returns, by key, those another worker
    stored first (ON CONFLICT DO NOTHING skipped ours), read back fresh and locked.

    In key order, so two inserting workers never wait on each other in a circle; an INSERT that
    meets another worker's uncommitted row waits for it, so what it skipped is committed.
    """
    fresh = sorted(fresh, key=lambda c: c.thread_key)
    ids = dict(insert_new(Conversation, fresh, unique=["thread_key"],
                          returning=["thread_key", "id"]))
    for conversation in fresh:
        conversation.pk = ids.get(conversation.thread_key)
    lost = [c.thread_key for c in fresh if c.pk is None]
    return stored_conversations(lost) if lost else {}


def _ids_by_key(keys: list[str]) -> dict[str, int]:
    ids = {}
    for start in range(0, len(keys), CHUNK):
        ids.update(Conversation.objects.filter(thread_key__in=keys[start:start + CHUNK])
                   .values_list("thread_key", "id"))
    return ids


def _locked(ids: list[int]) -> dict[str, Conversation]:
    """Stored conversations, fresh and locked in id order (PostgreSQL; SQLite's writers are
    serialised already), so concurrent batches update them one after the other."""
    rows, ordered = {}, sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        query = Conversation.objects.filter(pk__in=ordered[start:start + CHUNK]).order_by("id")
        if connection.features.has_select_for_update:
            query = query.select_for_update(of=("self",))
        rows.update((c.thread_key, c) for c in query)
    return rows
