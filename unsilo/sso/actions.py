"""Every write of single sign-on: a sign-in the provider vouched for (the login found or made
just in time, its role and seats from the groups), access taken away, and the hub's settings
and group mapping. Each in one transaction with its audit rows."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from unsilo.core import actions as core_actions
from unsilo.core import audit
from unsilo.core.actor import Actor
from unsilo.core.models import Role, User, Via
from unsilo.core.permissions import require
from unsilo.inbox import actions as inbox_actions
from unsilo.org import actions as org_actions
from unsilo.org.models import Person, SeatMember, SeatRole, Silo, SiloKind
from unsilo.sso.models import GroupRole, GroupSeat, ProviderLink, SignInSettings
from unsilo.sso.queries import sign_in_settings

log = logging.getLogger("unsilo.sso")
# Strongest first: someone in several mapped groups gets the strongest of their roles.
RANK = [Role.HUB_ADMIN, Role.CAPTAIN, Role.RESPONDER, Role.REVIEWER, Role.VIEWER]
UNPLACED = "Not yet placed"


class Refused(Exception):
    """A sign-in the provider vouched for that unsilo will not let in; `message` is for the
    person, `reason` for the audit log."""

    def __init__(self, reason: str, message: str):
        super().__init__(reason)
        self.reason, self.message = reason, message


def sso_actor() -> Actor:
    return Actor.system(via=Via.UI, label="single sign-on")


# Signing in ----------------------------------------------------------------------------------


def sign_in(issuer: str, claims: dict, groups_claim: str, address: str | None) -> User:
    """The login for a sign-in whose ID token was checked, made or updated; Refused (with an
    audit row) when the person may not come in."""
    try:
        return _sign_in(issuer, claims, groups_claim)
    except Refused as refused:
        refuse(address, str(claims.get("email") or claims.get("sub") or ""), refused.reason)
        raise


def refuse(address: str | None, who: str, reason: str) -> None:
    """The audit row of a refused single sign-on (not a person's change: on the settings row)."""
    with transaction.atomic():
        row = audit.event(Actor.anonymous(address, Via.UI), "sso_refused", _settings_row(),
                          {"email": [None, who], "reason": [None, reason]})
        row.object_repr = f"single sign-on by {who or 'someone unnamed'}"[:300]
        row.save()
    log.info("single sign-on refused for %s: %s", who or "someone unnamed", reason)


@transaction.atomic
def _sign_in(issuer: str, claims: dict, groups_claim: str) -> User:
    actor = sso_actor()
    email = str(claims.get("email") or "").strip().lower()
    if not email:
        raise Refused("no email in the claims", "Your company account sent no email address.")
    if claims.get("email_verified") not in (True, "true"):
        raise Refused("email not verified", "Your company account has not verified your "
                      "email address, so unsilo cannot tell who you are.")
    # No groups claim at all (a provider not set up to send it) changes no role or seat: it
    # must not make everyone a viewer. An empty list is the provider saying "no groups".
    groups = _groups(claims[groups_claim]) if groups_claim in claims else None
    link = ProviderLink.objects.select_related("user").filter(
        issuer=issuer, subject=str(claims["sub"])).first()
    user = link.user if link else User.objects.filter(email=email).first()
    if link is None and user is not None and hasattr(user, "sso"):
        raise Refused("the login belongs to another account at the provider",
                      "This email's login is linked to another company account.")
    person = _person(actor, user, email, claims)
    changes = {"groups": [None, groups if groups is not None else "not sent"]}
    if user is None:
        user = User(email=email, name=str(claims.get("name") or person.name)[:200],
                    role=Role.VIEWER, person=person)
        user.set_unusable_password()
        core_actions.create(actor, user, silo_id=person.silo_id)
        changes["login"] = [None, "made at first sign-in"]
    elif user.person_id is None:
        core_actions.update(actor, user, {"person": person}, silo_id=person.silo_id)
    if not user.is_active:
        if link is None or link.lost_at is None:
            raise Refused("the login is switched off", "Your unsilo login is switched off: "
                          "ask a hub admin.")
        core_actions.update(actor, user, {"is_active": True}, silo_id=person.silo_id)
    if groups is not None:
        _set_role(actor, user, groups, changes)
        _set_seats(actor, person, groups, changes)
    now = timezone.now()
    if link is None:
        link = core_actions.create(actor, ProviderLink(
            user=user, issuer=issuer, subject=str(claims["sub"]), groups=groups or [],
            signed_in_at=now))
        changes["linked"] = [None, f"{issuer} {claims['sub']}"]
    else:
        # Bookkeeping of every sign-in: the sign-in's own audit row below says it.
        ProviderLink.objects.filter(pk=link.pk).update(
            signed_in_at=now, groups=groups or [], lost_at=None, lost_reason="")
    audit.record(actor, "sso_sign_in", user, changes, person.silo_id)
    return user


def _groups(value) -> list[str]:
    if isinstance(value, str):
        value = [value]
    return sorted({str(g) for g in value or [] if str(g).strip()})


def _person(actor: Actor, user: User | None, email: str, claims: dict) -> Person:
    """The person the people import knows by this email (or the login's own), or, when the
    hub lets unknown people in, a new one in the silo of those not yet placed."""
    person = user.person if user is not None and user.person_id else \
        Person.objects.filter(email__iexact=email).first()
    if person is not None and not person.is_active:
        raise Refused("the people import says the person has left",
                      "The company's people list says you have left, so unsilo keeps you out.")
    if person is not None:
        return person
    chosen = sign_in_settings()
    if not chosen.allow_unknown or chosen.unplaced_silo_id is None:
        raise Refused("not in the people import",
                      "unsilo does not know you yet: the hub adds people through the company's "
                      "people list. Ask your COE hub to add you.")
    name = str(claims.get("name") or email.split("@")[0])[:200]
    return org_actions.create_person(actor, {"email": email, "name": name,
                                             "silo": chosen.unplaced_silo})


def _set_role(actor: Actor, user: User, groups: list[str], changes: dict) -> None:
    """The strongest role the mapping gives the groups; viewer when it gives none. Without any
    role mapping the hub sets roles by hand, and the break-glass admin keeps theirs."""
    mapped = dict(GroupRole.objects.values_list("group", "role"))
    if not mapped or user.pk == sign_in_settings().break_glass_id:
        return
    held = {mapped[g] for g in groups if g in mapped}
    role = next((r for r in RANK if r in held), Role.VIEWER)
    if role != user.role:
        changes["role"] = [user.role, role]
        core_actions.update(actor, user, {"role": role}, silo_id=user.silo_id)


def _set_seats(actor: Actor, person: Person, groups: list[str], changes: dict) -> None:
    """Seats of the silos the mapping names follow the groups: taken, changed, or left."""
    wanted: dict[int, str] = {}
    for row in GroupSeat.objects.filter(group__in=groups).order_by("pk"):
        # Captain over delegate when two groups seat one silo.
        if wanted.get(row.silo_id) != SeatRole.CAPTAIN:
            wanted[row.silo_id] = row.seat_role
    mapped = set(GroupSeat.objects.values_list("silo_id", flat=True))
    held = {m.silo_id: m for m in SeatMember.objects.filter(person=person, silo_id__in=mapped)}
    for silo in Silo.objects.filter(pk__in=wanted).order_by("pk"):
        if silo.pk in held and held[silo.pk].role == wanted[silo.pk]:
            continue
        try:
            org_actions.seat_person(actor, silo, person, wanted[silo.pk])
        except ValidationError as error:
            changes.setdefault("seats_skipped", [None, []])[1].append(
                f"{silo.name}: {' '.join(error.messages)}")
            continue
        changes.setdefault("seats", [None, []])[1].append(f"{silo.name} {wanted[silo.pk]}")
    for silo_id, member in held.items():
        if silo_id not in wanted:
            org_actions.unseat_person(actor, member)
            changes.setdefault("seats", [None, []])[1].append(f"{member.silo.name} left")


# Losing access -------------------------------------------------------------------------------


@transaction.atomic
def lose_access(user: User, reason: str) -> int:
    """`user` may no longer come in (gone in the people import, disabled at the provider): the
    login is switched off until the provider vouches again, and the conversations they held
    go back to their silo's queue. How many went back."""
    actor = sso_actor()
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return 0  # a request beside this one took it away first
    core_actions.update(actor, user, {"is_active": False}, silo_id=user.silo_id)
    ProviderLink.objects.filter(user=user).update(lost_at=timezone.now(),
                                                  lost_reason=reason[:300])
    returned = inbox_actions.return_to_queue(actor, user.person, reason) if user.person_id else 0
    audit.record(actor, "sso_access_lost", user,
                 {"reason": [None, reason], "returned_to_queue": [None, returned]},
                 user.silo_id)
    log.info("%s lost access (%s); %d conversations back in the queue", user.email, reason,
             returned)
    return returned


# The hub's settings and mapping --------------------------------------------------------------


def _settings_row() -> SignInSettings:
    return SignInSettings.objects.get_or_create(pk=1)[0]


@transaction.atomic
def save_settings(actor: Actor, *, password_sign_in: bool, break_glass: User | None,
                  allow_unknown: bool) -> SignInSettings:
    require(actor, "core.manage_users")
    if break_glass is not None and (break_glass.role != Role.HUB_ADMIN
                                    or not break_glass.is_active
                                    or not break_glass.has_usable_password()):
        raise ValidationError({"break_glass": "The break-glass login must be an active hub "
                                              "admin with a password."})
    if not password_sign_in and break_glass is None:
        raise ValidationError({"break_glass": "Name a break-glass hub admin before switching "
                                              "passwords off, or nobody can sign in when the "
                                              "provider is down."})
    row = _settings_row()
    data = {"password_sign_in": password_sign_in, "break_glass": break_glass,
            "allow_unknown": allow_unknown}
    if allow_unknown and row.unplaced_silo_id is None:
        silo = Silo.objects.filter(name=UNPLACED).first() or org_actions.create_silo(
            actor, name=UNPLACED, kind=SiloKind.DEPARTMENT,
            description="People who signed in before the people import knew them; the hub "
                        "moves them to their silo.")
        data["unplaced_silo"] = silo
    return core_actions.update(actor, row, data)


def add_group_role(actor: Actor, group: str, role: str) -> GroupRole:
    require(actor, "core.manage_users")
    group = group.strip()
    if GroupRole.objects.filter(group=group).exists():
        raise ValidationError({"group": f"{group} already gives a role: remove that row first."})
    return core_actions.create(actor, GroupRole(group=group, role=role))


def add_group_seat(actor: Actor, group: str, silo: Silo, seat_role: str) -> GroupSeat:
    require(actor, "core.manage_users")
    group = group.strip()
    if GroupSeat.objects.filter(group=group, silo=silo).exists():
        raise ValidationError({"group": f"{group} already seats people at {silo.name}."})
    return core_actions.create(actor, GroupSeat(group=group, silo=silo, seat_role=seat_role),
                               silo_id=silo.pk)


def remove_mapping(actor: Actor, row: GroupRole | GroupSeat) -> None:
    require(actor, "core.manage_users")
    core_actions.delete(actor, row, silo_id=getattr(row, "silo_id", None))
