"""How long a post or a reply may be on each network, counted the way that network counts, and
how many images and videos it may carry: one table. The outbound queue refuses an over-long
text before queuing it (outbound.queue), the composer counts with the same rules as you type
(inbox.js reads `for_browser()`), the demo network refuses what the real one would, and
publishing will read the media limits.

Counting, as the networks do it:
- "weighted" (X, after twitter-text 3): the text in NFC; every URL counts `url_length`; an
  emoji (a whole sequence: skin tones, flags, families) counts 2; any other code point counts 1
  inside LIGHT (Latin, Greek, Cyrillic, Hebrew, Arabic, Indic scripts … up to U+10FF, and a few
  punctuation ranges), else 2 (CJK, most symbols). So a combining mark is a character of its own.
- "graphemes" (Bluesky, Mastodon): user-perceived characters, as Intl.Segmenter counts them;
  Mastodon counts each URL as `url_length` and `@user@server` as `@user`.
- "characters": code points.
"""

import json
import unicodedata
from dataclasses import asdict, dataclass

import regex

# X's twitter-text v3 ranges that weigh 1 (the rest weighs 2).
LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
# A URL with its scheme, or a bare domain under a common top-level domain (X links both).
# Written to mean the same in Python's `regex` and in JavaScript (flags "iu"), so both count
# alike; trailing punctuation is not part of a URL.
URL = r"""https?://[^\s<>"]*[^\s<>".,:;!?'()\[\]]"""
BARE_DOMAIN = (r"(?<![A-Za-z0-9@.\-/])(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+"
               r"(?:com|net|org|info|biz|io|co|app|dev|ly|eu|uk|de|fr|es|it|nl|ch|at|be)"
               r"""(?![A-Za-z0-9\-])(?:/[^\s<>"]*[^\s<>".,:;!?'()\[\]])?""")
# Mastodon counts a remote mention by its user name only.
REMOTE_MENTION = r"(?<![A-Za-z0-9_/])@([A-Za-z0-9_]+)@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"


@dataclass(frozen=True)
class Limit:
    label: str
    counting: str  # "weighted", "graphemes" or "characters"
    max_length: int  # a post
    reply_max_length: int | None = None  # a reply or comment, when it differs from a post
    url_length: int | None = None  # every URL counts this much (None: as written)
    url_pattern: str = URL
    remote_mentions_short: bool = False
    max_images: int = 0
    max_videos: int = 0

    def limit_for(self, kind: str) -> int:
        return self.reply_max_length if kind == "reply" and self.reply_max_length else \
            self.max_length


# The networks' own published limits for text and attachments.
LIMITS: dict[str, Limit] = {
    "x": Limit("X", "weighted", 280, url_length=23, url_pattern=f"{URL}|{BARE_DOMAIN}",
               max_images=4, max_videos=1),
    "bluesky": Limit("Bluesky", "graphemes", 300, max_images=4, max_videos=1),
    "mastodon": Limit("Mastodon", "graphemes", 500, url_length=23,
                      remote_mentions_short=True, max_images=4, max_videos=1),
    "threads": Limit("Threads", "characters", 500, max_images=20, max_videos=20),
    "facebook": Limit("Facebook", "characters", 63206, reply_max_length=8000, max_images=10,
                      max_videos=1),
    "instagram": Limit("Instagram", "characters", 2200, max_images=10, max_videos=10),
    "linkedin": Limit("LinkedIn", "characters", 3000, reply_max_length=1250, max_images=20,
                      max_videos=1),
    "youtube": Limit("YouTube", "characters", 5000, reply_max_length=10000, max_videos=1),
    "reddit": Limit("Reddit", "characters", 40000, reply_max_length=10000, max_images=20,
                    max_videos=1),
    "tiktok": Limit("TikTok", "characters", 4000, reply_max_length=150, max_images=35,
                    max_videos=1),
}

_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\uFE0F|\u20E3")
_PATTERNS: dict[str, regex.Pattern] = {}


def _pattern(source: str) -> regex.Pattern:
    if source not in _PATTERNS:
        _PATTERNS[source] = regex.compile(source, regex.IGNORECASE | regex.V0)
    return _PATTERNS[source]


def _weight(cluster: str) -> int:
    """X's weight of one grapheme cluster: an emoji sequence 2, else each code point 1 or 2."""
    if _EMOJI.search(cluster) and not cluster.isascii():
        return 2
    return sum(1 if any(lo <= ord(c) <= hi for lo, hi in LIGHT) else 2 for c in cluster)


def length(network: str, text: str) -> int:
    """`text`'s length as `network` counts it (code points for a network not in the table)."""
    rule = LIMITS.get(network)
    if rule is None:
        return len(text)
    if rule.counting == "weighted":
        text = unicodedata.normalize("NFC", text)
    if rule.remote_mentions_short:
        text = _pattern(REMOTE_MENTION).sub(r"@\1", text)
    links = 0
    if rule.url_length is not None:
        text, links = _pattern(rule.url_pattern).subn("", text)
    count = links * (rule.url_length or 0)
    if rule.counting == "weighted":
        return count + sum(_weight(c) for c in regex.findall(r"\X", text))
    if rule.counting == "graphemes":
        return count + len(regex.findall(r"\X", text))
    return count + len(text)


def problem(network: str, text: str, kind: str = "reply") -> str:
    """Why `text` cannot go out on `network` as a `kind` ("reply" or "post"), or ""."""
    rule = LIMITS.get(network)
    if rule is None:
        return ""
    most, used = rule.limit_for(kind), length(network, text)
    if used <= most:
        return ""
    how = {"weighted": " (X counts every link as 23 and an emoji or a CJK character as 2)",
           "graphemes": "", "characters": ""}[rule.counting]
    if rule.counting == "graphemes" and rule.url_length:
        how = f" ({rule.label} counts every link as {rule.url_length})"
    return (f"Too long for {rule.label}: {used} characters, at most {most}{how}. "
            f"Shorten it by {used - most}.")


def for_browser(network: str, kind: str = "reply") -> str:
    """The rule of `network` as JSON for the composer's counter ("" when it has none)."""
    rule = LIMITS.get(network)
    if rule is None:
        return ""
    data = {k: v for k, v in asdict(rule).items() if k not in ("max_images", "max_videos")}
    data.update(network=network, max=rule.limit_for(kind), mention_pattern=REMOTE_MENTION)
    return json.dumps(data)


def counter(network: str, text: str, kind: str = "reply") -> dict:
    """What the composer's counter shows before any typing (counter.js keeps it current)."""
    rule = LIMITS.get(network)
    if rule is None:
        return {"rule": "", "text": ""}
    left = rule.limit_for(kind) - length(network, text.strip())  # as the queue counts it
    words = (f"{rule.label}: {left} character{'s' if left != 1 else ''} left" if left >= 0
             else f"{rule.label}: {-left} over the limit of {rule.limit_for(kind)}")
    return {"rule": for_browser(network, kind), "text": words, "over": left < 0}
