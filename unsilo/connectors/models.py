"""A registered account's live link to its network, where each inbound stream stands, the
outbound queue, webhook events waiting for the worker, and handles seen in the wild.

Secrets live only in `Connection.secret` and `Connection.hook_secret`, encrypted
(`credentials.py`); nothing else holds a token, and neither field is ever rendered or logged.
"""

import uuid

from django.db import models
from django.utils import timezone


class ConnectionStatus(models.TextChoices):
    PENDING = "pending", "Checking"  # credentials stored, the worker has not verified them yet
    CONNECTED = "connected", "Connected"
    EXPIRED = "expired", "Needs reconnecting"  # token expired or revoked, refresh failed
    ERROR = "error", "Error"  # the last fetch or check failed; it will be tried again
    DISCONNECTED = "disconnected", "Disconnected"


class Connection(models.Model):
    """One account's link to its network: encrypted credentials and health."""

    AUDIT_REDACT = ("secret", "hook_secret")

    account = models.OneToOneField("accounts.Account", on_delete=models.CASCADE,
                                   related_name="connection")
    network = models.CharField(max_length=30)  # the connector's name
    status = models.CharField(max_length=20, choices=ConnectionStatus.choices,
                              default=ConnectionStatus.PENDING)
    # Non-secret settings the connector needs: instance or PDS URL, page id, feed URL, …
    options = models.JSONField(default=dict, blank=True)
    # The network's own id of the account (a DID, a user id, a page id) once verified.
    external_id = models.CharField(max_length=200, blank=True, db_index=True)
    # Encrypted JSON (Fernet token, ASCII): tokens or app password. Usable by workers only.
    secret = models.TextField(blank=True)
    # Encrypted signing secret of inbound webhooks; the web process checks signatures with it.
    hook_secret = models.TextField(blank=True)
    # Public, unguessable part of this connection's webhook URL.
    hook_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey("core.User", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    connected_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    last_fetch_at = models.DateTimeField(null=True, blank=True)
    next_fetch_at = models.DateTimeField(null=True, blank=True)
    fetched_total = models.BigIntegerField(default=0)
    last_error = models.TextField(blank=True)  # the network's words, never a secret
    last_error_at = models.DateTimeField(null=True, blank=True)
    # Rate limit as the network last reported it; nothing is sent before `paused_until`.
    rate_limit = models.IntegerField(null=True, blank=True)
    rate_remaining = models.IntegerField(null=True, blank=True)
    rate_reset_at = models.DateTimeField(null=True, blank=True)
    paused_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["status", "next_fetch_at"])]

    def __str__(self):
        return f"{self.network} connection of account {self.account_id}"


class StreamPosition(models.Model):
    """Where an inbound stream stands (a cursor, a since-id, a sequence number). Saved in the
    transaction that stores the messages read up to it, so a restart neither skips nor
    repeats."""

    key = models.CharField(max_length=300, unique=True)  # e.g. "conn:12:mentions"
    connection = models.ForeignKey(Connection, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="positions")
    position = models.TextField(blank=True)
    # Moved on by one at each save; a save names the version it read (inbound.py), so a
    # position only moves forward.
    version = models.PositiveBigIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.key} at {self.position[:40]}"


class DeliveryKind(models.TextChoices):
    REPLY = "reply", "Reply"
    POST = "post", "Post"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Delivery(models.Model):
    """One outbound reply or post on its way to the network. The idempotency key goes to the
    network where it takes one, and lets a retry find what an earlier attempt posted."""

    kind = models.CharField(max_length=10, choices=DeliveryKind.choices)
    account = models.ForeignKey("accounts.Account", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="deliveries")
    network = models.CharField(max_length=30)
    # A reply's message in the inbox (its state follows the delivery's).
    message = models.OneToOneField("inbox.Message", null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="delivery")
    text = models.TextField()
    in_reply_to = models.CharField(max_length=200, blank=True)  # the network's id
    thread_id = models.CharField(max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=10, choices=DeliveryState.choices,
                             default=DeliveryState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    # An attempt ended without an answer (timeout, lost worker): it may have been posted.
    in_doubt = models.BooleanField(default=False)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)  # while SENDING
    last_error = models.TextField(blank=True)  # the network's error, shown with Retry
    external_id = models.CharField(max_length=200, blank=True)
    url = models.CharField(max_length=2000, blank=True)
    created_by = models.ForeignKey("core.User", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    silo = models.ForeignKey("org.Silo", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["account", "state"]),
        ]

    def __str__(self):
        return f"{self.kind} {self.pk} on {self.network} ({self.state})"


class HookStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    DONE = "done", "Processed"
    FAILED = "failed", "Failed"


class WebhookEvent(models.Model):
    """A webhook call whose signature checked out, kept whole until the worker has turned it
    into messages (answered at once; processed in the background)."""

    network = models.CharField(max_length=30)
    connection = models.ForeignKey(Connection, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="webhook_events")
    body = models.BinaryField()
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=HookStatus.choices,
                              default=HookStatus.PENDING)
    messages = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Set when the sweep for events left waiting hands this one to the task queue (a claim),
    # so other workers' sweeps leave it alone until then.
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "id"])]

    def __str__(self):
        return f"{self.network} webhook {self.pk}"


class SightingStatus(models.TextChoices):
    NEW = "new", "To review"
    CLAIMED = "claimed", "Claimed"  # ours: a silo will register it
    REGISTERED = "registered", "Registered"
    REPORTED = "reported", "Reported as impostor"
    DISMISSED = "dismissed", "Not ours, harmless"


class Sighting(models.Model):
    """A handle seen in ingested traffic that uses the company's names or brand terms but is
    not in the registry: the land-grab and impostor check."""

    network = models.CharField(max_length=30)
    handle = models.CharField(max_length=200)
    display_name = models.CharField(max_length=200, blank=True)
    matched = models.CharField(max_length=200)  # the brand term it uses
    seen = models.PositiveIntegerField(default=0)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    example = models.ForeignKey("inbox.Message", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=12, choices=SightingStatus.choices,
                              default=SightingStatus.NEW)
    account = models.ForeignKey("accounts.Account", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="sightings")
    decided_by = models.ForeignKey("core.User", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-last_seen_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["network", "handle"], name="sighting_once"),
        ]
        indexes = [models.Index(fields=["status", "-last_seen_at"])]

    def __str__(self):
        return f"{self.handle} on {self.network}"


class Discovery(models.Model):
    """One row: the company's names and brand terms, and how far the scan for unregistered
    handles has read the inbound messages."""

    terms = models.JSONField(default=list, blank=True)  # e.g. ["meridian", "meridianhome"]
    scanned_message_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return "Brand terms"

    @classmethod
    def current(cls) -> "Discovery":
        return cls.objects.get_or_create(pk=1)[0]
