"""Text normalisation shared by the featurizer, the classifier and the expertise model."""

import re

# URLs first so that an @ inside a URL is not read as a handle.
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@\w{1,50}")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lowercase, URLs -> "_url_", @handles -> "_user_", squeeze whitespace.

    Numbers, punctuation, emoji and non-Latin scripts are kept as they are.
    """
    if not text:
        return ""
    text = _URL.sub(" _url_ ", text)
    text = _HANDLE.sub(" _user_ ", text)
    return _SPACE.sub(" ", text).strip().lower()


def normalise_many(texts: list[str]) -> list[str]:
    return [normalise(t) for t in texts]


_LINKS = re.compile(r"(?:https?://|www\.)\S+|(?<![\w@])@\w{1,50}", re.IGNORECASE)


def without_links(text: str) -> str:
    """The text without URLs and @handles (they say nothing about language or tone)."""
    return _LINKS.sub(" ", text) if ("@" in text or "http" in text or "www." in text) else text


# Words (letters/digits, joined by ' or -), runs of ! or ?, emoticons, emoji.
TOKEN = re.compile(
    r"[^\W_]+(?:['\-][^\W_]+)*|!+|\?+|<3|[:;=]-?[()dpDP/]|[\u2190-\u2bff\U0001F000-\U0001FAFF]"
)


class Tokens:
    """One message tokenised once for every classifier part: ``text`` without links (and
    curly apostrophes straightened), ``toks`` as written, ``low`` lowercased."""

    __slots__ = ("text", "toks", "low")

    def __init__(self, text: str):
        text = without_links(text or "")
        if "’" in text:
            text = text.replace("’", "'")
        self.text = text
        self.toks = TOKEN.findall(text)
        self.low = [t.lower() for t in self.toks]
