"""`unsilo listen`: the long-running consumer of streaming networks (built by the Bluesky
helper)."""

import click


@click.command()
def listen() -> None:
    """Read streaming networks (Bluesky's event stream) into the inbox."""
