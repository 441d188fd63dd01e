"""What every `unsilo` command shares: start-up checks that end in one sentence, and who acts."""

import getpass
import sys
from typing import NoReturn

import click

from unsilo import config


def start(*, production: bool = False, database: bool = True) -> None:
    """Load Django; with `production`, insist on DATABASE_URL and UNSILO_SECRET_KEY first;
    with `database`, stop unless the database answers and is migrated."""
    try:
        if production:
            config.check_production_environment()
        config.setup_django()
    except config.ConfigError as error:
        raise click.ClickException(str(error)) from error
    if database:
        check_database()


def check_database() -> None:
    """Stop with one sentence when the database does not answer or is not migrated."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        connection.ensure_connection()
    except Exception as error:  # noqa: BLE001 - any driver error becomes one clear sentence
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise click.ClickException(
            f"The database does not answer ({reason}): check DATABASE_URL and that the server "
            "is running."
        ) from error
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise click.ClickException("The database is not up to date: run `unsilo migrate` first.")


def actor():
    """The CLI acts for the installation, recorded in the audit log as the shell user."""
    from unsilo.core.actor import Actor
    from unsilo.core.models import Via

    return Actor.system(via=Via.CLI, label=f"cli:{getpass.getuser()}")


class ProgressBars:
    """One click progress bar per phase of a long command, on stderr. Call it as the work's
    `progress(phase, done, total)`; `labels` names the phases."""

    def __init__(self, labels: dict[str, str] | None = None):
        self.labels = labels or {}
        self.bar = None
        self.phase = ""
        self.done = 0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.close()
            self.phase, self.done = phase, 0
            self.bar = click.progressbar(length=total, label=self.labels.get(phase, phase),
                                         file=sys.stderr)
            self.bar.__enter__()
        self.bar.length = total
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def refuse(error: Exception, bars: ProgressBars,
           outcome: str = "Nothing was imported.") -> NoReturn:
    """A write the action refused (ValidationError or PermissionDenied): the reasons, exit 1."""
    bars.close()  # end the bar's line before the reasons
    for message in getattr(error, "messages", None) or [str(error)]:
        click.echo(message, err=True)
    click.echo(outcome, err=True)
    sys.exit(1)
