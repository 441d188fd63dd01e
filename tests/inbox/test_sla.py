"""SLA due times in business hours: weekends, DST changes, inheritance of hours, policies."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from tests import factories
from unsilo.inbox import sla
from unsilo.inbox.models import BusinessHours, SlaPolicy
from unsilo.org.models import SiloKind

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def at(*args, tz=BERLIN):
    return datetime.datetime(*args, tzinfo=tz)


OFFICE = sla.Calendar(tz=BERLIN, start=datetime.time(9), end=datetime.time(17),
                      weekdays=frozenset(range(5)))


def test_round_the_clock_adds_plain_minutes():
    start = at(2026, 3, 7, 23, 0)
    assert sla.Calendar().add(start, 90) == start + datetime.timedelta(minutes=90)


def test_inside_the_day():
    assert OFFICE.add(at(2026, 6, 3, 10, 0), 60) == at(2026, 6, 3, 11, 0)


def test_friday_afternoon_carries_over_the_weekend_to_monday():
    # Friday 16:00 + 4 h: 1 h on Friday, 3 h on Monday from 09:00.
    assert OFFICE.add(at(2026, 6, 5, 16, 0), 240) == at(2026, 6, 8, 12, 0)


def test_saturday_start_waits_for_monday_morning():
    assert OFFICE.add(at(2026, 6, 6, 11, 0), 30) == at(2026, 6, 8, 9, 30)


def test_before_opening_starts_at_opening_and_after_closing_next_day():
    assert OFFICE.add(at(2026, 6, 3, 7, 0), 60) == at(2026, 6, 3, 10, 0)
    assert OFFICE.add(at(2026, 6, 3, 18, 0), 60) == at(2026, 6, 4, 10, 0)


def test_exact_end_of_day_stays_on_that_day():
    assert OFFICE.add(at(2026, 6, 3, 9, 0), 480) == at(2026, 6, 3, 17, 0)


def test_spring_forward_weekend_keeps_local_office_hours():
    # Europe changes to summer time on Sunday 29 March 2026: Friday 16:00 CET + 2 h is
    # Monday 10:00 CEST, which is 08:00 UTC (not 09:00).
    due = OFFICE.add(at(2026, 3, 27, 16, 0), 120)
    assert due == at(2026, 3, 30, 10, 0)
    assert due.astimezone(datetime.UTC).hour == 8


def test_round_the_clock_across_dst_counts_real_minutes():
    # 24 h across the night the clocks go forward count real hours.
    hours = sla.Calendar(tz=BERLIN, start=datetime.time(0), end=datetime.time(0),
                         weekdays=frozenset(range(7)))
    start = at(2026, 3, 28, 23, 30)
    due = hours.add(start, 24 * 60)
    # Sunday has only 23 h: 24 working hours later is Monday 00:30 local, not Sunday 23:30.
    assert due == at(2026, 3, 30, 0, 30)


def test_a_day_with_a_dst_change_inside_the_window_lasts_its_real_length():
    # New York falls back at 02:00 on Sunday 1 November 2026; a 00:00–06:00 window that day is
    # 7 real hours long.
    night = sla.Calendar(tz=NEW_YORK, start=datetime.time(0), end=datetime.time(6),
                         weekdays=frozenset({6}))
    start = at(2026, 11, 1, 0, 0, tz=NEW_YORK)
    utc = start.astimezone(datetime.UTC)
    assert night.add(start, 7 * 60).astimezone(datetime.UTC) == utc + datetime.timedelta(hours=7)
    # (Python's aware arithmetic is wall-clock: 06:00 local is the real 7 h later.)
    assert night.add(start, 7 * 60) == at(2026, 11, 1, 6, 0, tz=NEW_YORK)
    assert night.add(start, 7 * 60 + 1).date() == datetime.date(2026, 11, 8)


def test_subtract_is_the_reverse_of_add_across_a_weekend():
    due = OFFICE.add(at(2026, 6, 5, 16, 0), 240)
    assert OFFICE.subtract(due, 240) == at(2026, 6, 5, 16, 0)


@pytest.mark.django_db
def test_due_times_use_the_silos_policy_else_the_defaults():
    silo = factories.silo("Care")
    start = at(2026, 6, 3, 10, 0, tz=datetime.UTC)
    assert sla.due_times(silo.pk, "urgent", start) == (
        start + datetime.timedelta(minutes=30), start + datetime.timedelta(hours=4))
    SlaPolicy.objects.create(silo=silo, urgency="urgent", first_response_minutes=10,
                             resolution_minutes=60)
    assert sla.due_times(silo.pk, "urgent", start)[0] == start + datetime.timedelta(minutes=10)
    assert sla.DEFAULT_TARGETS["low"] == (8 * 60, 72 * 60)


@pytest.mark.django_db
def test_business_hours_come_from_the_silo_then_its_parent_then_the_hub():
    hub = factories.silo("COE", kind=SiloKind.HUB)
    region = factories.silo("EMEA")
    team = factories.silo("EMEA Care", parent=region)
    other = factories.silo("Elsewhere")
    friday = at(2026, 6, 5, 16, 0)
    BusinessHours.objects.create(silo=hub, timezone="UTC", start="00:00", end="00:00",
                                 weekdays=[])
    BusinessHours.objects.create(silo=region, timezone="Europe/Berlin", start="09:00",
                                 end="17:00", weekdays=[0, 1, 2, 3, 4])
    # Team inherits EMEA's office hours: normal urgency, 4 h first response.
    assert sla.due_times(team.pk, "normal", friday)[0] == at(2026, 6, 8, 12, 0)
    # A silo with no hours of its own or of a parent gets the hub's (all day, every day).
    assert sla.due_times(other.pk, "normal", friday)[0] == friday + datetime.timedelta(hours=4)
    BusinessHours.objects.create(silo=team, always_open=True)
    assert sla.due_times(team.pk, "normal", friday)[0] == friday + datetime.timedelta(hours=4)
