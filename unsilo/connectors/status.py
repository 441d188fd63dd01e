"""A connection's status as the worker finds it — verified, failing, expired, working again:
the machine's only writes of `Connection.status`.

Each is made on the row as it stands, locked, and only from a status the machine may leave
(checking, connected, error; and expired when a person asked for the check): a connection a
person disconnected meanwhile stays disconnected, and one that needs reconnecting is not
declared working by a fetch that happened to be running. A change of status gets one audit
row by the network's connector, so the log says when and why an account stopped (or started
again) answering; the same error again only refreshes the error text and time.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from unsilo.connectors.inbound import actor_for
from unsilo.connectors.models import Connection, ConnectionStatus
from unsilo.core import audit

ERROR_WAIT = datetime.timedelta(minutes=5)  # a failing connection is tried again after this
# What the machine may move a connection from; expired and disconnected wait for a person.
MACHINE_MAY_LEAVE = (ConnectionStatus.PENDING, ConnectionStatus.CONNECTED,
                     ConnectionStatus.ERROR)
# A check a person asked for (connect, reconnect, "check again") may also end an expiry.
CHECK_MAY_LEAVE = (*MACHINE_MAY_LEAVE, ConnectionStatus.EXPIRED)
AUDITED = ["status", "last_error", "external_id"]
ACTIONS = {ConnectionStatus.CONNECTED: "connection_working",
           ConnectionStatus.ERROR: "connection_failing",
           ConnectionStatus.EXPIRED: "connection_expired"}


@transaction.atomic
def _change(connection_id: int, status: str, action: str | None = None, checked: bool = False,
            **fields) -> bool:
    """Set `status` and `fields` on the locked row; an audit row when the status changes.
    Returns False when the row is gone or not the machine's to change."""
    may_leave = CHECK_MAY_LEAVE if checked else MACHINE_MAY_LEAVE
    row = (Connection.objects.select_for_update(of=("self",)).select_related("account")
           .filter(pk=connection_id, status__in=may_leave).first())
    if row is None:
        return False
    before = audit.snapshot(row, AUDITED)
    row.status = status
    for name, value in fields.items():
        setattr(row, name, value)
    row.updated_at = timezone.now()
    row.save(update_fields=["status", "updated_at", *fields])
    if before["status"] != status or action:
        audit.record(actor_for(row.network), action or ACTIONS[status], row,
                     audit.diff(before, audit.snapshot(row, AUDITED)),
                     row.account.owner_silo_id)
    return True


def failing(connection: Connection, error: str, checked: bool = False) -> bool:
    """A fetch or check failed: tried again after ERROR_WAIT."""
    now = timezone.now()
    return _change(connection.pk, ConnectionStatus.ERROR, checked=checked,
                   last_error=error[:2000], last_error_at=now, next_fetch_at=now + ERROR_WAIT)


def expired(connection: Connection, error: str, checked: bool = False) -> bool:
    """The network refused the token and it could not be renewed: a person must reconnect."""
    return _change(connection.pk, ConnectionStatus.EXPIRED, checked=checked,
                   last_error=error[:2000], last_error_at=timezone.now(), next_fetch_at=None)


def verified(connection: Connection, external_id: str, fetch_now: bool) -> bool:
    """The network accepted the stored credentials and said whose they are."""
    now = timezone.now()
    return _change(connection.pk, ConnectionStatus.CONNECTED, "connection_verified",
                   checked=True, external_id=external_id[:200], verified_at=now,
                   last_error="", next_fetch_at=now if fetch_now else None)


def fetched(connection: Connection) -> bool:
    """A fetch went through: the connection works (again, after errors)."""
    return _change(connection.pk, ConnectionStatus.CONNECTED, last_fetch_at=timezone.now(),
                   last_error="")


def keep_rate(connection: Connection, rate) -> None:
    """Keep what the network last said of its rate limit; an exhausted one pauses the
    connection (fetching and sending) until the network's reset time."""
    if rate.remaining is None:
        return
    fields = {"rate_limit": rate.limit, "rate_remaining": rate.remaining,
              "rate_reset_at": rate.reset_at}
    if rate.remaining <= 0 and rate.reset_at:
        fields["paused_until"] = rate.reset_at
    Connection.objects.filter(pk=connection.pk).update(**fields)
