"""Emails through a test SMTP server process on loopback, sent by `unsilo worker` processes:
delivered, retried after the server refuses, failed on a permanent refusal, sent exactly
once when a worker is killed with SIGKILL in the middle of sending; a reply sent with smtplib
to `unsilo mail-in` becomes the expert's answer on the conversation, once."""

import email
import signal
import smtplib
import subprocess
import time
from email import policy
from email.message import EmailMessage

import pytest

from tests.core.test_worker_recovery import UNSILO, company, python, start_worker  # noqa: F401
from tests.inbox.test_worker_kill import counter

REPLY_DOMAIN = "reply.example.com"

# A care silo whose responder consults N experts of Legal, each on a conversation of their own.
TEAM = """
    from unsilo.core.actions import create_login
    from unsilo.core.actor import Actor
    from unsilo.core.models import Role
    from unsilo.inbox import actions
    from unsilo.inbox.models import Conversation, Message, Direction
    from unsilo.mail import tokens
    from unsilo.org.models import Person, Silo
    care = Silo.objects.create(name="Care", slug="care")
    legal = Silo.objects.create(name="Legal", slug="legal")
    rae = Person.objects.create(silo=care, name="Rae", email="rae@example.com")
    asker = create_login(Actor.system(), email="rae@example.com", password="a long pass phrase",
                         role=Role.RESPONDER, person=rae)
    for n in range({n}):
        lou = Person.objects.create(silo=legal, name=f"Lou {{n}}", email=f"lou{{n}}@example.com")
        create_login(Actor.system(), email=lou.email, password="a long pass phrase",
                     role=Role.RESPONDER, person=lou)
        conv = Conversation.objects.create(network="x", thread_key=f"x:t{{n}}",
                                           author="@ann", silo=care, assignee=rae)
        Message.objects.create(conversation=conv, network="x", external_id=f"m{{n}}",
                               direction=Direction.INBOUND, text="Delete my data now",
                               author="@ann", created_at=conv.created_at, state="processed")
        c = actions.consult(Actor.for_user(asker), conv, lou, question="Is this GDPR?")
        print(c.pk, lou.email, tokens.address("consult", c.pk, lou.pk))
"""


@pytest.fixture
def env(company, smtp_sink):  # noqa: F811
    company.update({"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_sink.port),
                    "EMAIL_TIMEOUT": "5", "UNSILO_MAIL_FROM": "unsilo <unsilo@example.com>",
                    "UNSILO_MAIL_REPLY_DOMAIN": REPLY_DOMAIN,
                    "UNSILO_MAIL_RETRY_SECONDS": "0.2", "UNSILO_MAIL_LEASE_SECONDS": "3"})
    return company


def wait_until(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"gave up waiting for {what}")


def message_ids(sink) -> list[str]:
    return [email.message_from_bytes(raw, policy=policy.default)["Message-ID"]
            for raw in sink.messages()]


@pytest.mark.django_db
def test_emails_are_delivered_once_and_retried_after_the_server_refuses(processes, env,
                                                                         smtp_sink):
    smtp_sink.order("refuse", "2")  # the first two attempts meet 451
    python(env, TEAM.format(n=2))
    count, conn = counter(env)
    worker = start_worker(processes, env)
    wait_until(lambda: count("SELECT count(*) FROM mail_outgoingmail WHERE status='sent'") == 2,
               60, "two emails sent")
    worker.send_signal(signal.SIGTERM)
    worker.wait(30)
    ids = message_ids(smtp_sink)
    stored = [r[0] for r in conn.execute("SELECT message_id FROM mail_outgoingmail")]
    assert sorted(ids) == sorted(stored)  # each once, with the Message-ID of its row
    attempts = sorted(r[0] for r in conn.execute("SELECT attempts FROM mail_outgoingmail"))
    assert sum(attempts) == 4  # two refused attempts, two that went through
    parsed = email.message_from_bytes(smtp_sink.messages()[0], policy=policy.default)
    assert parsed["Reply-To"].startswith("reply+") and "Delete my data now" in \
        parsed.get_body(("plain",)).get_content()


@pytest.mark.django_db
def test_a_permanent_refusal_fails_the_email_visibly_and_is_not_retried(processes, env,
                                                                         smtp_sink):
    smtp_sink.order("reject")
    python(env, TEAM.format(n=1))
    count, conn = counter(env)
    worker = start_worker(processes, env)
    wait_until(lambda: count("SELECT count(*) FROM mail_outgoingmail WHERE status='failed'"),
               60, "the email to fail")
    time.sleep(1)  # time for retries, were there any
    worker.send_signal(signal.SIGTERM)
    worker.wait(30)
    attempts, error = conn.execute("SELECT attempts, last_error FROM mail_outgoingmail").fetchone()
    assert attempts == 1 and "550" in error and "No such mailbox" in error
    assert count("SELECT count(*) FROM core_auditevent WHERE action='mail_failed'") == 1
    assert smtp_sink.messages() == []


@pytest.mark.django_db
def test_a_worker_killed_mid_send_leaves_each_email_delivered_exactly_once(processes, env,
                                                                           smtp_sink):
    python(env, TEAM.format(n=3))
    count, conn = counter(env)
    smtp_sink.order("stall", "1")  # the first goes through, the second is held mid-send
    first = start_worker(processes, env)
    try:
        wait_until(lambda: (smtp_sink.control / "stalled").exists(), 60, "the stall")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert len(smtp_sink.messages()) == 1
    assert count("SELECT count(*) FROM mail_outgoingmail WHERE status='sending'") == 2
    smtp_sink.cancel("stall")

    second = start_worker(processes, env)
    wait_until(lambda: count("SELECT count(*) FROM mail_outgoingmail WHERE status='sent'") == 3,
               90, "all three sent")
    time.sleep(1)
    second.send_signal(signal.SIGTERM)
    second.wait(30)
    ids = message_ids(smtp_sink)
    assert len(ids) == 3 and len(set(ids)) == 3
    assert sorted(ids) == sorted(r[0] for r in conn.execute(
        "SELECT message_id FROM mail_outgoingmail"))


def reply(sender: str, to: str, text: str, message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, "Re: help"
    message["Message-ID"] = message_id
    message.set_content(f"{text}\n\n-- \nLou, Legal\n\nOn Mon, Rae wrote:\n> Is this GDPR?\n")
    return message


@pytest.mark.django_db
def test_a_reply_to_a_consult_email_becomes_the_experts_answer_once(processes, env):
    consult_id, sender, address = python(env, TEAM.format(n=1)).split()
    mail_in = processes([UNSILO, "mail-in", "--port", "0"], env=env, stdout=subprocess.PIPE,
                        text=True)
    line = mail_in.stdout.readline()
    assert "listening on" in line, line
    port = int(line.rsplit(":", 1)[1])
    worker = start_worker(processes, env)
    answer = reply(sender, address, "Yes, GDPR applies: delete it.", "<r1@lou.example.com>")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        assert smtp.send_message(answer) == {}
        smtp.send_message(answer)  # the same reply again: accepted, added once
        forged = address.replace(f"reply+c{consult_id}-", f"reply+c{int(consult_id) + 1}-")
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            smtp.send_message(reply(sender, forged, "sneaky", "<r2@x>"))
        assert refused.value.recipients[forged][0] == 550
        with pytest.raises(smtplib.SMTPDataError) as wrong:
            smtp.send_message(reply("mallory@example.com", address, "me too", "<r3@x>"))
        assert wrong.value.smtp_code == 550
    count, conn = counter(env)
    wait_until(lambda: count("SELECT count(*) FROM inbox_note"), 60, "the note")
    time.sleep(1)
    worker.send_signal(signal.SIGTERM)
    worker.wait(30)
    assert [r[0] for r in conn.execute("SELECT text FROM inbox_note")] == [
        "Yes, GDPR applies: delete it."]
    assert conn.execute("SELECT status FROM inbox_consult").fetchone()[0] == "answered"
    assert count("SELECT count(*) FROM core_auditevent WHERE via='email' "
                 "AND object_type='inbox.note'") == 1
