"""`unsilo org …`: the organisation from the command line."""

import sys

import click

from unsilo import cli_support

PHASES = {"validating": "Validating", "writing": "Writing   "}


def _silos(names: list[str]) -> str:
    return f" ({', '.join(names)})" if names else ""


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _seats(seats) -> str:
    """"; seats: 2 people seated, 1 role changed, 1 unseated" when the seat column changes any."""
    if not seats.any:
        return ""
    return (f"; seats: {_plural(seats.added, 'person', 'people')} seated, "
            f"{_plural(seats.changed, 'role', 'roles')} changed, {seats.removed:,} unseated")


@click.group()
def org() -> None:
    """Silos and people: import silos and people from CSV files."""


@org.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True,
              help="Check the file and say what would change, writing nothing.")
def import_people(file, dry_run: bool) -> None:
    """Import people from FILE, a CSV (UTF-8) with the header email,name,title,silo and
    optionally skills, languages (both separated by semicolons), timezone, manager_email and
    seat (captain, delegate, or empty for none: their silo's seat).

    People are matched by email: new ones are created, known ones updated in the columns the
    file has (an empty cell clears; with a seat column, an empty seat unseats them from their
    silo's seat). Silos the file names that do not exist yet are created. If any line is
    wrong, every wrong line is listed and nothing is imported.
    """
    cli_support.start()
    _import(file.read(), getattr(file, "name", "the file"), dry_run)


def _import(data: bytes, name: str, dry_run: bool) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    from unsilo.org.importer import apply_people_import, parse_people_csv

    bars = cli_support.ProgressBars(PHASES)
    try:
        plan = parse_people_csv(data, progress=bars)
    finally:
        bars.close()
    if plan.errors:
        _refuse_lines(plan.errors, name)
    people = _plural(len(plan.rows), "person", "people")
    if dry_run:
        if not plan.changes_anything:
            click.echo(f"Dry run: nothing would change; all {people} in {name} are up to date.")
        else:
            click.echo(
                f"Dry run: {name} would create {_plural(plan.creates, 'person', 'people')}, "
                f"update {plan.updates:,}, leave {plan.unchanged:,} unchanged and create "
                f"{_plural(len(plan.new_silos), 'silo', 'silos')}{_silos(plan.new_silos)}"
                f"{_seats(plan.seats)}. Nothing was written."
            )
        return
    try:
        result = apply_people_import(cli_support.actor(), plan, progress=bars)
    except (ValidationError, PermissionDenied) as error:
        cli_support.refuse(error, bars)
    finally:
        bars.close()
    if not result.changed_anything:
        click.echo(f"Nothing changed: all {people} in {name} are already up to date.")
        return
    click.echo(
        f"Imported {name}: {_plural(result.created, 'person', 'people')} created, "
        f"{result.updated:,} updated, {result.unchanged:,} unchanged; "
        f"{_plural(len(result.silos_created), 'silo', 'silos')} created"
        f"{_silos(result.silos_created)}{_seats(result.seats)}."
    )


@org.command("import-silos")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True,
              help="Check the file and say what would change, writing nothing.")
def import_silos(file, dry_run: bool) -> None:
    """Import silos from FILE, a CSV (UTF-8) with the header name,kind and optionally parent.

    kind is hub, region, department or function (or business_unit); parent is a silo named
    anywhere in the file or one unsilo has, empty for the top of the tree. Silos are matched
    by name: new ones are created, known ones take the file's kind and parent; silos the file
    does not name stay. If any line is wrong (an unknown parent, silos inside each other, a
    second hub…), every wrong line is listed and nothing is imported.
    """
    cli_support.start()
    from django.core.exceptions import PermissionDenied, ValidationError

    from unsilo.org.silo_import import apply_silos_import, check_silos_csv

    name = getattr(file, "name", "the file")
    bars = cli_support.ProgressBars(PHASES)
    try:
        plan = check_silos_csv(file.read(), progress=bars)
    finally:
        bars.close()
    if plan.errors:
        _refuse_lines(plan.errors, name)
    silos = _plural(plan.unchanged, "silo", "silos")
    if dry_run:
        if not plan.changes_anything:
            click.echo(f"Dry run: nothing would change; all {silos} in {name} are up to date.")
        else:
            click.echo(f"Dry run: {name} would {_silo_changes(plan)}. Nothing was written.")
        return
    try:
        done = apply_silos_import(cli_support.actor(), plan, progress=bars)
    except (ValidationError, PermissionDenied) as error:
        cli_support.refuse(error, bars)
    finally:
        bars.close()
    if not done.changes_anything:
        click.echo(f"Nothing changed: all {silos} in {name} are already up to date.")
        return
    click.echo(f"Imported {name}: {_silo_changes(done, past=True)}.")


def _silo_changes(plan, past: bool = False) -> str:
    """"create 2 silos (A, B), update 1 (C) and leave 3 unchanged", or in the past tense."""
    silos = _plural(len(plan.created), "silo", "silos")
    if past:
        return (f"{silos} created{_silos(plan.created)}, {len(plan.updated):,} updated"
                f"{_silos(plan.updated)}, {plan.unchanged:,} unchanged")
    return (f"create {silos}{_silos(plan.created)}, update {len(plan.updated):,}"
            f"{_silos(plan.updated)} and leave {plan.unchanged:,} unchanged")


def _refuse_lines(errors: list[tuple[int, str]], name: str) -> None:
    for line, reason in errors:
        click.echo(f"line {line}: {reason}", err=True)
    lines = _plural(len(errors), "line needs", "lines need")
    click.echo(f"Nothing was imported: {lines} fixing in {name}.", err=True)
    sys.exit(1)
