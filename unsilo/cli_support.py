"""What every `unsilo` command shares: start-up checks that end in one sentence, and who acts."""

import getpass

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
