"""How each conversation was routed: decisions, the hub's rules and settings, the resolved
history routing learns from and the learned model."""

from django.db import models
from django.utils import timezone

from unsilo.inbox.models.conversations import Conversation, Message, Risk


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
