"""Routing: hub rules first, then learned expertise, then availability. (Stub until the
router lands: same signature.)"""

import datetime

from unsilo.inbox.learning.types import Classification, Decision, Incoming


class Router:
    """Built once per batch (or per process, reloaded when a newer model or rule appears)."""

    @classmethod
    def current(cls) -> "Router":
        return cls()

    def route(self, batch: list[Incoming], classes: list[Classification],
              at: datetime.datetime | None = None) -> list[Decision]:
        """One decision per message. `at` None: expertise only (back-testing with `unsilo
        route`); otherwise capacity, working hours and absences at that moment apply too."""
        return [Decision(silo_id=None, silo=None, assignee_id=None, assignee=None,
                         confidence=0.0, reasons=["no routing model yet"], source="triage",
                         triage=True) for _ in batch]
