"""Working together on a conversation: consults of experts from any silo, internal notes with
@mentions, and who to consult (suggested by what people have resolved or were consulted on)."""

import logging
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from unsilo.core import actions as core_actions
from unsilo.core.actor import Actor
from unsilo.experts import ranking
from unsilo.inbox import access, notify
from unsilo.inbox.actions.base import lock, require_note, require_owner
from unsilo.inbox.models import (
    Absence,
    Consult,
    ConsultStatus,
    Conversation,
    Direction,
    Note,
    NotificationKind,
)
from unsilo.org.models import Person

log = logging.getLogger("unsilo.inbox")

# Consults ------------------------------------------------------------------------------------


@transaction.atomic
def consult(actor: Actor, conversation: Conversation, expert: Person, question: str = ""
            ) -> Consult:
    """Invite `expert`, from any silo, to help without taking the conversation over."""
    require_owner(actor, lock(conversation))
    if not expert.is_active:
        raise ValidationError({"expert": f"{expert.name} is no longer active."})
    if expert.pk == conversation.assignee_id:
        raise ValidationError({"expert": f"{expert.name} is assigned to this conversation "
                                         "already."})
    if conversation.consults.filter(expert=expert, status=ConsultStatus.OPEN).exists():
        raise ValidationError({"expert": f"{expert.name} is consulted on it already."})
    record = Consult(conversation=conversation, expert=expert, requested_by=actor.user,
                     question=question.strip())
    core_actions.create(actor, record, silo_id=conversation.silo_id)
    asked = f": {record.question}" if record.question else ""
    notify.notify([expert.pk], NotificationKind.CONSULT, conversation,
                  f"{notify.name_of(actor)} asks for your help with {conversation.author}'s "
                  f"conversation{asked}")
    return record


@transaction.atomic
def answer_consult(actor: Actor, consult: Consult, text: str, *, as_reply: bool = False,
                   seen_message_id: int | None = None, force: bool = False):
    """The expert's answer: an internal note (default) or, when their role may work on
    conversations, a reply to the customer. Either way the consult is answered; the
    conversation stays with its silo. Returns the note or the message."""
    from unsilo.inbox.actions.reply import reply

    conversation = lock(consult.conversation)
    consult.refresh_from_db()
    if consult.status != ConsultStatus.OPEN:
        raise ValidationError({"consult": "This consult is answered already."})
    mine = access.person_id(actor)
    if mine != consult.expert_id and not access.can_respond(actor, conversation):
        raise PermissionDenied("Only the consulted expert or the conversation's silo may "
                               "answer this consult.")
    if as_reply and not access.can_respond(actor, conversation):
        raise PermissionDenied("Your role may not answer customers: answer the consult in an "
                               "internal note.")
    if as_reply:
        answer = reply(actor, conversation, text, seen_message_id=seen_message_id, force=force)
    else:
        answer = add_note(actor, conversation, text, consult=consult)
    core_actions.update(actor, consult, {"status": ConsultStatus.ANSWERED,
                                         "answered_at": timezone.now()},
                        silo_id=conversation.silo_id)
    asker = consult.requested_by.person_id if consult.requested_by_id else None
    if asker and asker != mine:
        how = "replied to the customer" if as_reply else "answered in a note"
        notify.notify([asker], NotificationKind.CONSULT, conversation,
                      f"{notify.name_of(actor)} {how} on {conversation.author}'s conversation")
    return answer


# Notes and @mentions -------------------------------------------------------------------------

# "@" not inside a word or an email address, then what may follow: an email, first.last, or
# up to three words of a name.
MENTION = re.compile(r"(?<![\w@.])@([\w.+'-]+(?:@[\w-]+(?:\.[\w-]+)+)?)((?:[ \t]+[\w'-]+){0,2})")


NAME_WORD = re.compile(r"[\w'-]+")


def mention_spans(text: str) -> list[tuple[int, list[tuple[str, int]]]]:
    """For each @mention: where its "@" is, and the names or emails it may stand for (longest
    first), each with where that reading of the mention ends in `text`."""
    found = []
    for match in MENTION.finditer(text):
        head = match.group(1).rstrip(".'-")
        head_end = match.start(1) + len(head)
        if "@" in head:
            found.append((match.start(), [(head.lower(), head_end)]))
            continue
        words = [(head.replace(".", " ").lower(), head_end)]
        words += [(w.group().lower(), match.start(2) + w.end())
                  for w in NAME_WORD.finditer(match.group(2))]
        found.append((match.start(), [(" ".join(w for w, _ in words[:n]), words[n - 1][1])
                                      for n in range(len(words), 0, -1)]))
    return found


def _candidates(text: str) -> list[list[str]]:
    """For each @mention, the names or emails it may stand for, longest first."""
    return [[key for key, _ in options] for _, options in mention_spans(text)]


def find_mentions(text: str) -> list[Person]:
    """The active people a note mentions by `@email`, `@First Last` or `@first.last`."""
    candidates = _candidates(text)
    if not candidates:
        return []
    wanted = {c for group in candidates for c in group}
    by_key: dict[str, list[Person]] = {}
    for person in Person.objects.annotate(lname=Lower("name")).filter(
        Q(email__in=wanted) | Q(lname__in=wanted), is_active=True,
    ):
        by_key.setdefault(person.email, []).append(person)
        by_key.setdefault(person.lname, []).append(person)
    people: dict[int, Person] = {}
    for group in candidates:
        # The longest name that matches: "@Dana Ruiz" is Dana Ruiz, not someone called Dana.
        match = next((by_key[c] for c in group if c in by_key), [])
        people.update((p.pk, p) for p in match)
    return list(people.values())


@transaction.atomic
def add_note(actor: Actor, conversation: Conversation, text: str, *,
             consult: Consult | None = None) -> Note:
    """An internal note (never sent); everyone it @mentions is notified."""
    require_note(actor, conversation)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the note first."})
    mentioned = find_mentions(text)
    note = Note(conversation=conversation, author=actor.user, text=text, consult=consult)
    core_actions.create(actor, note, m2m={"mentions": [p.pk for p in mentioned]},
                        silo_id=conversation.silo_id)
    mine = access.person_id(actor)
    notify.notify([p.pk for p in mentioned if p.pk != mine], NotificationKind.MENTION,
                  conversation, f"{notify.name_of(actor)} mentioned you: {text[:300]}")
    return note


# Who to consult ------------------------------------------------------------------------------

# Whole words of 4 to 30 letters, for the skills fallback: a longer run is no word anyone
# shares, and each keyword becomes a LIKE pattern (SQLite refuses patterns over 50,000 bytes).
WORD = re.compile(r"(?<![^\W\d_])[^\W\d_]{4,30}(?![^\W\d_])")
KEYWORD_SCAN = 5_000  # characters of the question its keywords are taken from
# Words too common to tell one question from another.
_COMMON = (
    "about after again also been before being could does doing from have having here hello "
    "into just more most much only other over please same should some still than thank thanks "
    "that their them then there these they this those very want what when where which while "
    "will with would your yours"
)
STOPWORDS = frozenset(_COMMON.split())


def _keywords(text: str, limit: int = 6) -> list[str]:
    words = [w for w in WORD.findall(text[:KEYWORD_SCAN].lower()) if w not in STOPWORDS]
    return sorted(set(words), key=lambda w: (-len(w), w))[:limit]


def _question(conversation: Conversation) -> str:
    first = conversation.messages.filter(direction=Direction.INBOUND).order_by(
        "created_at", "id").values_list("text", flat=True).first()
    return first or conversation.preview


def suggest_experts(conversation: Conversation, limit: int = 5) -> list[tuple[Person, str]]:
    """People worth consulting, best first, each with the reason: Find an expert's ranking
    (experts/ranking.py: what people of any silo resolved or were consulted on), then whose
    skills match its intent or words. Never the assignee, nobody inactive or away now."""
    text = _question(conversation)
    exclude = {conversation.assignee_id} if conversation.assignee_id else set()
    picks: dict[int, tuple[Person, str]] = {}
    try:
        found = ranking.rank(text, limit=limit, exclude=exclude, absent_too=False).experts
    except Exception:  # noqa: BLE001 - a suggestion must never break the conversation page
        log.exception("the expert ranking failed; suggesting by skills")
        found = []
    for expert in found:
        name = expert.person.name + " "
        busy = "; ".join(why.removeprefix(name) for why in expert.unavailable.values())
        picks[expert.person.pk] = (expert.person, expert.reason + (f" · {busy}" if busy else ""))
    now = timezone.now()
    away = Absence.objects.filter(starts__lte=now, ends__gt=now).values("person_id")
    people = Person.objects.filter(is_active=True).exclude(pk__in=away).exclude(pk__in=exclude)
    for term in [conversation.intent, *_keywords(text)]:
        if len(picks) >= limit or not term:
            continue
        # Person.search holds each skill after a tab and a space (org.models.search_text).
        for person in people.filter(search__contains=f"\t {term.lower()}").exclude(
                pk__in=list(picks)).select_related("silo")[:limit - len(picks)]:
            picks[person.pk] = (person, f"lists the skill “{term}” ({person.silo.name})")
    return list(picks.values())[:limit]
