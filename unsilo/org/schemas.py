"""API shapes of silos, people and seats."""

from datetime import datetime
from typing import Annotated

from ninja import Field, FilterLookup, FilterSchema, Schema
from pydantic import model_validator

from unsilo.core import search
from unsilo.core.schemas import BodySchema, Count, Id, PersonRef
from unsilo.org.models import SeatRole, SiloKind

# Silos -------------------------------------------------------------------------------------


class SiloOut(Schema):
    id: int
    name: str
    slug: str
    kind: SiloKind
    parent_id: int | None = Field(description="The silo this one sits in; null at the top.")
    description: str
    people_count: int = Field(description="People whose silo this is (not counting children).")
    seat_empty: bool = Field(description="True when nobody holds this silo's seat at the table.")


class SiloIn(BodySchema):
    name: str
    kind: SiloKind = Field(SiloKind.DEPARTMENT, strict=False)
    parent_id: Id | None = Field(None, description="Put the new silo inside this one.")
    description: str = ""


class SiloPatch(BodySchema):
    """Only the fields sent change; null is refused except where it means "none". Captains may
    change their own silo's description; name, kind and parent are the hub's."""

    # A default of None with a non-null type: leaving a field out is fine, sending null is not.
    name: str = None
    kind: SiloKind = Field(None, strict=False)
    parent_id: Id | None = Field(None, description="Move the silo; null moves it to the top.")
    description: str = None


class SiloFilter(FilterSchema):
    q: Annotated[str | None, FilterLookup("name__icontains")] = Field(
        None, description="Name contains.", max_length=search.LIMIT
    )
    kind: Annotated[SiloKind | None, FilterLookup("kind")] = None
    parent_id: Annotated[Id | None, FilterLookup("parent_id")] = Field(
        None, description="Only the silos directly inside this one."
    )


# People ------------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    email: str
    name: str
    title: str
    silo_id: int
    silo_name: str
    skills: list[str]
    languages: list[str]
    timezone: str
    manager_id: int | None
    capacity: int = Field(description="How many open conversations this person can hold at once.")
    is_active: bool

    @staticmethod
    def resolve_silo_name(person) -> str:
        return person.silo.name


class PersonIn(BodySchema):
    email: str
    name: str
    silo_id: Id
    title: str = ""
    skills: list[str] = []
    languages: list[str] = []
    timezone: str = "UTC"
    manager_id: Id | None = Field(None, description="The manager's person id…")
    manager_email: str | None = Field(None, description="…or their email (send one of the two).")
    capacity: Count = 10
    is_active: bool = True

    @model_validator(mode="after")
    def one_manager(self):
        if self.manager_id is not None and self.manager_email is not None:
            raise ValueError("Send manager_id or manager_email, not both.")
        return self


class PersonPatch(BodySchema):
    """Only the fields sent change; null is refused except for the manager, where it clears it."""

    email: str = None
    name: str = None
    title: str = None
    silo_id: Id = Field(None, description="Move the person to this silo.")
    skills: list[str] = None
    languages: list[str] = None
    timezone: str = None
    manager_id: Id | None = None
    manager_email: str | None = None
    capacity: Count = None
    is_active: bool = None

    @model_validator(mode="after")
    def one_manager(self):
        sent = self.model_fields_set
        if "manager_id" in sent and "manager_email" in sent:
            raise ValueError("Send manager_id or manager_email, not both.")
        return self


class PersonFilter(Schema):
    """The people list's filters; queries.people applies them."""

    q: str = Field("", max_length=search.LIMIT, description=(
        "Name, email, title or a skill contains this, in any case. One letter: the name starts "
        "with it; two: a word of them starts with these."
    ))
    silo_id: Id | None = Field(None, description="Only this silo (not the silos inside it).")
    title: str | None = Field(None, description="Title contains.", max_length=search.LIMIT)
    skill: str | None = Field(None, description="Has this skill (whole skill, any case).",
                              max_length=search.LIMIT)


# Seats -------------------------------------------------------------------------------------


class SeatOut(Schema):
    silo_id: int
    silo_name: str
    people_count: int
    captains: list[PersonRef]
    delegates: list[PersonRef]
    empty: bool = Field(description="True when the silo is not represented at the COE table.")

    @staticmethod
    def resolve_silo_id(seat) -> int:
        return seat.silo.pk

    @staticmethod
    def resolve_silo_name(seat) -> str:
        return seat.silo.name

    @staticmethod
    def resolve_empty(seat) -> bool:
        return seat.is_empty


class SeatMemberIn(BodySchema):
    role: SeatRole = Field(description="captain or delegate.", strict=False)


class SeatMemberOut(Schema):
    silo_id: int
    person: PersonRef
    role: SeatRole
    since: datetime
