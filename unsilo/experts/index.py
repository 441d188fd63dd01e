"""The expertise index, rebuilt from resolved history: machine bookkeeping with no audit row of
its own (it follows from the history, whose import and resolutions are audited).

`rebuild()` reads every ResolvedExample (who resolved it, for which silo, its intent: the
conversation's when it has one, else `learning.intent`'s reading of the text) and every
ResolvedConsult, computes everything first, then in ONE short transaction replaces the
ExpertiseStat and ExpertProfile rows and stores the next ExpertIndex (the people profiles of
`learning.profiles`, signed). Running it twice gives the same rows: idempotent.
`current()` keeps the newest index per process and reloads when a newer one is stored.
"""

import hashlib
import logging
import time

import numpy as np
import scipy.sparse as sp
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from unsilo.experts.models import ExpertIndex, ExpertiseStat, ExpertProfile
from unsilo.inbox.models import ResolvedConsult, ResolvedExample
from unsilo.learning import intent as intents
from unsilo.learning import store
from unsilo.learning.profiles import Conversations, Profiles, terms_of
from unsilo.learning.text import Tokens

log = logging.getLogger("unsilo.experts")
MAGIC = b"unsilo-experts/1\n"
CHUNK = 5_000  # history rows read at a time
TOPICS = 8  # top terms kept on each person's profile row


def signing_key() -> bytes:
    return hashlib.sha256(b"unsilo expert index\0" + settings.SECRET_KEY.encode()).digest()


def intent_of(text: str, known: str | None) -> str:
    if known:
        return known
    return intents.pick(text, "neutral", {}, Tokens(text))


def _history():
    """(docs, resolver ids, silo ids, times, intents) of every resolved conversation."""
    docs = Conversations()
    resolver, silos, times, kinds, ids = [], [], [], [], []
    rows = ResolvedExample.objects.order_by("id").values_list(
        "id", "text", "silo_id", "person_id", "created_at", "resolved_at",
        "conversation__intent")
    for pk, text, silo_id, person_id, created, resolved, known in rows.iterator(CHUNK):
        kind = intent_of(text, known)
        ids.append(pk)
        docs.add(terms_of(text, kind))
        resolver.append(-1 if person_id is None else person_id)
        silos.append(silo_id)
        times.append(resolved or created)
        kinds.append(kind)
    return ids, docs, np.array(resolver, dtype=np.int64), silos, times, kinds


def rebuild() -> ExpertIndex:
    """Everything recomputed from the history, then stored in one transaction."""
    started = time.perf_counter()
    ids, docs, resolver, silos, times, kinds = _history()
    position = {pk: i for i, pk in enumerate(ids)}
    consulted = [(position[e], p) for e, p in ResolvedConsult.objects.values_list(
        "example_id", "person_id").iterator(CHUNK) if e in position]
    profiles = Profiles.fit(docs, resolver, consulted)
    stats: dict[tuple[int, int, str], list] = {}
    totals: dict[int, list] = {}

    def count(person_id: int, i: int, slot: int) -> None:
        for key, book in (((person_id, silos[i], kinds[i]), stats), (person_id, totals)):
            entry = book.setdefault(key, [0, 0, None])
            entry[slot] += 1
            if entry[2] is None or times[i] > entry[2]:
                entry[2] = times[i]

    for i, person_id in enumerate(resolver.tolist()):
        if person_id >= 0:
            count(person_id, i, 0)
    for i, person_id in consulted:
        if person_id != resolver[i]:
            count(person_id, i, 1)
    topics = profiles.top_terms(TOPICS)
    arrays, meta = profiles.to_arrays()
    blob = store.pack(arrays, meta, signing_key(), MAGIC)
    try:
        row = _store(stats, totals, topics, docs, profiles, blob, started)
    except IntegrityError:  # another worker stored this version a moment ago: theirs stands
        log.info("expert index: another rebuild stored the same version first")
        return ExpertIndex.objects.first()
    log.info("expert index v%s: %s people over %s conversations in %.1f s", row.version,
             row.people, row.conversations, row.seconds)
    return row


def _store(stats, totals, topics, docs, profiles, blob, started) -> ExpertIndex:
    """Replace every row in one transaction and store the next version."""
    with transaction.atomic():
        ExpertiseStat.objects.all().delete()
        ExpertProfile.objects.all().delete()
        ExpertiseStat.objects.bulk_create(
            [ExpertiseStat(person_id=p, silo_id=s, intent=k, resolved=r, consulted=c,
                           last_at=at) for (p, s, k), (r, c, at) in stats.items()],
            batch_size=2000)
        ExpertProfile.objects.bulk_create(
            [ExpertProfile(person_id=p, resolved=r, consulted=c, last_at=at,
                           topics=[list(t) for t in topics.get(p, [])])
             for p, (r, c, at) in totals.items()], batch_size=2000)
        version = (ExpertIndex.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        row = ExpertIndex.objects.create(
            version=version, built_at=timezone.now(), conversations=len(docs),
            people=len(profiles.people), seconds=time.perf_counter() - started, blob=blob)
        # The one before stays for a process that is reading it right now.
        ExpertIndex.objects.filter(version__lt=version - 1).delete()
    return row


_shared: dict = {}  # (version, built at) -> Profiles, shared by the threads of one process


def current() -> Profiles | None:
    """The newest stored index, loaded once per process (None: none yet, or unreadable)."""
    newest = ExpertIndex.objects.values_list("version", "built_at").first()
    if newest is None:
        return None
    # With the time it was built: a database restored (or a test rolled back) reuses versions.
    hit = _shared.get(newest)
    if hit is not None:
        return hit
    version = newest[0]
    row = ExpertIndex.objects.filter(version=version).only("blob").first()
    if row is None:
        return None
    try:
        profiles = Profiles.from_arrays(*store.unpack(row.blob, signing_key(), MAGIC))
    except store.UnreadableModel as why:
        log.error("expert index v%s refused: %s", version, why)
        profiles = Profiles([], np.zeros(0, np.int64), *_empty(), np.zeros(0, np.int64))
    _shared.clear()
    _shared[newest] = profiles
    return profiles


def _empty():
    m = sp.csr_matrix((0, 0), dtype=np.float32)
    return m, m
