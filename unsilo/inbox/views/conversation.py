"""One conversation in the web UI: the thread, what routing decided and why, the SLA clocks,
and the forms of every action. Each POST calls one action, then redirects back (plain forms,
no JavaScript needed); a refusal shows on its form. Presence is an htmx poll.

Only the forms the reader may use are shown: a consulted expert whose role may not work on
conversations gets the note and the consult's answer as a note, never "reply"; someone who
held or handed off a conversation that has moved on reads it, with where it went, and no
actions at all."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from unsilo.connectors import limits
from unsilo.core.actor import Actor
from unsilo.core.forms import add_action_errors
from unsilo.inbox import access, actions, queries
from unsilo.inbox.actions.base import require_owner
from unsilo.inbox.forms import (
    AnswerForm,
    AssignForm,
    ClassifyForm,
    ConsultForm,
    HandoffForm,
    NoteForm,
    ReplyForm,
)
from unsilo.inbox.models import Conversation, Status
from unsilo.inbox.views.queues import Clock, actor_of, clock_of
from unsilo.org.models import Person


def _may_own(actor: Actor, conv: Conversation) -> bool:
    """Assign, consult, hand off: not for an expert who is only consulted."""
    try:
        require_owner(actor, conv)
    except PermissionDenied:
        return False
    return True


def _clocks(conv: Conversation, handoffs: list) -> list[dict]:
    """Both SLA clocks with how much of each is used, counted from routing or the last handoff."""
    start = handoffs[0].at if handoffs else conv.created_at
    now = timezone.now()
    shown = []
    for label, due, stopped in (("First response", conv.first_response_due,
                                 conv.first_response_at),
                                ("Resolution", conv.resolution_due, conv.resolved_at)):
        if due is None:
            continue
        total = max(1.0, (due - start).total_seconds())
        used = ((stopped or now) - start).total_seconds()
        shown.append({"label": label, "due": due, "stopped": stopped,
                      "percent": max(0, min(100, round(100 * used / total))),
                      "late": (stopped or now) > due,
                      "clock": None if stopped else Clock(
                          label, due, int((due - now).total_seconds() // 60))})
    return shown


def _risk_triggers(entries) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for e in entries:
        if e.kind == "message" and isinstance(e.item.risk, dict):
            for flag, words in e.item.risk.items():
                found.setdefault(flag, [])
                found[flag] += [w for w in words if w not in found[flag]]
    return found


def _page(request, actor: Actor, conv: Conversation, *, bound: dict | None = None,
          collision=None):
    """The conversation page; `bound` holds forms that came back with errors."""
    bound = bound or {}
    entries = queries.thread(conv)
    handoffs = queries.handoffs(conv)
    decisions = queries.decisions(conv)
    may_respond = access.can_respond(actor, conv)
    may_note = may_respond or access.can_note(actor, conv)
    may_own = may_respond and _may_own(actor, conv)
    my_consult = queries.open_consult_for(actor, conv)
    last_seen = max((e.item.pk for e in entries if e.kind == "message"), default=None)
    saved = queries.saved_reply_picker(conv) if may_respond else []
    reply_form = bound.get("reply") or ReplyForm(initial={"seen": last_seen})
    context = {
        "conv": conv,
        "entries": entries,
        "history": queries.customer_history(conv, actor),
        "decisions": decisions,
        # Why it is where it is now, first; the decisions before it are history.
        "current": decisions[0] if decisions else None,
        "handoffs": handoffs,
        "read_only": not may_note,
        "where_now": queries.where_now(conv, decisions, handoffs) if not may_note else None,
        "clocks": _clocks(conv, handoffs),
        "clock": clock_of(conv, timezone.now()),
        "risk": _risk_triggers(entries),
        "may_respond": may_respond,
        "may_note": may_note,
        "may_own": may_own,
        "my_consult": my_consult,
        "saved_replies": saved,
        "collision": collision,
        "reply_form": reply_form,
        "counter": limits.counter(conv.network, reply_form["text"].value() or ""),
        "note_form": bound.get("note") or NoteForm(),
        "answer_form": bound.get("answer") or (
            AnswerForm(may_reply=may_respond) if my_consult else None),
        "classify_form": bound.get("classify") or ClassifyForm(initial={
            "sentiment": conv.sentiment, "intent": conv.intent}),
    }
    if may_own:
        context.update(
            assign_form=bound.get("assign") or AssignForm(
                people=queries.assignable_people(conv), initial={"person": conv.assignee_id}),
            consult_form=bound.get("consult") or ConsultForm(
                suggestions=actions.suggest_experts(conv)),
            handoff_form=bound.get("handoff") or HandoffForm(current=conv.silo_id),
        )
    # Refusals answer 200 like every form page: a 4xx page would be a console error.
    return render(request, "inbox/conversation.html", context)


@require_GET
def conversation(request, pk):
    actor = actor_of(request)
    # One that has moved on opens read-only for whoever held it or handed it off.
    conv = queries.conversation_for(actor, pk, moved_on=True)
    actions.mark_opened(actor, conv)
    return _page(request, actor, conv)


def _saved_text(actor: Actor, conv: Conversation, saved_pk) -> str:
    """A saved reply filled in for this conversation; 404 unless it is offered here."""
    if not access.can_respond(actor, conv):
        raise PermissionDenied("You may not answer this conversation.")
    if not str(saved_pk).isdigit():
        raise Http404("No such saved reply.")
    chosen = get_object_or_404(queries.saved_replies_for(conv), pk=saved_pk)
    return actions.render_saved_reply(chosen, conv, actor)


@require_GET
def saved_reply(request, pk, saved_pk):
    """The composer's Insert (inbox.js): the saved reply's text, to put at the caret."""
    actor = actor_of(request)
    conv = queries.conversation_for(actor, pk)
    return JsonResponse({"text": _saved_text(actor, conv, saved_pk)})


@require_POST
def insert_saved(request, pk):
    """Insert without JavaScript: the draft comes back with the saved reply after it; nothing
    is written."""
    actor = actor_of(request)
    conv = queries.conversation_for(actor, pk)
    draft = request.POST.get("reply-text", "").rstrip()
    chosen = request.POST.get("saved", "")
    text = _saved_text(actor, conv, chosen) if chosen else ""
    form = ReplyForm(initial={"text": "\n\n".join(t for t in (draft, text) if t),
                              "seen": request.POST.get("reply-seen")})
    return _page(request, actor, conv, bound={"reply": form})


@require_POST
def presence(request, pk):
    """Who else has this conversation open; I am typing while my reply box holds a draft."""
    actor = actor_of(request)
    conv = queries.conversation_for(actor, pk)
    typing = bool(request.POST.get("reply-text", "").strip())
    others = actions.touch_viewer(actor, conv, typing=typing)
    return render(request, "inbox/conversation.html#presence", {"others": others, "conv": conv})


def _done(request, actor: Actor, conv: Conversation, message: str):
    """Back to the conversation (read-only when the action moved it out of my hands), or to
    the inbox when it is out of sight."""
    messages.success(request, message)
    try:
        queries.conversation_for(actor, conv.pk, moved_on=True)
    except Http404:
        return redirect("inbox:home")
    return redirect("inbox:conversation", pk=conv.pk)


def _run(request, actor, conv, key: str, form, action, message: str):
    """Validate `form`, call `action()`; show its refusal on the form, else go back."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return _done(request, actor, conv, message)
    return _page(request, actor, conv, bound={key: form})


@require_POST
def reply(request, pk):
    actor = actor_of(request)
    conv = queries.conversation_for(actor, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _page(request, actor, conv, bound={"reply": form})
    data = form.cleaned_data
    try:
        actions.reply(actor, conv, data["text"], seen_message_id=data["seen"],
                      force=data["force"])
    except actions.Collision as clash:
        # Keep the draft; "Send anyway" posts it again with force.
        return _page(request, actor, conv, bound={"reply": form}, collision=clash)
    except ValidationError as error:
        add_action_errors(form, error)
        return _page(request, actor, conv, bound={"reply": form})
    return _done(request, actor, conv, "Reply queued for delivery.")


@require_POST
def note(request, pk):
    actor = actor_of(request)
    conv = queries.conversation_for(actor, pk)
    return _run(request, actor, conv, "note", NoteForm(request.POST),
                lambda d: actions.add_note(actor, conv, d["text"]), "Note added.")


@require_POST
def answer(request, pk):
    actor = actor_of(request)
    conv = queries.conversation_for(actor, pk)
    consult = queries.open_consult_for(actor, conv)
    if consult is None:
        messages.error(request, "You have no open consult on this conversation.")
        return redirect("inbox:conversation", pk=conv.pk)
    form = AnswerForm(request.POST, may_reply=access.can_respond(actor, conv))
    return _run(request, actor, conv, "answer", form,
                lambda d: actions.answer_consult(actor, consult, d["text"],
                                                 as_reply=d["as_reply"]),
                "Thank you: your answer is in the conversation.")


@require_POST
def assign(request, pk):
    actor = actor_of(request)
    conv = queries.conversation_for(actor, pk)
    form = AssignForm(request.POST, people=queries.assignable_people(conv))

    def act(d):
        person = get_object_or_404(Person, pk=d["person"]) if d["person"] else None
        actions.assign(actor, conv, person)
    return _run(request, actor, conv, "assign", form, act, "Assignment saved.")


@require_POST
def take(request, pk):
    actor = actor_of(request)
    conv = queries.conversation_for(actor, pk)
    try:
        actions.take(actor, conv)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("inbox:conversation", pk=conv.pk)
    return _done(request, actor, conv, "It is yours now.")


@require_POST
def consult(request, pk):
    actor = actor_of(request)
    conv = queries.conversation_for(actor, pk)
    form = ConsultForm(request.POST, suggestions=actions.suggest_experts(conv))
    return _run(request, actor, conv, "consult", form,
                lambda d: actions.consult(actor, conv, d["person"], d["question"]),
                "Consult sent: the expert is notified.")


@require_POST
def handoff(request, pk):
    actor = actor_of(request)
    conv = queries.conversation_for(actor, pk)
    form = HandoffForm(request.POST, current=conv.silo_id)
    if not form.is_valid():
        return _page(request, actor, conv, bound={"handoff": form})
    try:
        record = actions.handoff(actor, conv, form.cleaned_data["silo"],
                                 form.cleaned_data["reason"])
    except ValidationError as error:
        add_action_errors(form, error)
        return _page(request, actor, conv, bound={"handoff": form})
    # Where it went: the seat told, or hub triage when nobody holds the seat.
    return _done(request, actor, conv, record.outcome)


@require_POST
def classify(request, pk):
    actor = actor_of(request)
    conv = queries.conversation_for(actor, pk)

    def act(d):
        changed = {k: d[k] for k in ("sentiment", "intent") if d[k] != getattr(conv, k)}
        if changed:
            actions.correct_classification(actor, conv, **changed)
    return _run(request, actor, conv, "classify", ClassifyForm(request.POST), act,
                "Classification corrected: routing learns from it.")


@require_POST
def resolve(request, pk):
    actor = actor_of(request)
    conv = queries.conversation_for(actor, pk)
    if conv.status == Status.RESOLVED:
        return redirect("inbox:conversation", pk=conv.pk)
    actions.resolve(actor, conv)
    return _done(request, actor, conv, "Resolved. Routing learns who answered it.")


@require_POST
def reopen(request, pk):
    actor = actor_of(request)
    conv = queries.conversation_for(actor, pk)
    try:
        actions.reopen(actor, conv)
    except ValidationError as error:  # not resolved (any more): say so, as take does
        messages.error(request, " ".join(error.messages))
        return redirect("inbox:conversation", pk=conv.pk)
    return _done(request, actor, conv, "Reopened.")


@require_GET
def people_options(request):
    """`<option>`s of people matching `q`, for the consult form's email box."""
    from unsilo.org import queries as org_queries

    # The consult form's box, or the bulk bar's "Assign to" (inbox.html).
    q = (request.GET.get("consult-expert") or request.GET.get("person") or "").strip()
    people = org_queries.people(actor_of(request), q=q)[:20] if len(q) >= 2 else []
    return render(request, "inbox/conversation.html#people-options", {"people": people})

