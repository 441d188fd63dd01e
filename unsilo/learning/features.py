"""Batch TF-IDF featurizer: word(1,2) + char_wb(2,5), equal to scikit-learn's and faster.

The output is what ``hstack([word.transform(t), char.transform(t)])`` gives for two
``TfidfVectorizer(sublinear_tf=True)`` (one ``analyzer="word", ngram_range=(1, 2)``, one
``analyzer="char_wb", ngram_range=(2, 5)``), each part l2-normalised on its own. The fit uses
scikit-learn itself (vocabularies and idf); the transform only tokenises in Python, through a
per-word cache of n-gram column arrays, and does counting, tf, idf and norms once per batch in
scipy (docs/research/classification.md §5).
"""

import math
import re
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

# scikit-learn's default token pattern; \w includes "_", so "_url_" and "_net_twitter" stay whole.
TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_CACHE_MAX = 200_000  # distinct whitespace-separated words kept in the per-word cache


class Featurizer:
    """Word(1,2) + char_wb(2,5) TF-IDF (sublinear tf, smooth idf, l2 per part), sklearn-compatible.

    ``min_df``, ``max_df`` and ``max_features`` are passed to each of the two scikit-learn
    vectorizers (``max_features`` therefore limits each part separately).

    ``meta``: an optional list, one per text, of extra word tokens (such as ``_net_twitter``
    ``_acct_meridianhelp`` ``_lang_es``). They are added to the **word part only**, as unigrams
    (never in bigrams with the text and never as char n-grams), with their own document
    frequency and the same idf formula; the word part is normalised together with them. Pass
    ``meta`` to both ``fit`` and ``transform``; meta tokens unseen at fit time are ignored.
    Without ``meta`` the output equals scikit-learn's to float rounding.

    Texts are lowercased (as scikit-learn does); callers normalise them first with
    ``learning.text.normalise``. `learning.store` keeps a fitted one as arrays and JSON.
    """

    def __init__(self, min_df=1, max_df=1.0, max_features=None, word_ngrams=(1, 2),
                 char_ngrams=(2, 5), dtype=np.float64):
        if not (1 <= word_ngrams[0] <= word_ngrams[1] <= 2):
            raise ValueError("word_ngrams: only (1, 1), (1, 2) and (2, 2) are supported")
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.word_ngrams = tuple(word_ngrams)
        self.char_ngrams = tuple(char_ngrams)
        self.dtype = dtype
        self.word_vocab: dict[str, int] = {}
        self.char_vocab: dict[str, int] = {}
        self.word_idf = np.zeros(0)
        self.char_idf = np.zeros(0)
        self._cache: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
        self._token = re.compile(TOKEN_PATTERN)

    # -- fitting ---------------------------------------------------------------------------
    def _sk(self, analyzer, ngrams):
        return TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True,
                               min_df=self.min_df, max_df=self.max_df,
                               max_features=self.max_features, dtype=self.dtype,
                               token_pattern=TOKEN_PATTERN)

    @staticmethod
    def _fit_part(vec, texts):
        try:
            vec.fit(texts)
        except ValueError:  # empty vocabulary (e.g. no token of 2+ letters anywhere)
            return {}, np.zeros(0)
        return dict(vec.vocabulary_), np.asarray(vec.idf_, dtype=np.float64)

    def fit(self, texts: list[str], meta: list[list[str]] | None = None) -> "Featurizer":
        texts = list(texts)
        self.word_vocab, self.word_idf = self._fit_part(self._sk("word", self.word_ngrams), texts)
        self.char_vocab, self.char_idf = self._fit_part(self._sk("char_wb", self.char_ngrams),
                                                        texts)
        if meta is not None:
            self._fit_meta(meta, len(texts))
        self._cache = {}
        return self

    def _fit_meta(self, meta, n_docs):
        """Add the meta tokens to the word vocabulary with sklearn's smooth idf."""
        df: dict[str, int] = {}
        for tokens in meta:
            for tok in set(tokens or ()):
                if tok not in self.word_vocab:
                    df[tok] = df.get(tok, 0) + 1
        low = self.min_df if isinstance(self.min_df, Integral) else self.min_df * n_docs
        high = self.max_df if isinstance(self.max_df, Integral) else self.max_df * n_docs
        kept = sorted(t for t, c in df.items() if low <= c <= high)
        base = len(self.word_vocab)
        for i, tok in enumerate(kept):
            self.word_vocab[tok] = base + i
        extra = [math.log((1 + n_docs) / (1 + df[t])) + 1.0 for t in kept]
        self.word_idf = np.concatenate([self.word_idf, np.asarray(extra, dtype=np.float64)])

    def fit_transform(self, texts, meta=None) -> sp.csr_matrix:
        return self.fit(texts, meta).transform(texts, meta)

    # -- transforming ----------------------------------------------------------------------
    @property
    def n_features(self) -> int:
        return len(self.word_vocab) + len(self.char_vocab)

    def _piece(self, piece: str):
        """Word tokens and char_wb n-gram columns of one whitespace-separated word (cached)."""
        hit = self._cache.get(piece)
        if hit is not None:
            return hit
        tokens = tuple(self._token.findall(piece))
        lo, hi = self.char_ngrams
        w = " " + piece + " "
        w_len = len(w)
        vocab = self.char_vocab
        cols = []
        for n in range(lo, hi + 1):  # the same walk as sklearn's _char_wb_ngrams
            offset = 0
            j = vocab.get(w[0:n])
            if j is not None:
                cols.append(j)
            while offset + n < w_len:
                offset += 1
                j = vocab.get(w[offset:offset + n])
                if j is not None:
                    cols.append(j)
            if offset == 0:
                break
        hit = (tokens, np.asarray(cols, dtype=np.int32))
        if len(self._cache) >= _CACHE_MAX:
            self._cache.clear()
        self._cache[piece] = hit
        return hit

    def transform(self, texts: list[str], meta: list[list[str]] | None = None) -> sp.csr_matrix:
        """One CSR row per text: word columns first, then char columns."""
        n = len(texts)
        wvocab = self.word_vocab
        bigrams = self.word_ngrams[1] >= 2
        unigrams = self.word_ngrams[0] <= 1
        w_cols: list[int] = []
        w_len = np.zeros(n, dtype=np.int64)
        c_arrays: list[np.ndarray] = []
        c_len = np.zeros(n, dtype=np.int64)
        piece = self._piece
        for i, text in enumerate(texts):
            start_w = len(w_cols)
            toks: list[str] = []
            count = 0
            for p in (text or "").lower().split():
                ptoks, cols = piece(p)
                if ptoks:
                    toks.extend(ptoks)
                if len(cols):
                    c_arrays.append(cols)
                    count += len(cols)
            c_len[i] = count
            if unigrams:
                for t in toks:
                    j = wvocab.get(t)
                    if j is not None:
                        w_cols.append(j)
            if bigrams:
                for a, b in zip(toks, toks[1:], strict=False):
                    j = wvocab.get(a + " " + b)
                    if j is not None:
                        w_cols.append(j)
            if meta is not None and meta[i]:
                for t in meta[i]:
                    j = wvocab.get(t)
                    if j is not None:
                        w_cols.append(j)
            w_len[i] = len(w_cols) - start_w
        word = _tfidf(np.asarray(w_cols, dtype=np.int32), w_len, len(wvocab), self.word_idf,
                      self.dtype)
        cc = np.concatenate(c_arrays) if c_arrays else np.zeros(0, dtype=np.int32)
        char = _tfidf(cc, c_len, len(self.char_vocab), self.char_idf, self.dtype)
        return sp.hstack([word, char], format="csr", dtype=self.dtype)


def _tfidf(cols: np.ndarray, lengths: np.ndarray, n_cols: int, idf: np.ndarray,
           dtype) -> sp.csr_matrix:
    """Counts -> 1 + log(tf) -> * idf -> l2 row norm, for the whole batch at once."""
    n = len(lengths)
    rows = np.repeat(np.arange(n, dtype=np.int32), lengths)
    m = sp.csr_matrix((np.ones(len(cols), dtype=np.float64), (rows, cols)),
                      shape=(n, n_cols))
    m.sum_duplicates()
    if m.nnz:
        m.data = (np.log(m.data) + 1.0) * idf[m.indices]
        sq = np.add.reduceat(m.data ** 2, m.indptr[:-1][np.diff(m.indptr) > 0])
        norms = np.zeros(n)
        norms[np.diff(m.indptr) > 0] = np.sqrt(sq)
        m.data /= np.repeat(norms, np.diff(m.indptr))
    return m.astype(dtype, copy=False)
