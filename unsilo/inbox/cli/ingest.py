"""`unsilo ingest FILE.jsonl`: inbound messages from a file into the one ingestion pipeline."""

import sys
import time

import click

from unsilo import cli_support

PHASES = {"checking": "Checking", "storing": "Storing "}


@click.command()
@click.argument("file", type=click.File("rb"))
@click.option("--wait", is_flag=True,
              help="Process the messages now (thread, classify, route) and say how many were "
                   "routed, instead of leaving them to the worker.")
def ingest(file, wait: bool) -> None:
    """Ingest inbound messages from FILE, JSON Lines (UTF-8): one message per line with id,
    network, text, author, created_at and optionally account, thread_id, in_reply_to, url,
    lang.

    All or nothing: if any line is wrong, every wrong line is listed and nothing is stored.
    A message already stored (same network and id) is a duplicate and left as it was, so
    ingesting a file again is safe.
    """
    cli_support.start()
    from django.core.exceptions import PermissionDenied

    from unsilo.inbox.ingest import ingest_file

    name = getattr(file, "name", "the file")
    bars = cli_support.ProgressBars(PHASES)
    try:
        report = ingest_file(file.read(), cli_support.actor(), source=f"cli:{name}",
                             progress=bars)
    except PermissionDenied as error:
        raise click.ClickException(str(error)) from error
    finally:
        bars.close()
    if not report.ok:
        for error in report.errors:
            click.echo(error.describe("line"), err=True)
        lines = len({e.at for e in report.errors})
        click.echo(f"Nothing was stored: {lines:,} line{'s' if lines != 1 else ''} "
                   f"need{'s' if lines == 1 else ''} fixing in {name}.", err=True)
        sys.exit(1)
    click.echo(f"Stored {name}: {report.new:,} new, {report.duplicates:,} "
               f"duplicate{'s' if report.duplicates != 1 else ''} (already stored).")
    if wait:
        _process_and_count(report.new_ids)


def _process_and_count(ids: list[int]) -> None:
    from unsilo.inbox.models import Message, MessageState, RoutingDecision
    from unsilo.inbox.pipeline import process_pending

    started = time.monotonic()
    process_pending()
    # A worker may be processing some of them at the same time: wait for those too.
    while _count(Message.objects.filter(state=MessageState.RECEIVED), ids):
        time.sleep(0.2)
    decisions = RoutingDecision.objects.exclude(source="manual")
    routed = _count(decisions, ids, "message_id")
    triage = _count(decisions.filter(triage=True), ids, "message_id")
    conversations = len({c for start in range(0, len(ids), 900)
                         for c in Message.objects.filter(pk__in=ids[start:start + 900])
                         .values_list("conversation_id", flat=True)})
    click.echo(f"Processed {len(ids):,} messages in {time.monotonic() - started:.1f} s: "
               f"{conversations:,} conversations; {routed:,} routed, {triage:,} of them to the "
               "hub's triage queue.")


def _count(rows, ids: list[int], column: str = "pk") -> int:
    return sum(rows.filter(**{f"{column}__in": ids[start:start + 900]}).count()
               for start in range(0, len(ids), 900))
