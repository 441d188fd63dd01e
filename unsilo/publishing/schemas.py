"""API shapes of the publishing policy."""

from datetime import datetime

from ninja import Field, Schema

from unsilo.core.schemas import BodySchema, Id, Instant
from unsilo.publishing.models import ReviewerKind, RuleKind

TERMS_HELP = ("Words or phrases (banned, risky, regulated), disclosure labels (a hashtag such "
              "as #ad matches only as a hashtag) or domains (allowed_domains; subdomains pass).")
Text = Field(max_length=120)


class PolicyRuleOut(Schema):
    id: int
    kind: RuleKind
    name: str
    terms: list[str]
    network: str
    silo_id: int | None = Field(description="Null: every post; else posts on this silo's "
                                            "accounts.")
    reviewer_silo_id: int | None
    reviewer: ReviewerKind
    reviewers: list[str] = Field(description='As a check names them: "Legal: reviewer".')
    enabled: bool
    updated_at: datetime

    @staticmethod
    def resolve_reviewers(rule) -> list[str]:
        from unsilo.publishing.queries import rule_reviewers

        return list(rule_reviewers(rule))


class PolicyRuleIn(BodySchema):
    kind: RuleKind = Field(strict=False)
    name: str = Field(min_length=1, max_length=120)
    terms: list[str] = Field([], max_length=1000, description=TERMS_HELP)
    network: str = Field("", max_length=30, description="Disclosure: one network's labels.")
    silo_id: Id | None = None
    reviewer_silo_id: Id | None = Field(None, description="Needed except for banned terms.")
    reviewer: ReviewerKind = Field(ReviewerKind.CAPTAINS, strict=False)
    enabled: bool = True


class PolicyRulePatch(BodySchema):
    name: str = Field(None, min_length=1, max_length=120)
    terms: list[str] = Field(None, max_length=1000, description=TERMS_HELP)
    enabled: bool = None


class PauseOut(Schema):
    paused: bool
    reason: str
    changed_at: datetime


class PauseIn(BodySchema):
    paused: bool
    reason: str = Field("", max_length=300)


class CertificationOut(Schema):
    id: int
    person_id: int
    person_email: str
    account_id: int
    account: str = Field(description='"network:handle"')
    expires_at: datetime
    renewed_at: datetime | None

    @staticmethod
    def resolve_person_email(cert) -> str:
        return cert.person.email

    @staticmethod
    def resolve_account(cert) -> str:
        return f"{cert.account.network}:{cert.account.handle}"


class CertificationIn(BodySchema):
    person_id: Id
    account_id: Id
    expires_at: Instant | None = Field(None, description="Default: a year from now.")
