"""Find an expert and a person's learned expertise over the API."""

from datetime import datetime

from ninja import Field, Schema

from unsilo.core.schemas import BodySchema, PersonRef
from unsilo.experts.ranking import MAX_LIMIT, MAX_TEXT


class ExpertSearchIn(BodySchema):
    q: str = Field(min_length=1, max_length=MAX_TEXT,
                   description="A question, or a customer message pasted whole.")
    limit: int = Field(10, ge=1, le=MAX_LIMIT)
    available_only: bool = Field(False, description="Leave out people who cannot take it now.")


class TermOut(Schema):
    term: str
    conversations: int = Field(description="How many of their conversations hold the word.")


class SiloCountOut(Schema):
    silo: str
    conversations: int


class AvailabilityOut(Schema):
    available: bool
    absent: str | None = Field(description="Why not, when they are away now.")
    at_capacity: str | None
    outside_hours: str | None


class ExpertHitOut(Schema):
    person: PersonRef
    title: str
    silo_id: int
    silo: str
    skills: list[str] = Field(description="Declared skills, beside what was learned.")
    score: float = Field(description="The ranking's score; only its order means something.")
    match: int = Field(description="The score as a share of the best one, 1-100.")
    matched: list[TermOut]
    intent_resolved: int = Field(description="Conversations of the question's intent they "
                                             "resolved.")
    resolved: int
    consulted: int
    last_at: datetime | None
    silos: list[SiloCountOut]
    availability: AvailabilityOut
    reasons: list[str]


class ExpertSearchOut(Schema):
    intent: str = Field(description="How the question reads (the inbox's intents).")
    terms: list[str] = Field(description="The question's words the index knows.")
    indexed: bool = Field(description="False until something was resolved or imported.")
    experts: list[ExpertHitOut]


class IntentOut(Schema):
    intent: str
    resolved: int


class SiloShareOut(Schema):
    silo_id: int
    silo: str
    resolved: int
    consulted: int
    last_at: datetime | None


class ExpertiseOut(Schema):
    person_id: int
    resolved: int
    consulted: int
    last_at: datetime | None
    topics: list[TermOut]
    intents: list[IntentOut]
    silos: list[SiloShareOut]
