"""An account's connection health as the Accounts pages and the API show it: read from the
Connection row alone (no secret, no extra query when the list selected it)."""

from dataclasses import dataclass

from django.utils import timezone

from unsilo.connectors import plugins
from unsilo.connectors.models import Connection, ConnectionStatus
from unsilo.core import dates

BADGES = {
    ConnectionStatus.CONNECTED: "ok",
    ConnectionStatus.PENDING: "warn",
    ConnectionStatus.EXPIRED: "bad",
    ConnectionStatus.ERROR: "bad",
}
NOT_CONNECTED = "not_connected"


@dataclass(frozen=True)
class Health:
    status: str  # a ConnectionStatus value, or "not_connected"
    label: str
    badge: str
    connection: Connection | None

    @property
    def connected(self) -> bool:
        return self.connection is not None

    @property
    def rate_text(self) -> str:
        """"74/75 until 7 Dec 2026, 14:05 UTC", or "" when the network has said nothing."""
        conn = self.connection
        if conn is None or conn.rate_remaining is None:
            return ""
        text = f"{conn.rate_remaining}/{conn.rate_limit}" if conn.rate_limit else (
            f"{conn.rate_remaining} left")
        if conn.rate_reset_at and conn.rate_reset_at > timezone.now():
            text += f" until {dates.full(conn.rate_reset_at)}"
        return text

    @property
    def paused(self) -> bool:
        conn = self.connection
        return bool(conn and conn.paused_until and conn.paused_until > timezone.now())


def of(account) -> Health:
    """The health of `account` (its `connection` selected with it, or absent)."""
    try:
        conn = account.connection
    except Connection.DoesNotExist:
        conn = None
    if conn is None or conn.status == ConnectionStatus.DISCONNECTED:
        stand_in = plugins.stand_in()
        if stand_in is not None:  # `unsilo demo`: the demo network answers for it
            return Health(NOT_CONNECTED, stand_in.label, "ok", None)
        return Health(NOT_CONNECTED, "Not connected", "", None)
    return Health(conn.status, conn.get_status_display(), BADGES.get(conn.status, ""), conn)
