"""A fitted `Expertise` as bytes that cannot run code when read, and back.

The bytes are `MAGIC`, an HMAC-SHA256 of the rest under the caller's key, and an `np.savez`
archive of plain numeric arrays plus one JSON document (parameters, vocabularies, labels),
read with `allow_pickle=False`. So whoever can write the stored row can at worst make loading
fail: an altered or foreign blob is refused before it is parsed (`UnreadableModel`), and even
a parsed one holds no objects, only numbers and text.

The loaded model holds the very arrays the trained one held, so it predicts bit for bit the
same (tests/learning/test_store.py).
"""

import hashlib
import hmac
import io
import json
import zipfile
from dataclasses import asdict

import numpy as np
import scipy.sparse as sp

from unsilo.learning.expertise import Expertise, Params
from unsilo.learning.features import Featurizer
from unsilo.learning.sentiment import LearnedSentiment

MAGIC = b"unsilo-model/1\n"
DIGEST = hashlib.sha256().digest_size
META = "meta.json"


class UnreadableModel(ValueError):
    """The blob is not a model this version wrote with this key; the reason says which."""


def dumps(model: Expertise, key: bytes) -> bytes:
    arrays: dict[str, np.ndarray] = {}
    meta = _Writer(arrays).expertise(model)
    arrays[META] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    payload = buffer.getvalue()
    return MAGIC + _sign(key, payload) + payload


def loads(blob: bytes | memoryview, key: bytes) -> Expertise:
    blob = memoryview(blob)  # the database hands bytes or a memoryview; slices copy nothing
    if bytes(blob[:len(MAGIC)]) != MAGIC:
        raise UnreadableModel("not a model in unsilo's array format (an older pickled model?)")
    signature, payload = blob[len(MAGIC):len(MAGIC) + DIGEST], blob[len(MAGIC) + DIGEST:]
    if not hmac.compare_digest(bytes(signature), _sign(key, payload)):
        raise UnreadableModel("its signature does not match this installation's key: "
                              "altered, or written under another key")
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        meta = json.loads(arrays.pop(META).tobytes().decode())
        return _Reader(arrays).expertise(meta)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, OSError,
            zipfile.BadZipFile) as error:
        raise UnreadableModel(f"signed but unreadable ({error})") from error


def pack(arrays: dict[str, np.ndarray], meta: dict, key: bytes, magic: bytes) -> bytes:
    """Plain arrays and one JSON document, signed: the same format for any other learned
    index (experts.index stores its people profiles so)."""
    arrays = dict(arrays)
    arrays[META] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    payload = buffer.getvalue()
    return magic + _sign(key, payload, magic) + payload


def unpack(blob: bytes | memoryview, key: bytes, magic: bytes) -> tuple[dict, dict]:
    """(arrays, meta) of what `pack` wrote with this key; UnreadableModel otherwise."""
    blob = memoryview(blob)
    if bytes(blob[:len(magic)]) != magic:
        raise UnreadableModel(f"not in the format {magic.decode().strip()!r}")
    signature, payload = blob[len(magic):len(magic) + DIGEST], blob[len(magic) + DIGEST:]
    if not hmac.compare_digest(bytes(signature), _sign(key, payload, magic)):
        raise UnreadableModel("its signature does not match this installation's key: "
                              "altered, or written under another key")
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        return arrays, json.loads(arrays.pop(META).tobytes().decode())
    except (ValueError, KeyError, OSError, zipfile.BadZipFile) as error:
        raise UnreadableModel(f"signed but unreadable ({error})") from error


def _sign(key: bytes, payload: bytes | memoryview, magic: bytes = MAGIC) -> bytes:
    mac = hmac.new(key, magic, hashlib.sha256)
    mac.update(payload)
    return mac.digest()


def _terms(vocab: dict[str, int]) -> list[str]:
    """A vocabulary as its terms in column order (its columns are 0 … n-1)."""
    terms = sorted(vocab, key=vocab.__getitem__)
    if [vocab[t] for t in terms] != list(range(len(terms))):
        raise ValueError("a vocabulary's columns are not 0 … n-1")
    return terms


def _vocab(terms: list[str]) -> dict[str, int]:
    return dict(zip(terms, range(len(terms)), strict=True))


class _Writer:
    def __init__(self, arrays: dict):
        self.arrays = arrays

    def put(self, name: str, value) -> None:
        self.arrays[name] = np.asarray(value)

    def put_list(self, name: str, values: list[np.ndarray]) -> None:
        """Several 1-d arrays as one, with their lengths."""
        self.put(f"{name}.sizes", np.array([len(v) for v in values], dtype=np.int64))
        self.put(name, np.concatenate(values) if values else np.zeros(0))

    def put_csr(self, name: str, matrices: list[sp.csr_matrix]) -> None:
        """Several CSR matrices by their own arrays, unchanged (so products are the same)."""
        self.put(f"{name}.shapes", np.array([m.shape for m in matrices],
                                            dtype=np.int64).reshape(-1, 2))
        for part in ("data", "indices", "indptr"):
            self.put_list(f"{name}.{part}", [getattr(m, part) for m in matrices])

    def featurizer(self, name: str, f: Featurizer) -> dict:
        self.put(f"{name}.word_idf", f.word_idf)
        self.put(f"{name}.char_idf", f.char_idf)
        return {"min_df": f.min_df, "max_df": f.max_df, "max_features": f.max_features,
                "word_ngrams": list(f.word_ngrams), "char_ngrams": list(f.char_ngrams),
                "dtype": np.dtype(f.dtype).name, "word_terms": _terms(f.word_vocab),
                "char_terms": _terms(f.char_vocab)}

    def sentiment(self, head: LearnedSentiment, featurizer: Featurizer) -> dict:
        self.put("sentiment.coef", head.coef)
        self.put("sentiment.intercept", head.intercept)
        own = None if head.featurizer is featurizer else self.featurizer(
            "sentiment.featurizer", head.featurizer)
        return {"classes": head.classes, "shared": head.shared, "n_examples": head.n_examples,
                "label_counts": head.label_counts, "featurizer": own}

    def expertise(self, m: Expertise) -> dict:
        for name in ("silo_ids", "w_silo", "b_silo", "knn_mask"):
            self.put(name, getattr(m, name))
        if m.w_nb is not None:
            self.put("w_nb", m.w_nb)
        for name in ("people", "b_people", "memory_person"):
            self.put_list(name, getattr(m, name))
        self.put_csr("w_people", m.w_people)
        self.put_csr("memory", m.memory)
        self.put("counts", np.array([[p, s, n] for (p, s), n in m.counts.items()],
                                    dtype=np.int64).reshape(-1, 3))
        handles = list(m.accounts)
        self.put("accounts", np.array([m.accounts[h] for h in handles],
                                      dtype=np.float64).reshape(len(handles), len(m.silo_ids)))
        return {"params": asdict(m.params), "featurizer": self.featurizer("featurizer",
                                                                          m.featurizer),
                "accounts": handles,
                "sentiment": self.sentiment(m.sentiment, m.featurizer) if m.sentiment else None}


class _Reader:
    def __init__(self, arrays: dict):
        self.arrays = arrays

    def get(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def get_list(self, name: str) -> list[np.ndarray]:
        joined, sizes = self.get(name), self.get(f"{name}.sizes")
        return np.split(joined, np.cumsum(sizes)[:-1]) if len(sizes) else []

    def get_csr(self, name: str) -> list[sp.csr_matrix]:
        parts = [self.get_list(f"{name}.{part}") for part in ("data", "indices", "indptr")]
        return [sp.csr_matrix((data, indices, indptr), shape=tuple(int(n) for n in shape))
                for data, indices, indptr, shape in zip(*parts, self.get(f"{name}.shapes"),
                                                        strict=True)]

    def featurizer(self, name: str, meta: dict) -> Featurizer:
        f = Featurizer(min_df=meta["min_df"], max_df=meta["max_df"],
                       max_features=meta["max_features"], word_ngrams=meta["word_ngrams"],
                       char_ngrams=meta["char_ngrams"], dtype=np.dtype(meta["dtype"]).type)
        f.word_vocab, f.char_vocab = _vocab(meta["word_terms"]), _vocab(meta["char_terms"])
        f.word_idf, f.char_idf = self.get(f"{name}.word_idf"), self.get(f"{name}.char_idf")
        return f

    def sentiment(self, meta: dict, featurizer: Featurizer) -> LearnedSentiment:
        if meta["featurizer"] is not None:
            featurizer = self.featurizer("sentiment.featurizer", meta["featurizer"])
        return LearnedSentiment(featurizer, self.get("sentiment.coef"),
                                self.get("sentiment.intercept"), meta["classes"],
                                meta["shared"], meta["n_examples"], meta["label_counts"])

    def expertise(self, meta: dict) -> Expertise:
        m = Expertise(Params(**meta["params"]))
        m.featurizer = self.featurizer("featurizer", meta["featurizer"])
        for name in ("silo_ids", "w_silo", "b_silo", "knn_mask"):
            setattr(m, name, self.get(name))
        m.w_nb = self.arrays.get("w_nb")
        for name in ("people", "b_people", "memory_person"):
            setattr(m, name, self.get_list(name))
        m.w_people, m.memory = self.get_csr("w_people"), self.get_csr("memory")
        m.counts = {(p, s): n for p, s, n in self.get("counts").tolist()}
        m.accounts = dict(zip(meta["accounts"], self.get("accounts"), strict=True))
        m.sentiment = self.sentiment(meta["sentiment"], m.featurizer) if meta["sentiment"] \
            else None
        m._transpose_memory()
        return m
