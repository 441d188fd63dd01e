"""The queues: which conversations a reader sees, filtered, newest first.

Queue pages are keyset-paginated on (last_message_at, id), newest first. Each page is read as
a few small ordered index walks — one per status asked for and per part of the reader's
scope — merged here, so no query sorts a whole silo's conversations (fast at 300,000).
"""
import datetime
import heapq
from dataclasses import dataclass

from django.db import connection
from django.db.models import DateTimeField, F, Func, Q, QuerySet
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from unsilo.core import dates, search
from unsilo.core.actor import Actor
from unsilo.core.ids import MAX_ID, parse_id
from unsilo.core.permissions import ANY, GRANTS
from unsilo.inbox import access
from unsilo.inbox.models import (
    Consult,
    ConsultStatus,
    Conversation,
    Sentiment,
    Status,
)
from unsilo.org.queries import Like

QUEUES = ("mine", "silo", "consults", "triage", "overdue", "all")
# What the queue tabs show, in order ("all" is reached through the silo queue's filters).
QUEUE_LABELS = {
    "mine": "Mine", "silo": "My silo", "consults": "Consults for me", "triage": "Hub triage",
    "overdue": "Overdue", "all": "All",
}
FILTERS = ("network", "account", "sentiment", "intent", "language", "status", "since", "until",
           "q", "silo")
UNRESOLVED = (Status.OPEN, Status.WAITING)
# Tab counts stop here: counting further would cost more than the number is worth.
COUNT_CAP = 1000
RELATED = ("silo", "assignee", "account")
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


class BadFilter(ValueError):
    """A filter or cursor that cannot be read; `field` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class Page:
    items: list[Conversation]
    next_cursor: str | None


def cursor_of(conversation: Conversation) -> str:
    """The position of a row in every queue: its last activity (µs since epoch) and id."""
    micros = (conversation.last_message_at - EPOCH) // datetime.timedelta(microseconds=1)
    return f"{micros}-{conversation.pk}"


def parse_cursor(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        micros, pk = (int(part) for part in str(cursor).split("-"))
        if not 0 <= pk <= MAX_ID:  # 0: the top of an empty list ("0-0")
            raise ValueError(pk)
        return EPOCH + datetime.timedelta(microseconds=micros), pk
    except (ValueError, OverflowError, OSError):
        raise BadFilter("cursor", "not a cursor this list gave out") from None


def sees_everything(actor: Actor) -> bool:
    return actor.is_system or GRANTS["inbox.view"].get(actor.role) == ANY


def queues_for(actor: Actor) -> list[str]:
    """The queue tabs this reader has: hub triage only for the hub (and readers of all)."""
    shown = ["mine", "silo", "consults", "overdue"]
    if sees_everything(actor) or access.in_hub(actor):
        shown.insert(3, "triage")
    return shown


def _scope_parts(actor: Actor, queue: str) -> list[Q]:
    """The queue as a few conditions that each walk one index; their rows are merged."""
    me = access.person_id(actor)
    everything = sees_everything(actor)
    if queue == "mine":
        return [Q(assignee_id=me)] if me else []
    if queue == "consults":
        if not me:
            return []
        ids = Consult.objects.filter(expert_id=me, status=ConsultStatus.OPEN)
        return [Q(pk__in=ids.values("conversation_id"))]
    if queue == "triage":
        # `IN (true)`, not a bare boolean column: SQLite then searches the triage index.
        return [Q(triage__in=[True])] if everything or access.in_hub(actor) else []
    if queue == "silo":
        if everything:
            return [Q()]
        return [Q(silo_id=actor.silo_id)] if actor.silo_id else []
    if queue == "overdue":
        now = timezone.now()
        first, resolution = (Unindexed(name, output_field=DateTimeField())
                             for name in ("first_response_due", "resolution_due"))
        late = (Q(LessThan(first, now), first_response_at__isnull=True)
                | Q(LessThan(resolution, now)))
        return [part & late for part in _visible_parts(actor)]
    if queue == "all":
        return _visible_parts(actor)
    raise BadFilter("queue", f"one of {', '.join(QUEUES)}")


def _visible_parts(actor: Actor) -> list[Q]:
    """What the reader sees, as disjoint conditions that each walk one index (their silo,
    what is theirs elsewhere, their consults, the hub's triage) rather than one OR that
    reads every open conversation."""
    if sees_everything(actor):
        return [Q()]
    me = access.person_id(actor)
    # Every consult, answered too, as access.visible counts them.
    ids = Consult.objects.filter(expert_id=me)
    wanted = [Q(silo_id=actor.silo_id) if actor.silo_id else None,
              Q(assignee_id=me) if me else None,
              Q(pk__in=ids.values("conversation_id")) if me else None,
              Q(triage__in=[True]) if access.in_hub(actor) else None]
    parts, before = [], None
    for part in filter(None, wanted):
        parts.append(part if before is None else part & ~before)
        before = part if before is None else before | part
    return parts


class Unindexed(Func):
    """The column as it is; on SQLite `+column`, so the planner walks the queue's ordered
    index instead of first gathering every row past a due time (most of them, when a team
    is behind)."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra)


def _statuses(value) -> list[str] | None:
    """None: every status."""
    if value in (None, ""):
        return list(UNRESOLVED)
    asked = [s.strip() for s in str(value).split(",") if s.strip()]
    if "all" in asked:
        return None
    wrong = [s for s in asked if s not in Status.values]
    if wrong:
        raise BadFilter("status", f"{', '.join(map(repr, wrong))} is not one of "
                                  f"{', '.join(Status.values)}, all")
    return asked


def clean_filters(filters: dict | None) -> tuple[dict, list[BadFilter]]:
    """The filters that can be read, and a BadFilter for each one that cannot: one bad value
    never drops the others. A status list keeps its good values ("open,any": open)."""
    kept, bad = {}, []
    for name, value in (filters or {}).items():
        if name not in FILTERS or value in (None, ""):
            continue
        try:
            if name == "status":
                _statuses(value)
            else:
                filter_condition({name: value})
        except BadFilter as error:
            bad.append(error)
            if name == "status":
                good = [s.strip() for s in str(value).split(",")
                        if s.strip() in (*Status.values, "all")]
                if good:
                    kept[name] = ",".join(good)
            continue
        kept[name] = value
    return kept, bad


def _when(field: str, value, zone: datetime.tzinfo, end_of_day=False) -> datetime.datetime:
    """A filter's moment in UTC. A bare date is the reader's day (00:00 in `zone`; `until`:
    the end of that day); a date-time without an offset is read in `zone` too."""
    try:
        day = None
        if isinstance(value, datetime.datetime):
            at = value
        elif isinstance(value, datetime.date):
            at, day = None, value
        else:
            # A date first: Python reads "2026-12-07" as a date-time too (its midnight).
            text = str(value).strip()
            day = parse_date(text)
            at = parse_datetime(text) if day is None else None
        if day is not None:
            return dates.start_of_day(day + datetime.timedelta(days=1) if end_of_day else day,
                                      zone)
        if at is not None:
            # In UTC: PostgreSQL takes offsets up to ±15:59 only, Python up to ±23:59.
            return (at.replace(tzinfo=zone) if timezone.is_naive(at) else at).astimezone(
                datetime.UTC)
    except (ValueError, OverflowError):
        pass  # well formed but no such day (2026-02-30), or beyond the year 9999
    raise BadFilter(field, f"{str(value).strip()!r} is not a date or date-time (ISO 8601)")


def _number(field: str, value) -> int:
    number = parse_id(value)
    if number is None:
        raise BadFilter(field, f"{value!r} is not an id")
    return number


def filter_condition(filters: dict, zone: datetime.tzinfo = datetime.UTC) -> Q:
    """The conditions the filter bar (or the API) asks for, besides status and queue; dates
    are days in `zone` (the reader's)."""
    f = {k: v for k, v in (filters or {}).items() if k in FILTERS and v not in (None, "")}
    where = Q()
    for name in ("network", "intent", "language"):
        if name in f:
            where &= Q(**{name: str(f[name]).strip()})
    if "sentiment" in f:
        if f["sentiment"] not in Sentiment.values:
            raise BadFilter("sentiment", f"one of {', '.join(Sentiment.values)}")
        where &= Q(sentiment=f["sentiment"])
    if "account" in f:
        where &= Q(account_id=_number("account", f["account"]))
    if "silo" in f:
        where &= Q(silo_id=_number("silo", f["silo"]))
    if "since" in f:
        where &= Q(last_message_at__gte=_when("since", f["since"], zone))
    if "until" in f:
        where &= Q(last_message_at__lt=_when("until", f["until"], zone, end_of_day=True))
    escape = connection.ops.prep_for_like_query
    # Every word must appear (the search column is lowercased; PostgreSQL: trigram index).
    for word in search.term(str(f.get("q", ""))).lower().split():
        where &= Like(F("search"), f"%{escape(word)}%")
    return where


def conversation_rows() -> QuerySet[Conversation]:
    return Conversation.objects.select_related(*RELATED).defer("search")


def _walks(actor: Actor, queue: str, filters: dict, ordered=True
           ) -> list[QuerySet[Conversation]]:
    """One ordered queryset per (scope part, status), each already scoped and filtered.
    Unordered (to count): one per scope part."""
    filters = filters or {}
    statuses = _statuses(filters.get("status"))
    common = Q(access.visible(actor)) & filter_condition(
        filters, dates.reader_zone(actor.user))
    if not ordered:
        common &= Q(status__in=statuses) if statuses else Q()
        return [Conversation.objects.filter(part & common).order_by()
                for part in _scope_parts(actor, queue)]
    walks = []
    for part in _scope_parts(actor, queue):
        for status in statuses or [None]:
            where = part & common & (Q(status=status) if status else Q())
            walks.append(conversation_rows().filter(where).order_by("-last_message_at", "-id"))
    return walks


def _merge(walks: list[list[tuple]], limit: int) -> list[tuple]:
    """The first `limit` distinct (last_message_at, id) keys of several lists, each already
    newest first."""
    seen, out = set(), []
    for key in heapq.merge(*walks, reverse=True):
        if key[1] not in seen:
            seen.add(key[1])
            out.append(key)
            if len(out) == limit:
                break
    return out


def _fetch(walks: list[QuerySet[Conversation]], limit: int) -> list[Conversation]:
    """The newest `limit` rows of the walks. One walk: its rows. Several: their keys first
    (index-only reads), then only the rows that make the page."""
    if len(walks) == 1:
        return list(walks[0][:limit])
    keys = _merge([list(qs.values_list("last_message_at", "pk")[:limit]) for qs in walks], limit)
    found = conversation_rows().in_bulk([pk for _, pk in keys])
    return [found[pk] for _, pk in keys if pk in found]


def conversation_page(actor: Actor, queue: str, filters: dict | None = None,
                      after: str | None = None, limit: int = 50) -> Page:
    """One page of a queue, newest activity first; `after` is the previous page's next_cursor."""
    if queue not in QUEUES:
        raise BadFilter("queue", f"one of {', '.join(QUEUES)}")
    limit = max(1, min(int(limit), 200))
    keyset = Q()
    if after:
        at, pk = parse_cursor(after)
        # The first condition is an index range; the second only trims ties at `at`.
        keyset = Q(last_message_at__lte=at) & (Q(last_message_at__lt=at) | Q(pk__lt=pk))
    rows = _fetch([qs.filter(keyset) for qs in _walks(actor, queue, filters)], limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_cursor=cursor_of(rows[-1]) if more and rows else None)


def newer_than(actor: Actor, queue: str, filters: dict | None, cursor: str,
               limit: int = 50) -> list[Conversation]:
    """Rows with activity after the row at `cursor` (the top of the list), newest first: what
    the live list adds. Nothing new costs one index-only query per walk."""
    at, pk = parse_cursor(cursor)
    keyset = Q(last_message_at__gte=at) & (Q(last_message_at__gt=at) | Q(pk__gt=pk))
    walks = [qs.filter(keyset) for qs in _walks(actor, queue, filters)]
    keys = _merge([list(qs.values_list("last_message_at", "pk")[:limit]) for qs in walks], limit)
    if not keys:
        return []
    found = conversation_rows().in_bulk([pk for _, pk in keys])
    return [found[pk] for _, pk in keys if pk in found]


def queue_counts(actor: Actor) -> dict[str, int]:
    """How many unresolved conversations each of the reader's queues holds (up to COUNT_CAP).
    The filters do not apply: a tab counts its whole queue."""
    counts = {}
    for queue in queues_for(actor):
        parts = _walks(actor, queue, {}, ordered=False)
        counts[queue] = min(COUNT_CAP, sum(qs[:COUNT_CAP].count() for qs in parts))
    return counts


