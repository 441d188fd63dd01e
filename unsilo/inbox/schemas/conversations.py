"""API shapes of the inbox: conversations and their thread, the actions' inputs, and the
settings (saved replies, rules, SLA targets, business hours, absences, notifications)."""

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import Strict

from unsilo.core import search
from unsilo.core.schemas import BodySchema, Id, PersonRef
from unsilo.core.weburl import web_url
from unsilo.inbox.models import (
    ConsultStatus,
    DecisionSource,
    Direction,
    MessageState,
    Sentiment,
    Status,
    Urgency,
)


def _email(user) -> str | None:
    return user.email if user is not None else None


# Conversations ------------------------------------------------------------------------------


class ConversationQuery(Schema):
    queue: Literal["mine", "silo", "consults", "triage", "overdue", "all"] = Field(
        "all", description="mine, my silo, consults for me, hub triage, overdue, or all I see.")
    network: str | None = None
    account: Id | None = Field(None, description="An account id.")
    silo: Id | None = Field(None, description="A silo id.")
    sentiment: Sentiment | None = None
    intent: str | None = None
    language: str | None = Field(None, description="ISO 639-1, e.g. `de`.")
    status: str | None = Field(
        None, description="open, waiting, resolved or all; comma-separated for several. "
                          "Default: open and waiting.")
    since: str | None = Field(None, description="Last activity at or after (ISO 8601). A date, "
                                                "or a time without an offset, is in your time "
                                                "zone (your person's, else the hub's).")
    until: str | None = Field(None, description="Last activity before (ISO 8601; a date "
                                                "includes that whole day, in your time zone).")
    q: str | None = Field(None, description="Full text: every word must appear.",
                          max_length=search.LIMIT)
    cursor: str | None = Field(None, description="The `next_cursor` of the previous page.")
    limit: int = Field(50, ge=1, le=200)


class ConversationOut(Schema):
    id: int
    network: str
    thread_key: str
    account_id: int | None
    account: str | None = Field(description="The company account's handle.")
    author: str = Field(description="The customer's handle.")
    preview: str
    status: Status
    silo_id: int | None
    silo: str | None
    assignee_id: int | None
    assignee: str | None = Field(description="The assignee's email.")
    triage: bool = Field(description="Waiting in the hub's triage queue.")
    intent: str
    sentiment: str
    language: str
    urgency: Urgency
    risk: list
    confidence: float | None = Field(description="The last routing decision's confidence, 0–1.")
    reasons: list[str]
    created_at: datetime.datetime
    last_message_at: datetime.datetime
    first_response_at: datetime.datetime | None
    first_response_due: datetime.datetime | None
    resolution_due: datetime.datetime | None
    resolved_at: datetime.datetime | None
    sla_state: str = Field(description="\"\", warned, breached or escalated.")
    message_count: int

    @staticmethod
    def resolve_account(c) -> str | None:
        return c.account.handle if c.account_id else None

    @staticmethod
    def resolve_silo(c) -> str | None:
        return c.silo.name if c.silo_id else None

    @staticmethod
    def resolve_assignee(c) -> str | None:
        return c.assignee.email if c.assignee_id else None


class ConversationPageOut(Schema):
    items: list[ConversationOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at "
                                                "the end.")


class MessageOut(Schema):
    id: int
    external_id: str
    direction: Direction
    state: MessageState
    author: str
    text: str
    created_at: datetime.datetime
    url: str
    in_reply_to: str
    intent: str
    sentiment: str
    language: str
    urgency: str
    risk: dict
    sent_by: str | None = Field(description="Who replied in unsilo (email), for outbound.")
    delivery_error: str

    @staticmethod
    def resolve_sent_by(m) -> str | None:
        return _email(m.sent_by) if m.sent_by_id else None

    @staticmethod
    def resolve_url(m) -> str:
        return web_url(m.url)  # a link stored before links were checked is not passed on


class NoteOut(Schema):
    id: int
    author: str | None
    text: str
    mentions: list[PersonRef]
    consult_id: int | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_author(n) -> str | None:
        return _email(n.author) if n.author_id else None

    @staticmethod
    def resolve_mentions(n) -> list:
        return list(n.mentions.all())


class ConsultOut(Schema):
    id: int
    conversation_id: int
    expert: PersonRef
    requested_by: str | None
    question: str
    status: ConsultStatus
    created_at: datetime.datetime
    answered_at: datetime.datetime | None

    @staticmethod
    def resolve_requested_by(c) -> str | None:
        return _email(c.requested_by) if c.requested_by_id else None


class DecisionOut(Schema):
    id: int
    source: DecisionSource
    silo_id: int | None
    silo: str | None
    assignee_id: int | None
    assignee: str | None
    triage: bool
    confidence: float | None
    reasons: list[str]
    rule_id: int | None
    model_version: int | None
    at: datetime.datetime

    @staticmethod
    def resolve_silo(d) -> str | None:
        return d.silo.name if d.silo_id else None

    @staticmethod
    def resolve_assignee(d) -> str | None:
        return d.assignee.email if d.assignee_id else None


class HandoffOut(Schema):
    id: int
    from_silo_id: int | None
    to_silo_id: int | None
    by: str | None
    reason: str
    triage: bool = Field(description="The silo's seat was empty: it went to hub triage.")
    at: datetime.datetime

    @staticmethod
    def resolve_by(h) -> str | None:
        return _email(h.by) if h.by_id else None


class HandoffDoneOut(HandoffOut):
    outcome: str = Field(description="Where the conversation went, in a sentence: its seat "
                                     "told, or hub triage when nobody holds the seat.")


class WhereNowOut(Schema):
    silo_id: int | None
    silo: str | None
    triage: bool
    assignee: str | None = Field(description="The person's name.")
    at: datetime.datetime = Field(description="Since when.")
    how: str = Field(description="The kind of the last decision: handoff, by a person…")
    by: str | None
    reason: str


class SlaOut(Schema):
    state: str
    first_response_due: datetime.datetime | None
    first_response_at: datetime.datetime | None
    resolution_due: datetime.datetime | None
    resolved_at: datetime.datetime | None
    first_response_overdue: bool
    resolution_overdue: bool


class ConversationDetailOut(ConversationOut):
    messages: list[MessageOut]
    notes: list[NoteOut]
    consults: list[ConsultOut]
    decisions: list[DecisionOut]
    handoffs: list[HandoffOut]
    sla: SlaOut
    customer_history: list[ConversationOut] = Field(
        description="The same customer's other conversations you may see, newest first.")
    read_only: bool = Field(description="You may read it but not work on it (it moved on "
                                        "from you, or your role reads only).")
    moved: WhereNowOut | None = Field(description="When read_only: where it is now, since "
                                                  "when and why.")

    # The API puts these beside the conversation's own fields (api/conversations.py `_detail`).
    @staticmethod
    def resolve_messages(c) -> list:
        return c.detail["messages"]

    @staticmethod
    def resolve_notes(c) -> list:
        return c.detail["notes"]

    @staticmethod
    def resolve_consults(c) -> list:
        return c.detail["consults"]

    @staticmethod
    def resolve_decisions(c) -> list:
        return c.detail["decisions"]

    @staticmethod
    def resolve_handoffs(c) -> list:
        return c.detail["handoffs"]

    @staticmethod
    def resolve_sla(c) -> dict:
        return c.detail["sla"]

    @staticmethod
    def resolve_customer_history(c) -> list:
        return c.detail["customer_history"]

    @staticmethod
    def resolve_read_only(c) -> bool:
        return c.detail["read_only"]

    @staticmethod
    def resolve_moved(c) -> dict | None:
        return c.detail["moved"]


# Action inputs ----------------------------------------------------------------------------------


class AssignIn(BodySchema):
    person_id: Id | None = Field(description="null puts it back in the silo's queue.")


class ConsultIn(BodySchema):
    expert_id: Id
    question: str = ""


class ConsultAnswerIn(BodySchema):
    text: str
    as_reply: bool = Field(False, description="true: reply to the customer; false: a note.")
    seen_message_id: Id | None = None
    force: bool = False


class HandoffIn(BodySchema):
    silo_id: Id
    reason: str


class NoteIn(BodySchema):
    text: str = Field(description="@email, @First Last or @first.last notify that person.")


class ReplyIn(BodySchema):
    text: str
    seen_message_id: Id | None = Field(
        None, description="The newest message you saw: a reply by someone else after it is a "
                          "collision (409).")
    force: bool = Field(False, description="Send even if someone else replied or is typing.")


class ClassificationIn(BodySchema):
    sentiment: Annotated[Sentiment, Strict(False)] | None = None
    intent: str | None = None


class ExpertOut(Schema):
    person: PersonRef
    silo: str
    reason: str


class ConsultAnswerOut(Schema):
    note: NoteOut | None = Field(description="The answer as an internal note.")
    message: MessageOut | None = Field(description="The answer as a reply to the customer.")


class CollisionOut(Schema):
    detail: str
    who: list[str] = Field(description="Who replied or is typing.")


class BulkIn(BodySchema):
    action: Literal["assign", "resolve", "handoff"]
    conversation_ids: list[Id] = Field(
        min_length=1, max_length=200,
        description="At most 200; each goes through its own action and permission check.")
    person_id: Id | None = Field(None, description="assign: to whom (required).")
    silo_id: Id | None = Field(None, description="handoff: to which silo (required).")
    reason: str = Field("", max_length=2000,
                        description="handoff: why, for the other silo (required).")


class BulkResultOut(Schema):
    conversation_id: int
    done: bool
    reason: str = Field(description="Why it was refused; empty when done.")


class BulkOut(Schema):
    done: int = Field(description="How many were done.")
    refused: int = Field(description="How many were refused (each says why in `results`).")
    results: list[BulkResultOut] = Field(description="One per conversation, in the order sent.")
