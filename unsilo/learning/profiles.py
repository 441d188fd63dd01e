"""Per-person term profiles: who has shown they can answer a question with these words.

Built from resolved conversations (the person who resolved each one, and everyone consulted
on it). A conversation is its distinct terms: the featurizer's tokens (`features.TOKEN_PATTERN`
over `text.normalise`) plus `_intent_<name>` for its intent. For person p and term t, n(p, t)
is how many of p's conversations hold t; the weight is BM25's (idf of t over conversations,
saturating in n, mildly normalised by how many conversations p has), so ten conversations
about refunds say more than one, and a thousand conversations about everything do not drown
five about the very question. Each person keeps their `MAX_TERMS` heaviest terms.

The profile is stored term by term (a terms x people CSR matrix): ranking a question reads the
rows of its terms only, one add per posting, then a top-k — milliseconds at 100,000 people.
"""

import math
import re
from array import array
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from unsilo.learning.features import TOKEN_PATTERN
from unsilo.learning.text import normalise

MAX_TERMS = 100  # kept per person: their heaviest terms
MAX_QUERY_TERMS = 48  # a pasted message is ranked on its rarest terms
MAX_DF = 0.2  # a term in more than this share of conversations tells nobody apart
# k1 above BM25's usual 1.2: here n counts conversations, and more of them is more evidence.
K1, B = 3.0, 0.3
UNINFORMATIVE_INTENTS = frozenset({"other", "question"})
_TOKEN = re.compile(TOKEN_PATTERN)
# Function words say nothing about expertise; in the history's other languages the MAX_DF cut
# drops them once there is history enough.
_SKIP = frozenset({"_url_", "_user_", "please", "thanks", "thank", "hello", "hey", "got", "get",
                   "gets", "just", "like", "know", "need", "want", "really", "don", "didn",
                   "doesn", "isn", "won", "wasn", "haven", "okay", "yes"}
                  | ENGLISH_STOP_WORDS)


def intent_term(name: str) -> str:
    return f"_intent_{name}"


def terms_of(text: str, intent: str = "") -> set[str]:
    """The distinct terms of one conversation (or question)."""
    found = {t for t in _TOKEN.findall(normalise(text or "")) if len(t) >= 3
             and t not in _SKIP and not t.isdigit()}
    if intent and intent not in UNINFORMATIVE_INTENTS:
        found.add(intent_term(intent))
    return found


class Conversations:
    """The terms of many conversations as column ids: one copy of each word, however many
    conversations hold it (a million conversations fit in a few hundred MB)."""

    def __init__(self):
        self.vocab: dict[str, int] = {}
        self.cols = array("q")
        self.sizes = array("q")

    def add(self, terms: set[str]) -> None:
        setdefault, size = self.vocab.setdefault, len(self.vocab)
        for t in terms:
            j = setdefault(t, size)
            if j == size:
                size += 1
            self.cols.append(j)
        self.sizes.append(len(terms))

    def __len__(self) -> int:
        return len(self.sizes)


@dataclass
class Match:
    person_id: int
    score: float
    terms: list[tuple[str, int]]  # (term, how many of their conversations hold it), heaviest first


class Profiles:
    """The fitted profiles: `terms` (column order), `people` (person ids), and the terms x
    people matrices of weights and of conversation counts (the same sparsity)."""

    def __init__(self, terms: list[str], people: np.ndarray, weights: sp.csr_matrix,
                 counts: sp.csr_matrix, df: np.ndarray):
        self.terms, self.people = terms, people
        self.weights, self.counts, self.df = weights, counts, df
        self.index = {t: i for i, t in enumerate(terms)}

    @classmethod
    def fit(cls, docs: "Conversations", resolver: np.ndarray,
            consulted: list[tuple[int, int]]) -> "Profiles":
        """`docs`: each conversation's terms; `resolver`: its person id (-1 nobody named);
        `consulted`: (conversation index, person id) pairs."""
        n, vocab = len(docs), docs.vocab
        rows, cols = np.frombuffer(docs.sizes, dtype=np.int64), np.frombuffer(docs.cols,
                                                                               dtype=np.int64)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(rows, out=indptr[1:])
        D = sp.csr_matrix((np.ones(len(cols), np.float32), cols, indptr), shape=(n, len(vocab)))
        df = np.asarray((D > 0).sum(axis=0)).ravel()
        names = sorted(vocab, key=vocab.__getitem__)
        intents = np.array([t.startswith("_intent_") for t in names], dtype=bool)
        keep = (df >= (2 if n >= 200 else 1)) & ((df <= max(MAX_DF * n, 50)) | intents)
        keep_ids = np.flatnonzero(keep)
        D = D[:, keep_ids].tocsr()
        df = df[keep_ids]
        terms = [names[j] for j in keep_ids]
        # People x conversations: 1 where the person resolved it or was consulted on it.
        named = np.flatnonzero(resolver >= 0)
        helped = np.array(consulted, dtype=np.int64).reshape(-1, 2)
        who = np.concatenate([resolver[named], helped[:, 1]])
        which = np.concatenate([named, helped[:, 0]])
        people, column = np.unique(who, return_inverse=True)
        A = sp.csr_matrix((np.ones(len(who), np.float32), (column, which)),
                          shape=(len(people), n))
        A.data[:] = 1  # resolved and consulted on the same one counts once
        N = (A @ D).tocsr()  # people x terms: how many of their conversations hold the term
        length = np.asarray(A.sum(axis=1)).ravel()
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = K1 * (1 - B + B * length / max(length.mean(), 1)) if len(length) else length
        W = N.copy()
        per_row = np.repeat(norm, np.diff(N.indptr)).astype(np.float32)
        W.data = idf[N.indices] * N.data * (K1 + 1) / (N.data + per_row)
        W, N = _heaviest(W, N, MAX_TERMS)
        weights, counts = W.T.tocsr(), N.T.tocsr()
        weights.sort_indices()
        counts.sort_indices()
        return cls(terms, people, weights, counts, df.astype(np.int64))

    def rank(self, query: set[str], limit: int, exclude: set[int] = frozenset()) -> list[Match]:
        """The people whose profiles best hold the query's terms, best first."""
        ids = [self.index[t] for t in query if t in self.index]
        if not ids or not len(self.people):
            return []
        ids = sorted(ids, key=lambda j: self.df[j])[:MAX_QUERY_TERMS]
        w, c = self.weights, self.counts
        scores = np.zeros(len(self.people), np.float32)
        for j in ids:
            lo, hi = w.indptr[j], w.indptr[j + 1]
            scores[w.indices[lo:hi]] += w.data[lo:hi]
        if exclude:
            gone = np.flatnonzero(np.isin(self.people, np.fromiter(exclude, np.int64)))
            scores[gone] = 0
        found = np.flatnonzero(scores > 0)
        if len(found) > limit:
            found = found[np.argpartition(-scores[found], limit - 1)[:limit]]
        found = found[np.lexsort((self.people[found], -scores[found]))]
        matches = []
        for col in found:
            held = []
            for j in ids:
                lo, hi = w.indptr[j], w.indptr[j + 1]
                at = lo + np.searchsorted(w.indices[lo:hi], col)
                if at < hi and w.indices[at] == col:
                    held.append((float(w.data[at]), self.terms[j], int(c.data[at])))
            held.sort(key=lambda h: (-h[0], h[1]))
            matches.append(Match(int(self.people[col]), float(scores[col]),
                                 [(term, n) for _, term, n in held]))
        return matches

    def top_terms(self, limit: int = 8) -> dict[int, list[tuple[str, int]]]:
        """Per person id: the plain terms of most of their conversations, with counts."""
        by_person = self.weights.T.tocsr()
        counts = self.counts.T.tocsr()
        out = {}
        for col, person_id in enumerate(self.people):
            lo, hi = by_person.indptr[col], by_person.indptr[col + 1]
            # Most conversations first, the rarer word first among equals.
            order = np.lexsort((-by_person.data[lo:hi], -counts.data[lo:hi]))
            picked = []
            for k in order:
                term = self.terms[by_person.indices[lo + k]]
                if not term.startswith("_intent_"):
                    picked.append((term, int(counts.data[lo + k])))
                if len(picked) == limit:
                    break
            out[int(person_id)] = picked
        return out

    # -- stored as plain arrays and JSON (learning.store.pack) -----------------------------
    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict]:
        w = self.weights
        return ({"people": self.people, "indptr": w.indptr.astype(np.int64),
                 "indices": w.indices.astype(np.int32), "weights": w.data.astype(np.float32),
                 "counts": self.counts.data.astype(np.int32), "df": self.df},
                {"terms": self.terms})

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict) -> "Profiles":
        terms, people = meta["terms"], arrays["people"]
        shape = (len(terms), len(people))
        parts = (arrays["indices"], arrays["indptr"])
        weights = sp.csr_matrix((arrays["weights"], *parts), shape=shape)
        counts = sp.csr_matrix((arrays["counts"], *parts), shape=shape)
        return cls(terms, people, weights, counts, arrays["df"])


def _heaviest(W: sp.csr_matrix, N: sp.csr_matrix, keep: int):
    """Each row's `keep` heaviest entries of W, and the same entries of N."""
    sizes = np.diff(W.indptr)
    if not len(sizes) or sizes.max() <= keep:
        return W, N
    mask = np.ones(W.nnz, dtype=bool)
    for r in np.flatnonzero(sizes > keep):
        lo, hi = W.indptr[r], W.indptr[r + 1]
        light = np.argsort(-W.data[lo:hi], kind="stable")[keep:]
        mask[lo + light] = False
    W, N = W.copy(), N.copy()
    W.data[~mask] = 0
    N.data[~mask] = 0
    W.eliminate_zeros()
    N.eliminate_zeros()
    return W, N


def bar(score: float, top: float) -> int:
    """A score as a share of the best one, 0-100, for the bars on the page."""
    return 0 if top <= 0 else max(1, min(100, math.ceil(100 * score / top)))
