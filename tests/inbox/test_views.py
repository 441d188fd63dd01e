import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox import queries
from unsilo.inbox.models import (
    Consult,
    Direction,
    Handoff,
    Message,
    Note,
    Notification,
    NotificationKind,
    RoutingRule,
    SavedReply,
    SlaPolicy,
    Status,
    Viewer,
)
from unsilo.org.models import SiloKind

pytestmark = pytest.mark.django_db
PINNED = 16
HOSTILE = "<script>alert(1)</script> <b>html</b>"


@pytest.fixture
def world():
    hub = factories.silo("COE", kind=SiloKind.HUB)
    a, b = factories.silo("Billing"), factories.silo("Legal")
    w = {
        "hub": hub, "a": a, "b": b,
        "admin": factories.user(Role.HUB_ADMIN, hub),
        "captain_a": factories.user(Role.CAPTAIN, a),
        "responder_a": factories.user(Role.RESPONDER, a),
        "captain_b": factories.user(Role.CAPTAIN, b),
        "viewer": factories.user(Role.VIEWER, b),
    }
    w["conv_a"] = inbox.conversation(a, text="My refund never came", at=inbox.minutes_ago(5))
    w["conv_b"] = inbox.conversation(b, text="I will see you in court", at=inbox.minutes_ago(4))
    return w


@pytest.mark.parametrize("who", ["admin", "captain_a", "responder_a", "viewer"])
def test_every_role_opens_the_inbox_and_its_pages(login, world, who):
    client = login(world[who])
    for path in ("/inbox/", "/inbox/?queue=mine", "/inbox/?queue=consults",
                 "/inbox/?queue=overdue", "/inbox/notifications/", "/inbox/settings/"):
        assert client.get(path).status_code == 200, path


def test_a_conversation_of_another_silo_is_not_found(login, world):
    client = login(world["captain_a"])
    conv_b = world["conv_b"]
    assert client.get(f"/inbox/c/{conv_b.pk}/").status_code == 404
    assert client.post(f"/inbox/c/{conv_b.pk}/reply/", {"reply-text": "hi"}).status_code == 404
    assert client.post(f"/inbox/c/{conv_b.pk}/resolve/").status_code == 404
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
    assert client.get("/inbox/c/999999/").status_code == 404


def test_the_list_shows_only_the_readers_queue(login, world):
    body = login(world["captain_a"]).get("/inbox/?queue=silo").content.decode()
    assert "My refund never came" in body
    assert "see you in court" not in body


def test_a_viewer_reads_everything_but_cannot_act(login, world):
    client = login(world["viewer"])
    conv_a = world["conv_a"]
    page = client.get(f"/inbox/c/{conv_a.pk}/").content.decode()
    assert "My refund never came" in page
    assert f'action="/inbox/c/{conv_a.pk}/reply/"' not in page
    assert client.post(f"/inbox/c/{conv_a.pk}/reply/", {"reply-text": "hi"}).status_code == 403
    assert client.post(f"/inbox/c/{conv_a.pk}/resolve/").status_code == 403


def test_text_is_escaped_in_the_list_the_thread_and_notes(login, world):
    conv = inbox.conversation(world["a"], text=HOSTILE, author=HOSTILE)
    Note.objects.create(conversation=conv, author=world["captain_a"], text=HOSTILE)
    client = login(world["captain_a"])
    for path in ("/inbox/", f"/inbox/c/{conv.pk}/"):
        body = client.get(path).content.decode()
        assert "<script>alert(1)" not in body, path
        assert "<b>html</b>" not in body, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, path


def test_reply_through_the_form_queues_a_message_with_an_audit_row(login, world):
    conv = world["conv_a"]
    client = login(world["responder_a"])
    response = client.post(f"/inbox/c/{conv.pk}/reply/", {"reply-text": "Refund sent today."})
    assert response.status_code == 302
    reply = Message.objects.get(conversation=conv, direction=Direction.OUTBOUND)
    assert reply.text == "Refund sent today."
    assert reply.sent_by == world["responder_a"]
    assert AuditEvent.objects.filter(action="reply", actor=world["responder_a"]).exists()


def test_an_empty_reply_shows_the_error_on_the_form(login, world):
    conv = world["conv_a"]
    response = login(world["responder_a"]).post(f"/inbox/c/{conv.pk}/reply/",
                                                {"reply-text": "  "})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_a_reply_while_someone_else_types_warns_and_sends_anyway(login, world):
    conv = world["conv_a"]
    Viewer.objects.create(conversation=conv, user=world["captain_a"], typing=True)
    client = login(world["responder_a"])
    response = client.post(f"/inbox/c/{conv.pk}/reply/", {"reply-text": "Looking into it"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "is typing" in body and "Send anyway" in body
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
    response = client.post(f"/inbox/c/{conv.pk}/reply/",
                           {"reply-text": "Looking into it", "reply-force": "on"})
    assert response.status_code == 302
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1


def test_presence_shows_who_else_is_viewing_and_typing(login, world):
    conv = world["conv_a"]
    Viewer.objects.create(conversation=conv, user=world["captain_a"], typing=True)
    client = login(world["responder_a"])
    body = client.post(f"/inbox/c/{conv.pk}/presence/", {"reply-text": "draft"}).content.decode()
    assert f"{world['captain_a'].person.name} is typing a reply" in body
    assert Viewer.objects.get(conversation=conv, user=world["responder_a"]).typing


def test_saved_reply_picker_fills_in_the_variables(login, world):
    conv = world["conv_a"]
    saved = SavedReply.objects.create(title="Thanks", text="Hi {customer}, {agent_first} here.")
    SavedReply.objects.create(title="Legal only", text="x", silo=world["b"])
    client = login(world["responder_a"])
    page = client.get(f"/inbox/c/{conv.pk}/").content.decode()
    assert "Legal only" not in page
    filled = client.get(f"/inbox/c/{conv.pk}/saved/{saved.pk}/").json()["text"]
    first = world["responder_a"].person.name.split()[0]
    assert filled == f"Hi {conv.author}, {first} here."


def test_note_with_a_mention_notifies(login, world):
    conv = world["conv_a"]
    mentioned = world["captain_b"].person
    response = login(world["responder_a"]).post(
        f"/inbox/c/{conv.pk}/note/", {"note-text": f"@{mentioned.email} can you check?"})
    assert response.status_code == 302
    assert Note.objects.get(conversation=conv).mentions.get() == mentioned
    assert Notification.objects.filter(person=mentioned, kind=NotificationKind.MENTION).exists()


def test_take_assign_resolve_and_reopen_through_forms(login, world):
    conv = world["conv_a"]
    client = login(world["captain_a"])
    assert client.post(f"/inbox/c/{conv.pk}/take/").status_code == 302
    conv.refresh_from_db()
    assert conv.assignee == world["captain_a"].person
    responder = world["responder_a"].person
    assert client.post(f"/inbox/c/{conv.pk}/assign/",
                       {"assign-person": responder.pk}).status_code == 302
    conv.refresh_from_db()
    assert conv.assignee == responder
    assert AuditEvent.objects.filter(action="assign").count() == 2
    assert client.post(f"/inbox/c/{conv.pk}/resolve/").status_code == 302
    conv.refresh_from_db()
    assert conv.status == Status.RESOLVED
    assert client.post(f"/inbox/c/{conv.pk}/reopen/").status_code == 302
    conv.refresh_from_db()
    assert conv.status == Status.OPEN


def test_assigning_someone_of_another_silo_is_refused_on_the_form(login, world):
    conv = world["conv_a"]
    outsider = world["captain_b"].person
    response = login(world["captain_a"]).post(f"/inbox/c/{conv.pk}/assign/",
                                              {"assign-person": outsider.pk})
    assert response.status_code == 200
    conv.refresh_from_db()
    assert conv.assignee is None


def test_handoff_needs_a_reason_and_then_moves_the_conversation(login, world):
    conv = world["conv_a"]
    client = login(world["captain_a"])
    response = client.post(f"/inbox/c/{conv.pk}/handoff/", {"handoff-silo": world["b"].pk})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    factories.seat(world["b"], world["captain_b"].person)
    response = client.post(f"/inbox/c/{conv.pk}/handoff/",
                           {"handoff-silo": world["b"].pk, "handoff-reason": "Legal threat"},
                           follow=True)
    # Out of the captain's hands now: they read it, with where it went, and may do nothing.
    page = response.content.decode()
    assert response.redirect_chain == [(f"/inbox/c/{conv.pk}/", 302)]
    assert "Handed off to Legal, waiting in Legal&#x27;s queue: its seat is told." in page
    assert "Where it is now" in page and "Legal threat" in page
    conv.refresh_from_db()
    assert conv.silo == world["b"]
    assert Handoff.objects.get(conversation=conv).reason == "Legal threat"


def test_consult_by_email_and_the_expert_answers_as_a_note(login, world):
    conv = world["conv_a"]
    expert = world["captain_b"]
    response = login(world["captain_a"]).post(
        f"/inbox/c/{conv.pk}/consult/",
        {"consult-expert": expert.email, "consult-question": "Is this a legal matter?"})
    assert response.status_code == 302
    assert Consult.objects.get(conversation=conv).expert == expert.person
    client = login(expert)
    assert client.get("/inbox/?queue=consults").content.decode().count(f"/inbox/c/{conv.pk}/") >= 1
    page = client.get(f"/inbox/c/{conv.pk}/").content.decode()
    assert "Answer the consult" in page
    assert f'action="/inbox/c/{conv.pk}/handoff/"' not in page
    response = client.post(f"/inbox/c/{conv.pk}/answer/", {"answer-text": "Not legal."})
    assert response.status_code == 302
    assert Note.objects.get(conversation=conv).text == "Not legal."


def test_classification_correction(login, world):
    conv = world["conv_a"]
    response = login(world["responder_a"]).post(
        f"/inbox/c/{conv.pk}/classify/", {"classify-sentiment": "negative",
                                          "classify-intent": "refund"})
    assert response.status_code == 302
    conv.refresh_from_db()
    assert (conv.sentiment, conv.intent) == ("negative", "refund")


def test_live_partial_returns_only_newer_rows(login, world):
    client = login(world["captain_a"])
    top = queries.cursor_of(world["conv_a"])
    assert client.get(f"/inbox/new/?queue=silo&top={top}").status_code == 204
    new = inbox.conversation(world["a"], text="Brand new question")
    inbox.conversation(world["b"], text="Not for Billing")
    response = client.get(f"/inbox/new/?queue=silo&top={top}")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="conv-{new.pk}"' in body
    assert f'id="conv-{world["conv_a"].pk}"' not in body
    assert "Not for Billing" not in body
    # The poll moves on to the new top row.
    assert f"top={queries.cursor_of(new)}" in body


def test_inbox_page_query_count_is_pinned(login, world, django_assert_num_queries):
    client = login(world["captain_a"])
    a = world["a"]
    for _ in range(30):
        inbox.conversation(a, assignee=factories.person(a), account=factories.account(a))
    # Session, user, their silo (hub or not); the tab counts: mine, silo, consults, and
    # overdue in each part of what a captain sees (silo, theirs elsewhere, consulted); two
    # walks of the page's keys (open, waiting) and its rows; the reader's read marks of the
    # page; the bell; the filter bar's accounts; the bulk bar's silos. The same however many
    # rows.
    with django_assert_num_queries(PINNED):
        assert client.get("/inbox/?queue=silo").status_code == 200


def test_a_bad_filter_is_reported_and_ignored(login, world):
    response = login(world["captain_a"]).get("/inbox/?sentiment=furious", follow=True)
    assert response.status_code == 200
    assert "sentiment: one of" in response.content.decode()


def test_notifications_bell_and_mark_read(login, world):
    person = world["responder_a"].person
    n = Notification.objects.create(person=person, kind=NotificationKind.ASSIGNED,
                                    conversation=world["conv_a"], text="Assigned to you")
    client = login(world["responder_a"])
    page = client.get("/inbox/notifications/").content.decode()
    assert "Assigned to you" in page
    assert '1<span class="visually-hidden"> unread' in page
    assert client.post("/inbox/notifications/read/", {"id": n.pk}).status_code == 302
    n.refresh_from_db()
    assert n.read_at is not None


def test_hub_admin_adds_a_rule_and_a_captain_may_not(login, world):
    client = login(world["admin"])
    response = client.post("/inbox/settings/rules/new/", {
        "name": "Lawsuits to Legal", "position": 10, "enabled": "on", "keywords": "sue, court",
        "target": "silo", "silo": world["b"].pk})
    assert response.status_code == 302, response.content.decode()
    rule = RoutingRule.objects.get()
    assert rule.keywords == ["sue", "court"]
    assert AuditEvent.objects.filter(object_type__icontains="rule").exists()
    captain = login(world["captain_a"])
    assert captain.get("/inbox/settings/rules/new/").status_code == 403
    assert captain.post(f"/inbox/settings/rules/{rule.pk}/delete/").status_code == 403


def test_captain_sets_their_silos_sla_but_not_anothers(login, world):
    client = login(world["captain_a"])
    data = {"form": "sla"}
    for urgency, (first, resolution) in {"low": (480, 4320), "normal": (120, 1440),
                                         "high": (60, 480), "urgent": (15, 240)}.items():
        data.update({f"{urgency}_first": first, f"{urgency}_resolution": resolution})
    assert client.post(f"/inbox/settings/silos/{world['a'].pk}/sla/", data).status_code == 302
    assert SlaPolicy.objects.get(silo=world["a"], urgency="normal").first_response_minutes == 120
    assert client.get(f"/inbox/settings/silos/{world['b'].pk}/sla/").status_code == 403


def test_anyone_records_their_own_absence(login, world):
    me = world["responder_a"]
    starts = timezone.now() + datetime.timedelta(days=1)
    response = login(me).post("/inbox/settings/absences/new/", {
        "person": me.email, "starts": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends": (starts + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    assert me.person.absences.count() == 1


def test_older_pages_follow_the_cursor(login, world):
    a = world["a"]
    made = [inbox.conversation(a, at=inbox.minutes_ago(100 + k)) for k in range(55)]
    client = login(world["captain_a"])
    first = client.get("/inbox/?queue=silo")
    older = first.context["next_url"]
    assert older and "after=" in older
    second = client.get(f"/inbox/{older}")
    shown = [c.pk for c in first.context["rows"]] + [c.pk for c in second.context["rows"]]
    assert shown == [world["conv_a"].pk] + [c.pk for c in made]
    assert second.context["next_url"] == ""
    # An older page does not poll for new rows: they belong on top of the newest page.
    assert 'id="live"' not in second.content.decode()


def test_a_responder_outside_the_hub_gets_no_triage_queue(login, world):
    inbox.conversation(None, triage=True, text="Unsure where this goes")
    client = login(world["responder_a"])
    body = client.get("/inbox/?queue=triage").content.decode()
    assert "Unsure where this goes" not in body
    assert "Hub triage" not in body
    assert "Unsure where this goes" in login(world["admin"]).get(
        "/inbox/?queue=triage").content.decode()


def test_search_as_you_type_returns_only_the_results(login, world):
    client = login(world["captain_a"])
    response = client.get("/inbox/?queue=silo&q=refund", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results" ')
    assert "<html" not in body
    assert "My refund never came" in body
    assert "queue-tabs" not in body
    assert "HX-Request" in response["Vary"]
    assert "My refund" not in client.get("/inbox/?queue=silo&q=court",
                                         HTTP_HX_REQUEST="true").content.decode()
