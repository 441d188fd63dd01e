"""One decision for several conversations at once: assign, resolve or hand off each of the
ticked ones. Each conversation goes through its own action (conversation.py) in its own
transaction, which checks the permission for its silo and writes its own audit row: one
refused does not undo the others, and the outcome says which were done and why the others
were not."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError

from unsilo.core.actor import Actor
from unsilo.inbox import access
from unsilo.inbox.actions.conversation import assign, handoff, resolve
from unsilo.inbox.models import Conversation, Status
from unsilo.org.models import Person, Silo

BULK_ACTIONS = ("assign", "resolve", "handoff")
BULK_LIMIT = 200  # the most a list page shows


@dataclass
class BulkResult:
    conversation_id: int
    done: bool
    reason: str = ""  # why it was refused
    author: str = ""  # whose conversation, to name it in the summary


def bulk(actor: Actor, ids: list[int], what: str, *, person: Person | None = None,
         silo: Silo | None = None, reason: str = "") -> list[BulkResult]:
    """Do `what` to each conversation of `ids` the actor can see, in the order given; one
    they cannot see is refused as not found (never saying it exists)."""
    if what not in BULK_ACTIONS:
        raise ValidationError({"action": f"one of {', '.join(BULK_ACTIONS)}"})
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise ValidationError({"ids": "Tick at least one conversation."})
    if len(ids) > BULK_LIMIT:
        raise ValidationError({"ids": f"At most {BULK_LIMIT} conversations at once."})
    if what == "assign" and person is None:
        raise ValidationError({"person": "Say whom to assign them to."})
    if what == "handoff" and silo is None:
        raise ValidationError({"silo": "Choose the silo to hand them off to."})
    found = Conversation.objects.filter(access.visible(actor), pk__in=ids).select_related(
        "silo", "assignee").in_bulk()
    results = []
    for pk in ids:
        conversation = found.get(pk)
        if conversation is None:
            results.append(BulkResult(pk, False, "No such conversation."))
            continue
        try:
            _one(actor, conversation, what, person, silo, reason)
        except (PermissionDenied, ValidationError) as error:
            results.append(BulkResult(pk, False, _why(error), conversation.author))
        else:
            results.append(BulkResult(pk, True, author=conversation.author))
    return results


def _one(actor, conversation, what, person, silo, reason) -> None:
    if what == "assign":
        assign(actor, conversation, person)
    elif what == "handoff":
        handoff(actor, conversation, silo, reason)
    elif conversation.status == Status.RESOLVED:
        raise ValidationError("It is resolved already.")
    else:
        resolve(actor, conversation)


def _why(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You may not do this."


def summary(what: str, results: list[BulkResult]) -> tuple[str, list[str]]:
    """"Resolved 3 conversations." and one line per refusal, naming the conversation."""
    verb = {"assign": "Assigned", "resolve": "Resolved", "handoff": "Handed off"}[what]
    done = sum(r.done for r in results)
    head = f"{verb} {done} conversation{'' if done == 1 else 's'}."
    refused = [r for r in results if not r.done]
    if refused:
        head += f" {len(refused)} refused."
    lines = [f"#{r.conversation_id}{f' ({r.author})' if r.author else ''}: {r.reason}"
             for r in refused]
    return head, lines
