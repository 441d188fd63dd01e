"""`unsilo org …`: the organisation from the command line."""

import sys

import click

from unsilo import cli_support

PHASES = {"validating": "Validating", "writing": "Writing   "}


def _silos(names: list[str]) -> str:
    return f" ({', '.join(names)})" if names else ""


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


@click.group()
def org() -> None:
    """Silos and people: import people from an HR export."""


@org.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True,
              help="Check the file and say what would change, writing nothing.")
def import_people(file, dry_run: bool) -> None:
    """Import people from FILE, a CSV (UTF-8) with the header email,name,title,silo and
    optionally skills, languages (both separated by semicolons), timezone and manager_email.

    People are matched by email: new ones are created, known ones updated in the columns the
    file has. Silos the file names that do not exist yet are created. If any line is wrong,
    every wrong line is listed and nothing is imported.
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
        for line, reason in plan.errors:
            click.echo(f"line {line}: {reason}", err=True)
        lines = _plural(len(plan.errors), "line needs", "lines need")
        click.echo(f"Nothing was imported: {lines} fixing in {name}.", err=True)
        sys.exit(1)
    people = _plural(len(plan.rows), "person", "people")
    if dry_run:
        if not plan.changes_anything:
            click.echo(f"Dry run: nothing would change; all {people} in {name} are up to date.")
        else:
            click.echo(
                f"Dry run: {name} would create {_plural(plan.creates, 'person', 'people')}, "
                f"update {plan.updates:,}, leave {plan.unchanged:,} unchanged and create "
                f"{_plural(len(plan.new_silos), 'silo', 'silos')}{_silos(plan.new_silos)}. "
                "Nothing was written."
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
        f"{_silos(result.silos_created)}."
    )
