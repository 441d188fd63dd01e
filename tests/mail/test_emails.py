"""Notification emails in one process: queued with their notification (never by the request
itself sent), what they say (escaped, linked, in the reader's zone), each person's choices,
the digest, signed reply addresses and what of a reply is the answer."""

import datetime
import email
from email import policy

import pytest
from django.core import mail as django_mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core import dates
from unsilo.core.actor import Actor
from unsilo.core.models import Role
from unsilo.inbox import actions, emails, ingest, pipeline
from unsilo.inbox.models import EmailChoice, Notification, NotificationKind
from unsilo.mail import replies, sending, tokens
from unsilo.mail.models import MailStatus, OutgoingMail

pytestmark = pytest.mark.django_db
REPLY_DOMAIN = "reply.example.com"


@pytest.fixture
def team():
    care = factories.silo("Care")
    asker = factories.user(Role.RESPONDER, care, email="rae@example.com")
    expert = factories.user(Role.RESPONDER, factories.silo("Legal"), email="lou@example.com")
    return care, asker, expert


def consulted(team, text="Where is my parcel?", question="Is this GDPR?"):
    care, asker, expert = team
    conv = inbox.conversation(care, text=text, assignee=asker.person)
    consult = actions.consult(Actor.for_user(asker), conv, expert.person, question=question)
    return conv, consult


@override_settings(UNSILO_MAIL_REPLY_DOMAIN=REPLY_DOMAIN,
                   UNSILO_MAIL_BASE_URL="https://unsilo.example.com")
def test_a_consult_queues_one_email_that_a_worker_sends_with_link_question_and_words(team):
    conv, consult = consulted(team, text="My order 42 never came")
    expert = team[2].person
    row = OutgoingMail.objects.get()
    assert (row.person_id, row.status, row.topic) == (expert.pk, MailStatus.QUEUED,
                                                      "notification")
    assert django_mail.outbox == []  # the request only wrote the row
    assert sending.send_due() == 1
    [sent] = django_mail.outbox
    assert sent.to == [f"{expert.name} <{expert.email}>"]
    assert sent.extra_headers["Message-ID"] == row.message_id
    assert sent.reply_to == [tokens.address("consult", consult.pk, expert.pk)]
    assert sent.reply_to[0].endswith("@" + REPLY_DOMAIN)
    link = f"https://unsilo.example.com/inbox/c/{conv.pk}/"
    assert "Is this GDPR?" in sent.body and "My order 42 never came" in sent.body
    assert link in sent.body
    html = sent.alternatives[0][0]
    assert f'href="{link}"' in html
    row.refresh_from_db()
    assert (row.status, row.attempts) == (MailStatus.SENT, 1)
    assert sending.send_due() == 0  # never twice


def test_the_customers_script_is_escaped_in_the_html_part_and_plain_in_the_text(team):
    consulted(team, text='<script>alert("x")</script> & more', question="<b>why</b>?")
    sending.send_due()
    [sent] = django_mail.outbox
    html = sent.alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>why</b>" not in html and "&lt;b&gt;why&lt;/b&gt;" in html
    assert '<script>alert("x")</script> & more' in sent.body  # text is not HTML


def test_times_in_an_email_are_in_the_readers_zone_in_the_one_format(team):
    expert = team[2].person
    expert.timezone = "Asia/Tokyo"
    expert.save()
    consulted(team)
    sending.send_due()
    body = django_mail.outbox[0].body
    told = Notification.objects.get(person=expert).created_at
    with timezone.override(dates.zone_named("Asia/Tokyo")):
        expected = dates.full(told)
    assert expected.endswith(" JST") and expected in body


def test_a_mention_emails_the_mentioned_and_a_choice_of_never_sends_nothing(team):
    care, asker, expert = team
    conv = inbox.conversation(care, assignee=asker.person)
    actions.set_notification_preferences(Actor.for_user(expert), {},
                                         {NotificationKind.MENTION: EmailChoice.NEVER})
    actions.add_note(Actor.for_user(asker), conv, f"@{expert.person.email} have a look")
    assert OutgoingMail.objects.count() == 0
    actions.set_notification_preferences(Actor.for_user(expert), {},
                                         {NotificationKind.MENTION: EmailChoice.NOW})
    actions.add_note(Actor.for_user(asker), conv, f"@{expert.person.email} again please")
    assert OutgoingMail.objects.filter(person=expert.person).count() == 1


def test_captains_cannot_turn_off_sla_breach_or_safety_emails(team):
    care, asker, _ = team
    factories.seat(care, asker.person)
    with pytest.raises(ValidationError, match="by email too"):
        actions.set_notification_preferences(Actor.for_user(asker), {},
                                             {NotificationKind.SLA_BREACH: EmailChoice.NEVER})
    # A digest is still a way of being told.
    actions.set_notification_preferences(Actor.for_user(asker), {},
                                         {NotificationKind.SAFETY: EmailChoice.DIGEST})
    from unsilo.inbox import notify

    assert notify.email_choices([(asker.person.pk, NotificationKind.SAFETY)]) == {
        (asker.person.pk, NotificationKind.SAFETY): EmailChoice.DIGEST}


def test_the_daily_digest_goes_once_at_the_local_hour_with_what_was_held_for_it(team):
    care, asker, expert = team
    expert.person.timezone = "America/New_York"
    expert.person.save()
    actions.set_notification_preferences(Actor.for_user(expert), {},
                                         {NotificationKind.CONSULT: EmailChoice.DIGEST})
    consulted(team, question="First question")
    assert OutgoingMail.objects.count() == 0  # held for the digest
    now = timezone.now()
    at_seven = datetime.datetime(2026, 12, 7, 7, 0, tzinfo=dates.zone_named("America/New_York"))
    at_eight = at_seven + datetime.timedelta(hours=1)
    later = now + datetime.timedelta(hours=1)
    assert emails.queue_digests(at_seven.replace(year=later.year, month=later.month,
                                                 day=later.day)) == 0
    eight = at_eight.replace(year=later.year, month=later.month, day=later.day)
    if eight < now:
        eight += datetime.timedelta(days=1)
    assert emails.queue_digests(eight) == 1
    assert emails.queue_digests(eight + datetime.timedelta(minutes=30)) == 0  # once a day
    row = OutgoingMail.objects.get()
    assert row.key.startswith(f"digest:{expert.person.pk}:")
    row.created_at = row.next_attempt_at = timezone.now()
    row.save()
    assert sending.send_due() == 1
    [sent] = django_mail.outbox
    assert sent.subject == "Your unsilo digest: 1 notification"
    assert "First question" in sent.body or "asks for your help" in sent.body


def test_the_pipeline_queues_an_email_for_each_assignment_it_writes(monkeypatch):
    sales = factories.silo("Sales")
    dana = factories.person(sales, name="Dana Ruiz")
    inbox.fixed_routing(monkeypatch, inbox.to_person(dana))
    at = timezone.now().isoformat()
    report = ingest.ingest([{"id": f"p{i}", "network": "bluesky", "text": f"order {i}",
                             "author": f"c{i}.bsky", "created_at": at} for i in range(3)],
                           Actor.system(), "test")
    assert report.ok
    pipeline.process_pending()
    rows = OutgoingMail.objects.filter(person=dana)
    assert rows.count() == 3 and {r.topic for r in rows} == {"notification"}
    pipeline.process_pending()
    assert OutgoingMail.objects.count() == 3


def test_a_reply_address_is_signed_and_a_changed_one_is_refused():
    with override_settings(UNSILO_MAIL_REPLY_DOMAIN=REPLY_DOMAIN):
        address = tokens.address("consult", 42, 7)
        assert tokens.read(address) == tokens.Reply("consult", 42, 7)
        assert tokens.read(address.upper().replace(REPLY_DOMAIN.upper(), REPLY_DOMAIN)) \
            == tokens.Reply("consult", 42, 7)
        forged = address.replace("c42-7-", "c43-7-")
        with pytest.raises(tokens.BadAddress, match="not signed"):
            tokens.read(forged)
        with pytest.raises(tokens.BadAddress, match="reply.example.com"):
            tokens.read(address.replace(REPLY_DOMAIN, "elsewhere.example.com"))


def test_the_answer_is_what_was_written_above_the_quote_and_signature():
    raw = (b"From: Lou <lou@example.com>\r\nSubject: Re: help\r\nMessage-ID: <a@b>\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
           b"Yes, GDPR applies.\r\nDelete their data.\r\n\r\n-- \r\nLou, Legal\r\n\r\n"
           b"On Mon, 7 Dec 2026 Rae wrote:\r\n> Is this GDPR?\r\n")
    message = email.message_from_bytes(raw, policy=policy.default)
    assert replies.answer_of(message) == "Yes, GDPR applies.\nDelete their data."
    assert replies.message_key(message, raw) == "<a@b>"


def test_no_smtp_server_leaves_the_email_queued_for_a_later_attempt(team):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    consulted(team)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                           EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_TIMEOUT=2):
        assert sending.send_due() == 0
    row = OutgoingMail.objects.get()
    assert (row.status, row.attempts) == (MailStatus.QUEUED, 1)
    assert "Could not reach the mail server" in row.last_error
    assert row.next_attempt_at > timezone.now()
    assert sending.send_due() == 0  # not yet: it backs off
    row.next_attempt_at = timezone.now()
    row.save()
    assert sending.send_due() == 1  # the locmem backend of the tests answers
    row.refresh_from_db()
    assert (row.status, row.attempts) == (MailStatus.SENT, 2)


def test_the_preferences_page_offers_email_choices_and_keeps_the_always_on_ones(client, team):
    care, asker, expert = team
    factories.seat(care, asker.person)
    client.force_login(asker)
    page = client.get("/inbox/notifications/preferences/").content.decode()
    assert 'name="email-mention"' in page and '<option value="digest"' in page
    breach = page[page.index('name="email-sla_breach"'):]
    breach = breach[:breach.index("</select>")]
    assert 'value="never"' not in breach  # a captain may not choose it
    answer = client.post("/inbox/notifications/preferences/", {
        "kind": [k for k in NotificationKind.values],
        "email-mention": "digest", "email-consult": "never", "email-sla_breach": "now"})
    assert answer.status_code == 302
    from unsilo.inbox import notify

    me = asker.person.pk
    assert notify.email_choices([(me, "mention"), (me, "consult"), (me, "assigned")]) == {
        (me, "mention"): "digest", (me, "consult"): "never", (me, "assigned"): "now"}


def test_an_out_of_office_answer_is_not_taken_for_the_experts_answer():
    def parsed(headers: str):
        return email.message_from_bytes(
            (headers + "From: lou@example.com\r\n\r\nI am away until Monday.\r\n").encode(),
            policy=policy.default)

    assert replies.is_automatic(parsed("Auto-Submitted: auto-replied\r\n"))
    assert replies.is_automatic(parsed("Precedence: auto_reply\r\n"))
    assert replies.is_automatic(parsed("X-Autoreply: yes\r\n"))
    assert not replies.is_automatic(parsed("Auto-Submitted: no\r\n"))
    assert not replies.is_automatic(parsed(""))


def test_sla_breaches_of_a_silo_within_an_hour_are_one_email_and_a_handoff_emails_the_seat(
        team):
    from unsilo.inbox import notify

    care, asker, expert = team
    factories.seat(care, asker.person)  # the captain
    first, second = inbox.conversation(care), inbox.conversation(care)
    notify.save(notify.unsaved([asker.person.pk], NotificationKind.SLA_BREACH, first, "late"))
    notify.save(notify.unsaved([asker.person.pk], NotificationKind.SLA_BREACH, second, "late"))
    assert OutgoingMail.objects.filter(person=asker.person).count() == 1  # folded: no second

    legal = expert.person.silo
    factories.seat(legal, expert.person)
    actions.handoff(Actor.for_user(asker), inbox.conversation(care, assignee=asker.person),
                    legal, "contract question")
    assert OutgoingMail.objects.filter(person=expert.person).count() == 1
    sending.send_due()
    subjects = sorted(m.subject for m in django_mail.outbox)
    # Written when sent, the group's email counts what the group holds by then.
    assert subjects[0] == "2 SLA breaches in Care within an hour"
    assert "conversation to Legal from Care: contract question" in subjects[1]


def test_sent_emails_are_pruned_after_thirty_days_and_failed_ones_kept(team):
    consulted(team)
    sending.send_due()
    row = OutgoingMail.objects.get()
    assert sending.prune_sent(row.created_at + datetime.timedelta(days=29)) == 0
    OutgoingMail.objects.create(key="failed:1", person=row.person, topic="notification",
                                status=MailStatus.FAILED, message_id="<f@x>",
                                created_at=row.created_at)
    assert sending.prune_sent(row.created_at + datetime.timedelta(days=31)) == 1
    assert list(OutgoingMail.objects.values_list("status", flat=True)) == [MailStatus.FAILED]


def test_an_sla_warning_email_says_when_the_answer_is_due_in_the_readers_zone(team):
    from unsilo.inbox import notify

    care, asker, _ = team
    asker.person.timezone = "Europe/Berlin"
    asker.person.save()
    due = timezone.now() + datetime.timedelta(minutes=12)
    conv = inbox.conversation(care, assignee=asker.person, first_response_due=due)
    notify.save(notify.unsaved([asker.person.pk], NotificationKind.SLA_WARNING, conv,
                               "SLA at 80 %: answer soon"))
    sending.send_due()
    [sent] = django_mail.outbox
    with timezone.override(dates.zone_named("Europe/Berlin")):
        expected = f"Due {dates.full(due)}"
    assert expected in sent.body and expected in sent.alternatives[0][0]
    assert expected.endswith(("CET", "CEST"))
