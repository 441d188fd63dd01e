"""Every write to the publishing policy: the hub's permission, the change, its audit row."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from unsilo.core import actions
from unsilo.core.actor import Actor
from unsilo.core.permissions import require
from unsilo.publishing.models import (
    Certification,
    PolicyRule,
    PublishingSwitch,
    RuleKind,
)

# A certification lasts a year unless the hub says otherwise.
CERTIFICATION_DAYS = 365


def _clean_terms(kind: str, terms) -> list[str]:
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise ValidationError({"terms": "A list of words, phrases, labels or domains."})
    cleaned = list(dict.fromkeys(t.strip() for t in terms if t.strip()))
    if kind != RuleKind.ALT_TEXT and not cleaned:
        raise ValidationError({"terms": "Give at least one term."})
    if kind == RuleKind.ALLOWED_DOMAINS:
        cleaned = [t.lower().lstrip(".") for t in cleaned]
        bad = [t for t in cleaned if "/" in t or " " in t or "." not in t]
        if bad:
            raise ValidationError({"terms": f"Not a domain: {', '.join(bad)}."})
    return cleaned


def _check_reviewer(data: dict) -> None:
    if data.get("kind") != RuleKind.BANNED and data.get("reviewer_silo") is None:
        raise ValidationError({"reviewer_silo": "Name the silo whose people review a post "
                                                "that fails this rule."})


@transaction.atomic
def add_rule(actor: Actor, data: dict) -> PolicyRule:
    """A new rule; `data` holds the model's fields (silo and reviewer_silo as Silo or None)."""
    require(actor, "publishing.manage_policy")
    data = {**data, "terms": _clean_terms(data.get("kind", ""), data.get("terms", []))}
    _check_reviewer(data)
    return actions.create(actor, PolicyRule(**data))


@transaction.atomic
def update_rule(actor: Actor, rule: PolicyRule, data: dict) -> PolicyRule:
    require(actor, "publishing.manage_policy")
    merged = {"kind": rule.kind, "reviewer_silo": rule.reviewer_silo, **data}
    if "terms" in data:
        data = {**data, "terms": _clean_terms(merged["kind"], data["terms"])}
    _check_reviewer(merged)
    return actions.update(actor, rule, {**data, "updated_at": timezone.now()})


def remove_rule(actor: Actor, rule: PolicyRule) -> None:
    require(actor, "publishing.manage_policy")
    actions.delete(actor, rule)


@transaction.atomic
def set_paused(actor: Actor, paused: bool, reason: str = "") -> PublishingSwitch:
    """Pause all publishing (a crisis) or switch it back on."""
    require(actor, "publishing.manage_policy")
    # The switch row is made on first use; the audit row records the change itself.
    row, _ = PublishingSwitch.objects.get_or_create(pk=1)
    return actions.update(actor, row, {"paused": paused, "reason": reason.strip()[:300]
                                       if paused else "", "changed_at": timezone.now()})


@transaction.atomic
def certify(actor: Actor, person, account, expires_at=None) -> Certification:
    """Certify `person` to publish on `account` without review; renews one that exists."""
    require(actor, "publishing.manage_policy")
    now = timezone.now()
    expires_at = expires_at or now + datetime.timedelta(days=CERTIFICATION_DAYS)
    if expires_at <= now:
        raise ValidationError({"expires_at": "A certification must end in the future."})
    held = Certification.objects.filter(person=person, account=account).first()
    if held is not None:
        return actions.update(actor, held, {"expires_at": expires_at, "renewed_at": now,
                                            "granted_by": actor.user})
    return actions.create(actor, Certification(person=person, account=account,
                                               granted_by=actor.user, granted_at=now,
                                               expires_at=expires_at),
                          silo_id=account.owner_silo_id)


def revoke(actor: Actor, certification: Certification) -> None:
    require(actor, "publishing.manage_policy")
    actions.delete(actor, certification, silo_id=certification.account.owner_silo_id)
