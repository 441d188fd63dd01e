"""The people and silos CSVs line by line: decoding, the header, the rows and each row's cells.
No database here."""

import csv
import functools
import re
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from unsilo.org.models import SeatRole

REQUIRED = ("email", "name", "title", "silo")
OPTIONAL = ("skills", "languages", "timezone", "manager_email", "seat")
COLUMNS = REQUIRED + OPTIONAL
BOM = b"\xef\xbb\xbf"
# The everyday address, accepted without Django's full validator (10x slower); others go to it.
PLAIN_EMAIL = re.compile(
    r"[a-z0-9_+-]+(\.[a-z0-9_+-]+)*@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}",
    re.IGNORECASE | re.ASCII,
)
LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", re.IGNORECASE)


@dataclass(slots=True)
class PersonRow:
    """One valid line of the file. None means the file has no such column: leave it alone."""

    line: int
    email: str
    name: str
    title: str
    silo: str
    skills: list[str] | None = None
    languages: list[str] | None = None
    timezone: str | None = None
    manager_email: str | None = None  # "" clears the manager
    seat: str | None = None  # a SeatRole for their silo's seat; "" holds none there


@functools.cache
def _time_zones() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def decode(data: bytes) -> tuple[str, dict[int, str]]:
    """The text, and the lines that are not UTF-8 with the first bad byte of each."""
    if data.startswith(BOM):
        data = data[len(BOM):]
    try:
        return data.decode("utf-8"), {}
    except UnicodeDecodeError:
        pass
    bad = {}
    # bytes.splitlines breaks on \n, \r and \r\n: the same physical lines the CSV reader counts.
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            column = len(line[:error.start].decode("utf-8")) + 1
            bad[number] = (f"not UTF-8 (byte 0x{line[error.start]:02x} at column {column}); "
                           "save the file as UTF-8")
    return data.decode("utf-8", errors="replace"), bad


def header_errors(names: list[str], required: tuple = REQUIRED, columns: tuple = COLUMNS
                  ) -> list[str]:
    unknown = [n or "(blank)" for n in names if n not in columns]
    missing = [c for c in required if c not in names]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    reasons = []
    if missing:
        reasons.append(f"missing column(s): {', '.join(missing)}")
    if unknown:
        reasons.append(f"unknown column(s): {', '.join(unknown)} "
                       f"(the columns are {', '.join(columns)})")
    if repeated:
        reasons.append(f"repeated column(s): {', '.join(repeated)}")
    return reasons


def records(reader, width: int, problems: dict[int, list[str]], meter=None):
    """After the header: (first line, last line, cells) of each row of `width` fields. Rows
    that cannot be read, or have another number of fields, go to `problems` by line; blank
    rows are skipped. Line numbers are physical: a quoted value may span lines."""
    end = reader.line_num
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.setdefault(end + 1, []).append(f"cannot be read as CSV ({error})")
            if reader.line_num == end:
                return
            end = reader.line_num
            continue
        start, end = end + 1, reader.line_num
        if meter is not None:
            meter.to(end)
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != width:
            reason = f"{len(record)} fields, the header has {width}"
            if end > start:
                reason += f" (this row runs on to line {end}: is a quote left open?)"
            problems.setdefault(start, []).append(reason)
            continue
        yield start, end, record


def email_problem(value: str, what: str = "email") -> str | None:
    if len(value) > 254:
        return f"{what} longer than 254 characters"
    if PLAIN_EMAIL.fullmatch(value):
        return None
    try:
        validate_email(value)
    except ValidationError:
        return f'malformed {what} "{value}"'
    return None


def _split(cell: str) -> list[str]:
    return list(dict.fromkeys(item.strip() for item in cell.split(";") if item.strip()))


@functools.lru_cache(maxsize=4096)
def _languages(cell: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """'EN; pt-br' -> (('en', 'pt-BR'), ()): the codes, and those that are not ISO codes."""
    codes = _split(cell)
    bad = tuple(code for code in codes if not LANGUAGE.fullmatch(code))
    normal = []
    for code in codes:
        # Language in lower case, a two-letter region in upper case: pt-BR.
        first, *rest = code.split("-")
        normal.append("-".join([first.lower(),
                                *(p.upper() if len(p) == 2 else p.lower() for p in rest)]))
    return tuple(dict.fromkeys(normal)), bad


def read_row(cells: dict[str, str], line: int, reasons: list[str]) -> PersonRow:
    """A row from its cells (stripped); each problem found is added to `reasons`."""
    email, name, title, silo = (cells[c] for c in REQUIRED)
    if not email:
        reasons.append("missing email")
    else:
        if problem := email_problem(email):
            reasons.append(problem)
        # Only a well-formed email names the row (for duplicates and managers).
        email = "" if problem else email.lower()
    if not name:
        reasons.append("missing name")
    elif len(name) > 200:
        reasons.append("name longer than 200 characters")
    if len(title) > 200:
        reasons.append("title longer than 200 characters")
    if not silo:
        reasons.append("missing silo")
    elif len(silo) > 120:
        reasons.append("silo name longer than 120 characters")
    row = PersonRow(line=line, email=email, name=name, title=title, silo=silo)
    if "skills" in cells:
        row.skills = _split(cells["skills"])
    if "languages" in cells:
        codes, bad = _languages(cells["languages"])
        for code in bad:
            reasons.append(f'language "{code}" is not an ISO code (such as en, fr or pt-BR)')
        row.languages = list(codes)
    if "timezone" in cells:
        zone = cells["timezone"] or "UTC"
        row.timezone = _time_zones().get(zone.lower())
        if row.timezone is None:
            reasons.append(f'unknown time zone "{zone}"')
    if "manager_email" in cells:
        row.manager_email = cells["manager_email"].lower()
        if row.manager_email:
            if problem := email_problem(cells["manager_email"], "manager email"):
                reasons.append(problem)
                row.manager_email = None  # not a manager to look for
            elif row.manager_email == email:
                reasons.append(f"{email} cannot be their own manager")
    if "seat" in cells:
        row.seat = cells["seat"].lower()
        if row.seat and row.seat not in SeatRole.values:
            reasons.append(f'seat "{cells["seat"][:40]}" is not captain or delegate '
                           "(leave it empty for no seat)")
            row.seat = None
    return row
