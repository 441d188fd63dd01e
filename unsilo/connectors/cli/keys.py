"""`unsilo keys generate` and `unsilo keys rotate`: the key that encrypts stored network
credentials (connectors/credentials.py)."""

import os

import click

from unsilo.cli_support import ProgressBars, actor, start


@click.group()
def keys() -> None:
    """The key that encrypts stored network credentials."""


@keys.command()
def generate() -> None:
    """Print a new key for UNSILO_CREDENTIALS_KEY (nothing is stored)."""
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode())


@keys.command()
def rotate() -> None:
    """Re-encrypt every stored credential under UNSILO_CREDENTIALS_KEY, reading the old ones
    with the keys in UNSILO_CREDENTIALS_OLD_KEYS. All or nothing, with one audit row."""
    start()
    from unsilo.connectors import credentials

    if not os.environ.get(credentials.KEY_ENV, "").strip():
        raise click.ClickException(
            f"{credentials.KEY_ENV} is not set: put the new key there (`unsilo keys generate` "
            f"prints one) and the old one in {credentials.OLD_KEYS_ENV}.")
    bars = ProgressBars({"rotate": "Re-encrypting credentials"})
    try:
        done = credentials.rotate(actor(), progress=lambda n, total: bars("rotate", n, total))
    except credentials.CredentialError as error:
        bars.close()
        raise click.ClickException(f"{error} Nothing was changed.") from error
    bars.close()
    click.echo(f"Re-encrypted the credentials of {done} connection{'s' * (done != 1)} under "
               "the new key.")
    if os.environ.get(credentials.OLD_KEYS_ENV, "").strip():
        click.echo(f"Now drop the old key: remove {credentials.OLD_KEYS_ENV} from the "
                   "environment of every web and worker process.")
