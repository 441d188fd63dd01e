"""The plain data that flows between ingestion, classification and routing."""

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Incoming:
    """One inbound message as the JSON Lines contract describes it (docs/product.md)."""

    id: str
    network: str
    text: str
    author: str
    created_at: datetime.datetime
    account: str = ""
    thread_id: str = ""
    in_reply_to: str = ""
    url: str = ""
    lang: str = ""


@dataclass
class Classification:
    intent: str
    sentiment: str  # positive / neutral / negative
    language: str  # ISO 639-1, "" when unknown
    urgency: str  # low / normal / high / urgent
    risk: dict[str, list[str]] = field(default_factory=dict)  # flag -> the words that set it


@dataclass
class Decision:
    """Where routing sends one message's conversation, and why."""

    silo_id: int | None
    silo: str | None  # the silo's name
    assignee_id: int | None
    assignee: str | None  # the person's email
    confidence: float
    reasons: list[str]
    source: str  # inbox.models.DecisionSource
    triage: bool = False
    rule_id: int | None = None
    model_version: int | None = None
