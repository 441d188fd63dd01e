"""Plain factories for tests: each makes a valid object with sensible defaults, straight in the
database (no audit rows), so a test states only what it is about. Also a real API token, a small
people CSV, and two readers: the rows written so far, and what an API list answered."""

import itertools

from django.utils.text import slugify

from unsilo.accounts.models import Account, AccountStatus
from unsilo.core import actions
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role, User, Via
from unsilo.org.models import Person, SeatMember, SeatRole, Silo

_n = itertools.count(1)
PASSWORD = "correct horse battery staple"
# Three people in two silos, one managed by someone further down the file.
PEOPLE_CSV = (
    "email,name,title,silo,manager_email\n"
    "ann@x.com,Ann Lee,Analyst,Sales,cat@x.com\n"
    "bob@x.com,Bob Roe,Clerk,Legal,\n"
    "cat@x.com,Cat Ng,Lead,Sales,\n"
)


def silo(name: str | None = None, **fields) -> Silo:
    n = next(_n)
    name = name or f"Silo {n}"
    fields.setdefault("slug", f"{slugify(name)}-{n}")
    return Silo.objects.create(name=name, **fields)


def person(silo_obj: Silo | None = None, **fields) -> Person:
    n = next(_n)
    fields.setdefault("email", f"person{n}@example.com")
    fields.setdefault("name", f"Person {n}")
    fields.setdefault("title", "Specialist")
    return Person.objects.create(silo=silo_obj or silo(), **fields)


def user(role: str = Role.VIEWER, silo_obj: Silo | None = None, **fields) -> User:
    """A login with `role` whose person sits in `silo_obj` (a new silo when not given)."""
    p = fields.pop("person", None) or person(silo_obj)
    fields.setdefault("email", p.email)
    return User.objects.create_user(password=PASSWORD, role=role, person=p, name=p.name, **fields)


def api_token(login: User) -> str:
    """The secret of a new API token of `login`, made as the API makes it (with its audit row)."""
    _, secret = actions.create_token(Actor.for_user(login, via=Via.API), "test")
    return secret


def actor(role: str = Role.HUB_ADMIN, silo_obj: Silo | None = None, via: str = Via.UI) -> Actor:
    return Actor.for_user(user(role, silo_obj), via=via)


def seat(silo_obj: Silo, person_obj: Person, role: str = SeatRole.CAPTAIN) -> SeatMember:
    return SeatMember.objects.create(silo=silo_obj, person=person_obj, role=role)


def account(owner: Silo | None = None, stewards: int = 2, **fields) -> Account:
    owner = owner or silo()
    n = next(_n)
    fields.setdefault("network", "bluesky")
    fields.setdefault("handle", f"acme-{n}.bsky.social")
    fields.setdefault("status", AccountStatus.ACTIVE)
    acc = Account.objects.create(owner_silo=owner, **fields)
    acc.stewards.set([person(owner) for _ in range(stewards)])
    return acc


def org_counts() -> tuple[int, int, int]:
    """People, silos and audit rows: unchanged when nothing was written."""
    return Person.objects.count(), Silo.objects.count(), AuditEvent.objects.count()


def listed(response, key: str) -> list:
    """The `key` of each item on a page of an API list, once the list answered 200."""
    assert response.status_code == 200, response.content
    return [item[key] for item in response.json()["items"]]
