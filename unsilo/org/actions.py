"""Every write to silos, people and seats: permission check, change, audit row, one transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from unsilo.core import actions
from unsilo.core.actor import Actor
from unsilo.core.permissions import require
from unsilo.org.models import Person, SeatMember, SeatRole, Silo

SILO_STRUCTURE_FIELDS = {"name", "slug", "kind", "parent", "parent_id"}


# Slugs that would hide a silo behind a page of the same name (/silos/new/).
RESERVED_SLUGS = {"new"}


def unique_slug(name: str, exclude_pk=None) -> str:
    base = slugify(name)[:120] or "silo"
    slug, n = base, 2
    taken = Silo.objects.exclude(pk=exclude_pk)
    while slug in RESERVED_SLUGS or taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_parent(silo: Silo, parent: Silo | None) -> None:
    node = parent
    while node is not None:
        if silo.pk is not None and node.pk == silo.pk:
            raise ValidationError({"parent": "A silo cannot sit inside itself or its children."})
        node = node.parent


def create_silo(actor: Actor, *, name: str, kind: str = "department", parent: Silo | None = None,
                description: str = "") -> Silo:
    require(actor, "org.manage_silos")
    silo = Silo(name=name.strip(), slug=unique_slug(name), kind=kind, parent=parent,
                description=description)
    return actions.create(actor, silo, silo_id=None)


def update_silo(actor: Actor, silo: Silo, data: dict) -> Silo:
    if SILO_STRUCTURE_FIELDS & data.keys():
        require(actor, "org.manage_silos")
    else:
        require(actor, "org.edit_silo", silo.pk)
    if "parent" in data:
        _check_parent(silo, data["parent"])
    if "name" in data and data["name"] != silo.name:
        data = {**data, "slug": unique_slug(data["name"], exclude_pk=silo.pk)}
    return actions.update(actor, silo, data, silo_id=silo.pk)


def delete_silo(actor: Actor, silo: Silo) -> None:
    require(actor, "org.manage_silos")
    if silo.children.exists():
        raise ValidationError("This silo still holds other silos: move or delete them first.")
    if silo.people.exists():
        raise ValidationError("This silo still has people: move them to another silo first.")
    actions.delete(actor, silo, silo_id=silo.pk)


def create_person(actor: Actor, data: dict) -> Person:
    silo = data["silo"]
    require(actor, "org.manage_people", silo.pk)
    person = Person(**{**data, "email": data["email"].strip().lower()})
    return actions.create(actor, person, silo_id=silo.pk)


def update_person(actor: Actor, person: Person, data: dict) -> Person:
    require(actor, "org.manage_people", person.silo_id)
    new_silo = data.get("silo")
    if new_silo is not None and new_silo.pk != person.silo_id:
        # Moving someone needs the power on both ends.
        require(actor, "org.manage_people", new_silo.pk)
    if "email" in data:
        data = {**data, "email": data["email"].strip().lower()}
    if data.get("manager") is not None and data["manager"].pk == person.pk:
        raise ValidationError({"manager": "A person cannot be their own manager."})
    data = {**data, "updated_at": timezone.now()}
    return actions.update(actor, person, data, silo_id=(new_silo or person.silo).pk)


def delete_person(actor: Actor, person: Person) -> None:
    require(actor, "org.manage_people", person.silo_id)
    _check_stewardship_survives(person)
    actions.delete(actor, person, silo_id=person.silo_id)


def _check_stewardship_survives(person: Person) -> None:
    """Removing a person must not leave a registered account with too few stewards."""
    from unsilo.accounts.models import MIN_STEWARDS, AccountStatus

    short = [
        str(account)
        for account in person.stewarded_accounts.exclude(status=AccountStatus.UNREGISTERED)
        .annotate(n=Count("stewards"))
        if account.n <= MIN_STEWARDS
    ]
    if short:
        raise ValidationError(
            f"{person.name} is one of only {MIN_STEWARDS} stewards of {', '.join(short)}: "
            "name another steward first."
        )


def _in_subtree(silo: Silo, root: Silo) -> bool:
    node = silo
    while node is not None:
        if node.pk == root.pk:
            return True
        node = node.parent
    return False


@transaction.atomic
def seat_person(actor: Actor, silo: Silo, person: Person, role: str = SeatRole.DELEGATE):
    """Give a person a place in their silo's seat, or change their role there."""
    require(actor, "org.manage_seat", silo.pk)
    if role not in SeatRole.values:
        raise ValidationError({"role": f"Seat role must be one of: {', '.join(SeatRole.values)}."})
    if not _in_subtree(person.silo, silo):
        raise ValidationError(
            {"person": f"{person.name} belongs to {person.silo.name}, not to {silo.name}."}
        )
    member = SeatMember.objects.filter(silo=silo, person=person).first()
    if member is None:
        return actions.create(actor, SeatMember(silo=silo, person=person, role=role),
                              silo_id=silo.pk)
    return actions.update(actor, member, {"role": role}, silo_id=silo.pk)


def unseat_person(actor: Actor, member: SeatMember) -> None:
    require(actor, "org.manage_seat", member.silo_id)
    actions.delete(actor, member, silo_id=member.silo_id)
