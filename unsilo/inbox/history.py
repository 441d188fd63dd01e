"""Resolved history the routing model learns from: check a JSON Lines file, then import it.

Each line is an inbound message (the ingestion contract, checked by `ingest.check_message`)
plus `"resolved_by_silo"` (a silo name, required), and optionally `"resolved_by"` (a person's
email), `"answer"` (the reply text), `"answered_at"` and `"resolved_at"` (ISO 8601 with a zone,
not before `created_at`) and `"consulted"` (a list of emails). The file is **all or nothing**:
every line is checked first, every problem is listed by line number and field, and nothing is
written while any line is bad.

Importing upserts one ResolvedExample per line, keyed "import:<network>:<id>", with a
ResolvedConsult per person consulted (the line is the whole story: a re-import replaces its
consults and times), so importing the same file again changes nothing. Silos that do not exist
are created, and so is a person for a `resolved_by` or `consulted` email the organisation does
not know yet (in the line's silo, named from the email; a resolver's line wins), each with its
own audit row (a person's time zone is left blank, so routing treats them as always available
until the people CSV says otherwise: import people first, so consults between silos count
right). The thousands of example rows get ONE summary audit row for the import rather than a
row each. After a change to what routing learns from, the model is retrained at once.
"""

import datetime
import json
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
from unsilo.inbox.models import HistorySource, ResolvedConsult, ResolvedExample, RoutingModel
from unsilo.org.actions import create_person, create_silo
from unsilo.org.models import Person, Silo

Progress = Callable[[str, int, int], None]  # progress(phase, done, total)
CHUNK = 900  # keys per lookup: under SQLite's 999 parameters
# What routing learns from: a change to one of these retrains the model.
LEARNED = ("network", "account_handle", "lang", "text", "answer", "silo_id", "person_id",
           "created_at")
FIELDS = (*LEARNED, "answered_at", "resolved_at")
MAX_CONSULTED = 50  # people consulted on one conversation


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
    answered_at: datetime.datetime | None = None
    resolved_at: datetime.datetime | None = None
    consulted: tuple[str, ...] = ()  # emails, without the resolver


@dataclass
class Report:
    lines: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    silos_created: list[str] = field(default_factory=list)
    people_created: list[str] = field(default_factory=list)
    consults: int = 0  # people consulted, over every line
    relearn: bool = False  # whether what routing learns from changed
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


def _time(item: dict, name: str, problems: list[str]) -> datetime.datetime | None:
    """An optional ISO 8601 time that must say its zone."""
    value = item.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(f"{name}: must be a string, got {type(value).__name__}")
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        problems.append(f'{name}: "{value[:40]}" is not an ISO 8601 time such as '
                        "2026-03-01T09:30:00Z")
        return None
    if parsed.tzinfo is None:
        problems.append(f'{name}: "{value[:40]}" has no time zone (end it with Z or an offset '
                        "such as +02:00)")
        return None
    return parsed


def _is_email(value: str) -> bool:
    if len(value) > 254 or "\x00" in value:
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _emails(item: dict, name: str, problems: list[str]) -> tuple[str, ...]:
    """An optional list of email addresses, lowercased, each once."""
    value = item.get(name)
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(f"{name}: must be a list of emails, got {type(value).__name__}")
        return ()
    if len(value) > MAX_CONSULTED:
        problems.append(f"{name}: more than {MAX_CONSULTED} people ({len(value):,})")
        return ()
    emails = []
    for email in value:
        if not isinstance(email, str):
            problems.append(f"{name}: {json.dumps(email)[:40]} is not an email address")
            continue
        email = email.strip().lower()
        if _is_email(email):
            emails.append(email)
        else:
            problems.append(f'{name}: "{email[:60]}" is not an email address')
    return tuple(dict.fromkeys(emails))


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
                if email and not _is_email(email):
                    reasons.append(f'resolved_by: "{email}" is not an email address')
                answer = _optional_string(value, "answer", 0, reasons)
                answered = _time(value, "answered_at", reasons)
                resolved = _time(value, "resolved_at", reasons)
                consulted = tuple(e for e in _emails(value, "consulted", reasons) if e != email)
                if message is not None:
                    for name, moment in (("answered_at", answered), ("resolved_at", resolved)):
                        if moment is not None and moment < message.created_at:
                            reasons.append(f"{name}: before created_at ({moment.isoformat()} "
                                           f"< {message.created_at.isoformat()})")
            if message is not None and not reasons:
                key = f"import:{message.network}:{message.id}"
                if key in first_line:
                    reasons.append(f'id: duplicate id "{message.id}" on {message.network} '
                                   f"(first on line {first_line[key]})")
                else:
                    first_line[key] = number
                    rows.append(HistoryLine(
                        number, key, message.network, message.account, message.lang,
                        message.text, answer, message.created_at, silo, email, answered,
                        resolved, consulted))
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
    """Check, then import, resolved history; retrain when what routing learns from changed.

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
    if report.changed_anything:
        from unsilo.experts.index import rebuild

        if progress:
            progress("expertise", 0, 1)
        rebuild()  # what people have shown they can answer, at once (docs/expertise.md)
        if progress:
            progress("expertise", 1, 1)
    if retrain and report.relearn:
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
    people = _people(actor, rows, silos, report)
    now = timezone.now()
    wanted = {row.key: ResolvedExample(
        source=HistorySource.IMPORT, key=row.key, network=row.network,
        account_handle=row.account, lang=row.lang, text=row.text, answer=row.answer,
        silo_id=silos[row.silo.casefold()].pk, person_id=people.get(row.resolved_by),
        created_at=row.created_at, answered_at=row.answered_at, resolved_at=row.resolved_at,
        added_at=now) for row in rows}
    consulted = {row.key: {people[email] for email in row.consulted} for row in rows}
    report.consults = sum(len(ids) for ids in consulted.values())
    keys = list(wanted)
    relearned, retimed = [], []  # changed examples: what routing learns, or only the times
    reconsulted: list[int] = []  # stored examples whose consults change
    for start in range(0, len(keys), CHUNK):
        stored = {key: (pk, values) for pk, key, *values in ResolvedExample.objects.filter(
            key__in=keys[start:start + CHUNK]).values_list("pk", "key", *FIELDS)}
        consults: dict[int, set[int]] = {}
        for example_id, person_id in ResolvedConsult.objects.filter(
                example_id__in=[pk for pk, _ in stored.values()]).values_list(
                "example_id", "person_id"):
            consults.setdefault(example_id, set()).add(person_id)
        for key, (pk, values) in stored.items():
            example = wanted.pop(key)
            example.pk = pk
            now_values = [getattr(example, f) for f in FIELDS]
            learned = values[:len(LEARNED)] != now_values[:len(LEARNED)]
            changed = values != now_values
            if learned:
                relearned.append(example)
            elif changed:
                retimed.append(example)
            if consults.get(pk, set()) != consulted[key]:
                reconsulted.append(pk)
                changed = True
            report.unchanged += not changed
        if progress:
            progress("writing", min(start + CHUNK, len(keys)), 2 * len(keys))
    ResolvedExample.objects.bulk_create(list(wanted.values()), batch_size=500)
    ResolvedExample.objects.bulk_update(relearned, [*FIELDS, "added_at"], batch_size=500)
    ResolvedExample.objects.bulk_update(retimed, ["answered_at", "resolved_at"], batch_size=500)
    _write_consults(wanted, reconsulted, consulted)
    report.created = len(wanted)
    report.updated = len(keys) - report.created - report.unchanged
    report.relearn = bool(wanted or relearned)
    if report.changed_anything:
        summary = audit.event(actor, "import_history", ResolvedExample(key=name[:300]), {
            "lines": len(rows), "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "silos_created": report.silos_created,
            "people_created": len(report.people_created), "consults": report.consults})
        summary.object_id = ""
        summary.save()
    if progress:
        progress("writing", 2 * len(keys), 2 * len(keys))


def _people(actor: Actor, rows: list[HistoryLine], silos: dict[str, Silo], report: Report
            ) -> dict[str, int]:
    """Email -> person id for every resolver and consultee, creating those unsilo lacks."""
    emails = sorted({row.resolved_by for row in rows if row.resolved_by}
                    | {email for row in rows for email in row.consulted})
    people: dict[str, int] = {}
    for start in range(0, len(emails), CHUNK):
        people.update(Person.objects.filter(email__in=emails[start:start + CHUNK])
                      .values_list("email", "pk"))
    # Resolvers first: their line says their silo; someone only consulted gets the line's.
    named = [(row, row.resolved_by) for row in rows if row.resolved_by]
    named += [(row, email) for row in rows for email in row.consulted]
    for row, email in named:
        if email not in people:
            # Their time zone is unknown: blank means routing never waits for their hours.
            person = create_person(actor, {"email": email, "silo": silos[row.silo.casefold()],
                                           "title": "", "name": name_from_email(email),
                                           "timezone": ""})
            people[email] = person.pk
            report.people_created.append(email)
    return people


def _write_consults(created: dict[str, ResolvedExample], reconsulted: list[int],
                    consulted: dict[str, set[int]]) -> None:
    """The consults of new examples, and of stored ones whose consults the file changes."""
    ids: dict[int, str] = {}
    for start in range(0, len(reconsulted), CHUNK):
        chunk = reconsulted[start:start + CHUNK]
        ResolvedConsult.objects.filter(example_id__in=chunk).delete()
        ids.update(ResolvedExample.objects.filter(pk__in=chunk).values_list("pk", "key"))
    pending = [key for key in created if consulted[key]]
    for start in range(0, len(pending), CHUNK):
        ids.update(ResolvedExample.objects.filter(key__in=pending[start:start + CHUNK])
                   .values_list("pk", "key"))
    ResolvedConsult.objects.bulk_create(
        [ResolvedConsult(example_id=pk, person_id=person_id)
         for pk, key in ids.items() for person_id in sorted(consulted[key])], batch_size=500)
