"""Classify a batch of messages: intent, sentiment, language, urgency and risk flags.

Offline and on the CPU. Lexicons and regexes are compiled once per process; the batch is
scored in one pass per part. ``learned`` is the sentiment head from ``sentiment.learn`` (part
of the routing bundle, may be None); ``X`` is the routing featurizer's matrix for this batch,
reused by a head trained on that featurizer. Sentiment is read after the risk flags: a
self-harm or safety message never reads positive (sentiment.risk_aware). Never raises on odd
text: a message that cannot be classified gets neutral defaults and the batch goes on.
"""

import logging

from unsilo.learning import intent, language, lexicon, risk, sentiment, urgency
from unsilo.learning.text import Tokens
from unsilo.learning.types import Classification, Incoming

log = logging.getLogger(__name__)
MAX_CHARS = 20_000  # classification reads the opening of very long messages


def classify(batch: list[Incoming], learned=None, X=None) -> list[Classification]:
    if not batch:
        return []
    texts = [_text(m) for m in batch]
    tokens = [Tokens(t) for t in texts]  # tokenised once for every part
    lex_rows = lexicon.score_many(texts, tokens)
    try:
        moods = sentiment.predict(texts, learned, X, lex_rows)
    except Exception:  # a broken learned head must not stop ingestion: fall back to lexicon
        log.exception("learned sentiment head failed; using the lexicon alone")
        moods = lexicon.label(lex_rows)
    out = []
    for m, text, tk, mood in zip(batch, texts, tokens, moods, strict=True):
        try:
            flags = risk.find(text, tk)
            mood = sentiment.risk_aware(mood, flags)
            out.append(Classification(
                intent=intent.pick(text, mood, flags, tk),
                sentiment=mood,
                language=language.detect(text, m.lang, tk),
                urgency=urgency.rate(text, mood, flags, tk),
                risk=flags,
            ))
        except Exception:  # defensive: one odd message never fails the batch
            log.exception("could not classify message %s", m.id)
            out.append(Classification(intent="other", sentiment="neutral",
                                      language=language.from_field(m.lang), urgency="normal"))
    return out


def _text(m: Incoming) -> str:
    text = m.text if isinstance(m.text, str) else str(m.text or "")
    return text[:MAX_CHARS]
