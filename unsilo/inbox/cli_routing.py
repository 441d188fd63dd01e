import click


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
def route(path: str) -> None:
    """Print where each message would be routed (not built yet)."""
    raise click.ClickException("not built yet")


@click.group()
def routing() -> None:
    """The routing model: evaluate it on held-out history."""


@click.group()
def inbox() -> None:
    """The inbox: load resolved history the routing model learns from."""
