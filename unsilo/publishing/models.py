"""The hub's publishing policy: the rules a post is checked against, the pause switch, and who
is certified to publish on which account without review (docs/publishing.md)."""

from django.db import models
from django.utils import timezone

from unsilo.core.models import Role


class RuleKind(models.TextChoices):
    BANNED = "banned", "Banned terms"
    RISKY = "risky", "Risky terms"
    REGULATED = "regulated", "Regulated claims"
    DISCLOSURE = "disclosure", "Sponsored-content disclosure"
    ALLOWED_DOMAINS = "allowed_domains", "Allowed link domains"
    ALT_TEXT = "alt_text", "Alt text on media"


# Kinds whose terms are words or phrases found in the text (the others hold labels or domains).
TERM_KINDS = (RuleKind.BANNED, RuleKind.RISKY, RuleKind.REGULATED)


class ReviewerKind(models.TextChoices):
    CAPTAINS = "captains", "the silo's captains"
    REVIEWER = Role.REVIEWER.value, "its reviewers"
    RESPONDER = Role.RESPONDER.value, "its responders"
    HUB_ADMIN = Role.HUB_ADMIN.value, "its hub admins"


class PolicyRule(models.Model):
    """One check of the policy: `terms` are words or phrases (banned, risky, regulated), the
    labels that disclose a paid partnership (disclosure), or domains (allowed_domains)."""

    kind = models.CharField(max_length=20, choices=RuleKind.choices)
    name = models.CharField(max_length=120)
    terms = models.JSONField(default=list, blank=True)
    # A disclosure rule may hold one network's labels; blank: every network.
    network = models.CharField(max_length=30, blank=True)
    # Null: the rule applies to every post; else to posts on accounts this silo owns.
    silo = models.ForeignKey("org.Silo", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="policy_rules")
    # Who must review a post that fails it (none for banned terms: those block).
    reviewer_silo = models.ForeignKey("org.Silo", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    reviewer = models.CharField(max_length=20, choices=ReviewerKind.choices,
                                default=ReviewerKind.CAPTAINS)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"


class PublishingSwitch(models.Model):
    """The one row (pk 1) holding the hub's pause-publishing switch for a crisis."""

    paused = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return "Publishing paused" if self.paused else "Publishing on"


class Certification(models.Model):
    """`person` may publish on `account` without review until `expires_at` (the hub grants and
    renews it)."""

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE,
                               related_name="certifications")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE,
                                related_name="certifications")
    granted_by = models.ForeignKey("core.User", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    renewed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["expires_at", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "account"],
                                               name="certification_once_per_account")]

    def __str__(self):
        return f"{self.person} certified for {self.account}"
