"""API shapes shared by every app (errors, a person in brief) and those of /me and /audit."""

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, FilterLookup, FilterSchema, Schema

from unsilo.core.models import Role, Via


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


class TokenIn(Schema):
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
    since: Annotated[datetime | None, FilterLookup("at__gte")] = Field(
        None, description="ISO 8601; changes at or after this time."
    )
    until: Annotated[datetime | None, FilterLookup("at__lt")] = Field(
        None, description="ISO 8601; changes before this time."
    )
