"""Dates as people read them: one format, in the reader's time zone, with the zone's
abbreviation ('7 Dec 2026, 18:44 CET'). Pages use the template filters of
core/templatetags/when.py; ReaderTimeZoneMiddleware makes the reader's zone the active one."""

import datetime
import zoneinfo

from django.utils import dateformat, timezone

DATETIME = "j M Y, H:i T"  # 7 Dec 2026, 18:44 CET
DATE = "j M Y"


def hub_zone() -> datetime.tzinfo:
    """The hub's time zone: settings.TIME_ZONE (UNSILO_TIME_ZONE, default UTC)."""
    return timezone.get_default_timezone()


def reader_zone(user) -> datetime.tzinfo:
    """The reader's time zone: their person's, else the hub's."""
    name = ""
    if user is not None and user.is_authenticated and user.person_id:
        name = user.person.timezone
    return zone_named(name)


def zone_named(name: str) -> datetime.tzinfo:
    """The time zone called `name` (a person's), else UTC."""
    try:
        return zoneinfo.ZoneInfo(name) if name else hub_zone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return hub_zone()


def start_of_day(day: datetime.date, zone: datetime.tzinfo) -> datetime.datetime:
    """00:00 of `day` in `zone`, in UTC: a date filter "7 Dec" means the reader's 7 Dec."""
    local = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    return local.astimezone(datetime.UTC)


def full(value) -> str:
    """A moment as text in the active zone; a bare date as '7 Dec 2026'."""
    if isinstance(value, datetime.datetime):
        return dateformat.format(timezone.localtime(value), DATETIME)
    return dateformat.format(value, DATE)


def span(delta: datetime.timedelta) -> str:
    """A duration as the inbox counts it: '5 min', '3 h', '2 d'."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} d"


def machine(value) -> str:
    """The value for a <time datetime=…> attribute (UTC, ISO 8601)."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()
