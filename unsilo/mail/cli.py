"""`unsilo mail-in`: the SMTP endpoint for replies to unsilo's emails (inbound.py)."""

import click

from unsilo.cli_support import start


@click.command("mail-in")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=2525, show_default=True, type=int,
              help="0 asks the system for a free port (printed on start).")
def mail_in(host: str, port: int) -> None:
    """Take replies to consult emails by SMTP: point the MX (or a forward) of
    UNSILO_MAIL_REPLY_DOMAIN here."""
    start(production=True)
    from django.conf import settings

    from unsilo.mail import inbound

    if not settings.UNSILO_MAIL_REPLY_DOMAIN:
        raise click.ClickException("Set UNSILO_MAIL_REPLY_DOMAIN (the domain of the reply "
                                   "addresses) first: without it no email offers a reply.")
    inbound.serve(host, port, announce=lambda line: click.echo(line, nl=True))
