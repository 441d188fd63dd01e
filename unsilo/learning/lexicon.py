"""A fast VADER-style sentiment scorer with the customer-care lexicon layered on top.

VADER's lexicon files are reused (the vaderSentiment package); negation, boosters, "but",
caps and "!" follow VADER's rules in simplified form. Customer-care phrases (care_lexicon.py)
replace VADER's reading of the words they cover, and sarcasm ("great job losing my bag") is
read as a complaint. ``score_many`` returns one feature row per text; ``label`` turns rows
into positive / neutral / negative with thresholds tuned on tests/learning/data/sentiment_dev.jsonl.
"""

import math
import os
import re
from functools import lru_cache

import numpy as np

from unsilo.learning import care_lexicon as care
from unsilo.learning.text import TOKEN, Tokens

# Tuned on sentiment_dev.jsonl (see docs/research/classification.md §7); never on the test set.
POS_THRESHOLD = 0.15
NEG_THRESHOLD = -0.10
QUESTION_DAMP = 0.20

# Feature columns of ``score_many``.
COLUMNS = ("compound", "pos", "neg", "care_neg", "question", "exclaim", "sarcasm")

_ORDINAL_TIME = re.compile(r"\b(?:\d+(?:st|nd|rd|th)|third|fourth|fifth) (?:time|attempt|call)\b")
_DURATION = re.compile(r"\b\d+(?:\.\d+)?\s?(?:hours?|hrs?|days?|weeks?|months?|minutes?|mins?)\b")
_NON_SPACED = re.compile(r"[\u0400-\u04ff\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")


@lru_cache(maxsize=1)
def _lexicons():
    """VADER's word and emoji lexicons merged with ours; loaded once per process."""
    import vaderSentiment.vaderSentiment as vs

    folder = os.path.dirname(vs.__file__)
    words: dict[str, float] = {}
    with open(os.path.join(folder, "vader_lexicon.txt"), encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2:
                try:
                    words[parts[0].lower()] = float(parts[1])
                except ValueError:
                    continue
    with open(os.path.join(folder, "emoji_utf8_lexicon.txt"), encoding="utf-8") as fh:
        for line in fh:
            emoji, _, description = line.rstrip("\n").partition("\t")
            value = sum(words.get(w, 0.0) for w in description.lower().split())
            if emoji and value:
                words.setdefault(emoji.replace("\ufe0f", ""), value)
    words.update(care.EMOJI)
    phrases: dict[str, float] = {}
    for phrase, value in care.PHRASES.items():
        key = " ".join(TOKEN.findall(phrase.lower().replace("’", "'")))
        phrases[key] = value
    first = {key.split(" ")[0]: 0 for key in phrases}
    for key in phrases:
        head = key.split(" ")[0]
        first[head] = max(first[head], key.count(" ") + 1)
    negate = frozenset(vs.NEGATE) | care.NEGATORS
    boosters = {k.lower(): v for k, v in vs.BOOSTER_DICT.items()}
    substr = re.compile("|".join(map(re.escape, sorted(care.SUBSTRINGS, key=len, reverse=True))))
    return words, phrases, first, negate, boosters, substr


def score(text: str, tk: Tokens | None = None) -> tuple[float, ...]:
    """Feature row (see COLUMNS) for one text (``tk``: its tokens, if already made)."""
    words, phrases, first, negate, boosters, substr = _lexicons()
    tk = tk or Tokens(text)
    text, toks, low = tk.text, tk.toks, tk.low
    n = len(low)
    letters = [t for t in toks if t.isalpha()]
    caps_differ = any(t.isupper() and len(t) > 1 for t in letters) and not all(
        t.isupper() for t in letters)
    vals: list[float] = []
    kinds: list[int] = []  # 0 VADER word, 1 care phrase, 2 sarcasm-prone VADER word
    pos_idx: list[int] = []
    i = 0
    exclaim = question_marks = 0
    while i < n:
        w = low[i]
        if w[0] == "!":
            exclaim += len(w)
            i += 1
            continue
        if w[0] == "?":
            question_marks += len(w)
        span = first.get(w)
        v = None
        if span:
            for size in range(min(span, n - i), 0, -1):
                v = phrases.get(" ".join(low[i:i + size]) if size > 1 else w)
                if v is not None:
                    break
        j = i
        if v is not None:
            kind = 1
            i += size
        else:
            i += 1
            v = words.get(w)
            if v is None or w in boosters:
                continue
            kind = 2 if w in care.SARCASM_PRONE else 0
        if v and (kind != 1 or low[j] not in negate):  # a phrase like "no reply" is negated
            scalar = 0.0
            for back, decay in ((1, 1.0), (2, 0.95), (3, 0.9)):
                if j - back < 0:
                    break
                b = boosters.get(low[j - back])
                if b:
                    scalar += b * decay
            v += math.copysign(scalar, v)
            if caps_differ and toks[j].isupper() and len(toks[j]) > 1:
                v += math.copysign(0.733, v)
            if any(low[k] in negate for k in range(max(0, j - 3), j)):
                v *= -0.74
        vals.append(v)
        kinds.append(kind)
        pos_idx.append(j)
    if _NON_SPACED.search(text):
        for m in substr.findall(text.lower()):
            vals.append(care.SUBSTRINGS[m])
            kinds.append(1)
            pos_idx.append(n)
    lowered = " ".join(low)
    for _ in _ORDINAL_TIME.findall(lowered):
        vals.append(-1.8)
        kinds.append(1)
        pos_idx.append(n)
    if _DURATION.search(lowered):
        vals.append(-0.6)
        kinds.append(1)
        pos_idx.append(n)
    if "but" in low:  # VADER: what follows "but" weighs more
        at = low.index("but")
        vals = [v * (0.5 if p < at else 1.5) for v, p in zip(vals, pos_idx, strict=True)]
    care_neg = sum(v for v, k in zip(vals, kinds, strict=True) if k == 1 and v < 0)
    sarcasm = 0.0
    if care_neg <= -2.5:  # praise words wrapped around a clear failure read as sarcasm
        for idx, (v, k) in enumerate(zip(vals, kinds, strict=True)):
            if k == 2 and v > 0:
                vals[idx] = -0.5 * v
                sarcasm += v
    total = sum(vals)
    pos = sum(v for v in vals if v > 0)
    neg = sum(v for v in vals if v < 0)
    if total:
        total += math.copysign(min(exclaim, 4) * 0.292, total)
        if question_marks > 1:
            total += math.copysign(min(question_marks * 0.18, 0.96), total)
    compound = total / math.sqrt(total * total + 15.0)
    opener = next((w for w in low if w.isalpha()), "")
    question = 1.0 if (opener in care.QUESTION_OPENERS or question_marks == 1 and
                       low and low[-1] == "?") else 0.0
    return (compound, pos, neg, care_neg, question, float(min(exclaim, 4)), sarcasm)


def score_many(texts: list[str], tokens: list[Tokens] | None = None) -> np.ndarray:
    """A (len(texts), len(COLUMNS)) float array."""
    if not texts:
        return np.zeros((0, len(COLUMNS)))
    tokens = tokens or [Tokens(t) for t in texts]
    return np.asarray([score(t, tk) for t, tk in zip(texts, tokens, strict=True)],
                      dtype=np.float64)


def label(rows: np.ndarray, pos_threshold: float = POS_THRESHOLD,
          neg_threshold: float = NEG_THRESHOLD, question_damp: float = QUESTION_DAMP) -> list[str]:
    """positive / neutral / negative from ``score_many`` rows."""
    out = []
    for compound, _pos, _neg, _care, question, _ex, _sarc in rows:
        s = compound * question_damp if question and compound > -0.6 else compound
        out.append("positive" if s >= pos_threshold else "negative" if s <= neg_threshold
                   else "neutral")
    return out


def probabilities(rows: np.ndarray) -> np.ndarray:
    """A soft (negative, neutral, positive) distribution from the lexicon, for blending."""
    if not len(rows):
        return np.zeros((0, 3))
    s = rows[:, 0].copy()
    q = (rows[:, 4] > 0) & (s > -0.6)
    s[q] *= QUESTION_DAMP
    centre = (POS_THRESHOLD + NEG_THRESHOLD) / 2
    half = (POS_THRESHOLD - NEG_THRESHOLD) / 2
    z = (s - centre) / max(half, 1e-6)  # -1 and +1 at the thresholds
    logits = np.stack([-4.0 * z - 2.0, np.zeros_like(z), 4.0 * z - 2.0], axis=1)
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)
