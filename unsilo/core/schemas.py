"""API shapes shared by every app (bounded numbers, local times, errors, a person in brief)
and those of /me and /audit."""

import datetime as dt
import re
from contextlib import suppress
from datetime import datetime
from typing import Annotated, Any

from django.utils.dateparse import parse_datetime
from ninja import Field, FilterLookup, FilterSchema, Schema
from pydantic import BeforeValidator, ConfigDict, WithJsonSchema

from unsilo.core.ids import MAX_COUNT, MAX_ID
from unsilo.core.models import Role, Via

# Numbers in -----------------------------------------------------------------------------------
# Every integer the API reads is bounded by the column it ends up in, so a number too large for
# the database is a 422 naming the field, never an overflow inside SQLite or PostgreSQL.

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
PositiveCount = Annotated[int, Field(ge=1, le=MAX_COUNT)]


class BodySchema(Schema):
    """The base of every request body: each value must already have its JSON type (no `"5"`
    or `true` for a number, no number for a date), as the OpenAPI document says. Choices
    (enums) are strings in JSON, so their fields say `Field(strict=False)`."""

    model_config = ConfigDict(strict=True)


# Times ----------------------------------------------------------------------------------------


def _instant(value):
    at = value if isinstance(value, datetime) else None
    if isinstance(value, str):
        with suppress(ValueError):
            at = parse_datetime(value.strip())
    if at is None:
        raise ValueError("an ISO 8601 date and time, such as 2026-12-01T09:00:00Z")
    try:
        # No zone means UTC; kept in UTC, as PostgreSQL takes offsets up to ±15:59 only.
        return at.astimezone(dt.UTC) if at.tzinfo else at.replace(tzinfo=dt.UTC)
    except OverflowError:
        raise ValueError("a date and time within the years 1 to 9999") from None


# A moment as ISO 8601 text (a bare number is not read as seconds since 1970).
Instant = Annotated[datetime, BeforeValidator(_instant)]

# Business hours are a wall-clock time in the silo's time zone: an offset would say another zone.

LOCAL_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?")


def _local_time(value):
    if isinstance(value, dt.time) and value.tzinfo is None:
        return value
    if isinstance(value, str) and LOCAL_TIME.fullmatch(value):
        return dt.time.fromisoformat(value)
    raise ValueError("a local time such as 09:00 or 17:30:00, without a UTC offset "
                     "(the time zone field says where)")


LocalTime = Annotated[dt.time, BeforeValidator(_local_time), WithJsonSchema({
    "type": "string", "format": "partial-time", "pattern": f"^{LOCAL_TIME.pattern}$",
    "example": "09:00",
})]

# Errors ---------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in one sentence; names the field if any.")
    fields: dict[str, list[str]] | None = Field(
        None, description="On 422: each invalid field with its messages."
    )


def errors(*codes: int) -> dict[int, type[Schema]]:
    """The error answers an operation documents, e.g. `response={200: X, **errors(403, 404)}`."""
    return {code: ErrorOut for code in (401, *codes)}


class PersonRef(Schema):
    """A person in brief, as listed in a seat or among an account's stewards."""

    id: int
    name: str
    email: str


class MeOut(Schema):
    email: str
    name: str
    role: Role
    person_id: int | None = Field(description="Your entry in the people directory, if linked.")
    silo_id: int | None = Field(description="Your silo: a captain's powers apply there only.")
    silo_name: str | None

    @staticmethod
    def resolve_silo_id(user) -> int | None:
        return user.person.silo_id if user.person_id else None

    @staticmethod
    def resolve_silo_name(user) -> str | None:
        return user.person.silo.name if user.person_id else None


class TokenIn(BodySchema):
    name: str = Field(description="What the token is for, such as the script that uses it.")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The first characters of the secret, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    active: bool

    @staticmethod
    def resolve_active(token) -> bool:
        return token.is_active


class TokenCreatedOut(Schema):
    id: int
    name: str
    prefix: str
    token: str = Field(
        description="The secret (`usl_…`). Shown this once: store it now; only its hash is kept."
    )


class AuditEventOut(Schema):
    id: int
    at: datetime
    actor: str = Field(description="Who made the change: an email, or `unsilo` for the system.")
    actor_id: int | None
    via: Via
    action: str
    object_type: str = Field(description="App and model, e.g. `org.person`.")
    object_id: str
    object_repr: str
    silo_id: int | None
    changes: dict[str, Any] = Field(description="Each changed field: [before, after].")

    @staticmethod
    def resolve_actor(row) -> str:
        return row.actor_label


class AuditFilter(FilterSchema):
    action: Annotated[str | None, FilterLookup("action")] = Field(
        None, description="create, update, delete…"
    )
    object_type: Annotated[str | None, FilterLookup("object_type")] = Field(
        None, description="e.g. org.person"
    )
    object_id: Annotated[str | None, FilterLookup("object_id")] = None
    actor: Annotated[str | None, FilterLookup("actor_label__iexact")] = Field(
        None, description="The actor's email."
    )
    via: Annotated[Via | None, FilterLookup("via")] = None
    since: Annotated[Instant | None, FilterLookup("at__gte")] = Field(
        None, description="ISO 8601; changes at or after this time."
    )
    until: Annotated[Instant | None, FilterLookup("at__lt")] = Field(
        None, description="ISO 8601; changes before this time."
    )
