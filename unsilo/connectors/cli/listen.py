"""`unsilo listen`: the long-running reader of Bluesky's event stream, one per relay or PDS.

It subscribes to `com.atproto.sync.subscribeRepos` from the stored cursor, keeps the posts
that concern the company's Bluesky accounts (`firehose.py`), and stores them in batches (up to
`--batch` frames or `--flush-seconds`), each batch's messages together with the sequence
number of its last frame, in one transaction (`inbound.store_page`). Killed at any moment, it
starts again from the last stored batch: nothing lost, nothing stored twice. A second listener
on the same stream cannot put it back: a batch read from a position another one moved on is
not stored, and the listener reconnects from where the stream stands.
"""

import logging
import random
import signal
import sys
import time
from urllib.parse import urlsplit

import click

from unsilo.cli_support import start

log = logging.getLogger("unsilo.connectors")

RELAY = "https://bsky.network"
ACCOUNTS_EVERY = 30.0  # seconds between reloads of the company's accounts
PROGRESS_EVERY = 5.0
MAX_BACKOFF = 60.0


def stream_key(service: str) -> str:
    return f"bluesky:firehose:{urlsplit(service).netloc or service}"


def subscribe_url(service: str, cursor: str) -> str:
    base = service.rstrip("/")
    for plain, secure in (("http://", "ws://"), ("https://", "wss://")):
        if base.startswith(plain):
            base = secure + base.removeprefix(plain)
    url = f"{base}/xrpc/com.atproto.sync.subscribeRepos"
    return f"{url}?cursor={cursor}" if cursor else url


class Listener:
    def __init__(self, service: str, plc: str, *, batch: int = 200, flush_seconds: float = 1.0,
                 once_idle: float | None = None, cursor: str = "", say=None):
        from unsilo.connectors.firehose import Filter, Handles

        self.service, self.key = service, stream_key(service)
        self.batch, self.flush_seconds, self.once_idle = batch, flush_seconds, once_idle
        self.start_cursor = cursor
        self.say = say or (lambda line: click.echo(line, err=True))
        self.filter = Filter({}, handles=Handles(plc), on_error=self._bad_record)
        self.stopping = False
        self.frames = self.stored = 0
        self.seq: int | None = None
        self.frame_time = ""
        self._accounts_at = 0.0

    # The company's accounts ------------------------------------------------------------------

    def reload_accounts(self) -> None:
        from unsilo.connectors.models import Connection, ConnectionStatus

        ours, watch = {}, {}
        rows = (Connection.objects.filter(network="bluesky").exclude(external_id="")
                .exclude(status=ConnectionStatus.DISCONNECTED).select_related("account"))
        for row in rows:
            ours[row.external_id] = row.account.handle
            for did in row.options.get("watch") or ():
                watch[did] = row.account.handle
        if (ours, watch) != (self.filter.ours, self.filter.watch):
            self.say(f"listening for {len(ours)} Bluesky account(s), watching {len(watch)}")
            self.filter.set_accounts(ours, watch)
        self._accounts_at = time.monotonic()

    def _bad_record(self, error: Exception, body: dict) -> None:
        log.warning("skipped an unreadable frame or record (repo %s, seq %s): %s",
                    body.get("repo"), body.get("seq"), error)

    # Running ---------------------------------------------------------------------------------

    def stop(self, *_args) -> None:
        self.stopping = True

    def run(self) -> None:
        """Read until stopped (or idle for `once_idle`), reconnecting with back-off."""
        from django.db import DatabaseError, close_old_connections
        from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

        from unsilo.connectors.firehose import StreamError
        from unsilo.connectors.inbound import Overtaken

        failures = 0
        while not self.stopping:
            try:
                if self._read() == "idle":
                    return
                failures = 0
            except (ConnectionClosed, InvalidHandshake, OSError, StreamError,
                    TimeoutError) as error:
                failures += 1
                self._wait(failures, f"the stream broke off ({type(error).__name__}: {error})")
            except Overtaken as error:
                self.say(f"another listener is ahead ({error}); reading on from there")
            except DatabaseError as error:
                failures += 1
                close_old_connections()
                self._wait(failures, f"the database failed ({error})")
            except InvalidURI as error:
                raise click.ClickException(
                    f"{self.service} is not a stream URL: {error}") from error

    def _wait(self, failures: int, why: str) -> None:
        seconds = min(MAX_BACKOFF, 2 ** (failures - 1)) * (0.5 + random.random() / 2)  # noqa: S311
        self.say(f"{why}; reconnecting in {seconds:.1f} s")
        until = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < until:
            time.sleep(0.1)

    def _read(self) -> str:
        from websockets.sync.client import connect

        from unsilo.connectors import inbound

        self.reload_accounts()
        self.at = inbound.position(self.key)
        cursor = self.at.value or self.start_cursor
        url = subscribe_url(self.service, cursor)
        self.say(f"reading {url}")
        pending, frames_in_batch = [], 0
        batch_started = last_frame = last_progress = time.monotonic()
        frames_at_progress = self.frames
        with connect(url, max_size=None, open_timeout=15, close_timeout=2) as socket:
            while True:
                try:
                    data = socket.recv(timeout=0.25)
                except TimeoutError:
                    data = None
                now = time.monotonic()
                if isinstance(data, bytes):
                    frame = self.filter.read(data)
                    if frame.seq is not None:
                        self.seq, self.frame_time = frame.seq, frame.time
                    pending.extend(frame.messages)
                    frames_in_batch += 1
                    self.frames += 1
                    last_frame = now
                    if frames_in_batch == 1:
                        batch_started = now
                full = frames_in_batch >= self.batch or now - batch_started >= self.flush_seconds
                idle = self.once_idle is not None and now - last_frame >= self.once_idle
                if frames_in_batch and (full or self.stopping or idle):
                    self._store(pending)
                    pending, frames_in_batch = [], 0
                if now - last_progress >= PROGRESS_EVERY:
                    self._progress((self.frames - frames_at_progress) / (now - last_progress))
                    last_progress, frames_at_progress = now, self.frames
                if now - self._accounts_at >= ACCOUNTS_EVERY:
                    self.reload_accounts()
                if self.stopping:
                    return "stopped"
                if idle:
                    return "idle"

    def _store(self, messages: list) -> None:
        from unsilo.connectors import inbound
        from unsilo.connectors.base import Page

        page = Page(messages, str(self.seq) if self.seq is not None else "")
        report = inbound.store_page(self.key, page, "bluesky", read_from=self.at)
        self.at = self.at.after(page)
        self.stored += report.new

    def _progress(self, rate: float) -> None:
        from unsilo.connectors.networks.atproto_records import parse_time

        sent = parse_time(self.frame_time)
        lag = f", {time.time() - sent.timestamp():.1f} s behind" if sent else ""
        self.say(f"at seq {self.seq}: {self.frames:,} frames ({rate:,.0f}/s), "
                 f"{self.stored:,} new messages{lag}")


@click.command()
@click.option("--service", default=RELAY, show_default=True,
              help="The relay or PDS whose event stream to read.")
@click.option("--plc", default="https://plc.directory", show_default=True,
              help="The PLC directory that turns authors' DIDs into handles.")
@click.option("--cursor", default="",
              help="Where to start when no position is stored yet (default: now).")
@click.option("--batch", default=200, show_default=True, type=click.IntRange(1, 10_000),
              help="Frames stored per transaction at most.")
@click.option("--flush-seconds", default=1.0, show_default=True, type=float,
              help="Store a batch at least this often.")
@click.option("--once-idle", type=float, default=None, metavar="SECONDS",
              help="Stop once the stream has been quiet this long (catch-up runs, tests).")
def listen(service: str, plc: str, cursor: str, batch: int, flush_seconds: float,
           once_idle: float | None) -> None:
    """Read Bluesky's event stream into the inbox: replies to, mentions and quotes of the
    company's connected Bluesky accounts. Run one per relay or PDS; Ctrl-C or SIGTERM stops it
    after storing what it has read."""
    start()
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    listener = Listener(service, plc, batch=batch, flush_seconds=flush_seconds,
                        once_idle=once_idle, cursor=cursor)
    signal.signal(signal.SIGTERM, listener.stop)
    signal.signal(signal.SIGINT, listener.stop)
    listener.run()
    listener.say(f"stopped at seq {listener.seq}: {listener.frames:,} frames read, "
                 f"{listener.stored:,} new messages stored")
