"""Reads of the platform (audit log, logins, API tokens), checked against the reader's role."""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from unsilo.core import dates, login_limits, search
from unsilo.core.actor import Actor
from unsilo.core.models import ApiToken, AuditEvent, User
from unsilo.core.permissions import can, require
from unsilo.org.models import Person

AUDIT_PAGE = 50
# Long values (notes, descriptions) are cut so one audit row stays one glance.
CHANGE_VALUE_LIMIT = 80
SELF_EVIDENT = {"id", "created_at"}


@dataclass(frozen=True)
class AuditFilters:
    actor_email: str = ""
    via: str = ""
    action: str = ""
    object_type: str = ""
    silo_id: int | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None
    q: str = ""


@dataclass
class AuditPage:
    """One page of the log, newest first, with the cursors to the next pages (keyset paging)."""

    events: list[AuditEvent]
    newer: int | None = None  # show events newer than the first row: ?newer=<id>
    older: int | None = None  # show events older than the last row: ?older=<id>


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def _shown(value, names: dict | None = None) -> str:
    """One audited value as short text; ids of related objects become their names when known."""
    if value is None or value == "" or value == []:
        return "—"
    values = value if isinstance(value, list) else [value]
    if names is not None:
        values = [names.get(v, f"#{v}") for v in values]
    text = ", ".join(str(v) for v in values)
    return text if len(text) <= CHANGE_VALUE_LIMIT else text[: CHANGE_VALUE_LIMIT - 1] + "…"


def change_lines(changes: dict, related: dict | None = None) -> list[Change]:
    """`{field: [before, after]}` as short `field: before → after` lines.

    `related` maps a relation field to {id: name}. The id, the creation time (the event's own
    time) and values that read the same before and after are left out.
    """
    lines = []
    related = related or {}
    for name, pair in (changes or {}).items():
        before, after = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        line = Change(name, _shown(before, related.get(name)), _shown(after, related.get(name)))
        if name not in SELF_EVIDENT and line.before != line.after:
            lines.append(line)
    return lines


def _relations(object_type: str) -> dict:
    """{field name: related model} for the relation fields of an audited model."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return {}
    return {
        f.name: f.related_model for f in model._meta.get_fields()
        if f.concrete and f.is_relation and f.related_model is not None
    }


def _ids(value) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _with_lines(events) -> list[AuditEvent]:
    """Attach `lines` to each event, naming related objects with one query per related model."""
    events = list(events)
    wanted: dict = {}
    for e in events:
        for name, model in _relations(e.object_type).items():
            for value in (e.changes or {}).get(name) or []:
                wanted.setdefault(model, set()).update(_ids(value))
    names = {
        model: {pk: getattr(obj, "name", "") or str(obj)
                for pk, obj in model._default_manager.in_bulk(ids).items()}
        for model, ids in wanted.items() if ids
    }
    for e in events:
        related = {name: names.get(model, {}) for name, model in _relations(e.object_type).items()}
        e.lines = change_lines(e.changes, related)
    return events


def audit_events(actor: Actor) -> QuerySet[AuditEvent]:
    """Every audit row, for those who may read the log; the UI and the API filter on top."""
    require(actor, "core.view_audit")
    return AuditEvent.objects.all()


def audit_log(
    actor: Actor, filters: AuditFilters, *, older: int | None = None, newer: int | None = None,
    size: int = AUDIT_PAGE,
) -> AuditPage:
    """The audit log, newest first. Paged by (at, id) cursors, never by counting a big table."""
    rows = audit_events(actor).select_related("silo")
    f = filters
    if search.term(f.actor_email):
        rows = rows.filter(actor_label__icontains=search.term(f.actor_email))
    if f.via:
        rows = rows.filter(via=f.via)
    if f.action.strip():
        rows = rows.filter(action=f.action.strip())
    if f.object_type:
        rows = rows.filter(object_type=f.object_type)
    if f.silo_id:
        rows = rows.filter(silo_id=f.silo_id)
    # Days are the reader's: "7 Dec" is 00:00 to 24:00 in their time zone.
    zone = dates.reader_zone(actor.user)
    if f.since:
        rows = rows.filter(at__gte=dates.start_of_day(f.since, zone))
    if f.until:
        rows = rows.filter(at__lt=dates.start_of_day(f.until + datetime.timedelta(days=1), zone))
    if search.term(f.q):
        rows = rows.filter(object_repr__icontains=search.term(f.q))

    cursor_id = newer or older
    cursor = None
    if cursor_id:
        cursor = AuditEvent.objects.filter(pk=cursor_id).values_list("at", flat=True).first()
    if cursor is not None and newer:
        # at >= cursor and not (at == cursor and id <= cursor id): stays on the `at` index.
        rows = rows.filter(at__gte=cursor).exclude(at=cursor, id__lte=newer)
        found = list(rows.order_by("at", "id")[: size + 1])
        has_more = len(found) > size
        events = _with_lines(reversed(found[:size]))
        return AuditPage(events, newer=events[0].pk if has_more else None,
                         older=events[-1].pk if events else None)
    if cursor is not None:
        rows = rows.filter(at__lte=cursor).exclude(at=cursor, id__gte=older)
    found = list(rows.order_by("-at", "-id")[: size + 1])
    events = _with_lines(found[:size])
    return AuditPage(
        events,
        newer=events[0].pk if cursor is not None and events else None,
        older=events[-1].pk if len(found) > size else None,
    )


def audited_types(actor: Actor) -> list[tuple[str, str]]:
    """The kinds of objects the audit log names: (object_type, readable name)."""
    require(actor, "core.view_audit")
    return sorted(
        (m._meta.label_lower, f"{m._meta.verbose_name} ({m._meta.app_label})")
        for m in apps.get_models()
        if m.__module__.startswith("unsilo.") and m is not AuditEvent
    )


def may_see_history(actor: Actor, manage_perm: str, silo_id: int | None) -> bool:
    """The audit readers, and whoever may change the object, see its history."""
    return can(actor, "core.view_audit") or can(actor, manage_perm, silo_id)


def object_history(
    actor: Actor, obj: Model, *, manage_perm: str, silo_id: int | None, limit: int = 100
) -> list[AuditEvent]:
    """What happened to one object, newest first."""
    if not may_see_history(actor, manage_perm, silo_id):
        require(actor, "core.view_audit")
    rows = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return _with_lines(rows.order_by("-at", "-id")[:limit])


# Logins --------------------------------------------------------------------------------------


def logins(actor: Actor, *, q: str = "", role: str = "") -> QuerySet[User]:
    require(actor, "core.manage_users")
    rows = User.objects.select_related("person__silo")
    if q := search.term(q):
        rows = rows.filter(Q(email__icontains=q) | Q(name__icontains=q))
    if role:
        rows = rows.filter(role=role)
    return rows.order_by("email")


def login_locks(actor: Actor, logins: list[User]) -> dict[int, datetime.datetime]:
    """{login id: locked until} for those of `logins` that failed sign-ins lock somewhere."""
    require(actor, "core.manage_users")
    until = login_limits.locks([u.email for u in logins])
    return {u.pk: until[u.email] for u in logins if u.email in until}


def person_for_login(actor: Actor, email: str) -> Person | None:
    """The person an email names, for giving them a login; None when the org has no such person."""
    require(actor, "core.manage_users")
    return Person.objects.select_related("silo").filter(email__iexact=email.strip()).first()


# API tokens ----------------------------------------------------------------------------------


def _require_login(actor: Actor) -> None:
    if actor.user is None:
        raise PermissionDenied("Only a person with a login holds API tokens.")


def my_tokens(actor: Actor) -> QuerySet[ApiToken]:
    """The actor's own API tokens, newest first (the secrets are never stored, only hashes)."""
    _require_login(actor)
    return ApiToken.objects.filter(user=actor.user).order_by("-created_at", "-id")

