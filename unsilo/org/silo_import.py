"""Import silos from a CSV: the organisation's tree, checked whole, then written all or nothing.

`check_silos_csv` reads the file and compares it with the database, writing nothing;
`apply_silos_import` checks the database again inside one transaction and writes through the
org actions (`create_silo`, `update_silo`), so every silo created or changed has its audit row.
`unsilo org import-silos` and the COE table's upload share both. The contract is in
docs/product.md ("Silos CSV").

The file: a header with name and kind and optionally parent, in any order. Silos are matched by
name, case aside (the stored spelling stays): new ones are created, known ones take the file's
kind and, with a parent column, its parent (empty: the top of the tree). Silos the file does
not name stay as they are. A parent is a silo named anywhere in the file or one unsilo has.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from unsilo.core.actor import Actor
from unsilo.core.permissions import require
from unsilo.org.actions import create_silo, update_silo
from unsilo.org.importer_checks import decode, header_errors, records
from unsilo.org.importer_db import Meter, Progress
from unsilo.org.models import Silo, SiloKind

REQUIRED = ("name", "kind")
COLUMNS = (*REQUIRED, "parent")
# The contract's four kinds, and the business unit the silo form offers too.
KINDS = (SiloKind.HUB, SiloKind.REGION, SiloKind.DEPARTMENT, SiloKind.FUNCTION,
         SiloKind.BUSINESS_UNIT)
NAME_LIMIT = Silo._meta.get_field("name").max_length


@dataclass(slots=True)
class SiloRow:
    line: int
    name: str
    kind: str  # "" when the line's kind is not one of KINDS
    parent: str | None = None  # None: the file has no parent column; "": the top of the tree

    @property
    def key(self) -> str:
        return self.name.casefold()


@dataclass
class SiloPlan:
    """What importing the file would do (or did), or why it cannot be imported (by line)."""

    rows: list[SiloRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changes_anything(self) -> bool:
        return bool(self.created or self.updated)


def check_silos_csv(data: bytes, progress: Progress | None = None) -> SiloPlan:
    """Check the whole file against itself and the database; write nothing."""
    plan = SiloPlan()
    problems: dict[int, list[str]] = {}
    text, bad_lines = decode(data)
    for line, reason in bad_lines.items():
        problems.setdefault(line, []).append(reason)
    meter = Meter(progress, "validating", text.count("\n") + 1)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or not any(h.strip() for h in header):
        plan.errors = [(1, "the first line must be the header: " + ",".join(REQUIRED))]
        return plan
    names = [h.strip().lower() for h in header]
    if reasons := header_errors(names, REQUIRED, COLUMNS):
        problems.setdefault(1, []).extend(reasons)
        plan.errors = _sorted(problems)
        return plan
    first_line: dict[str, int] = {}
    read: list[SiloRow] = []  # every row with a name, valid or not: parents may name them
    for start, end, record in records(reader, len(names), problems, meter):
        cells = {name: cell.strip() for name, cell in zip(names, record, strict=True)}
        reasons = []
        row = _read_row(cells, start, reasons)
        if row.name:
            if row.key in first_line:
                reasons.append(f"name: silo {row.name} is already on line {first_line[row.key]}")
            else:
                first_line[row.key] = start
                read.append(row)
        if any(line in bad_lines for line in range(start, end + 1)):
            continue  # the encoding error says all there is to say about this row
        if reasons:
            problems.setdefault(start, []).extend(reasons)
        else:
            plan.rows.append(row)
    meter.to(meter.total)
    _compare(read, plan, problems)
    if problems:
        return SiloPlan(errors=_sorted(problems))
    return plan


def _read_row(cells: dict[str, str], line: int, reasons: list[str]) -> SiloRow:
    name, kind = cells["name"], cells["kind"].lower()
    if not name:
        reasons.append("name: missing silo name")
    elif len(name) > NAME_LIMIT:
        reasons.append(f"name: longer than {NAME_LIMIT} characters")
        name = ""
    if not kind:
        reasons.append(f"kind: missing kind (one of {', '.join(KINDS)})")
    elif kind not in KINDS:
        reasons.append(f'kind: "{cells["kind"][:40]}" is not a kind of silo '
                       f"(one of {', '.join(KINDS)})")
        kind = ""
    return SiloRow(line, name, kind, cells.get("parent"))


def _sorted(problems: dict[int, list[str]]) -> list[tuple[int, str]]:
    return [(line, "; ".join(problems[line])) for line in sorted(problems)]


class _Tree:
    """The silos as they would be after the import: the stored ones with the file laid over."""

    def __init__(self, rows: list[SiloRow]):
        self.stored = {silo.name.casefold(): silo for silo in Silo.objects.all()}
        by_id = {silo.pk: key for key, silo in self.stored.items()}
        self.rows = {row.key: row for row in rows}
        self.stored_parent = {key: by_id.get(silo.parent_id)
                              for key, silo in self.stored.items()}
        self.parent: dict[str, str | None] = dict(self.stored_parent)
        self.kind = {key: silo.kind for key, silo in self.stored.items()}
        for row in rows:
            if row.parent is not None or row.key not in self.stored:
                self.parent[row.key] = (row.parent or "").casefold() or None
            self.kind[row.key] = row.kind or self.kind.get(row.key, "")

    def name(self, key: str) -> str:
        return self.rows[key].name if key in self.rows else self.stored[key].name

    def loop(self, key: str) -> list[str] | None:
        """The silos from `key` up its parents back to itself, when they run in a loop."""
        path, node = [key], self.parent.get(key)
        while node is not None and node not in path:
            path.append(node)
            node = self.parent.get(node)
        return [*path, key] if node == key else None

    def depth(self, key: str) -> int:
        depth, node, seen = 0, self.parent.get(key), {key}
        while node is not None and node not in seen:
            seen.add(node)
            depth, node = depth + 1, self.parent.get(node)
        return depth


def _compare(rows: list[SiloRow], plan: SiloPlan, problems: dict[int, list[str]]) -> None:
    """The rules over the whole tree (parents known, no loops, one hub), then what changes."""
    tree = _Tree(rows)
    for row in rows:
        parent = (row.parent or "").casefold()
        if not parent:
            continue
        if parent == row.key:
            problems.setdefault(row.line, []).append("parent: a silo cannot sit inside itself")
        elif parent not in tree.rows and parent not in tree.stored:
            problems.setdefault(row.line, []).append(
                f'parent: unknown silo "{row.parent[:NAME_LIMIT]}" (neither in the file nor in '
                "unsilo)")
        elif loop := tree.loop(row.key):
            problems.setdefault(row.line, []).append(
                "parent: the silos would sit inside each other in a loop ("
                + " → ".join(tree.name(key) for key in loop) + ")")
    _check_hub(rows, tree, problems)
    if problems:
        return
    for row in rows:
        silo = tree.stored.get(row.key)
        if silo is None:
            plan.created.append(row.name)
        elif silo.kind != row.kind or tree.parent[row.key] != tree.stored_parent[row.key]:
            plan.updated.append(silo.name)
        else:
            plan.unchanged += 1


def _check_hub(rows: list[SiloRow], tree: _Tree, problems: dict[int, list[str]]) -> None:
    """One hub at most; and a file cannot take away the hub unsilo has without naming another."""
    kept = [key for key, silo in tree.stored.items()
            if silo.kind == SiloKind.HUB and tree.kind[key] == SiloKind.HUB]
    hub = kept[0] if kept else None
    for row in rows:
        if row.kind != SiloKind.HUB or row.key == hub:
            continue
        if hub is None:
            hub = row.key
            continue
        where = f" on line {tree.rows[hub].line}" if hub in tree.rows else " in unsilo"
        problems.setdefault(row.line, []).append(
            f"kind: a second hub ({tree.name(hub)}{where} is the hub; there is one)")
    if hub is None:
        for row in rows:
            stored = tree.stored.get(row.key)
            if stored is not None and stored.kind == SiloKind.HUB:
                problems.setdefault(row.line, []).append(
                    f"kind: {stored.name} is the hub; name another silo hub in the file to "
                    "move the hub there")


def apply_silos_import(actor: Actor, plan: SiloPlan, progress: Progress | None = None
                       ) -> SiloPlan:
    """Write a checked plan in one transaction, parents before their children, through the
    org actions; returns what was done. The database is compared with the file again first."""
    require(actor, "org.manage_silos")
    if plan.errors:
        raise ValidationError("The file has errors: fix them and check it again.")
    meter = Meter(progress, "writing", len(plan.rows))
    with transaction.atomic():
        done = SiloPlan(rows=plan.rows)
        problems: dict[int, list[str]] = {}
        _compare(plan.rows, done, problems)
        if problems:
            raise ValidationError([f"line {line}: {reason}" for line, reason in
                                   _sorted(problems)])
        tree = _Tree(plan.rows)
        silos = dict(tree.stored)
        # In the final tree's order, a silo's new parents are all in place before it moves.
        for n, row in enumerate(sorted(plan.rows, key=lambda r: tree.depth(r.key)), start=1):
            parent = silos[tree.parent[row.key]] if tree.parent[row.key] else None
            silo = silos.get(row.key)
            if silo is None:
                silos[row.key] = create_silo(actor, name=row.name, kind=row.kind, parent=parent)
            else:
                data = {"kind": row.kind} if silo.kind != row.kind else {}
                if row.parent is not None and silo.parent_id != (parent and parent.pk):
                    data["parent"] = parent
                if data:
                    update_silo(actor, silo, data)
            meter.to(n)
    meter.to(meter.total)
    return done
