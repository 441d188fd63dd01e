"""The API shapes of single sign-on: the hub's sign-in settings and its group mapping."""

from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from unsilo.core.models import Role
from unsilo.core.schemas import BodySchema, Id
from unsilo.org.models import SeatRole

Group = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class SignInSettingsOut(Schema):
    configured: bool = Field(description="Whether a provider is set up (UNSILO_OIDC_ISSUER).")
    issuer: str
    password_sign_in: bool
    break_glass_id: int | None
    allow_unknown: bool
    unplaced_silo_id: int | None


class SignInSettingsPatch(BodySchema):
    password_sign_in: bool = None
    break_glass_id: Id | None = Field(None, description="An active hub admin with a password.")
    allow_unknown: bool = None


class GroupRoleOut(Schema):
    id: int
    group: str
    role: Role


class GroupRoleIn(BodySchema):
    group: Group
    role: Role = Field(strict=False)


class GroupSeatOut(Schema):
    id: int
    group: str
    silo_id: int
    seat_role: SeatRole


class GroupSeatIn(BodySchema):
    group: Group
    silo_id: Id
    seat_role: SeatRole = Field(SeatRole.DELEGATE, strict=False)
