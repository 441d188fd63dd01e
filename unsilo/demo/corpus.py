"""Believable customer messages for Meridian Home, the demo company (unsilo/demo/company.py).

Deterministic: the same seed gives the same lines. Messages are built from combinatorial
pieces (greeting × opener × problem × details × aside × closer × emoji, then typos and casing),
in English mostly and in German, French, Spanish, Portuguese, Italian, Dutch and Japanese.
Every item knows its true silo and the **expert** who resolves that kind of thing: inside each
silo each sub-topic belongs to one person chosen by title fit and never the silo's head, so
expertise is learnable from history and is not the title; history has ~5 % noise (another
member of the silo resolved it).

    history(n, seed=1)             resolved conversations (docs/product.md history lines)
    messages(n, seed=2, start=None) inbound message lines + "_truth" (strip before ingesting)
    stream(seed=3)                 endless messages with follow-ups in existing threads
"""

import bisect
import datetime
import itertools
import random
import re
import string
import zlib
from collections.abc import Iterator

from unsilo.demo import corpus_en as en
from unsilo.demo import corpus_intl as intl
from unsilo.demo.corpus_people import experts, organisation
from unsilo.demo.corpus_words import (
    ALL_PRODUCTS,
    CARRIERS,
    CITIES,
    DATES,
    EN_ACCOUNTS,
    FAMILIES,
    FIELDS,
    HASHTAGS,
    KIND_DETAILS,
    NAMES,
    OUTLETS,
    RISK,
    ROLES,
    SYNONYMS,
    WORDS,
)

HISTORY_END = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
MESSAGES_START = datetime.datetime(2026, 11, 2, 8, 0, tzinfo=datetime.UTC)
NOISE = 0.05  # share of history resolved by another member of the silo


class _Slots(dict):
    """Placeholder values made on first use, so a message draws only what it needs."""

    def __init__(self, rng: random.Random, lang: str, product: str):
        super().__init__(product=product)
        self.rng, self.lang = rng, lang

    def __missing__(self, key):
        r = self.rng
        lang = self.lang if self.lang in CITIES else "en"
        value = {
            "order": lambda: r.choice(["#MH", "MH-", "#", ""]) + str(r.randrange(1000000, 9999999)),
            "days": lambda: str(r.choice([2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 21, 30])),
            "months": lambda: str(r.randint(1, 30)),
            "minutes": lambda: str(r.choice([20, 35, 45, 50, 60, 90])),
            "code": lambda: r.choice(["E", "F-0", "ERR", "E-"]) + str(r.randint(1, 99)),
            "amount": lambda: (f"${r.randint(19, 1499)}.{r.choice(['99', '00', '49'])}"
                               if lang in ("en", "ja") else f"{r.randint(19, 1499)},99 €"),
            "city": lambda: r.choice(CITIES[lang]),
            "carrier": lambda: r.choice(CARRIERS[lang]),
            "date": lambda: r.choice(DATES),
            "url": lambda: r.choice(["https://imgur.com/a/", "https://i.redd.it/",
                                     "https://photos.app.goo.gl/"]) + _token(r, 7),
            "nth": lambda: r.choice(["second", "third", "fourth", "fifth"]),
            "role": lambda: r.choice(ROLES), "field": lambda: r.choice(FIELDS),
            "outlet": lambda: r.choice(OUTLETS),
            "qty": lambda: str(r.choice([12, 20, 40, 50, 120, 200, 500])),
            "followers": lambda: r.choice(["12k", "40k", "250k", "1.2M", "80k"]),
            "serial": lambda: "MH" + _token(r, 8).upper(),
            "version": lambda: f"{r.randint(2, 4)}.{r.randint(0, 9)}.{r.randint(0, 9)}",
        }[key]()
        self[key] = value
        return value


def _token(rng: random.Random, k: int) -> str:
    return "".join(rng.choices(string.ascii_letters + string.digits, k=k))


def _typo(text: str, rng: random.Random) -> str:
    """One slip of the thumb: a swapped, dropped or doubled letter."""
    i = rng.randrange(1, max(2, len(text) - 2))
    if not text[i].isalpha():
        return text
    how = rng.random()
    if how < 0.4:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if how < 0.7:
        return text[:i] + text[i + 1:]
    return text[:i] + text[i] + text[i:]


_SYNONYM = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in sorted(SYNONYMS, key=len,
                                                                          reverse=True)) + r")\b",
                      re.IGNORECASE)
_SYNONYM_KEYS = {k.lower(): v for k, v in SYNONYMS.items()}


def _reword(text: str, rng: random.Random) -> str:
    """Say it another way: each known phrase is swapped for a synonym half of the time."""
    def swap(match):
        said = match.group(0)
        if rng.random() < 0.5:
            return said
        other = rng.choice(_SYNONYM_KEYS[said.lower()])
        return other[0].upper() + other[1:] if said[0].isupper() else other
    return _SYNONYM.sub(swap, text)


def _pick(rng: random.Random, items: list, cum: list[float]):
    return items[bisect.bisect(cum, rng.random() * cum[-1])]


def _cumulative(weights) -> list[float]:
    return list(itertools.accumulate(weights))


_LANGS = ["en", *intl.LANG_WEIGHT]
_LANG_CUM = _cumulative([100 - sum(intl.LANG_WEIGHT.values()), *intl.LANG_WEIGHT.values()])
_KINDS = list(en.KIND_WEIGHT)
_KIND_CUM = _cumulative(en.KIND_WEIGHT.values())
_EN_BY_KIND = {k: [t for t in en.TOPICS if t[0] == k] for k in _KINDS}
_INTL_BY_LANG = {lang: [t for t in intl.TOPICS if t[0] == lang] for lang in intl.LANG_WEIGHT}
_MOODS = ["negative", "neutral", "positive"]
# Vague messages ("can someone DM me?") happen in customer care, not in press or legal.
_VAGUE_KINDS = {"support", "returns", "complaint", "billing", "delivery"}
# Problems no one states neutrally: the message is negative whatever the kind's usual tone.
_NEGATIVE_CUES = re.compile(
    r"\b(?:broke|broken|crushed|cracked|dent|dropped|leaking|rude|rejected|nobody|never|"
    r"wrong|twice|failed|hacked|scam|fake|missing|smoking|fire|shock|mould|wet|rain|"
    r"don't recognise|nothing here|nothing since|still (?:waiting|hasn't|isn't|no)|"
    r"changed again|keeps|crashes|won't|refuses|"
    r"beschädigt|nichts|niemand|cassé|toujours rien|dañado|nada|doppelt|deux fois|"
    r"動かなく|届きません)",
    re.IGNORECASE)
_SHORT, _LONG = [0, 0, 1, 1, 2], [0, 1, 2, 3, 4]  # how many details a message has


class _Generator:
    """Composes one message at a time; remembers authors so customers come back."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.experts = experts()
        self.members = {silo: [p["email"] for p in people]
                        for silo, people in organisation().items()}
        self.authors: list[tuple[str, str, str]] = []  # (network, handle, first name)

    def author(self, network: str) -> tuple[str, str, str]:
        r = self.rng
        if self.authors and r.random() < 0.2:
            past = r.choice(self.authors)
            if past[0] == network:
                return past
        first = r.choice(NAMES)
        handle = r.choice([
            lambda: f"{first}{r.choice(['_', '.', ''])}{r.choice(WORDS)}{r.randint(1, 99)}",
            lambda: f"{first}{r.randint(70, 2005)}",
            lambda: f"{r.choice(WORDS)}_{first}",
            lambda: f"{first}_{_token(r, 3).lower()}",
        ])()
        if network == "bluesky":
            handle += ".bsky.social"
        elif network == "mastodon":
            handle += r.choice(["@mastodon.social", "@fosstodon.org", "@mstdn.jp"])
        who = (network, handle, first.capitalize())
        self.authors.append(who)
        if len(self.authors) > 5000:
            del self.authors[:1000]
        return who

    def item(self) -> dict:
        """One message with its truth: text, lang, network, account, author, silo, person."""
        r = self.rng
        lang = _pick(r, _LANGS, _LANG_CUM)
        if lang == "en":
            kind = _pick(r, _KINDS, _KIND_CUM)
            _k, topic, _t, by_family, phrases = r.choice(_EN_BY_KIND[kind])
            silo = en.KIND_SILO[kind]
            family = r.choice(list(FAMILIES)) if by_family else ""
            key = f"{topic}/{family}" if family else topic
            product = r.choice(FAMILIES[family] if family else ALL_PRODUCTS)
            network, account = r.choice(EN_ACCOUNTS[kind])
        else:
            _l, kind, topic, silo, _t, phrases = r.choice(_INTL_BY_LANG[lang])
            key, product = topic, r.choice(ALL_PRODUCTS)
            network, account = r.choice(intl.ACCOUNTS[lang])
        template = r.choice(phrases)
        mood = r.choices(_MOODS, weights=en.KIND_MOOD[kind])[0]
        if mood == "neutral" and _NEGATIVE_CUES.search(template):
            mood = "negative"  # "it arrived broken" is not said neutrally, whatever follows
        slots = _Slots(r, lang, product)
        text = (self.english if lang == "en" else self.foreign)(lang, kind, template, mood, slots,
                                                                network, account)
        network, author, first = self.author(network)
        return {"lang": lang, "kind": kind, "topic": key, "silo": silo, "mood": mood,
                "text": text, "network": network, "account": account, "author": author,
                "first": first, "person": self.experts[(silo, key)], "product": product}

    def english(self, lang, kind, template, mood, slots, network, account) -> str:
        r = self.rng
        vague = r.random() < 0.06 and kind in _VAGUE_KINDS
        problem = _reword((r.choice(en.VAGUE) if vague else template).format_map(slots), r)
        if kind == "distress":  # someone in distress writes plainly: no banter, no emoji
            return problem[0].upper() + problem[1:]
        if r.random() < 0.5:
            problem = problem[0].upper() + problem[1:]
        if mood == "negative" and r.random() < 0.08:
            problem = problem.upper()
        parts = []
        if account and network in ("x", "bluesky", "threads", "mastodon") and r.random() < 0.45:
            parts.append("@" + account.split("@")[0])
        greeting = r.choice(en.GREETINGS)
        if greeting:
            parts.append(greeting + r.choice([",", "!", "", " -"]))
        opened = r.random() < 0.55
        if opened:
            parts.append(r.choice(en.OPENERS[mood]))
        ends = problem[-1] in "?!."
        parts.append(problem + r.choice(["", "?", "!!"] if ends else ["", ".", ".", "!", "..."]))
        # Forums and Facebook get longer stories than X does.
        for _ in range(r.choice(_LONG if network in ("reddit", "facebook", "youtube") else _SHORT)):
            pool = KIND_DETAILS[kind] if r.random() < 0.5 else en.DETAILS
            parts.append(r.choice(pool).format_map(slots))
        if r.random() < 0.07 and kind not in ("distress",):
            parts.append(r.choice(en.ASIDES).format_map(slots))
        # A message labelled negative or positive says so somewhere, as people do.
        if r.random() < 0.55 or (mood != "neutral" and not opened):
            parts.append(r.choice(en.CLOSERS[mood]))
        if r.random() < 0.35:
            parts.append(r.choice(en.EMOJI[mood]) * r.choice([1, 1, 1, 2, 3]))
        if r.random() < 0.08:
            parts.append(r.choice(HASHTAGS[mood]))
        text = " ".join(p for p in parts if p)
        if r.random() < 0.15:
            text = text.lower()
        if r.random() < 0.2:  # one in five has a slip of the thumb or two
            for _ in range(r.choice([1, 1, 2])):
                text = _typo(text, r)
        return text

    def foreign(self, lang, kind, template, mood, slots, network, account) -> str:
        r = self.rng
        openers, closers = intl.OPENERS[lang], intl.CLOSERS[lang]
        parts = []
        if account and network == "x" and r.random() < 0.4:
            parts.append("@" + account)
        opened = r.random() < 0.6
        if opened:
            parts.append(r.choice(openers.get(mood) or openers["neutral"]))
        problem = template.format_map(slots)
        ends = problem[-1] in "?!.？。"
        parts.append(problem[0].upper() + problem[1:] + ("" if ends else r.choice(["", ".", "!"])))
        if r.random() < 0.25 and "{order}" not in template:
            parts.append(slots["order"])
        if r.random() < 0.5 or (mood != "neutral" and not opened):
            parts.append(r.choice(closers.get(mood) or closers["neutral"]))
        if r.random() < 0.3:
            parts.append(r.choice(en.EMOJI[mood]))
        text = " ".join(p for p in parts if p)
        if lang != "ja" and r.random() < 0.1:
            text = _typo(text, r)
        return text

    def answer(self, item: dict) -> str:
        r, mood = self.rng, item["mood"]
        name = item["first"]
        if item["lang"] != "en":
            return intl.ANSWERS[item["lang"]][mood].format(name=name)
        return " ".join([r.choice(en.ANSWERS[mood]).format(name=name),
                         en.ANSWER_INFO[item["kind"]].format(product=item["product"])])

    def resolver(self, item: dict) -> str:
        if self.rng.random() < NOISE:
            others = [e for e in self.members[item["silo"]] if e != item["person"]]
            return self.rng.choice(others)
        return item["person"]


def _iso(at: datetime.datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _line(item: dict, msg_id: str, at: datetime.datetime) -> dict:
    line = {"id": msg_id, "network": item["network"], "text": item["text"],
            "author": item["author"], "created_at": _iso(at), "lang": item["lang"]}
    if item["account"]:
        line["account"] = item["account"]
    if item["network"] == "x":
        line["url"] = f"https://x.com/{item['author']}/status/{msg_id}"
    return line


def _truth(item: dict, mood: str | None = None) -> dict:
    return {"silo": item["silo"], "person": item["person"], "sentiment": mood or item["mood"],
            "kind": item["kind"], "topic": item["topic"], "risk": RISK.get(item["kind"], [])}


# Which silo a conversation of a kind sometimes consults, and how often: the experts there
# answer it without owning it (Find an expert counts their consults).
CONSULTS = {"complaint": "Legal", "billing": "Legal", "delivery": "Customer Care",
            "support": "IT & Security", "press": "Legal"}
CONSULT_SHARE = 0.15


def _consulted(item: dict, rng: random.Random, experts_by_silo: dict) -> list[str]:
    silo = CONSULTS.get(item["kind"])
    if silo is None or silo == item["silo"] or rng.random() >= CONSULT_SHARE:
        return []
    people = experts_by_silo.get(silo, [])
    # The same expert for the same topic, so a consult is evidence of what they know.
    return [people[zlib.crc32(item["topic"].encode()) % len(people)]] if people else []


def history(n: int, seed: int = 1, end: datetime.datetime | None = None) -> list[dict]:
    """`n` resolved conversations spread over the 180 days before `end`, oldest first; some
    with an expert of another silo consulted (their own random stream, so the rest of the
    history is the same as without them)."""
    gen = _Generator(seed)
    consults = random.Random(seed * 7919)
    experts_by_silo: dict[str, list[str]] = {}
    for (silo, _key), email in sorted(gen.experts.items()):
        if email not in experts_by_silo.setdefault(silo, []):
            experts_by_silo[silo].append(email)
    end = end or HISTORY_END
    span = 180 * 86400
    offsets = sorted(gen.rng.random() * span for _ in range(n))
    lines = []
    for i, offset in enumerate(offsets):
        item = gen.item()
        line = _line(item, f"h{seed}-{i:06d}", end - datetime.timedelta(seconds=span - offset))
        line["resolved_by_silo"] = item["silo"]
        if gen.rng.random() < 0.98:
            line["resolved_by"] = gen.resolver(item)
        line["answer"] = gen.answer(item)
        if helped := [e for e in _consulted(item, consults, experts_by_silo)
                      if e != line.get("resolved_by")]:
            line["consulted"] = helped
        lines.append(line)
    return lines


def follow_up(rng: random.Random, lang: str, mood: str, product: str = "order"
              ) -> tuple[str, str]:
    """A customer's next message in a thread ("Any update?"), and its sentiment."""
    if lang == "en":
        return rng.choice(en.FOLLOW_UPS[mood]).format_map(_Slots(rng, "en", product)), mood
    return rng.choice(intl.FOLLOW_UPS.get(lang) or en.FOLLOW_UPS["neutral"]), "neutral"


def _messages(seed: int, start: datetime.datetime | None, prefix: str,
              replies: float) -> Iterator[dict]:
    gen = _Generator(seed)
    at = start or MESSAGES_START
    recent: list[tuple[dict, str]] = []  # (item, message id) that a customer may follow up
    for i in itertools.count():
        at += datetime.timedelta(seconds=gen.rng.expovariate(1 / 20))
        msg_id = f"{prefix}{seed}-{i:07d}"
        if recent and gen.rng.random() < replies:
            parent, parent_id = gen.rng.choice(recent)
            mood = gen.rng.choices(_MOODS, weights=(0.5, 0.3, 0.2))[0]
            text, mood = follow_up(gen.rng, parent["lang"], mood, parent["product"])
            line = _line({**parent, "text": text}, msg_id, at)
            line["in_reply_to"] = parent_id
            line["_truth"] = _truth(parent, mood)
            yield line
            continue
        item = gen.item()
        line = _line(item, msg_id, at)
        line["_truth"] = _truth(item)
        recent.append((item, msg_id))
        if len(recent) > 200:
            recent.pop(0)
        yield line


def messages(n: int, seed: int = 2, start: datetime.datetime | None = None) -> list[dict]:
    """`n` new inbound messages (no threads), each ~20 s after the last from `start`."""
    return list(itertools.islice(_messages(seed, start, "m", 0.0), n))


def stream(seed: int = 3, start: datetime.datetime | None = None, prefix: str = "s",
           replies: float = 0.15) -> Iterator[dict]:
    """Endless messages; about `replies` of them follow up an earlier one (`in_reply_to`)."""
    return _messages(seed, start, prefix, replies)
