"""API shapes of the inbox's settings: saved replies, routing rules, SLA targets, business
hours, absences, the hub's inbox settings and notifications."""

import datetime
from typing import Literal

from ninja import Field, Schema

from unsilo.inbox.models import NotificationKind, Risk, RuleTarget, Urgency


class SavedReplyOut(Schema):
    id: int
    title: str
    text: str
    silo_id: int | None = Field(description="null: global, for every silo.")
    updated_at: datetime.datetime


class SavedReplyIn(Schema):
    title: str
    text: str = Field(description="May use {customer}, {agent}, {agent_first}, {silo}, "
                                  "{account}, {network}.")
    silo_id: int | None = None


class SavedReplyPatch(Schema):
    title: str = None
    text: str = None
    silo_id: int | None = None


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


class RuleIn(Schema):
    name: str
    position: int = 100
    enabled: bool = True
    network: str = ""
    account_id: int | None = None
    language: str = ""
    keywords: list[str] = []
    risk: Risk | Literal[""] = ""
    target: RuleTarget = RuleTarget.SILO
    silo_id: int | None = None
    person_id: int | None = None


class RulePatch(Schema):
    name: str = None
    position: int = None
    enabled: bool = None
    network: str = None
    account_id: int | None = None
    language: str = None
    keywords: list[str] = None
    risk: Risk | Literal[""] = None
    target: RuleTarget = None
    silo_id: int | None = None
    person_id: int | None = None


class SlaPolicyOut(Schema):
    urgency: Urgency
    first_response_minutes: int
    resolution_minutes: int
    default: bool = Field(description="true: no policy of the silo; the defaults apply.")


class SlaPolicyIn(Schema):
    first_response_minutes: int = Field(ge=1)
    resolution_minutes: int = Field(ge=1)


class BusinessHoursOut(Schema):
    silo_id: int | None = Field(description="Whose hours apply (a parent's or the hub's when "
                                            "the silo has none); null: round the clock.")
    timezone: str
    start: datetime.time
    end: datetime.time
    weekdays: list[int]
    always_open: bool


class BusinessHoursIn(Schema):
    timezone: str = "UTC"
    start: datetime.time = datetime.time(9)
    end: datetime.time = datetime.time(17)
    weekdays: list[int] = Field([0, 1, 2, 3, 4], description="0 = Monday; empty: every day.")
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


class AbsenceIn(Schema):
    person_id: int
    starts: datetime.datetime
    ends: datetime.datetime
    reason: str = ""


class InboxSettingsOut(Schema):
    triage_threshold: float
    retrain_after: int
    retrain_minutes: int


class InboxSettingsPatch(Schema):
    triage_threshold: float = Field(None, ge=0, le=1)
    retrain_after: int = Field(None, ge=1)
    retrain_minutes: int = Field(None, ge=1)


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


class MarkReadIn(Schema):
    ids: list[int] | None = Field(None, description="null marks all read.")


class MarkedOut(Schema):
    marked: int
