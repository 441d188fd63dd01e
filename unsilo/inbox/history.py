"""Resolved history the routing model learns from: check a JSON Lines file, then import it.

Each line is an inbound message (the ingestion contract, checked by `ingest.check_message`)
plus `"resolved_by_silo"` (a silo name, required), and optionally `"resolved_by"` (a person's
email) and `"answer"` (the reply text). The file is **all or nothing**: every line is checked
first, every problem is listed by line number, and nothing is written while any line is bad.

Importing upserts one ResolvedExample per line, keyed "import:<network>:<id>", so importing the
same file again changes nothing. Silos that do not exist are created, and so is a person for a
`resolved_by` email the organisation does not know yet (in that silo, named from the email),
each with its own audit row (a person's time zone is left blank, so routing treats them as
always available until the people CSV says otherwise). The thousands of example rows get ONE
summary audit row for the import rather than a row each. After a change the routing model is
retrained at once.
"""

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from unsilo.core import audit
from unsilo.core.actor import Actor
from unsilo.core.permissions import require
from unsilo.inbox.ingest import check_message, read_lines
from unsilo.inbox.models import HistorySource, ResolvedExample, RoutingModel
from unsilo.org.actions import create_person, create_silo
from unsilo.org.models import Person, Silo

Progress = Callable[[str, int, int], None]  # progress(phase, done, total)
CHUNK = 900  # keys per lookup: under SQLite's 999 parameters
FIELDS = ("network", "account_handle", "lang", "text", "answer", "silo_id", "person_id",
          "created_at")


@dataclass(slots=True)
class HistoryLine:
    line: int
    key: str
    network: str
    account: str
    lang: str
    text: str
    answer: str
    created_at: datetime.datetime
    silo: str
    resolved_by: str  # "" when the line does not say


@dataclass
class Report:
    lines: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    silos_created: list[str] = field(default_factory=list)
    people_created: list[str] = field(default_factory=list)
    model: RoutingModel | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.silos_created or self.people_created)


def _optional_string(item: dict, name: str, limit: int, problems: list[str]) -> str:
    value = item.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(f"{name}: must be a string, got {type(value).__name__}")
        return ""
    if "\x00" in value:
        problems.append(f"{name}: contains a NUL byte (\\u0000)")
        return ""
    if limit and len(value) > limit:
        problems.append(f"{name}: longer than {limit} characters ({len(value):,})")
        return ""
    return value.strip()


def check_history(data: bytes, progress: Progress | None = None) -> tuple[list[HistoryLine],
                                                                          list[tuple[int, str]]]:
    """Every line checked (nothing written): the lines, and the problems by line number."""
    rows: list[HistoryLine] = []
    errors: list[tuple[int, str]] = []
    first_line: dict[str, int] = {}
    total = data.count(b"\n") + 1
    step = max(1, total // 200)
    for number, value, problems in read_lines(data):
        reasons = [f"{name}: {reason}" if name else reason for name, reason in problems]
        if not problems:
            message, fields = check_message(value)
            reasons += [f"{name}: {reason}" if name else reason for name, reason in fields]
            if isinstance(value, dict):
                if value.get("resolved_by_silo") is None:
                    reasons.append("resolved_by_silo: missing field (the silo that resolved it)")
                silo = _optional_string(value, "resolved_by_silo", 120, reasons)
                if value.get("resolved_by_silo") is not None and not silo and isinstance(
                        value["resolved_by_silo"], str):
                    reasons.append("resolved_by_silo: empty silo name")
                email = _optional_string(value, "resolved_by", 254, reasons).lower()
                if email:
                    try:
                        validate_email(email)
                    except ValidationError:
                        reasons.append(f'resolved_by: "{email}" is not an email address')
                answer = _optional_string(value, "answer", 0, reasons)
            if message is not None and not reasons:
                key = f"import:{message.network}:{message.id}"
                if key in first_line:
                    reasons.append(f'id: duplicate id "{message.id}" on {message.network} '
                                   f"(first on line {first_line[key]})")
                else:
                    first_line[key] = number
                    rows.append(HistoryLine(
                        number, key, message.network, message.account, message.lang,
                        message.text, answer, message.created_at, silo, email))
        if reasons:
            errors.append((number, "; ".join(reasons)))
        if progress and number % step == 0:
            progress("validating", number, total)
    if progress:
        progress("validating", total, total)
    return rows, errors


def name_from_email(email: str) -> str:
    """"dana.ruiz@x.com" -> "Dana Ruiz": a placeholder until the people CSV says better."""
    words = [w for w in re.split(r"[._+-]+", email.split("@")[0]) if w]
    return " ".join(w.capitalize() for w in words) or email


def import_history(lines_or_path: str | Path | bytes | Iterable, actor: Actor,
                   progress: Progress | None = None, retrain: bool = True) -> Report:
    """Check, then import, resolved history; retrain when anything changed.

    `lines_or_path`: a file path, the file's bytes, or an iterable of lines (str or bytes).
    """
    require(actor, "inbox.manage_routing")
    data = _read(lines_or_path)
    rows, errors = check_history(data, progress)
    report = Report(lines=len(rows), errors=errors)
    if errors:
        return report
    name = str(lines_or_path) if isinstance(lines_or_path, str | Path) else "history"
    with transaction.atomic():
        _write(actor, rows, report, name, progress)
    if retrain and report.changed_anything:
        from unsilo.inbox.routing.training import train

        if progress:
            progress("training", 0, 1)
        report.model = train(actor)
        if progress:
            progress("training", 1, 1)
    return report


def _read(source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    lines = [line.encode("utf-8") if isinstance(line, str) else line for line in source]
    return b"\n".join(line.rstrip(b"\r\n") for line in lines)


def _write(actor: Actor, rows: list[HistoryLine], report: Report, name: str,
           progress: Progress | None) -> None:
    silos = {s.name.casefold(): s for s in Silo.objects.all()}
    for row in rows:
        if row.silo.casefold() not in silos:
            silos[row.silo.casefold()] = create_silo(actor, name=row.silo)
            report.silos_created.append(row.silo)
    emails = sorted({row.resolved_by for row in rows if row.resolved_by})
    people: dict[str, int] = {}
    for start in range(0, len(emails), CHUNK):
        people.update(Person.objects.filter(email__in=emails[start:start + CHUNK])
                      .values_list("email", "pk"))
    for row in rows:
        if row.resolved_by and row.resolved_by not in people:
            silo = silos[row.silo.casefold()]
            # Their time zone is unknown: blank means routing never waits for their hours.
            person = create_person(actor, {"email": row.resolved_by, "silo": silo, "title": "",
                                           "name": name_from_email(row.resolved_by),
                                           "timezone": ""})
            people[row.resolved_by] = person.pk
            report.people_created.append(row.resolved_by)
    now = timezone.now()
    wanted = {row.key: ResolvedExample(
        source=HistorySource.IMPORT, key=row.key, network=row.network,
        account_handle=row.account, lang=row.lang, text=row.text, answer=row.answer,
        silo_id=silos[row.silo.casefold()].pk, person_id=people.get(row.resolved_by),
        created_at=row.created_at, added_at=now) for row in rows}
    keys = list(wanted)
    changed = []
    for start in range(0, len(keys), CHUNK):
        for pk, key, *stored in ResolvedExample.objects.filter(
                key__in=keys[start:start + CHUNK]).values_list("pk", "key", *FIELDS):
            example = wanted.pop(key)
            if tuple(stored) == tuple(getattr(example, f) for f in FIELDS):
                report.unchanged += 1
            else:
                example.pk = pk
                changed.append(example)
        if progress:
            progress("writing", min(start + CHUNK, len(keys)), 2 * len(keys))
    ResolvedExample.objects.bulk_create(list(wanted.values()), batch_size=500)
    ResolvedExample.objects.bulk_update(changed, [*FIELDS, "added_at"], batch_size=500)
    report.created, report.updated = len(wanted), len(changed)
    if report.changed_anything:
        summary = audit.event(actor, "import_history", ResolvedExample(key=name[:300]), {
            "lines": len(rows), "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "silos_created": report.silos_created,
            "people_created": len(report.people_created)})
        summary.object_id = ""
        summary.save()
    if progress:
        progress("writing", 2 * len(keys), 2 * len(keys))
