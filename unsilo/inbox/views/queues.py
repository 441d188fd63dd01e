"""The inbox in the web UI: the queues with their live list, and notifications.

Views parse input, call one query or action and render. The conversation page and its
actions are in views_conversation.py; the settings pages in views_settings.py.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unsilo.accounts.models import Account
from unsilo.connectors import registry
from unsilo.core.actor import Actor
from unsilo.core.htmx import render_swappable, wants_partial
from unsilo.core.ids import parse_id
from unsilo.core.permissions import can
from unsilo.inbox import actions, queries
from unsilo.inbox.models import Conversation, Sentiment, Status
from unsilo.org.models import Person, Silo

# The filter bar's fields, in the order they appear in links.
FILTER_FIELDS = ("q", "network", "account", "sentiment", "intent", "language", "status",
                 "since", "until", "silo")


def actor_of(request) -> Actor:
    return Actor.for_user(request.user)


@dataclass
class Clock:
    """An SLA clock as a person reads it: which one, how long left (negative: overdue)."""

    label: str
    due: datetime.datetime
    minutes: int

    @property
    def overdue(self) -> bool:
        return self.minutes < 0

    @property
    def text(self) -> str:
        n = abs(self.minutes)
        span = f"{n} min" if n < 60 else f"{n // 60} h {n % 60:02d}" if n < 48 * 60 \
            else f"{n // (24 * 60)} d"
        return f"overdue {span}" if self.overdue else f"due in {span}"


def clock_of(c: Conversation, now: datetime.datetime) -> Clock | None:
    """The clock that runs now: first response until someone answered, then resolution."""
    if c.status == Status.RESOLVED:
        return None
    if c.first_response_at is None and c.first_response_due:
        label, due = "First response", c.first_response_due
    elif c.resolution_due:
        label, due = "Resolution", c.resolution_due
    else:
        return None
    return Clock(label, due, int((due - now).total_seconds() // 60))


def with_clocks(actor: Actor, rows: list[Conversation]) -> list[Conversation]:
    """What each list row shows beyond its fields, computed here: a template computing it per
    row costs more than the queries of the whole page. Unread: one query for the page."""
    now = timezone.now()
    base = reverse("inbox:home")
    unread = queries.unread_ids(actor, rows)
    for c in rows:
        c.clock = clock_of(c, now)
        c.url = f"{base}c/{c.pk}/"
        c.unread = c.pk in unread
    return rows


def may_work(actor: Actor) -> bool:
    """Whether the list offers ticking rows for bulk actions (each is checked again per
    conversation when it runs)."""
    return can(actor, "inbox.respond", actor.silo_id)


def _filters(request) -> dict:
    return {k: request.GET[k].strip() for k in FILTER_FIELDS if request.GET.get(k, "").strip()}


def _queue(request, actor: Actor, counts: dict | None = None) -> str:
    """The queue asked for; by default mine, or my silo's while nothing is mine."""
    queue = request.GET.get("queue", "")
    offered = [*counts, "all"] if counts is not None else queries.QUEUES
    if queue in offered:
        return queue
    return "mine" if not counts or counts.get("mine") else "silo"


def _query_string(queue: str, filters: dict, **extra) -> str:
    return urlencode({"queue": queue, **filters, **extra})


@require_GET
def inbox(request):
    actor = actor_of(request)
    # A bad value is left out and named on the page; the other filters still apply.
    filters, ignored = queries.clean_filters(_filters(request))
    # A search-as-you-type swap shows only the rows: no tab counts, no filter choices.
    partial = wants_partial(request) and request.GET.get("queue") in queries.QUEUES
    counts = None if partial else queries.queue_counts(actor)
    queue = _queue(request, actor, counts)
    try:
        page = queries.conversation_page(actor, queue, filters, after=request.GET.get("after"))
    except queries.BadFilter as error:
        ignored.append(error)  # a cursor from elsewhere: the first page instead
        page = queries.conversation_page(actor, queue, filters)
    rows = with_clocks(actor, page.items)
    context = {
        "ignored": ignored,
        "queue": queue,
        "queue_label": queries.QUEUE_LABELS[queue],
        "filters": filters,
        "tabs": _tabs(counts, queue, filters) if counts else [],
        "rows": rows,
        "next_url": f"?{_query_string(queue, filters, after=page.next_cursor)}"
        if page.next_cursor else "",
        "live_url": _live_url(queue, filters, rows[0] if rows else None),
        "older": bool(request.GET.get("after")),
        "choices": {} if partial else _choices(actor),
        "may_work": may_work(actor),
        "handoff_silos": [] if partial else Silo.objects.only("id", "name").order_by("name"),
    }
    return render_swappable(request, "inbox/inbox.html", "results", context)


def _tabs(counts: dict, queue: str, filters: dict) -> list[dict]:
    return [{"queue": q, "label": queries.QUEUE_LABELS[q], "count": counts[q],
             "capped": counts[q] >= queries.COUNT_CAP, "current": q == queue,
             "url": f"/inbox/?{_query_string(q, filters)}"} for q in counts]


def _live_url(queue: str, filters: dict, top: Conversation | None) -> str:
    top_cursor = queries.cursor_of(top) if top else "0-0"
    return f"/inbox/new/?{_query_string(queue, filters, top=top_cursor)}"


def _choices(actor: Actor) -> dict:
    """What the filter bar offers (every silo and account only to those who see them all)."""
    everything = queries.sees_everything(actor)
    return {
        "networks": registry.choices(),
        "accounts": Account.objects.only("id", "network", "handle").order_by("network", "handle")
        if everything else Account.objects.filter(owner_silo_id=actor.silo_id).order_by("handle"),
        "sentiments": Sentiment.choices,
        "statuses": [*Status.choices, ("all", "Any status")],
        "silos": Silo.objects.only("id", "name").order_by("name") if everything else [],
    }


@require_GET
def new_rows(request):
    """The live list's poll: the rows with activity after the top row, or 204 when none."""
    actor = actor_of(request)
    queue, (filters, _) = _queue(request, actor), queries.clean_filters(_filters(request))
    try:
        rows = queries.newer_than(actor, queue, filters, request.GET.get("top", "0-0"))
    except queries.BadFilter:
        return HttpResponse(status=204)
    if not rows:
        return HttpResponse(status=204)
    context = {
        "rows": with_clocks(actor, rows),
        "may_work": may_work(actor),
        "queue": queue,
        "filters": filters,
        "live_url": _live_url(queue, filters, rows[0]),
        "tabs": _tabs(queries.queue_counts(actor), queue, filters),
    }
    return render(request, "inbox/_live.html", context)


@require_POST
def bulk(request):
    """The bulk bar: one action for each ticked conversation (`c`), then back to the list with
    what was done and, one line each, what was refused and why."""
    actor = actor_of(request)
    what = request.POST.get("do", "")
    ids = [pk for pk in map(parse_id, request.POST.getlist("c")) if pk]
    email = request.POST.get("person", "").strip()
    person = Person.objects.filter(email__iexact=email).first() if email else None
    silo_id = parse_id(request.POST.get("silo", ""))
    silo = Silo.objects.filter(pk=silo_id).first() if silo_id else None
    go = request.POST.get("next", "")
    back = go if go.startswith("/inbox/") and not go.startswith("/inbox//") else "inbox:home"
    if what == "assign" and email and person is None:
        messages.error(request, f"Nobody has the email {email}: nothing was assigned.")
        return redirect(back)
    try:
        results = actions.bulk(actor, ids, what, person=person, silo=silo,
                               reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    head, refusals = actions.bulk_summary(what, results)
    (messages.warning if refusals else messages.success)(request, head)
    for line in refusals:
        messages.error(request, line)
    return redirect(back)


# Notifications ------------------------------------------------------------------------------


@require_GET
def notifications(request):
    actor = actor_of(request)
    return render(request, "inbox/notifications.html", {
        "notes": queries.notifications(actor),
    })


@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    """Which kinds of notification reach me: a box each, and a choice of email each; the
    always-on ones cannot be unticked (a disabled box is not sent, so they are left out of
    what is saved) nor set to no email."""
    actor = actor_of(request)
    choices = queries.notification_choices(actor)
    if request.method == "POST":
        chosen = {c["kind"]: c["kind"] in request.POST.getlist("kind")
                  for c in choices if not c["locked"]}
        email = {c["kind"]: request.POST[f"email-{c['kind']}"] for c in choices
                 if f"email-{c['kind']}" in request.POST}
        try:
            actions.set_notification_preferences(actor, chosen, email)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Saved: only what you ticked reaches you, by email as "
                                      "you chose.")
            return redirect("inbox:notification_preferences")
    return render(request, "inbox/notification_preferences.html",
                  {"choices": choices, "emails": queries.my_emails(actor),
                   "digest_hour": settings.UNSILO_MAIL_DIGEST_HOUR})


@require_POST
def notifications_read(request):
    """Mark one notification (`id`) or all of them read."""
    actor = actor_of(request)
    sent = request.POST.getlist("id")
    # Ids that name no row mark nothing (not everything, as no id at all does).
    ids = [pk for pk in map(parse_id, sent) if pk] if sent else None
    try:
        actions.mark_read(actor, ids)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    go = request.POST.get("next", "")
    if go.startswith("/inbox/c/"):
        return redirect(go)
    return redirect("inbox:notifications")
