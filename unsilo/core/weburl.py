"""Whether a URL from data may become a link: the one check ingest, connectors and templates use.

Only absolute http and https URLs are links. Anything else a message, a network or a person
supplies (javascript:, data:, vbscript:, protocol-relative //host, a scheme hidden behind a
leading space or a tab inside the word, which browsers strip before they read the scheme) is
not stored as a link and never rendered into href or src.
"""

import unicodedata
from urllib.parse import urlsplit

SCHEMES = ("http", "https")


def is_web_url(value) -> bool:
    """True for an absolute http(s) URL with a host, written without spaces or control
    characters anywhere (browsers drop those, so they could hide a scheme)."""
    if not isinstance(value, str) or not value:
        return False
    if any(c.isspace() or unicodedata.category(c) == "Cc" for c in value):
        return False
    scheme, _, rest = value.partition(":")
    if scheme.lower() not in SCHEMES or not rest.startswith("//"):
        return False
    try:
        parts = urlsplit(value)
        return bool(parts.hostname)
    except ValueError:  # a malformed port or IPv6 literal
        return False


def web_url(value) -> str:
    """The URL itself when it is a web URL, else "" (what connectors store and pages show)."""
    return value if is_web_url(value) else ""
