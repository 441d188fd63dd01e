"""`unsilo route`, `unsilo routing evaluate` and `unsilo inbox import-history`."""

import json
import sys

import click

from unsilo import cli_support

BATCH = 1000  # lines classified and routed together


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
def route(path: str) -> None:
    """Print where each message of PATH (JSON Lines; "-" reads stdin) would be routed, using
    the routing model and rules of the current database and writing nothing to it.

    For each input line, exactly one JSON object on stdout, in input order:
    {"id", "silo", "assignee", "confidence", "intent", "sentiment", "language", "urgency",
    "risk", "reasons"}. "silo" is a silo name (the hub's when it goes to triage), "assignee"
    a person's email or null, "risk" a list of flag names. Availability (absences, capacity,
    working hours) is ignored: this is for back-testing.

    A bad line prints {"line": N, "error": "..."} on stderr instead; the other lines still
    print, and the exit status is 1. The file is read in batches, never whole.
    """
    cli_support.start()
    from unsilo.inbox.routing.router import Router

    router = Router.current()
    bad = 0
    with (open(path, "rb") if path != "-" else sys.stdin.buffer) as source:  # noqa: SIM115
        batch: list = []
        for number, raw in enumerate(source, start=1):
            if not raw.strip():
                continue
            message, problem = _message(raw)
            if message is None:
                bad += 1
                sys.stdout.flush()
                click.echo(json.dumps({"line": number, "error": problem}, ensure_ascii=False),
                           err=True)
                continue
            batch.append(message)
            if len(batch) >= BATCH:
                _print_routes(router, batch)
                batch = []
                router = Router.current()
        if batch:
            _print_routes(router, batch)
    if bad:
        sys.exit(1)


def _message(raw: bytes):
    """(Incoming, None) or (None, the reason)."""
    from unsilo.inbox.ingest import check_message

    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        return None, f"not UTF-8 (byte 0x{raw[error.start]:02x} at byte {error.start + 1})"
    except json.JSONDecodeError as error:
        return None, f"not valid JSON ({error.msg} at column {error.colno})"
    message, problems = check_message(value)
    if message is None:
        return None, "; ".join(f"{name}: {reason}" if name else reason
                               for name, reason in problems)
    return message, None


def _print_routes(router, batch: list) -> None:
    classes, decisions = router.classify_route(batch)
    out = []
    for m, c, d in zip(batch, classes, decisions, strict=True):
        out.append(json.dumps({
            "id": m.id, "silo": d.silo, "assignee": d.assignee,
            "confidence": round(float(d.confidence), 3), "intent": c.intent,
            "sentiment": c.sentiment, "language": c.language, "urgency": c.urgency,
            "risk": list(c.risk or {}), "reasons": d.reasons}, ensure_ascii=False))
    sys.stdout.write("\n".join(out) + "\n")


@click.group()
def routing() -> None:
    """The routing model: evaluate it on held-out history."""


@routing.command("evaluate")
@click.argument("file", type=click.File("rb"))
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def evaluate(file, as_json: bool) -> None:
    """Route FILE, resolved history held out from training (the import-history format), and
    print silo accuracy, person hit@1 and hit@3 and a confusion matrix, beside the same for a
    keyword-rules baseline built from the training history. Writes nothing."""
    cli_support.start()
    from unsilo.inbox.history import check_history
    from unsilo.inbox.routing.evaluate import evaluate as run
    from unsilo.inbox.routing.evaluate import report
    from unsilo.inbox.routing.router import Router

    rows, errors = check_history(file.read())
    if errors:
        for line, reason in errors:
            click.echo(f"line {line}: {reason}", err=True)
        click.echo(f"Nothing was evaluated: {_lines(len(errors))} fixing.", err=True)
        sys.exit(1)
    router = Router.current()
    if router.model is None:
        raise click.ClickException("There is no routing model yet: import resolved history "
                                   "first (unsilo inbox import-history FILE.jsonl).")
    result = run(rows, router)
    click.echo(json.dumps(result.as_json(), indent=2) if as_json else report(result))


@click.group()
def inbox() -> None:
    """The inbox: load resolved history the routing model learns from."""


@inbox.command("import-history")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_history(file: str) -> None:
    """Import resolved conversations from FILE (JSON Lines) and retrain the routing model.

    Each line is an inbound message ({"id", "network", "text", "author", "created_at"} and
    optionally "account", "thread_id", "in_reply_to", "url", "lang") plus "resolved_by_silo"
    (a silo name) and optionally "resolved_by" (an email), "answer", "answered_at" and
    "resolved_at" (ISO 8601 with a zone) and "consulted" (a list of emails). If any line is
    wrong, every wrong line is listed and nothing is imported. Silos and people the file names
    that do not exist yet are created. Importing the same file again changes nothing.
    """
    cli_support.start()
    from django.core.exceptions import PermissionDenied, ValidationError

    from unsilo.inbox.history import import_history as run

    bars = cli_support.ProgressBars(
        {"validating": "Validating", "writing": "Writing   ", "training": "Training  ",
         "expertise": "Expertise "})
    try:
        report = run(file, cli_support.actor(), progress=bars)
    except (ValidationError, PermissionDenied) as error:
        cli_support.refuse(error, bars)
    finally:
        bars.close()
    if report.errors:
        for line, reason in report.errors:
            click.echo(f"line {line}: {reason}", err=True)
        click.echo(f"Nothing was imported: {_lines(len(report.errors))} fixing in {file}.",
                   err=True)
        sys.exit(1)
    if not report.changed_anything:
        click.echo(f"Nothing changed: all {report.lines:,} lines of {file} are already imported.")
        return
    click.echo(_summary(file, report))
    model = report.model
    if model is not None:
        m = model.metrics
        figures = ""
        if "silo_accuracy" in m:
            figures = (f": on {m['held_out']:,} held-out examples, silo accuracy "
                       f"{100 * m['silo_accuracy']:.1f} %, person hit@1 "
                       f"{100 * m['person_hit1']:.1f} %, hit@3 {100 * m['person_hit3']:.1f} %")
        click.echo(f"Routing model v{model.version} trained on {model.examples:,} examples in "
                   f"{model.seconds:.1f} s{figures}.")


def _lines(n: int) -> str:
    return f"{n:,} line needs" if n == 1 else f"{n:,} lines need"


def _summary(file: str, report) -> str:
    text = (f"Imported {file}: {report.lines:,} lines; {report.created:,} examples created, "
            f"{report.updated:,} updated, {report.unchanged:,} unchanged")
    if report.silos_created:
        text += (f"; {len(report.silos_created)} silos created "
                 f"({', '.join(report.silos_created)})")
    if report.people_created:
        text += (f"; {len(report.people_created):,} people created (from resolved_by and "
                 "consulted emails)")
    if report.consults:
        text += f"; {report.consults:,} people consulted"
    return text + "."
