"""What each silo sets for its inbox: saved replies, SLA targets, business hours, absences."""

from django.db import models
from django.utils import timezone

from unsilo.inbox.models.conversations import Urgency


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
