"""The made-up company of bench/find_expert.py: who knows which topics, and conversations and
questions about them, the same for the same seed."""

import bisect
import itertools
import random

SYLLABLES = ["ka", "lo", "mi", "ne", "tor", "vas", "ri", "pen", "dul", "sa", "qui", "bro",
             "fen", "gal", "hu", "jor", "zek", "wil", "ost", "ur", "ya", "cre", "plo", "dra"]
_COMMON = ("order account help issue problem today again still waiting week month customer "
          "service team email phone call online store number update status working thing "
          "time days back new last first reply answer question info details")
COMMON = _COMMON.split()
N_WORDS, N_TOPICS, TOPIC_WORDS = 20_000, 5_000, 6


def _words(rng: random.Random) -> list[str]:
    seen: dict[str, None] = {}
    while len(seen) < N_WORDS:
        seen["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))] = None
    return list(seen)


class Company:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.words = _words(rng)
        self.topics = [rng.sample(self.words, TOPIC_WORDS) for _ in range(N_TOPICS)]

    def knows(self, person_id: int, topics: set[int]) -> bool:
        return any(person_id in self.knower_ids.get(t, ()) for t in topics)

    def assign(self, people: list[tuple[int, int]]) -> None:
        """Give each (person id, silo id) 1-3 topics and an activity from a power law."""
        r = self.rng
        self.people = people
        self.known = [r.sample(range(N_TOPICS), r.randint(1, 3)) for _ in people]
        self.knowers: dict[int, list[int]] = {}
        for i, topics in enumerate(self.known):
            for t in topics:
                self.knowers.setdefault(t, []).append(i)
        self.knower_ids = {t: {people[i][0] for i in who} for t, who in self.knowers.items()}
        weights = [1 / (rank + 10) ** 1.1 for rank in range(len(people))]
        r.shuffle(weights)
        self.cumulative = list(itertools.accumulate(weights))

    def _text(self, topic: int, topic_words: int, common: int) -> str:
        r = self.rng
        parts = r.sample(self.topics[topic], topic_words) + r.sample(COMMON, common)
        parts += [r.choice(self.words), str(r.randint(1, 99999))]
        r.shuffle(parts)
        return " ".join(parts)

    def conversation(self) -> tuple[int, int, str, int | None]:
        """(resolver id, silo id, text, someone consulted or None)."""
        r = self.rng
        i = bisect.bisect(self.cumulative, r.random() * self.cumulative[-1])
        i = min(i, len(self.people) - 1)
        person, silo = self.people[i]
        topic = r.choice(self.known[i])
        helper = None
        if r.random() < 1 / 7:
            others = [j for j in self.knowers[topic] if j != i]
            helper = self.people[r.choice(others)][0] if others else None
        return person, silo, self._text(topic, 4, 3), helper

    def questions(self, n: int) -> list[tuple[str, str, set[int]]]:
        """(kind, text, topics): short, typical and pasted questions about topics people know
        (a pasted one is about several)."""
        r = self.rng
        known = sorted(self.knowers)
        out = []
        for k in range(n):
            topic = r.choice(known)
            if k % 5 == 0:
                out.append(("short", " ".join(r.sample(self.topics[topic], r.randint(2, 3))),
                            {topic}))
            elif k % 5 == 4:
                about = [topic, *r.sample(known, 13)]
                text = ""
                for t in about:  # whole pieces, up to about 800 characters
                    if len(text) > 700:
                        break
                    text += self._text(t, 4, 3) + " "
                    last = t
                out.append(("pasted", text.strip(), set(about[:about.index(last) + 1])))
            else:
                out.append(("typical", self._text(topic, 3, 4), {topic}))
        return out
