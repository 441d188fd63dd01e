"""What people have shown they can answer, precomputed from resolved history (experts/index.py
rebuilds all of it in one transaction): per person and silo and intent the counts, per person
their totals and top terms, and the signed people x terms index "Find an expert" ranks with."""

from django.db import models
from django.utils import timezone


class ExpertIndex(models.Model):
    """One build of the index. The newest row is in use; the blob is plain arrays and JSON,
    signed (learning/store.pack), never a pickle."""

    version = models.PositiveIntegerField(unique=True)
    built_at = models.DateTimeField(default=timezone.now)
    conversations = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    blob = models.BinaryField()

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"Expert index v{self.version} ({self.people} people)"


class ExpertProfile(models.Model):
    """A person's evidence over every silo: what the person page and the silo page show."""

    person = models.OneToOneField("org.Person", on_delete=models.CASCADE,
                                  related_name="expert_profile")
    resolved = models.PositiveIntegerField(default=0)
    consulted = models.PositiveIntegerField(default=0)  # resolved conversations they helped on
    last_at = models.DateTimeField(null=True, blank=True)  # last resolved or consulted on
    # [[term, conversations], …]: the words that set their conversations apart, heaviest first.
    topics = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-resolved", "id"]

    def __str__(self):
        return f"Expertise of {self.person_id}"

    @property
    def total(self) -> int:
        return self.resolved + self.consulted


class ExpertiseStat(models.Model):
    """How many conversations of one intent, for one silo, a person resolved or was consulted
    on, and when last."""

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    silo = models.ForeignKey("org.Silo", on_delete=models.CASCADE, related_name="+")
    intent = models.CharField(max_length=20)
    resolved = models.PositiveIntegerField(default=0)
    consulted = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-resolved", "id"]
        indexes = [models.Index(fields=["silo", "person"])]  # (person, …) is the constraint
        constraints = [models.UniqueConstraint(fields=["person", "silo", "intent"],
                                               name="expertise_stat_once")]

    def __str__(self):
        return f"{self.person_id} in {self.silo_id}: {self.intent}"
