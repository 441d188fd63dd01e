"""Who may do what, per silo. One table, checked on the server by every action and view.

A permission is granted to a role either everywhere (ANY) or only in the actor's own silo
(OWN). A captain's powers apply to their own silo only.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from unsilo.core.actor import Actor
from unsilo.core.models import Role

ANY = "any"
OWN = "own"

GRANTS: dict[str, dict[str, str]] = {
    # Read the organisation, the table and the registry: everyone at the table.
    "org.view": {r: ANY for r in Role.values},
    "accounts.view": {r: ANY for r in Role.values},
    # Shape the organisation: the hub.
    "org.manage_silos": {Role.HUB_ADMIN: ANY},
    "org.import_people": {Role.HUB_ADMIN: ANY},
    # A silo's own description, people and seat: the hub, and the silo's captains.
    "org.edit_silo": {Role.HUB_ADMIN: ANY, Role.CAPTAIN: OWN},
    "org.manage_people": {Role.HUB_ADMIN: ANY, Role.CAPTAIN: OWN},
    "org.manage_seat": {Role.HUB_ADMIN: ANY, Role.CAPTAIN: OWN},
    # Find an expert: people of every silo ranked by what they resolved, for whoever may
    # consult them (the hub, captains, responders). Viewers and reviewers read people's pages.
    "org.find_experts": {Role.HUB_ADMIN: ANY, Role.CAPTAIN: ANY, Role.RESPONDER: ANY},
    # The registry: the hub anywhere, captains for accounts their silo owns.
    "accounts.manage": {Role.HUB_ADMIN: ANY, Role.CAPTAIN: OWN},
    # Link an account to its network (credentials), or unlink it: as for the registry.
    "accounts.connect": {Role.HUB_ADMIN: ANY, Role.CAPTAIN: OWN},
    # A new account is asked for, not opened: captains for their own silo, the hub anywhere;
    # the hub approves or declines. Every role may confirm stewardship, but only of an
    # account they steward (accounts/stewardship.py checks that).
    "accounts.request": {Role.HUB_ADMIN: ANY, Role.CAPTAIN: OWN},
    "accounts.approve": {Role.HUB_ADMIN: ANY},
    "accounts.confirm": {r: ANY for r in Role.values},
    # Handles found in the wild that use the company's names: the hub claims or reports them.
    "accounts.review_sightings": {Role.HUB_ADMIN: ANY},
    # The inbox. Reading: the hub and viewers everywhere, everyone else their own silo (plus
    # what is assigned to them or what they are consulted on; see inbox/access.py).
    "inbox.view": {Role.HUB_ADMIN: ANY, Role.VIEWER: ANY, Role.CAPTAIN: OWN,
                   Role.RESPONDER: OWN, Role.REVIEWER: OWN},
    # Work a conversation: reply, note, assign, consult, hand off, resolve, reopen. Anyone
    # consulted may answer in a note; they reply to the customer only with this (inbox/access.py).
    "inbox.respond": {Role.HUB_ADMIN: ANY, Role.CAPTAIN: OWN, Role.RESPONDER: OWN},
    # Messages in through the API or the CLI (integrators hold a hub admin's token).
    "inbox.ingest": {Role.HUB_ADMIN: ANY},
    # Routing rules, the triage threshold and the history the model learns from: the hub.
    "inbox.manage_routing": {Role.HUB_ADMIN: ANY},
    # Reading them: the hub, viewers, and captains (to see how conversations reach them).
    "inbox.view_routing": {Role.HUB_ADMIN: ANY, Role.VIEWER: ANY, Role.CAPTAIN: ANY},
    # A silo's saved replies, SLA targets, business hours and people's absences.
    "inbox.manage_silo_inbox": {Role.HUB_ADMIN: ANY, Role.CAPTAIN: OWN},
    # Reading a silo's saved replies, SLA targets and business hours: whoever reads its inbox.
    "inbox.view_silo_inbox": {Role.HUB_ADMIN: ANY, Role.VIEWER: ANY, Role.CAPTAIN: OWN,
                              Role.RESPONDER: OWN, Role.REVIEWER: OWN},
    # Publishing policy (rules, the pause switch, certifications): the hub writes it; everyone
    # at the table reads it, to know why a post needs review.
    "publishing.manage_policy": {Role.HUB_ADMIN: ANY},
    "publishing.view_policy": {r: ANY for r in Role.values},
    # The platform: the hub.
    "core.view_audit": {Role.HUB_ADMIN: ANY},
    "core.manage_users": {Role.HUB_ADMIN: ANY},
}

DESCRIPTIONS = {
    "org.view": "see silos, people and the table",
    "accounts.view": "see the account registry",
    "org.manage_silos": "create, move and delete silos",
    "org.import_people": "import people from CSV",
    "org.edit_silo": "edit a silo's details",
    "org.manage_people": "add, edit and remove people",
    "org.manage_seat": "choose a silo's captains and delegates",
    "org.find_experts": "find an expert across every silo",
    "accounts.manage": "register and change accounts",
    "accounts.connect": "connect accounts to their networks",
    "accounts.request": "request new accounts",
    "accounts.approve": "approve or decline account requests",
    "accounts.confirm": "confirm the stewardship of accounts",
    "accounts.review_sightings": "claim, register or report unregistered handles",
    "inbox.view": "read conversations",
    "inbox.respond": "work on conversations: reply to customers, resolve, assign, consult, "
                     "hand off",
    "inbox.ingest": "send messages into the inbox",
    "inbox.manage_routing": "change routing rules, the triage threshold and routing history",
    "inbox.view_routing": "see routing rules and the triage threshold",
    "inbox.manage_silo_inbox": "change saved replies, SLA targets, business hours and absences",
    "inbox.view_silo_inbox": "see saved replies, SLA targets and business hours",
    "publishing.manage_policy": "change the publishing policy, pause publishing and certify "
                                "people for accounts",
    "publishing.view_policy": "see the publishing policy and certifications",
    "core.view_audit": "read the audit log",
    "core.manage_users": "give people logins and roles",
}


def can(actor: Actor, perm: str, silo_id: int | None = None) -> bool:
    """True when the actor holds `perm` for `silo_id` (None: the action concerns no one silo)."""
    if actor.is_system:
        return True
    if actor.user is None or not actor.user.is_active:
        return False
    scope = GRANTS[perm].get(actor.role)
    if scope == ANY:
        return True
    if scope == OWN:
        # OWN powers reach an object only when it sits in the actor's silo.
        return silo_id is not None and silo_id == actor.silo_id
    return False


def can_somewhere(actor: Actor, perm: str) -> bool:
    """True when the actor holds `perm` for at least one silo (to show or hide a button)."""
    if actor.is_system:
        return True
    if actor.user is None or not actor.user.is_active:
        return False
    scope = GRANTS[perm].get(actor.role)
    return scope == ANY or (scope == OWN and actor.silo_id is not None)


def silo_filter(actor: Actor, perm: str, field: str = "silo_id") -> Q:
    """A filter on rows whose silo is `field`: those the actor holds `perm` for (all of them,
    their own silo's, or none). Queries read through it instead of reading GRANTS by hand."""
    if can(actor, perm):
        return ~Q(pk__in=[])  # everything, and still so when OR'ed (an empty Q() would vanish)
    if can_somewhere(actor, perm):
        return Q(**{field: actor.silo_id})
    return Q(pk__in=[])


def require(actor: Actor, perm: str, silo_id: int | None = None) -> None:
    if not can(actor, perm, silo_id):
        where = " in this silo" if GRANTS[perm].get(actor.role) == OWN else ""
        raise PermissionDenied(f"Your role may not {DESCRIPTIONS[perm]}{where}.")
