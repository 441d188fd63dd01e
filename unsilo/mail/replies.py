"""Replies to emails: what in a reply is the answer (above the quoted text and the
signature), storing it once per Message-ID, and handing it to the app whose reply address it
was (letters.REPLY_HANDLERS), by a worker."""

import hashlib
import logging
import re
from email.message import EmailMessage

from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags

from unsilo.mail import letters
from unsilo.mail.models import InboundReply, ReplyStatus

log = logging.getLogger("unsilo.mail")

TEXT_MAX = 20_000
# Where the answer ends: a quote, a client's "On … wrote:", a forwarded original, a signature.
CUT = re.compile(
    r"^(>|On .{1,200}wrote:\s*$|Le .{1,200}a écrit\s*:|Am .{1,200}schrieb.{0,100}:|"
    r"-{2,} ?Original Message ?-{2,}|_{10,}|From: .+|-- ?$|Sent from my )",
    re.IGNORECASE)


def answer_of(message: EmailMessage) -> str:
    """The text the sender wrote: the plain part (else the HTML's text), cut before the
    quoted email and the signature."""
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    text = body.get_content()
    if body.get_content_type() == "text/html":
        text = strip_tags(re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", text))
    kept = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if CUT.match(line.strip()) or CUT.match(line):
            break
        kept.append(line.rstrip())
    return "\n".join(kept).strip()[:TEXT_MAX]


def is_automatic(message: EmailMessage) -> bool:
    """An out-of-office or other machine's answer (RFC 3834 and the usual headers): never an
    expert's answer."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (auto != "no" or precedence in ("auto_reply", "bulk", "junk", "list")
            or any(h in message for h in ("X-Autoreply", "X-Autorespond")))


def message_key(message: EmailMessage, raw: bytes) -> str:
    """What makes a reply the same reply: its Message-ID, else its content's digest."""
    found = (message.get("Message-ID") or "").strip()
    return found[:300] if found else "sha256:" + hashlib.sha256(raw).hexdigest()


def apply(reply_id: int) -> str:
    """Hand a stored reply to its app, once (the row is locked and its status checked in
    the handler's transaction); returns its status afterwards."""
    with transaction.atomic():
        reply = InboundReply.objects.select_for_update().select_related("person").filter(
            pk=reply_id).first()
        if reply is None or reply.status != ReplyStatus.PENDING:
            return reply.status if reply else "missing"
        handler = letters.REPLY_HANDLERS.get(reply.kind)
        try:
            with transaction.atomic():  # a refusal rolls back the handler's writes only
                if handler is None:
                    raise LookupError(f"nothing in unsilo takes replies of kind {reply.kind}")
                handler(reply)
        except Exception as error:  # noqa: BLE001 - a refused reply is kept with why
            log.warning("reply %s from %s refused: %s", reply.pk, reply.sender, error)
            reply.status, reply.error = ReplyStatus.REFUSED, _words(error)
        else:
            reply.status = ReplyStatus.APPLIED
        reply.applied_at = timezone.now()
        reply.save(update_fields=["status", "error", "applied_at"])
        return reply.status


def _words(error: Exception) -> str:
    messages = getattr(error, "messages", None)
    return (" ".join(messages) if messages else str(error))[:2000]
