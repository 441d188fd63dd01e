"""What single sign-on reads: the hub's settings and mapping, and whether a password may sign
in."""

from unsilo.core.actor import Actor
from unsilo.core.permissions import require
from unsilo.sso import provider
from unsilo.sso.models import GroupRole, GroupSeat, SignInSettings


def sign_in_settings() -> SignInSettings:
    """The one settings row, or the defaults (passwords on, nobody unknown let in)."""
    return SignInSettings.objects.select_related("break_glass", "unplaced_silo").filter(
        pk=1).first() or SignInSettings(pk=1)


def password_allowed(email: str) -> bool:
    """Whether a password may sign in as `email`: always without single sign-on (nobody could
    sign in otherwise); with it, while the hub keeps passwords on, or for the break-glass
    admin."""
    if provider.config() is None:
        return True
    chosen = sign_in_settings()
    if chosen.password_sign_in:
        return True
    return chosen.break_glass is not None and chosen.break_glass.email == email.strip().lower()


def hub_settings(actor: Actor) -> SignInSettings:
    require(actor, "core.manage_users")
    return sign_in_settings()


def group_roles(actor: Actor):
    require(actor, "core.manage_users")
    return GroupRole.objects.all()


def group_seats(actor: Actor):
    require(actor, "core.manage_users")
    return GroupSeat.objects.select_related("silo")


def mapping(actor: Actor) -> tuple[list[GroupRole], list[GroupSeat]]:
    return list(group_roles(actor)), list(group_seats(actor))
