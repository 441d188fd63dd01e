"""Reads of the publishing policy, checked against the reader's role; and the policy engine
loaded in a few queries (one per table), so checking a draft touches no database."""

from django.db.models import QuerySet
from django.utils import timezone

from unsilo.accounts.models import Account
from unsilo.core.actor import Actor
from unsilo.core.permissions import require
from unsilo.org.models import Person, Silo, SiloKind
from unsilo.publishing.models import Certification, PolicyRule, PublishingSwitch, RuleKind
from unsilo.publishing.policy import AccountInfo, Policy, Rule, reviewer


def rules(actor: Actor) -> QuerySet[PolicyRule]:
    require(actor, "publishing.view_policy")
    return PolicyRule.objects.select_related("silo", "reviewer_silo")


def switch(actor: Actor) -> PublishingSwitch:
    require(actor, "publishing.view_policy")
    return PublishingSwitch.objects.filter(pk=1).first() or PublishingSwitch(pk=1)


def certifications(actor: Actor) -> QuerySet[Certification]:
    require(actor, "publishing.view_policy")
    return Certification.objects.select_related("person", "account", "granted_by")


def rule_reviewers(rule: PolicyRule) -> tuple[str, ...]:
    """Who reviews a post that fails `rule`; nobody for banned terms (they block)."""
    if rule.kind == RuleKind.BANNED or rule.reviewer_silo is None:
        return ()
    return (reviewer(rule.reviewer_silo.name, rule.reviewer),)


def load_policy(actor: Actor, now=None) -> Policy:
    """The whole policy as the engine reads it: enabled rules, the registry, people's silos,
    unexpired certifications and the pause switch."""
    now = now or timezone.now()
    compiled = [Rule(id=r.pk, kind=r.kind, name=r.name, terms=tuple(r.terms),
                     reviewers=rule_reviewers(r), silo_id=r.silo_id, network=r.network)
                for r in rules(actor).filter(enabled=True)]
    stewards: dict[int, set] = {}
    for account_id, email in Account.stewards.through.objects.values_list(
            "account_id", "person__email"):
        stewards.setdefault(account_id, set()).add(email.lower())
    accounts = {(a.network, a.handle.lower().lstrip("@")): AccountInfo(
        owner_silo_id=a.owner_silo_id, owner=a.owner_silo.name if a.owner_silo_id else "",
        status=a.status, steward_emails=frozenset(stewards.get(a.pk, ())))
        for a in Account.objects.select_related("owner_silo")}
    people = {email.lower(): silo_id
              for email, silo_id in Person.objects.values_list("email", "silo_id")}
    certified: dict[str, dict] = {}
    for email, network, handle, expires in certifications(actor).filter(
            expires_at__gt=now).values_list("person__email", "account__network",
                                             "account__handle", "expires_at"):
        certified.setdefault(email.lower(), {})[(network, handle.lower().lstrip("@"))] = expires
    hub = Silo.objects.filter(kind=SiloKind.HUB).first()
    paused = switch(actor)
    return Policy(rules=compiled, accounts=accounts, people=people, certified=certified,
                  hub=hub.name if hub else "The hub", hub_silo_id=hub.pk if hub else None,
                  paused=paused.paused, pause_reason=paused.reason, now=now)
