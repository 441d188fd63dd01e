"""The hub's single sign-on settings, its group mapping, and each login's link to the provider."""

from django.db import models
from django.utils import timezone

from unsilo.core.models import Role
from unsilo.org.models import SeatRole


class SignInSettings(models.Model):
    """One row (pk 1): whether passwords still sign in, who may when they do not, and what
    happens to someone the people import does not know."""

    password_sign_in = models.BooleanField(default=True)
    break_glass = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The hub admin who may still sign in with a password when passwords are off.")
    allow_unknown = models.BooleanField(default=False)
    unplaced_silo = models.ForeignKey(
        "org.Silo", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Where someone the people import does not know lands, as a viewer.")

    def __str__(self):
        return "Single sign-on settings"


class GroupRole(models.Model):
    """Members of the provider's `group` get `role` (the highest of their groups wins)."""

    group = models.CharField(max_length=200, unique=True)
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["group"]

    def __str__(self):
        return f"{self.group} → {self.get_role_display()}"


class GroupSeat(models.Model):
    """Members of the provider's `group` hold `silo`'s seat at the COE table as `seat_role`."""

    group = models.CharField(max_length=200)
    silo = models.ForeignKey("org.Silo", on_delete=models.CASCADE, related_name="+")
    seat_role = models.CharField(max_length=10, choices=SeatRole.choices,
                                 default=SeatRole.DELEGATE)

    class Meta:
        ordering = ["group", "silo__name"]
        constraints = [models.UniqueConstraint(fields=["group", "silo"],
                                               name="sso_group_seat_once")]

    def __str__(self):
        return f"{self.group} → {self.silo.name} seat ({self.get_seat_role_display()})"


class ProviderLink(models.Model):
    """A login's account at the provider (issuer and subject), so an email later given to
    someone else at the provider does not open this login."""

    user = models.OneToOneField("core.User", on_delete=models.CASCADE, related_name="sso")
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=255)
    linked_at = models.DateTimeField(default=timezone.now)
    signed_in_at = models.DateTimeField(null=True, blank=True)
    groups = models.JSONField(default=list, blank=True)
    # Set when single sign-on took access away: a later sign-in the provider vouches for gives
    # it back, which a login a hub admin switched off never gets this way.
    lost_at = models.DateTimeField(null=True, blank=True)
    lost_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"],
                                               name="sso_one_login_per_subject")]

    def __str__(self):
        return f"{self.user} at {self.issuer}"
