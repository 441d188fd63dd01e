"""The inbox's commands: `unsilo ingest`, `unsilo route`, `unsilo routing …`, `unsilo inbox …`."""

import click


def register(main: click.Group) -> None:
    from unsilo.inbox.cli.ingest import ingest
    from unsilo.inbox.cli.routing import inbox, route, routing

    for command in (ingest, route, routing, inbox):
        main.add_command(command)
