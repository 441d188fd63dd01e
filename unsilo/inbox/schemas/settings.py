"""API shapes of the inbox's settings: saved replies, routing rules, SLA targets, business
hours, absences, the hub's inbox settings and notifications."""

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import Strict

from unsilo.core.schemas import BodySchema, Count, Id, Instant, LocalTime, PositiveCount
from unsilo.inbox.models import NotificationKind, Risk, RuleTarget, Urgency


class SavedReplyOut(Schema):
    id: int
    title: str
    text: str
    silo_id: int | None = Field(description="null: global, for every silo.")
    updated_at: datetime.datetime


class SavedReplyIn(BodySchema):
    title: str
    text: str = Field(description="May use {customer}, {agent}, {agent_first}, {silo}, "
                                  "{account}, {network}.")
    silo_id: Id | None = None


class SavedReplyPatch(BodySchema):
    title: str = None
    text: str = None
    silo_id: Id | None = None


class RenderedOut(Schema):
    text: str


class RuleOut(Schema):
    id: int
    name: str
    position: int
    enabled: bool
    network: str
    account_id: int | None
    language: str
    keywords: list[str]
    risk: str
    target: RuleTarget
    silo_id: int | None
    person_id: int | None


class RuleIn(BodySchema):
    name: str
    position: Count = 100
    enabled: bool = True
    network: str = ""
    account_id: Id | None = None
    language: str = ""
    keywords: list[str] = []
    risk: Annotated[Risk, Strict(False)] | Literal[""] = ""
    target: RuleTarget = Field(RuleTarget.SILO, strict=False)
    silo_id: Id | None = None
    person_id: Id | None = None


class RulePatch(BodySchema):
    name: str = None
    position: Count = None
    enabled: bool = None
    network: str = None
    account_id: Id | None = None
    language: str = None
    keywords: list[str] = None
    risk: Annotated[Risk, Strict(False)] | Literal[""] = None
    target: RuleTarget = Field(None, strict=False)
    silo_id: Id | None = None
    person_id: Id | None = None


class SlaPolicyOut(Schema):
    urgency: Urgency
    first_response_minutes: int
    resolution_minutes: int
    default: bool = Field(description="true: no policy of the silo; the defaults apply.")


class SlaPolicyIn(BodySchema):
    first_response_minutes: PositiveCount
    resolution_minutes: PositiveCount


class BusinessHoursOut(Schema):
    silo_id: int | None = Field(description="Whose hours apply (a parent's or the hub's when "
                                            "the silo has none); null: round the clock.")
    timezone: str
    start: LocalTime
    end: LocalTime
    weekdays: list[int]
    always_open: bool


class BusinessHoursIn(BodySchema):
    timezone: str = "UTC"
    start: LocalTime = datetime.time(9)
    end: LocalTime = datetime.time(17)
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        [0, 1, 2, 3, 4], description="0 = Monday; empty: every day.")
    always_open: bool = False


class SiloSlaOut(Schema):
    silo_id: int
    policies: list[SlaPolicyOut]
    business_hours: BusinessHoursOut | None


class AbsenceOut(Schema):
    id: int
    person_id: int
    starts: datetime.datetime
    ends: datetime.datetime
    reason: str


class AbsenceIn(BodySchema):
    person_id: Id
    starts: Instant
    ends: Instant
    reason: str = ""


class InboxSettingsOut(Schema):
    triage_threshold: float
    retrain_after: int
    retrain_minutes: int


class InboxSettingsPatch(BodySchema):
    triage_threshold: float = Field(None, ge=0, le=1)
    retrain_after: PositiveCount = None
    retrain_minutes: PositiveCount = None


class NotificationOut(Schema):
    id: int
    kind: NotificationKind
    conversation_id: int | None = Field(description="null for a group of SLA notices.")
    silo_id: int | None
    count: int = Field(description="How many notices this one stands for (SLA notices of one "
                                   "silo within an hour are grouped).")
    text: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class NotificationsOut(Schema):
    unread: int
    items: list[NotificationOut]


class MarkReadIn(BodySchema):
    ids: list[Id] | None = Field(None, description="null marks all read.")


class MarkedOut(Schema):
    marked: int
