"""What every page needs: the navigation, and what the signed-in person may do."""

from functools import partial

from unsilo.core.actor import Actor
from unsilo.core.permissions import can, can_somewhere
from unsilo.inbox.queries import unread_count

# (label, path); later capabilities replace their "coming" page at the same path.
NAVIGATION = [
    ("Inbox", "/inbox/"),
    ("Experts", "/experts/"),
    ("Outbox", "/outbox/"),
    ("Publish", "/publish/"),
    ("Knowledge", "/knowledge/"),
    ("Listening", "/listening/"),
    ("Analytics", "/analytics/"),
    ("Table", "/table/"),
    ("Accounts", "/accounts/"),
    ("Admin", "/admin/"),
]
# Items shown only to whoever holds the permission.
NAV_NEEDS = {"/experts/": "org.find_experts"}
# Pages that belong under a navigation item without sharing its path.
SECTION_OF = {"/silos/": "/table/", "/people/": "/table/", "/me/": "/admin/"}


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    actor = Actor.for_user(request.user)
    section = next((s for p, s in SECTION_OF.items() if request.path.startswith(p)), request.path)
    return {
        "nav_items": [
            {"label": label, "url": path, "active": section.startswith(path)}
            for label, path in NAVIGATION
            if path not in NAV_NEEDS or can(actor, NAV_NEEDS[path])
        ],
        "actor": actor,
        # The bell: one indexed count of the person's unread inbox notifications, counted
        # only when a full page shows it (templates call a callable), not for htmx partials.
        "inbox_unread": partial(unread_count, actor),
        "perms": {
            "manage_silos": can(actor, "org.manage_silos"),
            "import_people": can(actor, "org.import_people"),
            "manage_people": can_somewhere(actor, "org.manage_people"),
            "manage_seat": can_somewhere(actor, "org.manage_seat"),
            "manage_accounts": can_somewhere(actor, "accounts.manage"),
            "view_audit": can(actor, "core.view_audit"),
            "manage_users": can(actor, "core.manage_users"),
        },
    }
