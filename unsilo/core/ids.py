"""What a row id (and a counted number) can be, wherever one comes in: the API's schemas, the
pages' query strings and forms. A number beyond these names no row and would overflow SQLite."""

MAX_ID = 2**63 - 1  # a row id: a signed 64-bit integer in SQLite and PostgreSQL
MAX_COUNT = 2**31 - 1  # an integer column (minutes, capacity, position)


def parse_id(value) -> int | None:
    """`value` as a row id, or None when it is missing, not a number or out of range."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID else None
