"""What a search box may ask: at most LIMIT characters. Longer words become LIKE patterns that
SQLite refuses ("LIKE or GLOB pattern too complex") and nobody types; the API answers 422."""

LIMIT = 200


def term(text: str | None) -> str:
    """The search text as the queries use it: trimmed, and cut to LIMIT characters."""
    return (text or "").strip()[:LIMIT]
