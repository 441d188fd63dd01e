"""What reaches a person: notifications and the choices they made about them."""

from django.db import models
from django.utils import timezone

from unsilo.inbox.models.conversations import Conversation


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", "Assigned to you"
    CONSULT = "consult", "Consult request"
    MENTION = "mention", "Mentioned in a note"
    SLA_WARNING = "sla_warning", "SLA at 80 %"
    SLA_BREACH = "sla_breach", "SLA breached"
    HANDOFF = "handoff", "Handed off to your silo"
    REPLY = "reply", "Customer replied"
    SAFETY = "safety", "Self-harm or safety"
    ACCOUNT_REQUEST = "account_request", "Account requested or decided"
    STEWARDSHIP = "stewardship", "Account stewards have not confirmed"


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
    # Where a notification about something else than a conversation leads (a path in unsilo).
    link = models.CharField(max_length=300, blank=True)
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


class EmailChoice(models.TextChoices):
    NOW = "now", "Email at once"
    DIGEST = "digest", "In a daily digest"
    NEVER = "never", "No email"


class NotificationPreference(models.Model):
    """A person's choice of one kind of notification; no row means it reaches them, and by
    email as the kind's default (inbox/notify.py EMAIL_DEFAULT)."""

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE,
                               related_name="notification_preferences")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    enabled = models.BooleanField(default=True)
    # "" is the kind's default; an email is sent only for a notification that reaches them.
    email = models.CharField(max_length=10, choices=EmailChoice.choices, blank=True,
                             default="")

    class Meta:
        ordering = ["person", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="preference_once_per_kind")
        ]

    def __str__(self):
        return f"{self.person_id} {self.kind} {'on' if self.enabled else 'off'}"
