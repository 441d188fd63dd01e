"""Per-person term profiles: what counts as evidence, and the stored form."""

import numpy as np
import pytest

from unsilo.learning import store
from unsilo.learning.profiles import Conversations, Profiles, terms_of

KEY = b"k" * 32
MAGIC = b"test-profiles/1\n"


def fit(history: list[tuple[int, str]], consulted=()) -> Profiles:
    docs = Conversations()
    for _, text in history:
        docs.add(terms_of(text))
    return Profiles.fit(docs, np.array([p for p, _ in history], dtype=np.int64),
                        list(consulted))


def test_terms_are_words_not_function_words_numbers_or_links():
    assert terms_of("Please REFUND my invoice 12345 https://x.co @dana on it", "billing") == {
        "refund", "invoice", "_intent_billing"}
    assert terms_of("what is this", "other") == set()


def test_five_conversations_beat_one_and_a_generalist_does_not_drown_a_specialist():
    specialist = [(1, f"warranty voucher claim {n}") for n in range(5)]
    once = [(2, "warranty voucher")]
    generalist = [(3, f"voucher {w} question") for w in ("shoes", "lamps", "chairs", "sofas",
                                                       "beds", "rugs", "desks", "tables")] * 5
    ranked = fit(specialist + once + generalist).rank({"warranty", "voucher"}, 3)
    assert [m.person_id for m in ranked] == [1, 2, 3]
    assert ranked[0].terms == [("warranty", 5), ("voucher", 5)]


def test_a_consult_counts_as_evidence_once_per_conversation():
    profiles = fit([(1, "gdpr erasure request"), (1, "gdpr erasure form")],
                   consulted=[(0, 2), (1, 2), (0, 1)])
    ranked = {m.person_id: m.terms for m in profiles.rank({"gdpr"}, 5)}
    assert ranked == {1: [("gdpr", 2)], 2: [("gdpr", 2)]}
    assert profiles.rank({"gdpr"}, 5, exclude={1})[0].person_id == 2


def test_stored_profiles_rank_alike_and_an_altered_blob_is_refused():
    profiles = fit([(1, "parcel customs depot"), (2, "parcel lost driver"), (3, "invoice")])
    blob = store.pack(*profiles.to_arrays(), KEY, MAGIC)
    again = Profiles.from_arrays(*store.unpack(blob, KEY, MAGIC))
    assert again.rank({"parcel", "customs"}, 5) == profiles.rank({"parcel", "customs"}, 5)
    assert again.top_terms() == profiles.top_terms()
    with pytest.raises(store.UnreadableModel):
        store.unpack(blob[:-3] + b"xyz", KEY, MAGIC)
    with pytest.raises(store.UnreadableModel):
        store.unpack(blob, b"other key" * 4, MAGIC)
    assert b"pickle" not in blob


def test_no_history_ranks_nobody():
    assert fit([]).rank({"refund"}, 5) == []
