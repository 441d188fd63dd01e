"""The live mix `unsilo demo` streams into the inbox: a background thread that sends one
believable customer message every few seconds through the one ingestion pipeline, now and then
a follow-up in a conversation already in the inbox.

`UNSILO_DEMO_RATE` sets messages per minute (default 12, i.e. one every ~2–8 s; 0 disables).
"""

import datetime
import logging
import os
import random
import threading
import time

from django.db import close_old_connections, connection

from unsilo.core.actor import Actor
from unsilo.core.models import Via
from unsilo.demo import corpus as demo_corpus
from unsilo.inbox import ingest
from unsilo.inbox.models import Conversation, Direction, Status

log = logging.getLogger("unsilo.demo.company")

DEFAULT_RATE = 12.0  # messages per minute
# Share of messages that follow up a conversation the inbox holds already (seeded or earlier).
INBOX_FOLLOW_UPS = 0.08


def rate_from_env() -> float:
    """Messages per minute from UNSILO_DEMO_RATE (default 12; 0 or less disables)."""
    raw = os.environ.get("UNSILO_DEMO_RATE", "").strip()
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_RATE
    except ValueError:
        log.warning("UNSILO_DEMO_RATE=%r is not a number; using %s", raw, DEFAULT_RATE)
        return DEFAULT_RATE


class DemoStream(threading.Thread):
    """Ingests demo messages until stopped (or `limit` messages were sent)."""

    def __init__(self, rate: float = DEFAULT_RATE, seed: int | None = None,
                 limit: int | None = None):
        super().__init__(name="unsilo-demo-stream", daemon=True)
        self.rate, self.limit = rate, limit
        self.seed = int(time.time()) if seed is None else seed
        self.rng = random.Random(self.seed)
        # Ids unique to this run, so a restarted demo never sends a duplicate.
        self.lines = demo_corpus.stream(seed=self.seed, prefix="live-")
        self.actor = Actor.system(via=Via.SYSTEM, label="demo stream")
        self.sent = self.follow_ups = 0
        self._stopping = threading.Event()

    def delay(self) -> float:
        """Seconds to the next message: 0.4–1.6 × the mean (2–8 s at 12 a minute)."""
        return 60.0 / self.rate * self.rng.uniform(0.4, 1.6)

    def run(self) -> None:
        try:
            while not self._stopping.wait(self.delay()):
                try:
                    self.send_one()
                except Exception:  # a busy database must not end the demo's stream
                    log.exception("demo stream: a message was not ingested")
                    close_old_connections()
                if self.limit is not None and self.sent >= self.limit:
                    return
        finally:
            connection.close()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        if self.is_alive():
            self.join(timeout)

    def next_line(self) -> dict:
        """The next message as the ingestion contract wants it, dated now."""
        line = None
        if self.rng.random() < INBOX_FOLLOW_UPS:
            line = self._inbox_follow_up()
        if line is None:
            line = next(self.lines)
            line.pop("_truth", None)
        line["created_at"] = _now()
        return line

    def send_one(self) -> None:
        report = ingest.ingest([self.next_line()], self.actor, "demo stream")
        if report.errors:
            log.warning("demo stream: %s", report.errors[0].describe("index"))
        self.sent += 1

    def _inbox_follow_up(self) -> dict | None:
        """The customer of an open conversation writes again in its thread."""
        open_ids = list(Conversation.objects.exclude(status=Status.RESOLVED)
                        .order_by("-last_message_at").values_list("pk", flat=True)[:200])
        if not open_ids:
            return None
        c = Conversation.objects.get(pk=self.rng.choice(open_ids))
        last = (c.messages.filter(direction=Direction.INBOUND)
                .order_by("-created_at", "-id").first())
        if last is None:
            return None
        lang = (c.language or last.lang or "en")[:2]
        mood = self.rng.choices(["negative", "neutral", "positive"], weights=(0.5, 0.3, 0.2))[0]
        text, _mood = demo_corpus.follow_up(self.rng, lang, mood)
        self.follow_ups += 1
        line = {"id": f"live-{self.seed}-f{self.sent}", "network": c.network, "text": text,
                "author": c.author, "in_reply_to": last.external_id, "lang": lang}
        if last.account_handle:
            line["account"] = last.account_handle
        return line


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def start(rate: float | None = None) -> DemoStream | None:
    """Start streaming at `rate` messages a minute (default: UNSILO_DEMO_RATE); None if 0."""
    rate = rate_from_env() if rate is None else rate
    if rate <= 0:
        return None
    stream = DemoStream(rate)
    stream.start()
    return stream
