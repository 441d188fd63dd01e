"""Conversations and their messages, how each was routed, and the inbox's working parts:
consults, notes, saved replies, routing rules, SLA policies, notifications and the learned
routing model."""

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


class DecisionSource(models.TextChoices):
    RULE = "rule", "Hub rule"
    MODEL = "model", "Learned expertise"
    TRIAGE = "triage", "Hub triage (low confidence)"
    MANUAL = "manual", "Assigned by a person"
    HANDOFF = "handoff", "Handoff"
    # Self-harm or safety: to the person the hub names for it, before any rule or the model.
    SAFETY = "safety", "Safety: straight to a person"


class RoutingDecision(models.Model):
    """Every routing of a conversation, automatic or by hand: analytics reads these."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="decisions")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    source = models.CharField(max_length=10, choices=DecisionSource.choices)
    silo = models.ForeignKey("org.Silo", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    assignee = models.ForeignKey("org.Person", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    triage = models.BooleanField(default=False)
    confidence = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    rule = models.ForeignKey("RoutingRule", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="decisions")
    model_version = models.PositiveIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["conversation", "at"])]

    def __str__(self):
        return f"Routing of conversation {self.conversation_id} ({self.source})"


class RuleTarget(models.TextChoices):
    SILO = "silo", "A silo"
    PERSON = "person", "A person"
    REVIEW = "review", "Hub triage (review)"


class RoutingRule(models.Model):
    """A hub rule. Rules are tried in `position` order before the model; the first match wins.
    Every condition that is set must hold; an empty condition matches anything."""

    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=100)
    enabled = models.BooleanField(default=True)
    network = models.CharField(max_length=30, blank=True)
    account = models.ForeignKey("accounts.Account", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8, blank=True)
    # Any of these words or phrases (case-insensitive, whole words).
    keywords = models.JSONField(default=list, blank=True)
    risk = models.CharField(max_length=10, choices=Risk.choices, blank=True)
    target = models.CharField(max_length=10, choices=RuleTarget.choices,
                              default=RuleTarget.SILO)
    silo = models.ForeignKey("org.Silo", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    person = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


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


class SavedReply(models.Model):
    """A reusable answer, global (no silo) or a silo's own. Variables such as {customer},
    {agent}, {silo} and {account} are filled in when it is used."""

    title = models.CharField(max_length=200)
    text = models.TextField()
    silo = models.ForeignKey("org.Silo", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="saved_replies")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]

    def __str__(self):
        return self.title


class SlaPolicy(models.Model):
    """A silo's targets for one urgency, counted in the silo's business hours."""

    silo = models.ForeignKey("org.Silo", on_delete=models.CASCADE, related_name="sla_policies")
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    first_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["silo", "urgency"]
        constraints = [
            models.UniqueConstraint(fields=["silo", "urgency"], name="sla_once_per_urgency")
        ]

    def __str__(self):
        return f"{self.silo} {self.urgency}"


class BusinessHours(models.Model):
    """When a silo works: local hours on weekdays (0 = Monday) in its time zone."""

    silo = models.OneToOneField("org.Silo", on_delete=models.CASCADE,
                                related_name="business_hours")
    timezone = models.CharField(max_length=64, default="UTC")
    start = models.TimeField(default="09:00")
    end = models.TimeField(default="17:00")
    weekdays = models.JSONField(default=list, blank=True)  # e.g. [0, 1, 2, 3, 4]; empty: every day
    always_open = models.BooleanField(default=False)

    def __str__(self):
        return f"Business hours of {self.silo}"


class Absence(models.Model):
    """A person away: routing skips them between `starts` and `ends`."""

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="absences")
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts"]
        indexes = [models.Index(fields=["person", "ends"])]

    def __str__(self):
        return f"{self.person} away"


class InboxSettings(models.Model):
    """The hub's settings for routing: one row."""

    # Below this confidence a conversation goes to the hub's triage queue.
    triage_threshold = models.FloatField(default=0.35)
    # Retrain the routing model after this many newly resolved conversations (and at most
    # every `retrain_minutes`).
    retrain_after = models.PositiveIntegerField(default=20)
    retrain_minutes = models.PositiveIntegerField(default=10)
    # Who reads self-harm and safety messages first: one person, or a rota taken in turn
    # (the next one available). Nobody named or available: the hub admins.
    safety_people = models.ManyToManyField("org.Person", blank=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return "Inbox settings"

    @classmethod
    def current(cls) -> "InboxSettings":
        return cls.objects.order_by("id").first() or cls()


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", "Assigned to you"
    CONSULT = "consult", "Consult request"
    MENTION = "mention", "Mentioned in a note"
    SLA_WARNING = "sla_warning", "SLA at 80 %"
    SLA_BREACH = "sla_breach", "SLA breached"
    HANDOFF = "handoff", "Handed off to your silo"
    REPLY = "reply", "Customer replied"
    SAFETY = "safety", "Self-harm or safety"


class Notification(models.Model):
    """One thing a person is told. SLA notices of one silo that arrive within an hour are
    one row (`count` of them, `conversation` None), so they do not bury the rest."""

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE,
                               related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    conversation = models.ForeignKey(Conversation, null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+")
    # The conversation's silo when it was sent: what a group of SLA notices is about.
    silo = models.ForeignKey("org.Silo", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    text = models.CharField(max_length=500)
    count = models.PositiveIntegerField(default=1)
    # The first of a group (created_at is the latest, so a growing group stays on top).
    first_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "read_at", "created_at"])]

    def __str__(self):
        return self.text


class NotificationPreference(models.Model):
    """A person's choice of one kind of notification; no row means it reaches them."""

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE,
                               related_name="notification_preferences")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["person", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="preference_once_per_kind")
        ]

    def __str__(self):
        return f"{self.person_id} {self.kind} {'on' if self.enabled else 'off'}"


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


class HistorySource(models.TextChoices):
    IMPORT = "import", "Imported history"
    INBOX = "inbox", "Resolved in the inbox"
    DEMO = "demo", "Demo history"


class ResolvedExample(models.Model):
    """One resolved conversation the routing model learns from: who resolved what."""

    source = models.CharField(max_length=10, choices=HistorySource.choices)
    # The id of the history line (import) or the conversation (inbox): re-imports update.
    key = models.CharField(max_length=300, unique=True)
    network = models.CharField(max_length=30)
    account_handle = models.CharField(max_length=200, blank=True)
    lang = models.CharField(max_length=16, blank=True)
    text = models.TextField()
    answer = models.TextField(blank=True)
    silo = models.ForeignKey("org.Silo", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("org.Person", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    conversation = models.ForeignKey(Conversation, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # A person's correction of the classification, when there was one.
    sentiment = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField()
    # First answered and resolved, when known: first-response and resolution times.
    answered_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["added_at"])]

    def __str__(self):
        return self.key


class ResolvedConsult(models.Model):
    """Someone consulted on a resolved conversation (a history line's "consulted", or a consult
    answered in the inbox): evidence of expertise for "Find an expert", and the consults
    between silos analytics counts (the example's silo resolved, the person's silo helped)."""

    example = models.ForeignKey(ResolvedExample, on_delete=models.CASCADE,
                                related_name="consults")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["example", "person"],
                                               name="resolved_consult_once")]

    def __str__(self):
        return f"{self.person_id} consulted on {self.example_id}"


class RoutingModel(models.Model):
    """A trained routing model, stored in the database so every worker on every machine
    routes with the same one. The newest row is in use."""

    version = models.PositiveIntegerField(unique=True)
    trained_at = models.DateTimeField(default=timezone.now)
    examples = models.PositiveIntegerField()
    seconds = models.FloatField(default=0)
    metrics = models.JSONField(default=dict, blank=True)
    blob = models.BinaryField()

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"Routing model v{self.version} ({self.examples} examples)"
