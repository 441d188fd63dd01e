import click


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
def ingest(path: str) -> None:
    """Ingest inbound messages from a JSON Lines file (not built yet)."""
    raise click.ClickException("not built yet")
