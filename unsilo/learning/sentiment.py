"""Sentiment: the lexicon scorer (lexicon.py), optionally blended with a head learned from
resolved history without sentiment labels ("distant supervision").

How the head learns: an agent's answer says how the customer felt. An apology ("sorry",
"apologise", "inconvenience", "entschuldigen", "désolé", "lo sentimos"…) means the customer
was negative; thanks for kind words ("glad", "happy to hear", "thanks for the love"…) means
positive; a purely informational answer means neutral. Corrections made by people in the
inbox ({index: label}) win over these weak labels and weigh more. A linear model over the
shared TF-IDF features plus the lexicon columns is trained on the customer texts.
"""

import re

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import SGDClassifier

from unsilo.learning import lexicon
from unsilo.learning.features import Featurizer
from unsilo.learning.text import normalise

LABELS = ("negative", "neutral", "positive")
MIN_EXAMPLES = 200  # below this (or with one class) the lexicon alone is better
MIN_PER_CLASS = 10
BLEND = 0.5  # weight of the learned head against the lexicon; tuned on sentiment_dev.jsonl
CORRECTION_WEIGHT = 3.0
LEX_SCALE = 1.0  # lexicon columns next to l2-normalised TF-IDF parts

_APOLOGY = re.compile(
    r"sorry|apolog|inconvenien|frustrat|unacceptable on our part|not the experience|"
    r"entschuldig|tut uns (?:sehr )?leid|bedauern|désolé|desole|nos excuses|toutes nos excuses|"
    r"lo sentimos|disculpa|lamentamos|sentimos muito|desculp|lamentamos|ci scusiamo|"
    r"scusa|ci dispiace|spijt|excuses voor|sorry voor|申し訳|ご迷惑|죄송", re.IGNORECASE)
_GLAD = re.compile(
    r"glad|happy to hear|great to hear|love to hear|lovely to hear|so happy|made our day|"
    r"kind words|thanks for the (?:love|shout|kind|lovely|praise|support)|"
    r"thank you for the (?:love|shout|kind|lovely|praise|support)|passed your (?:message|kind)|"
    r"means a lot|freut uns|schön zu hören|ravis|heureux|ça nous fait plaisir|nos alegra|"
    r"qué bien|ficamos (?:muito )?felizes|que bom|che bello|siamo felici|fijn om te horen|"
    r"blij|嬉しい|기쁩니다", re.IGNORECASE)


def weak_label(answer: str) -> str | None:
    """The customer's sentiment as an agent's answer implies it; None when it says nothing."""
    answer = (answer or "").strip()
    if not answer:
        return None
    sorry, glad = bool(_APOLOGY.search(answer)), bool(_GLAD.search(answer))
    if sorry and glad:
        return None  # "sorry for the wait, glad it's sorted": ambiguous
    return "negative" if sorry else "positive" if glad else "neutral"


class LearnedSentiment:
    """A linear head over [TF-IDF | lexicon columns]; picklable.

    ``shared`` is True when it was trained on a featurizer passed in by the caller (the
    routing bundle), so ``classify(..., X=...)`` can reuse the batch matrix of that featurizer.
    """

    def __init__(self, featurizer: Featurizer, model: SGDClassifier, shared: bool,
                 n_examples: int, label_counts: dict[str, int]):
        self.featurizer = featurizer
        self.model = model
        self.shared = shared
        self.n_examples = n_examples
        self.label_counts = label_counts
        self.n_text_features = featurizer.n_features

    def predict_proba(self, texts: list[str], X=None, lex_rows=None) -> np.ndarray:
        """(n, 3) probabilities in LABELS order."""
        if not texts:
            return np.zeros((0, 3))
        if X is None or not self.shared or X.shape[1] != self.n_text_features:
            X = self.featurizer.transform([normalise(t) for t in texts])
        if lex_rows is None:
            lex_rows = lexicon.score_many(texts)
        proba = self.model.predict_proba(_stack(X, lex_rows))
        out = np.zeros((len(texts), 3))
        for j, label in enumerate(self.model.classes_):
            out[:, LABELS.index(label)] = proba[:, j]
        return out


def _stack(X, lex_rows):
    return sp.hstack([X, sp.csr_matrix(np.asarray(lex_rows) * LEX_SCALE)], format="csr")


def learn(texts: list[str], answers: list[str], corrections: dict[int, str] | None = None, *,
          featurizer: Featurizer | None = None, X=None) -> LearnedSentiment | None:
    """Fit the head from customer texts and the agents' answers (same order).

    ``corrections``: {index into texts: "negative" | "neutral" | "positive"}, set by people;
    they override the weak label and weigh CORRECTION_WEIGHT times more.
    ``featurizer`` / ``X``: optionally a featurizer already fitted on these texts and its
    matrix for them (the routing bundle's), so classify() can reuse the batch matrix; by
    default a Featurizer(min_df=2) is fitted here on the normalised texts.
    Returns None with fewer than MIN_EXAMPLES labelled texts or fewer than two classes.
    """
    corrections = corrections or {}
    labels: list[str | None] = [weak_label(a) for a in answers]
    labels += [None] * (len(texts) - len(labels))
    weights = np.ones(len(texts))
    for index, label in corrections.items():
        if 0 <= index < len(texts) and label in LABELS:
            labels[index] = label
            weights[index] = CORRECTION_WEIGHT
    keep = [i for i, label in enumerate(labels) if label is not None]
    counts = {label: sum(1 for i in keep if labels[i] == label) for label in LABELS}
    usable = [label for label, c in counts.items() if c >= MIN_PER_CLASS]
    if len(keep) < MIN_EXAMPLES or len(usable) < 2:
        return None
    keep = [i for i in keep if labels[i] in usable]
    shared = featurizer is not None
    if featurizer is None:
        featurizer = Featurizer(min_df=2)
        X = featurizer.fit_transform([normalise(texts[i]) for i in keep])
    else:
        if X is None:
            X = featurizer.transform([normalise(t) for t in texts])
        X = X[keep]
    rows = lexicon.score_many([texts[i] for i in keep])
    model = SGDClassifier(loss="log_loss", alpha=1e-4, class_weight="balanced", max_iter=200,
                          tol=1e-3, random_state=0)
    model.fit(_stack(X, rows), [labels[i] for i in keep], sample_weight=weights[keep])
    return LearnedSentiment(featurizer, model, shared, len(keep), counts)


def predict(texts: list[str], learned: LearnedSentiment | None = None, X=None,
            lex_rows=None) -> list[str]:
    """Sentiment labels: the lexicon alone, or blended with the learned head."""
    if not texts:
        return []
    if lex_rows is None:
        lex_rows = lexicon.score_many(texts)
    if learned is None:
        return lexicon.label(lex_rows)
    p = BLEND * learned.predict_proba(texts, X, lex_rows) + (1 - BLEND) * lexicon.probabilities(
        lex_rows)
    return [LABELS[i] for i in p.argmax(axis=1)]


def risk_aware(mood: str, flags: dict[str, list[str]]) -> str:
    """The sentiment once the risk flags are known: a cry for help is never positive, whatever
    its words ("I just want to end it all" scores as relief), and a safety report is not a
    happy customer even when it reads as praise or sarcasm ("great, it caught fire")."""
    if "self_harm" in flags:
        return "negative"
    if "safety" in flags and mood == "positive":
        return "negative"
    return mood
