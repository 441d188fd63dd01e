"""The `unsilo` command: demo, serve, worker, migrate, and the data commands of each app."""

import os
import signal
import sys

import click

from unsilo import config
from unsilo.cli_support import actor as cli_actor
from unsilo.cli_support import start


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


@click.group()
@click.version_option(package_name="unsilo")
def main() -> None:
    """unsilo: the platform a company runs its Social Media Center of Excellence on."""


@main.command()
def migrate() -> None:
    """Create or upgrade the database (no demo data)."""
    start(database=False)
    from django.db import connection

    _migrate(verbosity=1)
    click.echo(f"Database ready: {connection.vendor} {connection.settings_dict['NAME']}")


def _step(step: str) -> None:
    click.echo(f"  {step}…")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def demo(host: str, port: int) -> None:
    """The whole product on SQLite with a demo company: web server and worker in one process."""
    if os.environ.pop("DATABASE_URL", None):
        click.echo("Note: demo ignores DATABASE_URL and uses SQLite in the data directory.")
    # Accounts of the demo company are not connected to real networks: the demo connector
    # answers for them.
    os.environ.setdefault("UNSILO_DEMO_DELIVERY", "1")
    if not os.environ.get("UNSILO_ALLOWED_HOSTS", "").strip():
        hosts = config.demo_hosts(host)
        os.environ["UNSILO_ALLOWED_HOSTS"] = ",".join(hosts)
        if hosts == config.LOCAL_HOSTS and host not in hosts:
            click.echo("Answering for this machine's own names only: set UNSILO_ALLOWED_HOSTS "
                       "to the names other machines use to reach it.")
    start(database=False)
    from django.db import connection

    from unsilo.demo import company as demo_company
    from unsilo.demo import seed as demo_seed

    click.echo(f"Data directory: {config.data_dir()}")
    click.echo("Preparing the database…")
    _migrate()
    inbox = None
    if demo_seed.is_seeded():
        click.echo("Reusing the existing demo data.")
        logins = demo_company.existing_logins()
        if not demo_seed.inbox_is_seeded():  # demo data made before the inbox existed
            click.echo("Seeding the demo inbox…")
            inbox = demo_seed.seed_inbox(progress=_step)
    else:
        click.echo("Seeding the demo company (Meridian Home)…")
        seeded = demo_seed.seed(progress=_step)
        logins, inbox = seeded["logins"], seeded["inbox"]
    if inbox:
        click.echo(f"Seeded in {inbox['seconds']:.0f} s: routing learned from {inbox['history']:,} "
                   f"resolved conversations; {inbox['conversations']} conversations in the inbox.")
    connection.close()
    _serve(host, port, threads=8, embedded_worker=True, logins=logins, live_stream=True)


@main.command()
@click.option("--host", default="0.0.0.0", show_default=True)  # noqa: S104 - a server binds all
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Production web server: reads DATABASE_URL and UNSILO_SECRET_KEY."""
    start(production=True)
    from django.core.exceptions import ImproperlyConfigured

    from unsilo.sso import provider

    try:
        config.check_allowed_hosts()
        provider.config()  # single sign-on's settings, when it is set up
    except (config.ConfigError, ImproperlyConfigured) as error:
        raise click.ClickException(str(error)) from error
    _serve(host, port, threads=threads, embedded_worker=False)


@main.command()
@click.option("--queues", default="*", show_default=True, help="Comma-separated queue names.")
@click.option("--interval", default=0.5, show_default=True, type=float,
              help="Seconds between polls when the queue is empty.")
def worker(queues: str, interval: float) -> None:
    """Background worker: run as many as you like, on any number of machines."""
    start(production=True)
    from unsilo.core.worker import make_worker, run_in_process

    click.echo(f"unsilo worker started (queues {queues}); Ctrl-C stops after the current task.")
    run_in_process(make_worker(queues, interval))


def _serve(host: str, port: int, *, threads: int, embedded_worker: bool, logins=(),
           live_stream: bool = False) -> None:
    from waitress import create_server

    from unsilo.core.worker import WorkerThread
    from unsilo.wsgi import application

    try:
        server = create_server(application, host=host, port=port, threads=threads,
                               ident="unsilo")
    except OSError as error:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {error.strerror}.") from error
    background = WorkerThread() if embedded_worker else None
    if background:
        background.start()
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}/"  # noqa: S104
    click.echo(f"\nunsilo is running at {url}")
    if logins:
        click.echo(f"Demo logins (password: {_demo_password()}):")
        for role, email in logins:
            click.echo(f"  {role:<14} {email}")
    stream = _start_demo_stream() if live_stream else None
    signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
    try:
        # Inside the try: a signal that arrives right after this line still stops cleanly.
        click.echo("Press Ctrl-C to stop.\n")
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        click.echo("Stopping…")
        server.close()
        if stream:
            stream.stop()
        if background:
            background.stop()
        click.echo("Stopped.")


def _start_demo_stream():
    # After the server and worker: the live mix goes through the same pipeline as real data.
    from unsilo.demo import stream as demo_stream

    stream = demo_stream.start()
    if stream is None:
        click.echo("Live demo stream off (UNSILO_DEMO_RATE=0).")
    else:
        click.echo(f"Streaming demo messages into the inbox: ~{stream.rate:g} per minute "
                   "(UNSILO_DEMO_RATE changes it).")
    return stream


def _stop_like_ctrl_c(signum, frame):
    # A service manager's SIGTERM stops the server and the worker as cleanly as Ctrl-C does.
    raise KeyboardInterrupt


def _demo_password() -> str:
    from unsilo.demo.company import PASSWORD

    return PASSWORD


@main.group()
def users() -> None:
    """Logins: create the first hub admin of a new installation."""


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["hub_admin", "captain", "responder", "reviewer",
                                           "viewer"]), default="hub_admin", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              envvar="UNSILO_NEW_PASSWORD")
def users_create(email: str, role: str, password: str) -> None:
    """Give EMAIL a login (linked to the person with that email, when there is one)."""
    start()
    from django.core.exceptions import ValidationError

    from unsilo.core.actions import create_login
    from unsilo.org.models import Person

    person = Person.objects.filter(email=email.strip().lower()).first()
    try:
        create_login(cli_actor(), email=email,
                     password=password, role=role, person=person)
    except ValidationError as error:
        raise click.ClickException(" ".join(error.messages)) from error
    click.echo(f"Login created for {email} ({role}).")


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def manage(ctx: click.Context) -> None:
    """Run a Django management command (for operators)."""
    start(database=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["unsilo manage", *ctx.args])


def _add_app_commands() -> None:
    from unsilo.org.cli import org

    main.add_command(org)
    from unsilo.inbox.cli import register

    register(main)
    from unsilo.connectors.cli import register as register_connectors

    register_connectors(main)
    from unsilo.mail.cli import mail_in

    main.add_command(mail_in)
    from unsilo.publishing.cli import publish

    main.add_command(publish)


_add_app_commands()

if __name__ == "__main__":
    sys.exit(main())
