"""`unsilo keys generate` and `unsilo keys rotate` (built by the accounts helper)."""

import click


@click.group()
def keys() -> None:
    """The key that encrypts stored network credentials."""
