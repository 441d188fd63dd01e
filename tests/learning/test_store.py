"""A stored model is arrays and JSON, signed: it predicts exactly as the trained one, and a
blob that is altered, foreign or carries a pickle is refused without running anything."""

import datetime
import io
import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from unsilo.demo import corpus
from unsilo.inbox.routing import training
from unsilo.learning import store
from unsilo.learning.expertise import Example
from unsilo.learning.types import Incoming

KEY = b"k" * 32
AT = datetime.datetime(2026, 12, 2, 12, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def trained():
    """A model fitted on 700 demo history lines (tuned, with a sentiment head), and 300 more
    lines it never saw."""
    lines = corpus.history(1000, seed=3)
    silos, people = {}, {}
    examples = [Example(h["text"], h["network"], h.get("account", ""), h.get("lang", ""),
                        silos.setdefault(h["resolved_by_silo"], len(silos) + 1),
                        people.setdefault(h["resolved_by"], len(people) + 1)
                        if h.get("resolved_by") else None) for h in lines]
    model, _ = training.fit(examples[:700], [h.get("answer", "") for h in lines[:700]])
    held_out = [Incoming(id=str(i), network=h["network"], text=h["text"], author="a",
                         created_at=AT, lang=h.get("lang", ""))
                for i, h in enumerate(lines[700:])]
    return model, held_out


class Plant:
    """Unpickling this creates a file: proof that a pickle ran."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def test_the_loaded_model_predicts_exactly_as_the_trained_one(trained):
    model, held_out = trained
    assert model.sentiment is not None and model.w_nb is not None
    again = store.loads(store.dumps(model, KEY), KEY)
    X, X_again = model.features(held_out), again.features(held_out)
    assert abs(X - X_again).max() == 0 and X.shape == X_again.shape
    accounts = [m.account for m in held_out]
    before, after = model.predict(X, accounts), again.predict(X_again, accounts)
    assert np.array_equal(before.silo, after.silo)
    assert len(after.people) == len(held_out)
    for (people, prob), (people_again, prob_again) in zip(before.people, after.people,
                                                          strict=True):
        assert np.array_equal(people, people_again) and np.array_equal(prob, prob_again)
    texts = [m.text for m in held_out]
    assert np.array_equal(model.sentiment.predict_proba(texts, X),
                          again.sentiment.predict_proba(texts, X_again))
    assert again.counts == model.counts and again.params == model.params
    assert model.similar_resolvers(X[:1]) == again.similar_resolvers(X_again[:1])


def test_an_altered_blob_or_another_installations_key_is_refused(trained):
    blob = bytearray(store.dumps(trained[0], KEY))
    with pytest.raises(store.UnreadableModel, match="another key"):
        store.loads(bytes(blob), b"another installation's key")
    blob[-100] ^= 1
    with pytest.raises(store.UnreadableModel, match="signature does not match"):
        store.loads(bytes(blob), KEY)
    with pytest.raises(store.UnreadableModel, match="older pickled model"):
        store.loads(b"", KEY)


def test_a_pickle_in_the_blob_never_runs_even_when_signed(tmp_path):
    planted = tmp_path / "planted"
    with pytest.raises(store.UnreadableModel, match="older pickled model"):
        store.loads(pickle.dumps(Plant(planted)), KEY)
    # The worst case: whoever wrote it knew the key. The archive's arrays are never unpickled.
    arrays = io.BytesIO()
    np.savez(arrays, **{"meta.json": np.frombuffer(json.dumps({}).encode(), np.uint8),
                        "w_silo": np.array([Plant(planted)], dtype=object)})
    payload = arrays.getvalue()
    with pytest.raises(store.UnreadableModel, match="signed but unreadable"):
        store.loads(store.MAGIC + store._sign(KEY, payload) + payload, KEY)
    payload = pickle.dumps(Plant(planted))
    with pytest.raises(store.UnreadableModel, match="signed but unreadable"):
        store.loads(store.MAGIC + store._sign(KEY, payload) + payload, KEY)
    assert not planted.exists()
