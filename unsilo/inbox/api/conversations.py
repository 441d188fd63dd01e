"""The inbox API: conversations and their actions (this file), saved replies, rules, SLAs,
absences, settings and notifications (api_settings). Each endpoint parses, calls one query or
action, and answers a schema; roles are checked by the actions and queries themselves."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Status

from unsilo.core.api import found, input_names, referenced
from unsilo.core.schemas import Count, Id, errors
from unsilo.inbox import access, actions, queries
from unsilo.inbox.access import visible
from unsilo.inbox.models import Consult, Conversation
from unsilo.inbox.schemas.conversations import (
    AssignIn,
    BulkIn,
    BulkOut,
    ClassificationIn,
    CollisionOut,
    ConsultAnswerIn,
    ConsultAnswerOut,
    ConsultIn,
    ConsultOut,
    ConversationDetailOut,
    ConversationPageOut,
    ConversationQuery,
    ExpertOut,
    HandoffDoneOut,
    HandoffIn,
    MessageOut,
    NoteIn,
    NoteOut,
    ReplyIn,
)
from unsilo.org.models import Person, Silo

router = Router(tags=["Inbox"])
ACTION_ERRORS = errors(403, 404, 422)


def _conversation(request, conversation_id: Id) -> Conversation:
    return queries.conversation_for(request.actor, conversation_id)


def _filters(params: ConversationQuery) -> dict:
    return params.dict(exclude={"queue", "cursor", "limit"}, exclude_none=True)


def _bad_filters(errors: list[queries.BadFilter]) -> ValidationError:
    return ValidationError({error.field: error.message for error in errors})


@router.get("/conversations", response={200: ConversationPageOut, **errors(422)},
            summary="List conversations")
def list_conversations(request, params: Query[ConversationQuery]):
    """A queue of conversations you may see, newest activity first, with filters and full-text
    search. Page on with `cursor` = the previous page's `next_cursor`."""
    # A script gets every bad value named (422) rather than a list it did not ask for.
    filters, bad = queries.clean_filters(_filters(params))
    if bad:
        raise _bad_filters(bad)
    try:
        page = queries.conversation_page(request.actor, params.queue, filters,
                                         after=params.cursor, limit=params.limit)
    except queries.BadFilter as error:
        raise _bad_filters([error]) from error
    return {"items": page.items, "next_cursor": page.next_cursor}


# Before /conversations/{conversation_id}: Django tries the paths in order.
@router.post("/conversations/bulk", response={200: BulkOut, **errors(422)},
             summary="Act on several conversations")
def bulk(request, payload: BulkIn):
    """Assign, resolve or hand off each of `conversation_ids`: one action per conversation,
    each checked for its silo and audited on its own. Refusals do not stop the others; each
    result says whether it was done and, if not, why (one you may not see: "No such
    conversation.")."""
    person = silo = None
    if payload.person_id is not None:
        person = referenced(Person.objects.select_related("silo"), payload.person_id,
                            "person_id", "person")
    if payload.silo_id is not None:
        silo = referenced(Silo.objects.all(), payload.silo_id, "silo_id", "silo")
    with input_names(person="person_id", silo="silo_id", ids="conversation_ids"):
        results = actions.bulk(request.actor, payload.conversation_ids, payload.action,
                               person=person, silo=silo, reason=payload.reason)
    done = sum(r.done for r in results)
    return {"done": done, "refused": len(results) - done, "results": results}


@router.get("/conversations/{conversation_id}",
            response={200: ConversationDetailOut, **errors(404)}, summary="Get a conversation")
def get_conversation(request, conversation_id: Id):
    """The thread, notes, consults, every routing decision with its reasons and confidence,
    handoffs, the SLA clocks and the customer's other conversations. One you held or handed
    off that has moved on is read-only, with where it went (`read_only`, `moved`)."""
    return _detail(request, queries.conversation_for(request.actor, conversation_id,
                                                     moved_on=True))


def _detail(request, conv: Conversation) -> Conversation:
    """The conversation with what ConversationDetailOut shows beside its fields."""
    now = timezone.now()
    decisions, handoffs = queries.decisions(conv), queries.handoffs(conv)
    read_only = not access.can_note(request.actor, conv)
    conv.detail = {
        "messages": list(conv.messages.select_related("sent_by").order_by("created_at", "id")),
        "notes": list(conv.notes.select_related("author").prefetch_related("mentions")),
        "consults": list(conv.consults.select_related("expert", "requested_by")),
        "decisions": decisions,
        "handoffs": handoffs,
        "sla": {
            "state": conv.sla_state, "first_response_due": conv.first_response_due,
            "first_response_at": conv.first_response_at, "resolution_due": conv.resolution_due,
            "resolved_at": conv.resolved_at,
            "first_response_overdue": bool(
                conv.first_response_due and conv.first_response_at is None
                and conv.first_response_due < now),
            "resolution_overdue": bool(
                conv.resolution_due and conv.resolved_at is None and conv.resolution_due < now),
        },
        "customer_history": queries.customer_history(conv, request.actor),
        "read_only": read_only,
        "moved": queries.where_now(conv, decisions, handoffs) if read_only else None,
    }
    return conv


def _done(request, conversation_id: Id):
    """The conversation as it is after an action (it may have left the caller's sight)."""
    try:
        return _detail(request, _conversation(request, conversation_id))
    except Http404:
        return Status(204, None)


DONE = {200: ConversationDetailOut, 204: None, **ACTION_ERRORS}


@router.post("/conversations/{conversation_id}/assign", response=DONE,
             summary="Assign a conversation")
def assign(request, conversation_id: Id, payload: AssignIn):
    """Assign to a person of the conversation's silo (null: unassign). From hub triage, to
    anyone: their silo takes it over. Someone of another silo: consult or hand off instead."""
    conv = _conversation(request, conversation_id)
    person = None
    if payload.person_id is not None:
        person = referenced(Person.objects.select_related("silo"), payload.person_id,
                            "person_id", "person")
    with input_names(assignee="person_id"):
        actions.assign(request.actor, conv, person)
    return _done(request, conversation_id)


@router.post("/conversations/{conversation_id}/take", response=DONE,
             summary="Take a conversation")
def take(request, conversation_id: Id):
    """Assign the conversation to yourself."""
    actions.take(request.actor, _conversation(request, conversation_id))
    return _done(request, conversation_id)


@router.get("/conversations/{conversation_id}/experts",
            response={200: list[ExpertOut], **errors(404)}, summary="Suggest experts to consult")
def suggest_experts(request, conversation_id: Id, limit: Count = 5):
    """People of any silo who resolved conversations like this one, or list matching skills."""
    conv = _conversation(request, conversation_id)
    return [{"person": p, "silo": p.silo.name, "reason": reason}
            for p, reason in actions.suggest_experts(conv, limit=min(max(limit, 1), 20))]


@router.post("/conversations/{conversation_id}/consults",
             response={201: ConsultOut, **ACTION_ERRORS}, summary="Consult an expert")
def consult(request, conversation_id: Id, payload: ConsultIn):
    """Invite an expert from any silo to help, without handing the conversation over."""
    conv = _conversation(request, conversation_id)
    expert = referenced(Person.objects.all(), payload.expert_id, "expert_id", "person")
    with input_names(expert="expert_id"):
        record = actions.consult(request.actor, conv, expert, question=payload.question)
    return Status(201, record)


@router.post("/consults/{consult_id}/answer",
             response={201: ConsultAnswerOut, 409: CollisionOut, **ACTION_ERRORS},
             summary="Answer a consult")
def answer_consult(request, consult_id: Id, payload: ConsultAnswerIn):
    """The consulted expert answers: a note (default) or a reply to the customer."""
    record = found(Consult.objects.filter(conversation__in=Conversation.objects.filter(
        visible(request.actor))).select_related("conversation", "requested_by"),
        consult_id, "consult")
    try:
        answer = actions.answer_consult(request.actor, record, payload.text,
                                        as_reply=payload.as_reply,
                                        seen_message_id=payload.seen_message_id,
                                        force=payload.force)
    except actions.Collision as clash:
        return Status(409, {"detail": clash.message, "who": clash.who})
    return Status(201, {"message": answer, "note": None} if payload.as_reply
                  else {"note": answer, "message": None})


@router.post("/conversations/{conversation_id}/handoff",
             response={201: HandoffDoneOut, **ACTION_ERRORS}, summary="Hand off to another silo")
def handoff(request, conversation_id: Id, payload: HandoffIn):
    """Move the conversation to another silo with a reason: its queue, a new SLA clock, and
    its seat told. A silo whose seat is empty sends it to hub triage instead (`triage`), and
    `outcome` says so."""
    conv = _conversation(request, conversation_id)
    silo = referenced(Silo.objects.all(), payload.silo_id, "silo_id", "silo")
    with input_names(silo="silo_id"):
        record = actions.handoff(request.actor, conv, silo, payload.reason)
    return Status(201, record)


@router.post("/conversations/{conversation_id}/notes",
             response={201: NoteOut, **ACTION_ERRORS}, summary="Add an internal note")
def add_note(request, conversation_id: Id, payload: NoteIn):
    """A note only colleagues see; everyone it @mentions is notified."""
    note = actions.add_note(request.actor, _conversation(request, conversation_id),
                            payload.text)
    return Status(201, note)


@router.post("/conversations/{conversation_id}/replies",
             response={201: MessageOut, 409: CollisionOut, **ACTION_ERRORS},
             summary="Reply to the customer")
def reply(request, conversation_id: Id, payload: ReplyIn):
    """Queue a reply through the account's connector. 409 when someone else replied after
    `seen_message_id` or is typing; send again with `force` to reply anyway."""
    conv = _conversation(request, conversation_id)
    try:
        message = actions.reply(request.actor, conv, payload.text,
                                seen_message_id=payload.seen_message_id, force=payload.force)
    except actions.Collision as clash:
        return Status(409, {"detail": clash.message, "who": clash.who})
    return Status(201, message)


@router.post("/conversations/{conversation_id}/resolve", response=DONE,
             summary="Resolve a conversation")
def resolve(request, conversation_id: Id):
    """Mark it resolved; routing learns who resolved what."""
    actions.resolve(request.actor, _conversation(request, conversation_id))
    return _done(request, conversation_id)


@router.post("/conversations/{conversation_id}/reopen", response=DONE,
             summary="Reopen a conversation")
def reopen(request, conversation_id: Id):
    actions.reopen(request.actor, _conversation(request, conversation_id))
    return _done(request, conversation_id)


@router.post("/conversations/{conversation_id}/classification", response=DONE,
             summary="Correct the classification")
def correct_classification(request, conversation_id: Id, payload: ClassificationIn):
    """Set the right sentiment or intent; the models learn from corrections."""
    actions.correct_classification(request.actor, _conversation(request, conversation_id),
                                   sentiment=payload.sentiment, intent=payload.intent)
    return _done(request, conversation_id)

