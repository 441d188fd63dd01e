"""The registry of the company's presences on social networks."""

from django.db import models
from django.utils import timezone

from unsilo.connectors import registry


class AccountStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PENDING = "pending", "Pending"
    UNREGISTERED = "unregistered", "Unregistered"
    RETIRED = "retired", "Retired"


# A registered account needs at least this many stewards, so no presence hangs on one person.
MIN_STEWARDS = 2


class Account(models.Model):
    network = models.CharField(max_length=30, choices=registry.choices)
    handle = models.CharField(max_length=200)
    display_name = models.CharField(max_length=200, blank=True)
    # An unregistered account was found in the wild: nobody owns it yet.
    owner_silo = models.ForeignKey(
        "org.Silo", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    stewards = models.ManyToManyField("org.Person", blank=True, related_name="stewarded_accounts")
    status = models.CharField(
        max_length=20, choices=AccountStatus.choices, default=AccountStatus.PENDING
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["network", "handle"]
        constraints = [
            models.UniqueConstraint(fields=["network", "handle"], name="account_network_handle")
        ]
        indexes = [models.Index(fields=["owner_silo", "status"])]

    def __str__(self):
        return f"{self.handle} on {self.get_network_display()}"

    @property
    def profile_url(self) -> str:
        return registry.profile_url(self.network, self.handle)
