"""The keyword-rules baseline `unsilo routing evaluate` shows beside the model.

What a COE would write by hand, made from the same training history: for each silo, its most
distinctive words (log-odds of appearing in that silo's examples against the rest, with a
small prior, at least 3 examples). A message goes to the silo whose keywords it matches most
strongly (no match: the busiest silo); the person is the silo's most frequent resolver of the
examples that match those keywords (no match: of all the silo's examples).
"""

import math
import re
from collections import Counter

from unsilo.learning.text import normalise

WORDS = re.compile(r"\w\w+")
KEYWORDS = 30  # per silo
MIN_DF = 3


def words(text: str) -> set[str]:
    return set(WORDS.findall(normalise(text)))


class KeywordBaseline:
    def fit(self, texts: list[str], silos: list, people: list) -> "KeywordBaseline":
        docs = [words(t) for t in texts]
        n_silo = Counter(silos)
        df_all: Counter = Counter()
        df_silo: dict = {s: Counter() for s in n_silo}
        for doc, silo in zip(docs, silos, strict=True):
            df_all.update(doc)
            df_silo[silo].update(doc)
        total = len(docs)
        self.keywords: dict = {}
        for silo, counts in df_silo.items():
            rest = max(total - n_silo[silo], 1)
            scored = []
            for word, df in counts.items():
                if df < MIN_DF:
                    continue
                inside = (df + 0.5) / (n_silo[silo] + 1)
                outside = (df_all[word] - df + 0.5) / (rest + 1)
                score = math.log(inside / (1 - inside)) - math.log(outside / (1 - outside))
                if score > 0:
                    scored.append((score, word))
            self.keywords[silo] = dict((w, s) for s, w in sorted(scored, reverse=True)[:KEYWORDS])
        self.busiest = n_silo.most_common(1)[0][0] if n_silo else None
        # Per silo, per keyword: who resolved the examples that contain it.
        self.resolvers: dict = {s: {} for s in n_silo}
        self.silo_resolvers: dict = {s: Counter() for s in n_silo}
        for doc, silo, person in zip(docs, silos, people, strict=True):
            if person is None:
                continue
            self.silo_resolvers[silo][person] += 1
            for word in doc.intersection(self.keywords[silo]):
                self.resolvers[silo].setdefault(word, Counter())[person] += 1
        return self

    def predict(self, text: str) -> tuple[object, list]:
        """(silo, people best first) for one message."""
        doc = words(text)
        best, best_score, matched = self.busiest, 0.0, set()
        for silo, keywords in self.keywords.items():
            hits = doc.intersection(keywords)
            score = sum(keywords[w] for w in hits)
            if score > best_score:
                best, best_score, matched = silo, score, hits
        if best is None:
            return None, []
        counts: Counter = Counter()
        for word in matched:
            counts.update(self.resolvers[best].get(word, {}))
        if not counts:
            counts = self.silo_resolvers[best]
        return best, [p for p, _ in counts.most_common(3)]
