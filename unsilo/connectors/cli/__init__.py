"""Connector commands: `unsilo keys …` (cli_keys.py) and `unsilo listen` (cli_listen.py)."""

import click


def register(main: click.Group) -> None:
    from unsilo.connectors.cli.keys import keys
    from unsilo.connectors.cli.listen import listen

    main.add_command(keys)
    main.add_command(listen)
