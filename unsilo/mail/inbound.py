"""`unsilo mail-in`: the SMTP endpoint unsilo runs for replies to its emails (aiosmtpd).

The reply address carries a signed token (tokens.py) naming what the reply answers and who
may answer. A message is taken only when the token is ours, the sender (From) is that person
and the app says the address is still open (letters.REPLY_CHECKS); anything else is refused
in the SMTP conversation with a 550 that says why, and logged. A taken reply is stored once
per Message-ID and a worker adds it to the conversation (replies.apply).
"""

import asyncio
import logging
import signal
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr

from aiosmtpd.smtp import SMTP
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from unsilo.core.bulk import bare, insert_new
from unsilo.mail import letters, tasks, tokens
from unsilo.mail.models import InboundReply
from unsilo.mail.replies import answer_of, is_automatic, message_key
from unsilo.org.models import Person

log = logging.getLogger("unsilo.mail")

SIZE_LIMIT = 2 * 1024 * 1024  # bytes: a reply, not an attachment store


def check(reply: tokens.Reply) -> str:
    """Why a reply address is not taken now, or ""."""
    close_old_connections()
    person = Person.objects.filter(pk=reply.person_id, is_active=True).first()
    if person is None:
        return "the person this address belongs to is no longer active in unsilo"
    checker = letters.REPLY_CHECKS.get(reply.kind)
    if checker is None:
        return f"unsilo takes no replies of kind {reply.kind}"
    return checker(reply.object_id, person)


def receive(reply: tokens.Reply, raw: bytes) -> str:
    """The SMTP answer to a reply's content: stored (250) or refused (550, why)."""
    close_old_connections()
    message = BytesParser(policy=policy.default).parsebytes(raw)
    sender = parseaddr(str(message.get("From", "")))[1].strip().lower()
    person = Person.objects.filter(pk=reply.person_id, is_active=True).first()
    if person is None or sender != person.email.lower():
        log.warning("refused a reply for %s %s from %r: not the addressee's own address",
                    reply.kind, reply.object_id, sender)
        return "550 5.7.1 This reply address answers only for the person it was sent to"
    if is_automatic(message):
        log.info("ignored an automatic reply for %s %s from %s", reply.kind, reply.object_id,
                 sender)
        return "250 2.0.0 Automatic reply ignored"
    text = answer_of(message)
    if not text:
        return "550 5.6.0 No answer found above the quoted text: write it at the top"
    if keep(reply, message_key(message, raw), sender, text) is None:
        return "250 2.0.0 Received before: nothing added twice"
    return "250 2.0.0 Thank you: your answer will be added to the conversation"


def keep(reply: tokens.Reply, key: str, sender: str, text: str) -> int | None:
    """Store a received reply once; returns its id, or None when this Message-ID came
    before. A worker applies it once this commits."""
    with transaction.atomic():
        row = bare(InboundReply, message_id=key, kind=reply.kind, object_id=reply.object_id,
                   person_id=reply.person_id, sender=sender[:254], text=text,
                   received_at=timezone.now())
        new = insert_new(InboundReply, [row], unique=["message_id"])
        if not new:
            return None
        pk = new[0][0]
        transaction.on_commit(lambda: tasks.apply_reply.enqueue(pk))
    return pk


class ReplyHandler:
    """aiosmtpd's handler: the checks run on Django's thread (sync_to_async)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        try:
            reply = tokens.read(address)
        except tokens.BadAddress as error:
            log.warning("refused mail to %s from %s: %s", address, session.peer, error)
            return f"550 5.1.1 Not a reply address of this unsilo: {error}"
        problem = await sync_to_async(check)(reply)
        if problem:
            log.warning("refused a reply to %s: %s", address, problem)
            return f"550 5.7.1 {problem}"
        if envelope.rcpt_tos:
            return "452 4.5.3 One reply address per message"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = tokens.read(envelope.rcpt_tos[0])
        return await sync_to_async(receive)(reply, envelope.content)


def serve(host: str, port: int, announce=print) -> None:
    """Listen until SIGTERM or SIGINT; `announce` is told the address it listens on."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    hostname = settings.UNSILO_MAIL_REPLY_DOMAIN or None
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(ReplyHandler(), data_size_limit=SIZE_LIMIT, hostname=hostname,
                     ident="unsilo mail-in", timeout=60), host, port))
    bound = server.sockets[0].getsockname()
    announce(f"unsilo mail-in listening on {bound[0]}:{bound[1]}")
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()
