"""Sending the outbox (outbox.py) through Django's email backend, by the workers only.

    queued ──claim──▶ sending ──SMTP 250──▶ sent
      ▲                  │
      └──── back-off ────┤  4xx, refused connection, timeout, a vanished worker's lease
                         └──▶ failed: 5xx (the server's words kept; audit row `mail_failed`)

Never twice: a claim is a conditional UPDATE (core/claims.py), so one worker has each row;
each row is marked sent in its own commit right after the server's 250, and carries one
Message-ID for all its attempts. What can still double is the moment between the server's
250 and that commit (a worker killed there, or a timeout waiting for the 250): SMTP offers
no way to ask whether a message arrived, so the row goes back in doubt and is sent again
after its lease — the same Message-ID, which mail clients use to fold duplicates
(docs/mail.md).
"""

import datetime
import logging
import smtplib
import time
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from unsilo.core import audit
from unsilo.core.actor import Actor
from unsilo.core.backoff import backoff
from unsilo.core.claims import claim
from unsilo.core.dates import zone_named
from unsilo.core.models import Via
from unsilo.mail import letters, tokens
from unsilo.mail.models import MailStatus, OutgoingMail

log = logging.getLogger("unsilo.mail")
WORKER = Actor.system(via=Via.WORKER, label="mail")

BATCH = 50  # rows claimed at a time
BUDGET = 60.0  # seconds one run sends for before it lets the next run (and other jobs) in
MAX_ATTEMPTS = 10
MAX_DELAY = 3600.0


def _lease() -> datetime.timedelta:
    # Longer than a batch can take: BATCH × the SMTP timeout, at most, is what a claim holds.
    return datetime.timedelta(seconds=settings.UNSILO_MAIL_LEASE_SECONDS)


def _due(now: datetime.datetime) -> tuple[Q, Q]:
    """(queued rows whose turn has come, rows whose worker vanished mid-attempt)."""
    return (Q(status=MailStatus.QUEUED, next_attempt_at__lte=now),
            Q(status=MailStatus.SENDING, lease_until__lt=now))


# Sent emails are kept this long (to show where each stood), then deleted; failed ones stay.
KEEP_SENT = datetime.timedelta(days=30)


def prune_sent(now: datetime.datetime | None = None) -> int:
    """Delete emails sent (or dropped) over KEEP_SENT ago. Nothing is queued again for them:
    a notification's email is queued only when it is written, a digest only for today."""
    now = now or timezone.now()
    deleted, _ = OutgoingMail.objects.filter(
        status__in=(MailStatus.SENT, MailStatus.DROPPED), created_at__lt=now - KEEP_SENT,
    ).delete()
    return deleted


def anything_due() -> bool:
    queued, vanished = _due(timezone.now())
    return OutgoingMail.objects.filter(queued | vanished).exists()


def send_due() -> int:
    """Send what is due, for up to BUDGET seconds; returns how many went out. Safe to run on
    any number of workers at once."""
    started, sent = time.monotonic(), 0
    connection = get_connection(fail_silently=False)
    try:
        while time.monotonic() - started < BUDGET:
            ids = _claim(timezone.now())
            if not ids:
                break
            sent += _send_batch(ids, connection, started + BUDGET)
    finally:
        connection.close()
    return sent


def _claim(now: datetime.datetime) -> list[int]:
    rows = OutgoingMail.objects.order_by("next_attempt_at", "id")
    queued, vanished = _due(now)
    taken = {"status": MailStatus.SENDING, "lease_until": now + _lease(),
             "attempts": F("attempts") + 1}
    ids = claim(rows.filter(vanished), BATCH, in_doubt=True, **taken)
    if ids:
        log.warning("%d emails whose worker vanished mid-send are sent again", len(ids))
    return ids + claim(rows.filter(queued), BATCH - len(ids), **taken)


def _send_batch(ids: list[int], connection, deadline: float) -> int:
    """Send the claimed rows over one connection; past `deadline` the rest are given back,
    so a claim is held at most BUDGET plus one slow exchange (well inside the lease)."""
    sent = 0
    mails = list(OutgoingMail.objects.filter(pk__in=ids).select_related("person")
                 .order_by("next_attempt_at", "id"))
    prepared = letters.prepare(mails)
    for n, mail in enumerate(mails):
        if time.monotonic() > deadline:
            _give_back(mails[n:], timezone.now())
            return sent
        try:
            message = _message(mail, connection, prepared.get(mail.topic))
        except Exception as error:  # noqa: BLE001 - a renderer's bug fails one email, not all
            log.exception("email %s could not be written", mail.pk)
            _fail(mail, f"unsilo could not write this email: {type(error).__name__}: {error}")
            continue
        if message is None:
            _finish(mail, MailStatus.DROPPED, "", "nothing left to tell: its subject is gone")
            continue
        try:
            connection.open()  # no-op while open; again after a broken connection
            connection.send_messages([message])
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                smtplib.SMTPDataError) as error:
            code, words = _answer(error)
            if 500 <= code < 600:
                _fail(mail, f"The mail server refused it: {code} {words}")
            else:
                _retry(mail, f"The mail server said: {code} {words}")
        except (smtplib.SMTPException, OSError) as error:
            # The server is unreachable or the connection broke: this one is in doubt only if
            # the message was handed over (a timeout after DATA); the rest wait their turn.
            connection.close()
            _retry(mail, f"Could not reach the mail server: {type(error).__name__}: {error}",
                   in_doubt=isinstance(error, TimeoutError))
            _give_back(mails[n + 1:], mail.next_attempt_at)
            return sent
        else:
            _finish(mail, MailStatus.SENT, message.subject, "")
            sent += 1
    return sent


def _answer(error: smtplib.SMTPException) -> tuple[int, str]:
    """The server's code and words: the worst of a refused recipient's."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, words = max(error.recipients.values())
    else:
        code, words = error.smtp_code, error.smtp_error
    if isinstance(words, bytes):
        words = words.decode("utf-8", "replace")
    return int(code), str(words)


def _message(mail: OutgoingMail, connection, prepared=None) -> EmailMultiAlternatives | None:
    person = mail.person
    render = letters.RENDERERS.get(mail.topic)
    if render is None or not person.is_active or not person.email:
        return None
    with timezone.override(zone_named(person.timezone)):  # every date in the reader's zone
        letter = render(mail, prepared)
        if letter is None:
            return None
        reply = tokens.address(*letter.reply_to, person.pk) if letter.reply_to else ""
        text, html = letters.parts(letter, reply)
    message = EmailMultiAlternatives(
        subject=letters.one_line(letter.subject), body=text,
        from_email=settings.DEFAULT_FROM_EMAIL, to=[formataddr((person.name, person.email))],
        reply_to=[reply] if reply else None, connection=connection,
        headers={"Message-ID": mail.message_id, "Auto-Submitted": "auto-generated",
                 "X-Auto-Response-Suppress": "All"})
    message.attach_alternative(html, "text/html")
    return message


def _mine(mail: OutgoingMail):
    """The row while this attempt still holds it (not taken over after a lost lease)."""
    return OutgoingMail.objects.filter(pk=mail.pk, status=MailStatus.SENDING,
                                       attempts=mail.attempts)


def _finish(mail: OutgoingMail, status: str, subject: str, error: str) -> None:
    _mine(mail).update(status=status, sent_at=timezone.now(), lease_until=None,
                       subject=subject[:300], last_error=error, in_doubt=False)


def _retry(mail: OutgoingMail, error: str, in_doubt: bool = False) -> None:
    if mail.attempts >= MAX_ATTEMPTS:
        _fail(mail, f"Gave up after {mail.attempts} attempts. Last error: {error}")
        return
    delay = backoff(mail.attempts, settings.UNSILO_MAIL_RETRY_SECONDS, MAX_DELAY)
    mail.next_attempt_at = timezone.now() + datetime.timedelta(seconds=delay)
    doubt = {"in_doubt": True} if in_doubt else {}
    _mine(mail).update(status=MailStatus.QUEUED, next_attempt_at=mail.next_attempt_at,
                       lease_until=None, last_error=error[:4000], **doubt)
    log.info("email %s: attempt %d failed, next in %.0f s: %s", mail.pk, mail.attempts,
             delay, error)


def _give_back(mails: list[OutgoingMail], at: datetime.datetime) -> None:
    """Claimed but never tried (the server went away first): queued again, not counted."""
    for mail in mails:
        _mine(mail).update(status=MailStatus.QUEUED, next_attempt_at=at, lease_until=None,
                           attempts=F("attempts") - 1)


def _fail(mail: OutgoingMail, error: str) -> None:
    with transaction.atomic():
        if not _mine(mail).update(status=MailStatus.FAILED, lease_until=None,
                                  last_error=error[:4000]):
            return
        audit.record(WORKER, "mail_failed", mail, {"status": [mail.status, MailStatus.FAILED],
                                                   "error": [None, error[:4000]]},
                     mail.person.silo_id)
    log.warning("email %s to person %s failed: %s", mail.pk, mail.person_id, error)
