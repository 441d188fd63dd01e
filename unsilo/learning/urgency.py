"""Urgency from rules over risk flags, sentiment, explicit urgency words and shouting."""

from unsilo.learning.text import TOKEN, Tokens

_URGENT = (
    "urgent urgently asap a.s.a.p immediately right_now right_away emergency time_sensitive "
    "time-sensitive critical as_soon_as_possible dringend sofort notfall umgehend urgence "
    "tout_de_suite immédiatement au_plus_vite urgente inmediatamente ya_mismo cuanto_antes "
    "emergencia imediatamente urgência emergência subito immediatamente al_più_presto spoed "
    "meteen onmiddellijk"
)
_URGENT_CJK = ("至急", "緊急", "긴급", "紧急")
_PRAISE = frozenset(str.split(
    "thanks thank thx ty appreciate appreciated shoutout kudos love great amazing awesome "
    "danke merci gracias obrigado obrigada grazie bedankt"))
_PHRASES = frozenset(" ".join(TOKEN.findall(p.replace("_", " "))) for p in _URGENT.split())
_FIRST: dict[str, int] = {}  # first word -> longest phrase starting with it
for _p in _PHRASES:
    _FIRST[_p.split(" ")[0]] = max(_FIRST.get(_p.split(" ")[0], 0), _p.count(" ") + 1)


def shouting(tk: Tokens) -> bool:
    """Many "!!!" or mostly ALL-CAPS words."""
    bangs = sum(len(t) for t in tk.low if t[0] == "!")
    if bangs >= 3:
        return True
    words = [t for t in tk.toks if len(t) >= 3 and t.isalpha()]
    return len(words) >= 3 and sum(1 for w in words if w.isupper()) * 2 >= len(words)


def _urgent_words(tk: Tokens) -> bool:
    low, n = tk.low, len(tk.low)
    for i, word in enumerate(low):
        longest = _FIRST.get(word)
        if longest:
            for size in range(1, min(longest, n - i) + 1):
                if (word if size == 1 else " ".join(low[i:i + size])) in _PHRASES:
                    return True
    return not tk.text.isascii() and any(w in tk.text for w in _URGENT_CJK)


def rate(text: str, sentiment: str, risk: dict[str, list[str]], tk: Tokens | None = None) -> str:
    """low / normal / high / urgent."""
    if "self_harm" in risk or "safety" in risk:
        return "urgent"
    if risk:  # legal, press, privacy
        return "high"
    tk = tk or Tokens(text)
    if _urgent_words(tk):
        return "high"
    if sentiment == "negative" and shouting(tk):
        return "high"
    if sentiment == "positive" and any(w in _PRAISE for w in tk.low):
        return "low"
    return "normal"
