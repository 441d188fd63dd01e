"""Conversations and their messages, and the people working on them: consults, handoffs,
notes and who is viewing."""

from django.db import models
from django.utils import timezone


class Direction(models.TextChoices):
    INBOUND = "in", "Inbound"
    OUTBOUND = "out", "Outbound"


class MessageState(models.TextChoices):
    # Stored by ingestion; the pipeline has not threaded, classified and routed it yet.
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    # Outbound: waiting for, or done with, the account's connector.
    QUEUED = "queued", "Queued for delivery"
    SENT = "sent", "Sent"
    FAILED = "failed", "Delivery failed"


class Sentiment(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    NEGATIVE = "negative", "Negative"


class Urgency(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class Risk(models.TextChoices):
    LEGAL = "legal", "Legal threat"
    SAFETY = "safety", "Safety"
    PRESS = "press", "Press"
    PRIVACY = "privacy", "Data privacy"
    SELF_HARM = "self_harm", "Self-harm"


class Status(models.TextChoices):
    OPEN = "open", "Open"
    WAITING = "waiting", "Waiting on customer"
    RESOLVED = "resolved", "Resolved"


class Conversation(models.Model):
    """A thread on a network. Its routing fields hold the current owner: `silo` and
    `assignee`; `triage` True while it waits in the hub's triage queue."""

    network = models.CharField(max_length=30)
    # network + ":" + thread id (the thread_id, the root message's id, or in_reply_to's).
    thread_key = models.CharField(max_length=300, unique=True)
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="conversations",
    )
    # The customer: their handle on the network.
    author = models.CharField(max_length=200)
    preview = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    silo = models.ForeignKey(
        "org.Silo", null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    assignee = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    triage = models.BooleanField(default=False)
    # Classification of the conversation: from its first inbound message, kept in step with
    # the latest one for sentiment, urgency and risk.
    intent = models.CharField(max_length=40, blank=True)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    language = models.CharField(max_length=8, blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    risk = models.JSONField(default=list, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="resolved_conversations",
    )
    # SLA clock, set when the conversation is routed or moves to another silo.
    first_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    # "", "warned" (80 % gone), "breached", "escalated" (hub told) — highest reached so far.
    sla_state = models.CharField(max_length=10, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    # Lowercased text of every message, for full-text search of the inbox.
    search = models.TextField(default="", editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["status", "last_message_at", "id"]),
            # Every status at once ("all"): the newest first without a sort.
            models.Index(fields=["last_message_at", "id"]),
            models.Index(fields=["assignee", "status", "last_message_at", "id"]),
            models.Index(fields=["silo", "status", "last_message_at", "id"]),
            models.Index(fields=["triage", "status", "last_message_at", "id"]),
            # The filter bar's network and account: the queue's order without a sort.
            models.Index(fields=["network", "status", "last_message_at", "id"]),
            models.Index(fields=["account", "status", "last_message_at", "id"]),
            # A customer's other conversations (author first: a network alone would tempt
            # SQLite's planner away from the indexes above).
            models.Index(fields=["author", "network"]),
            models.Index(fields=["status", "first_response_due"]),
            models.Index(fields=["status", "resolution_due"]),
        ]

    def __str__(self):
        return f"{self.author} on {self.network}: {self.preview[:60]}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    network = models.CharField(max_length=30)
    # The network's id of the message (for outbound: given by the connector once sent).
    external_id = models.CharField(max_length=200)
    direction = models.CharField(max_length=3, choices=Direction.choices,
                                 default=Direction.INBOUND)
    state = models.CharField(max_length=10, choices=MessageState.choices,
                             default=MessageState.RECEIVED)
    account_handle = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=200)
    text = models.TextField()
    created_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    thread_id = models.CharField(max_length=200, blank=True)
    in_reply_to = models.CharField(max_length=200, blank=True)
    url = models.CharField(max_length=2000, blank=True)
    lang = models.CharField(max_length=16, blank=True)
    # Classification of this message (inbound).
    intent = models.CharField(max_length=40, blank=True)
    sentiment = models.CharField(max_length=10, blank=True)
    language = models.CharField(max_length=8, blank=True)
    urgency = models.CharField(max_length=10, blank=True)
    risk = models.JSONField(default=dict, blank=True)  # {flag: [trigger words]}
    # Outbound: who wrote it in unsilo, and whether it was a consult's answer.
    sent_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    delivery_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["network", "external_id"], name="message_once"),
        ]
        indexes = [
            models.Index(fields=["state", "id"]),
            models.Index(fields=["conversation", "created_at", "id"]),
        ]

    def __str__(self):
        return f"{self.network}:{self.external_id}"


class ConsultStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    DECLINED = "declined", "Declined"
    # The conversation was handed off to another silo before the expert answered.
    WITHDRAWN = "withdrawn", "Withdrawn (handed off)"


class Consult(models.Model):
    """An expert from any silo invited into a conversation without taking it over."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="consults")
    expert = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="consults")
    requested_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    question = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=ConsultStatus.choices,
                              default=ConsultStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["expert", "status"])]

    def __str__(self):
        return f"{self.expert} consulted on conversation {self.conversation_id}"


class Handoff(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="handoffs")
    from_silo = models.ForeignKey("org.Silo", null=True, on_delete=models.SET_NULL,
                                  related_name="+")
    to_silo = models.ForeignKey("org.Silo", null=True, on_delete=models.SET_NULL,
                                related_name="+")
    by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField()
    # The silo's seat was empty: the conversation went to the hub's triage queue instead.
    triage = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"Handoff of conversation {self.conversation_id}"


class Note(models.Model):
    """An internal note: never sent to the customer. @mentions notify."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="notes")
    author = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL,
                               related_name="+")
    text = models.TextField()
    mentions = models.ManyToManyField("org.Person", blank=True, related_name="mentioned_in")
    consult = models.ForeignKey(Consult, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="notes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Note on conversation {self.conversation_id}"


class Viewer(models.Model):
    """Who has a conversation open right now (refreshed while the page is open): the
    collision warning reads it."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="viewers")
    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="+")
    typing = models.BooleanField(default=False)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="viewer_once")
        ]

    def __str__(self):
        return f"{self.user_id} on conversation {self.conversation_id}"
