"""What the webhook endpoint (views/hooks.py) writes: the machine's bookkeeping of calls it
accepted or refused, kept out of the view.

Not audited, by choice: an accepted call is raw input kept until the worker turns it into
messages (`tasks.process_webhook`), and those messages get the ingestion's audit row like
every message in; a refused call comes from someone who could not sign it, so it is logged
(never the body) and its reason kept on the connection for the account's page — an audit
row per refusal would let any stranger fill the audit log.
"""

from django.db import transaction
from django.utils import timezone

from unsilo.connectors import tasks
from unsilo.connectors.models import Connection, WebhookEvent


def keep(network: str, connection: Connection | None, body: bytes) -> WebhookEvent:
    """Keep a checked webhook body for the worker (one INSERT) and hand it over on commit."""
    event = WebhookEvent.objects.create(network=network, connection=connection, body=body)
    transaction.on_commit(lambda: tasks.process_webhook.enqueue(event.pk))
    return event


def refused(connection: Connection, reason: str) -> None:
    """Say on the connection that a call to its hook was refused, and why."""
    Connection.objects.filter(pk=connection.pk).update(
        last_error=f"A webhook call was rejected (401): {reason}"[:2000],
        last_error_at=timezone.now())
