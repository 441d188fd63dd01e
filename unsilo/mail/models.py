"""Emails unsilo sends (the outbox, written in the transaction of what they announce) and the
replies it receives to them."""

from django.db import models
from django.utils import timezone


class MailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    DROPPED = "dropped", "Nothing left to send"


class OutgoingMail(models.Model):
    """One email to one person. `key` names what it announces (a notification, a day's
    digest), so nothing is queued twice; `message_id` is fixed when queued, so every attempt
    sends the same message."""

    key = models.CharField(max_length=100, unique=True)
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    # What the email says is rendered when it is sent, by the app that queued it
    # (mail/letters.py): its topic, the row it is about, and for a digest its window.
    topic = models.CharField(max_length=30)
    source_id = models.BigIntegerField(null=True, blank=True)
    since = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=MailStatus.choices,
                              default=MailStatus.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    # An attempt whose worker vanished before it recorded the answer: sent again (SMTP cannot
    # be asked whether it arrived), and said so in the log.
    in_doubt = models.BooleanField(default=False)
    message_id = models.CharField(max_length=200, unique=True)
    subject = models.CharField(max_length=300, blank=True)  # as sent, for the status list
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"]),
                   models.Index(fields=["person", "created_at"])]

    def __str__(self):
        return f"{self.key} {self.status}"


class ReplyStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a worker"
    APPLIED = "applied", "Added to the conversation"
    REFUSED = "refused", "Refused"


class InboundReply(models.Model):
    """A reply received by `unsilo mail-in` to an email's signed reply address; a worker adds
    it to the conversation (once: `message_id` is unique)."""

    message_id = models.CharField(max_length=300, unique=True)
    kind = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    sender = models.CharField(max_length=254)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=ReplyStatus.choices,
                              default=ReplyStatus.PENDING)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.kind} {self.object_id} from {self.sender}"
