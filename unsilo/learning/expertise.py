"""The learned expertise model: which silo, and which person in it, resolves a message like this.

Expertise is what people resolved (ResolvedExample rows), never their titles. One fitted
`Expertise` holds:

- a featurizer (word(1,2) + char_wb(2,5) TF-IDF of the normalised text, plus metadata tokens
  for the network, the account and the language: `learning.features`);
- a **silo** head: a linear SVM whose margins become probabilities through a softmax with a
  temperature fitted on held-out history, combined with the account's prior (how often each
  silo answered that account), so a confidence of 0.9 is right about 9 times in 10;
- a **person** head per silo: a linear SVM over the people who resolved that silo's examples,
  mixed with a kNN vote of the silo's most similar examples, giving P(person | silo, text);
- the kNN memory (content words of every example, per silo) that gives those votes and the
  reasons a COE lead can check ("like 23 conversations Billing resolved", "Dana Ruiz resolved
  9 like it");
- per-person counts of resolved examples per silo, and the learned sentiment head of
  `learning.sentiment` (or None).

Routing a batch costs one sparse product for every silo, then the person heads of only the silo
each message goes to (its focus), so it stays fast with many silos and people. How the parts
are combined is tuned by `learning.training`.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from unsilo.learning.features import Featurizer
from unsilo.learning.text import normalise

# Neighbours that vote; an example at least this similar counts as "like it" in reasons.
K = 15
NB_ALPHA = 0.3  # Complement Naive Bayes smoothing of the silo head
LIKE = 0.3
# Words in more than this share of the history say nothing about who resolves what.
KNN_MAX_DF = 0.2


@dataclass
class Example:
    text: str
    network: str
    account: str
    lang: str
    silo_id: int
    person_id: int | None


@dataclass
class Params:
    """How the parts are combined; `learning.training` tunes them on held-out history."""

    c_silo: float = 0.5
    c_person: float = 1.0
    t_silo: float = 0.3  # temperature of the silo softmax over SVM margins
    w_nb: float = 0.0  # weight of the Complement Naive Bayes silo scores mixed into the margins
    w_account: float = 0.5  # weight of log P(silo | account)
    t_person: float = 0.3
    alpha: float = 0.7  # share of the person SVM against the kNN vote within the silo


@dataclass
class Within:
    """What the person heads say about each message, within its focus silo."""

    focus: np.ndarray  # per message: the silo index looked into, -1 none
    # silo index -> (its messages' rows, SVM margins and kNN similarity sums over its people)
    groups: dict
    like: list  # per message: (similar examples the silo resolved, {person id: how many})


@dataclass
class Prediction:
    silo: np.ndarray  # n x S probabilities
    within: Within | None = None
    people: list = field(default_factory=list)  # per message: [(person id, P)], best first


def account_key(handle: str) -> str:
    return (handle or "").strip().lstrip("@").lower()


def meta_tokens(network: str, account: str, lang: str) -> list[str]:
    tokens = [f"_net_{(network or '').lower()}"]
    if account:
        tokens.append(f"_acct_{account_key(account)}")
    if lang:
        tokens.append(f"_lang_{lang[:2].lower()}")
    return tokens


def _svm_margins(X, y: np.ndarray, n_classes: int, c: float) -> tuple[np.ndarray, np.ndarray]:
    """(F x n_classes weights, intercepts) of a one-vs-rest linear SVM; zeros for one class."""
    if n_classes < 2:
        return np.zeros((X.shape[1], max(n_classes, 1)), np.float32), np.zeros(max(n_classes, 1))
    # tol 1e-3 (not 1e-4): the same routing on held-out history, in half the training time.
    svm = LinearSVC(C=c, dual=True, tol=1e-3, max_iter=2000).fit(X, y)
    coef, intercept = svm.coef_, svm.intercept_
    if n_classes == 2:  # sklearn keeps one row for two classes
        coef = np.vstack([-coef[0], coef[0]]) / 2
        intercept = np.array([-intercept[0], intercept[0]]) / 2
    return coef.T.astype(np.float32), intercept.astype(np.float64)


def _on_scale_of(scores: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """`scores` standardised per message and put on the spread of that message's margins, so
    mixing them moves the ranking without changing what the temperature means."""
    centred = scores - scores.mean(axis=1, keepdims=True)
    spread = centred.std(axis=1, keepdims=True)
    spread[spread == 0] = 1
    return centred / spread * margin.std(axis=1, keepdims=True)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class Expertise:
    def __init__(self, params: Params | None = None):
        self.params = params or Params()
        self.sentiment = None  # learning.sentiment's head, set by training
        self.version: int | None = None
        self.trained_at = None  # with the version: which stored model this is

    # -- fitting ---------------------------------------------------------------------------
    @staticmethod
    def featurizer_for(examples: list[Example]) -> tuple[Featurizer, sp.csr_matrix]:
        texts = [normalise(e.text) for e in examples]
        meta = [meta_tokens(e.network, e.account, e.lang) for e in examples]
        featurizer = Featurizer(min_df=2 if len(examples) >= 200 else 1)
        return featurizer, featurizer.fit_transform(texts, meta)

    def fit(self, examples: list[Example], featurizer: Featurizer | None = None,
            X: sp.csr_matrix | None = None) -> "Expertise":
        """Fit every head on `examples` (X: their rows, from `featurizer`, when already made)."""
        if featurizer is None or X is None:
            featurizer, X = self.featurizer_for(examples)
        self.featurizer = featurizer
        self.silo_ids = np.array(sorted({e.silo_id for e in examples}), dtype=np.int64)
        silo_index = {s: i for i, s in enumerate(self.silo_ids)}
        y = np.array([silo_index[e.silo_id] for e in examples])
        self.fit_silo(X, y)
        self._fit_people(examples, X, y, silo_index)
        self._fit_memory(examples, X, y)
        self._fit_accounts(examples, y)
        return self

    def fit_silo(self, X, y: np.ndarray) -> None:
        """The silo head alone (training tries several C on it): a linear SVM, and beside it a
        Complement Naive Bayes whose scores training may mix in — on short, noisy real text
        the two disagree usefully (+2 points of silo accuracy on real tweets)."""
        self.w_silo, self.b_silo = _svm_margins(X, y, len(self.silo_ids), self.params.c_silo)
        self.w_nb = None
        if len(self.silo_ids) >= 2:
            nb = ComplementNB(alpha=NB_ALPHA).fit(X, y)
            self.w_nb = nb.feature_log_prob_.T.astype(np.float32)

    def _fit_people(self, examples, X, y, silo_index) -> None:
        """For each silo, one SVM over the people who resolved its examples."""
        self.people: list[np.ndarray] = []  # per silo: person ids, in column order
        self.w_people: list[sp.csr_matrix] = []  # per silo: F x people weights
        self.b_people: list[np.ndarray] = []
        self.counts: dict[tuple[int, int], int] = {}  # (person id, silo id) -> examples
        for s in range(len(self.silo_ids)):
            rows = np.array([i for i in np.flatnonzero(y == s)
                             if examples[i].person_id is not None], dtype=np.int64)
            people = sorted({examples[i].person_id for i in rows})
            for i in rows:
                key = (examples[i].person_id, int(self.silo_ids[s]))
                self.counts[key] = self.counts.get(key, 0) + 1
            if len(people) >= 2:
                index = {person: j for j, person in enumerate(people)}
                target = np.array([index[examples[i].person_id] for i in rows])
                w, b = _svm_margins(X[rows], target, len(people), self.params.c_person)
            else:
                w, b = np.zeros((X.shape[1], len(people)), np.float32), np.zeros(len(people))
            self.people.append(np.array(people, dtype=np.int64))
            # Features absent from the silo's examples have weight 0 exactly: keep it sparse.
            self.w_people.append(sp.csr_matrix(w))
            self.b_people.append(b)

    def _fit_memory(self, examples, X, y) -> None:
        """The kNN memory: content words (rare enough to tell examples apart) of each example,
        kept per silo with the column of the person who resolved it (-1: nobody named)."""
        n_word = len(self.featurizer.word_vocab)
        words = X[:, :n_word].tocsc()
        df = np.diff(words.indptr)
        self.knn_mask = (df <= max(KNN_MAX_DF * len(examples), 50)).astype(np.float64)
        memory = (words @ sp.diags(self.knn_mask)).tocsr()
        memory.eliminate_zeros()
        norms = np.sqrt(np.asarray(memory.multiply(memory).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        memory = sp.csr_matrix(sp.diags(1 / norms) @ memory, dtype=np.float32)
        self.memory: list[sp.csr_matrix] = []
        self.memory_person: list[np.ndarray] = []
        for s in range(len(self.silo_ids)):
            rows = np.flatnonzero(y == s)
            column = {p: j for j, p in enumerate(self.people[s])}
            self.memory.append(memory[rows])
            self.memory_person.append(np.array(
                [column.get(examples[i].person_id, -1) for i in rows], dtype=np.int64))
        self._transpose_memory()

    def _transpose_memory(self) -> None:
        self.memory_t = [m.T.tocsr() for m in self.memory]

    def _fit_accounts(self, examples, y) -> None:
        self.accounts: dict[str, np.ndarray] = {}
        for e, s in zip(examples, y, strict=True):
            if e.account:
                key = account_key(e.account)
                self.accounts.setdefault(key, np.zeros(len(self.silo_ids)))[s] += 1

    # -- predicting ------------------------------------------------------------------------
    @property
    def examples(self) -> int:
        return sum(m.shape[0] for m in self.memory)

    def features(self, batch) -> sp.csr_matrix:
        """The feature rows of a batch of Incoming messages (computed once per batch)."""
        texts = [normalise(m.text) for m in batch]
        meta = [meta_tokens(m.network, m.account, m.lang) for m in batch]
        return self.featurizer.transform(texts, meta)

    def silo_parts(self, X: sp.csr_matrix, accounts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(SVM margins, P(silo | account)) per message, each n x S."""
        n_silos = len(self.silo_ids)
        margin = np.asarray(X @ self.w_silo) + self.b_silo
        if self.params.w_nb and self.w_nb is not None:
            margin = margin + self.params.w_nb * _on_scale_of(np.asarray(X @ self.w_nb), margin)
        prior = np.full((X.shape[0], n_silos), 1.0 / n_silos)
        for i, handle in enumerate(accounts):
            counts = self.accounts.get(account_key(handle)) if handle else None
            if counts is not None:
                prior[i] = (counts + 0.5) / (counts.sum() + 0.5 * n_silos)
        return margin, prior

    def silo_probabilities(self, margin, prior, params: Params | None = None) -> np.ndarray:
        p = params or self.params
        return softmax(margin / p.t_silo + p.w_account * np.log(prior))

    def within(self, X: sp.csr_matrix, focus: np.ndarray) -> Within:
        """The person heads of each message's focus silo (-1: skip), by silo in one go each."""
        n = X.shape[0]
        result = Within(focus, {}, [(0, {})] * n)
        silos = np.unique(focus[focus >= 0])
        if not len(silos):
            return result
        words = X[:, :len(self.featurizer.word_vocab)]
        norms = np.sqrt(np.asarray(words.multiply(words) @ self.knn_mask).ravel())
        norms[norms == 0] = 1
        for s in silos:
            rows = np.flatnonzero(focus == s)
            people = self.people[s]
            if not len(people):
                continue
            margins = np.asarray((X[rows] @ self.w_people[s]).todense()) + self.b_people[s]
            votes = np.zeros((len(rows), len(people)))
            sims = (words[rows] @ self.memory_t[s]).tocsr()
            labels = self.memory_person[s]
            for k, i in enumerate(rows):
                lo, hi = sims.indptr[k], sims.indptr[k + 1]
                if lo == hi:
                    continue
                ids, sim = sims.indices[lo:hi], sims.data[lo:hi] / norms[i]
                if hi - lo > K:
                    top = np.argpartition(-sim, K - 1)[:K]
                    top_ids, top_sim = ids[top], sim[top]
                else:
                    top_ids, top_sim = ids, sim
                chosen = labels[top_ids]
                named = chosen >= 0
                votes[k] = np.bincount(chosen[named], weights=top_sim[named],
                                       minlength=len(people))
                liked = sim >= LIKE
                if liked.any():
                    by = labels[ids[liked]]
                    counts = np.bincount(by[by >= 0], minlength=len(people))
                    result.like[i] = (int(np.count_nonzero(liked)),
                                      {int(people[j]): int(counts[j])
                                       for j in np.flatnonzero(counts)})
            result.groups[int(s)] = (rows, margins, votes)
        return result

    def rank_people(self, within: Within, params: Params | None = None) -> list:
        """Per message: (person ids best first, their P(person | focus silo, text)); empty
        arrays when there is nobody to rank."""
        p = params or self.params
        nobody = (np.zeros(0, np.int64), np.zeros(0))
        ranked = [nobody] * len(within.focus)
        for s, (rows, margins, votes) in within.groups.items():
            model = softmax(margins / p.t_person)
            total = votes.sum(axis=1, keepdims=True)
            share = np.divide(votes, total, out=model.copy(), where=total > 0)
            prob = p.alpha * model + (1 - p.alpha) * share
            order = np.argsort(-prob, axis=1, kind="stable")
            people = self.people[s]
            for k, i in enumerate(rows):
                ranked[i] = (people[order[k]], prob[k, order[k]])
        return ranked

    def predict(self, X: sp.csr_matrix, accounts: list[str], focus: np.ndarray | None = None,
                silo_mask: np.ndarray | None = None) -> Prediction:
        """Silo probabilities (renormalised over `silo_mask` when given); people of the `focus`
        silo of each message (default: its most likely silo)."""
        silo = self.silo_probabilities(*self.silo_parts(X, accounts))
        if silo_mask is not None:
            silo = silo * silo_mask
            totals = silo.sum(axis=1, keepdims=True)
            silo = np.divide(silo, totals, out=np.zeros_like(silo), where=totals > 0)
        prediction = Prediction(silo)
        if focus is None:
            focus = np.where(silo.any(axis=1), silo.argmax(axis=1), -1)
        return self.people_of(prediction, X, focus)

    def people_of(self, prediction: Prediction, X, focus: np.ndarray) -> Prediction:
        prediction.within = self.within(X, np.asarray(focus, dtype=np.int64))
        prediction.people = self.rank_people(prediction.within)
        return prediction

    def silo_index(self, silo_id: int | None) -> int:
        """The model's index of a silo id, -1 when it has learned nothing about that silo."""
        found = np.flatnonzero(self.silo_ids == silo_id) if silo_id is not None else []
        return int(found[0]) if len(found) else -1

    def account_share(self, handle: str, silo: int) -> tuple[int, float]:
        counts = self.accounts.get(account_key(handle)) if handle else None
        if counts is None or counts.sum() == 0:
            return 0, 0.0
        return int(counts.sum()), float(counts[silo] / counts.sum())

    def similar_resolvers(self, X) -> Counter:
        """Person id -> how many examples at least LIKE similar to the one message of X they
        resolved, over every silo (for consult suggestions)."""
        words = X[:, :len(self.featurizer.word_vocab)]
        norm = float(np.sqrt((words.multiply(words) @ self.knn_mask).sum())) or 1.0
        counts: Counter = Counter()
        for s, memory_t in enumerate(self.memory_t):
            sims = (words @ memory_t).tocsr()
            liked = self.memory_person[s][sims.indices[sims.data / norm >= LIKE]]
            counts.update(int(self.people[s][j]) for j in liked if j >= 0)
        return counts


def tokens_pattern(words: list[str]) -> re.Pattern | None:
    """Whole words or phrases, case-insensitive (rules and the keyword baseline share it)."""
    words = [w.strip() for w in words if w and w.strip()]
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
