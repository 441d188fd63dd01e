"""The registry of the company's presences on social networks, and the requests for new ones."""

import datetime

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
# Stewards confirm they still look after an account this often, or the hub is told.
CONFIRM_EVERY = datetime.timedelta(days=90)


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
    # The stewardship clock: the last "I still look after it" (else the registration).
    stewards_confirmed_at = models.DateTimeField(null=True, blank=True)
    stewards_confirmed_by = models.ForeignKey("core.User", null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="+")
    # When the hub was told this clock ran out; cleared by the next confirmation.
    lapse_reported_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey("core.User", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    retired_reason = models.TextField(blank=True)

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

    @property
    def confirmation_due_at(self) -> datetime.datetime:
        return (self.stewards_confirmed_at or self.created_at) + CONFIRM_EVERY

    @property
    def confirmation_overdue(self) -> bool:
        return self.status == AccountStatus.ACTIVE and self.confirmation_due_at < timezone.now()


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for the hub"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class AccountRequest(models.Model):
    """A silo asks for a new account (or claims one found in the wild); the hub approves it,
    which registers the account, or declines it with a reason. Kept either way."""

    network = models.CharField(max_length=30, choices=registry.choices)
    handle = models.CharField(max_length=200)
    display_name = models.CharField(max_length=200, blank=True)
    owner_silo = models.ForeignKey("org.Silo", on_delete=models.PROTECT,
                                   related_name="account_requests")
    purpose = models.TextField()
    stewards = models.ManyToManyField("org.Person", related_name="+")
    status = models.CharField(max_length=12, choices=RequestStatus.choices,
                              default=RequestStatus.REQUESTED)
    # A claim names the unregistered account it would register; an approval, the result.
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="requests")
    requested_by = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey("core.User", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["network", "handle"], name="one_open_request",
                                    condition=models.Q(status="requested")),
        ]
        indexes = [models.Index(fields=["status", "owner_silo"])]

    def __str__(self):
        return f"Request for {self.handle} on {self.get_network_display()}"
