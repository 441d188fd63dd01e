"""The inbox's list at work: unread marks, bulk actions (one audit row per conversation,
refusals per silo), the @mention picker's endpoint and mentions shown as links."""

import pytest
from django.utils import timezone

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox import actions
from unsilo.inbox.models import ConversationRead, Status
from unsilo.org.models import SiloKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    hub = factories.silo("COE", kind=SiloKind.HUB)
    a, b = factories.silo("Billing"), factories.silo("Legal")
    factories.seat(b, factories.person(b))  # Legal's seat is held: a handoff stays there
    return {
        "hub": hub, "a": a, "b": b,
        "admin": factories.user(Role.HUB_ADMIN, hub),
        "captain_a": factories.user(Role.CAPTAIN, a),
        "viewer": factories.user(Role.VIEWER, b),
        "conv_a": inbox.conversation(a, text="My refund never came", at=inbox.minutes_ago(5)),
        "conv_b": inbox.conversation(b, text="I will see you in court", at=inbox.minutes_ago(4)),
    }


def row_of(page: str, conv) -> str:
    start = page.index(f'id="conv-{conv.pk}"')
    return page[start:page.index("</tr>", start)]


# Unread ---------------------------------------------------------------------------------------


def test_a_conversation_is_unread_until_opened_and_again_when_the_customer_writes(login, world):
    client = login(world["captain_a"])
    conv = world["conv_a"]
    assert "unread" in row_of(client.get("/inbox/?queue=silo").content.decode(), conv)
    assert "Unread: " in row_of(client.get("/inbox/?queue=silo").content.decode(), conv)

    assert client.get(f"/inbox/c/{conv.pk}/").status_code == 200
    row = row_of(client.get("/inbox/?queue=silo").content.decode(), conv)
    assert "unread" not in row
    # Opening writes a read mark and no audit row.
    assert ConversationRead.objects.filter(reader=world["captain_a"], conversation=conv).exists()
    assert not AuditEvent.objects.filter(object_type__icontains="conversationread").exists()

    # The customer writes again: unread once more, for this reader.
    later = timezone.now()
    inbox.message(conv, text="Hello?", at=later)
    type(conv).objects.filter(pk=conv.pk).update(last_inbound_at=later, last_message_at=later)
    assert "unread" in row_of(client.get("/inbox/?queue=silo").content.decode(), conv)


def test_read_marks_are_each_readers_own(login, world):
    conv = world["conv_a"]
    login(world["admin"]).get(f"/inbox/c/{conv.pk}/")
    page = login(world["captain_a"]).get("/inbox/?queue=silo").content.decode()
    assert "unread" in row_of(page, conv)


def test_our_own_reply_does_not_make_it_unread(login, world):
    conv = world["conv_a"]
    client = login(world["captain_a"])
    client.get(f"/inbox/c/{conv.pk}/")
    actions.reply(Actor.for_user(world["captain_a"]), conv, "We are on it")
    assert "unread" not in row_of(client.get("/inbox/?queue=silo").content.decode(), conv)


# Bulk -----------------------------------------------------------------------------------------


def test_bulk_resolve_writes_one_audit_row_per_conversation(login, world):
    a = world["a"]
    convs = [inbox.conversation(a) for _ in range(3)]
    client = login(world["captain_a"])
    response = client.post("/inbox/bulk/", {"do": "resolve", "c": [c.pk for c in convs],
                                            "next": "/inbox/?queue=silo"}, follow=True)
    assert response.redirect_chain[-1][0] == "/inbox/?queue=silo"
    assert "Resolved 3 conversations." in response.content.decode()
    for c in convs:
        c.refresh_from_db()
        assert c.status == Status.RESOLVED
        assert AuditEvent.objects.filter(action="resolve", object_id=str(c.pk)).count() == 1


def test_bulk_refuses_per_silo_and_says_why(world):
    a, b = world["a"], world["b"]
    mine, theirs = inbox.conversation(a), world["conv_b"]
    done = inbox.conversation(a, status=Status.RESOLVED)
    results = actions.bulk(Actor.for_user(world["captain_a"]),
                           [mine.pk, theirs.pk, done.pk, 999_999], "resolve")
    by_id = {r.conversation_id: r for r in results}
    assert by_id[mine.pk].done
    # Another silo's conversation is not even seen by a captain: not found, never "exists".
    assert not by_id[theirs.pk].done and by_id[theirs.pk].reason == "No such conversation."
    assert not by_id[done.pk].done and "resolved already" in by_id[done.pk].reason
    assert not by_id[999_999].done
    assert AuditEvent.objects.filter(action="resolve").count() == 1
    theirs.refresh_from_db()
    assert theirs.status == Status.OPEN and b.pk == theirs.silo_id


def test_a_viewer_sees_everything_but_bulk_is_refused_for_each(login, world):
    actor = Actor.for_user(world["viewer"])
    results = actions.bulk(actor, [world["conv_a"].pk, world["conv_b"].pk], "resolve")
    assert [r.done for r in results] == [False, False]
    assert all("may not" in r.reason for r in results)
    assert not AuditEvent.objects.filter(action="resolve").exists()
    # And the list offers them no bulk bar.
    assert 'id="bulk"' not in login(world["viewer"]).get("/inbox/?queue=all").content.decode()


def test_bulk_assign_and_handoff_through_the_bar(login, world):
    a, b = world["a"], world["b"]
    convs = [inbox.conversation(a) for _ in range(2)]
    dana = factories.person(a, name="Dana Ruiz", email="dana@example.com")
    client = login(world["captain_a"])
    page = client.post("/inbox/bulk/", {"do": "assign", "person": "DANA@example.com",
                                        "c": [c.pk for c in convs]}, follow=True)
    assert "Assigned 2 conversations." in page.content.decode()
    assert {c.assignee_id for c in type(convs[0]).objects.filter(pk__in=[c.pk for c in convs])
            } == {dana.pk}
    assert AuditEvent.objects.filter(action="assign").count() == 2

    page = client.post("/inbox/bulk/", {"do": "handoff", "silo": b.pk, "reason": "Legal threat",
                                        "c": [c.pk for c in convs]}, follow=True).content.decode()
    assert "Handed off 2 conversations." in page
    assert AuditEvent.objects.filter(action="handoff").count() == 2


def test_bulk_summary_names_each_refusal(login, world):
    a = world["a"]
    conv = inbox.conversation(a)
    outsider = factories.person(world["b"], email="lee@example.com")
    page = login(world["captain_a"]).post(
        "/inbox/bulk/", {"do": "assign", "person": outsider.email, "c": [conv.pk]},
        follow=True).content.decode()
    assert "Assigned 0 conversations. 1 refused." in page
    assert f"#{conv.pk} ({conv.author}): " in page and "works in Legal" in page


def test_bulk_without_a_tick_or_a_target_says_what_is_missing(login, world):
    client = login(world["captain_a"])
    page = client.post("/inbox/bulk/", {"do": "resolve"}, follow=True).content.decode()
    assert "Tick at least one conversation." in page
    page = client.post("/inbox/bulk/", {"do": "handoff", "c": [world["conv_a"].pk]},
                       follow=True).content.decode()
    assert "Choose the silo to hand them off to." in page
    page = client.post("/inbox/bulk/", {"do": "assign", "person": "nobody@example.com",
                                        "c": [world["conv_a"].pk]}, follow=True).content.decode()
    assert "Nobody has the email nobody@example.com" in page


def test_bulk_goes_back_only_inside_the_inbox(login, world):
    response = login(world["captain_a"]).post(
        "/inbox/bulk/", {"do": "resolve", "c": [world["conv_a"].pk], "next": "//evil.example/"})
    assert response["Location"] == "/inbox/"


# @mentions ------------------------------------------------------------------------------------


def test_the_mention_picker_lists_matching_active_people_with_what_to_insert(login, world):
    a, b = world["a"], world["b"]
    factories.person(b, name="Dana Ruiz", email="dana@example.com", title="Counsel")
    factories.person(a, name="Danielle Okafor", email="danielle@example.com")
    factories.person(a, name="Dana Ruiz", email="dana.two@example.com")  # the same name twice
    factories.person(a, name="Danny Gone", is_active=False)
    factories.person(a, name="Dan van der Berg Smit", email="dan@example.com")
    answer = login(world["captain_a"]).get("/inbox/mentions/", {"q": "dan"}).json()["people"]
    by_email = {p["mention"]: p for p in answer}
    assert "@danielle Okafor".lower() in {m.lower() for m in by_email}
    # A shared name, or one the parser cannot read whole, is inserted as the email.
    assert {"@dana@example.com", "@dana.two@example.com", "@dan@example.com"} <= set(by_email)
    assert by_email["@dana@example.com"] == {"name": "Dana Ruiz", "silo": "Legal",
                                             "title": "Counsel", "mention": "@dana@example.com"}
    assert all(p["name"] != "Danny Gone" for p in answer)


def test_the_mention_picker_is_bounded_and_needs_a_login(client, login, world):
    for n in range(12):
        factories.person(world["a"], name=f"Sam Number{n}")
    assert len(login(world["captain_a"]).get("/inbox/mentions/", {"q": "sam"}).json()["people"]
               ) == 8
    client.logout()
    assert client.get("/inbox/mentions/", {"q": "sam"}).status_code in (302, 401, 403)


def test_what_the_picker_inserts_is_read_back_as_that_person(world):
    from unsilo.inbox.actions.team import find_mentions

    dana = factories.person(world["a"], name="Dana Ruiz", email="dana@example.com")
    assert find_mentions("@Dana Ruiz could you look?") == [dana]
    assert find_mentions("ask @dana@example.com please") == [dana]


def test_a_note_shows_its_mentions_as_links_and_the_rest_as_escaped_text(login, world):
    conv = world["conv_a"]
    dana = factories.person(world["a"], name="Dana Ruiz", email="dana@example.com")
    text = "<b>hi</b> @Dana Ruiz and @nobody here, see @dana@example.com\nnext line"
    actions.add_note(Actor.for_user(world["captain_a"]), conv, text)
    page = login(world["captain_a"]).get(f"/inbox/c/{conv.pk}/").content.decode()
    link = f'<a class="mention" href="/people/{dana.pk}/">'
    assert f"&lt;b&gt;hi&lt;/b&gt; {link}@Dana Ruiz</a> and @nobody here, see " \
           f"{link}@dana@example.com</a><br>next line" in page
    assert "<b>hi</b>" not in page


def test_bulk_in_the_api_answers_per_conversation(api, world):
    mine = inbox.conversation(world["a"])
    client = api(world["captain_a"])
    answer = client.post("/api/v1/conversations/bulk", {
        "action": "resolve", "conversation_ids": [mine.pk, world["conv_b"].pk]},
        content_type="application/json")
    assert answer.status_code == 200
    assert answer.json() == {"done": 1, "refused": 1, "results": [
        {"conversation_id": mine.pk, "done": True, "reason": ""},
        {"conversation_id": world["conv_b"].pk, "done": False,
         "reason": "No such conversation."}]}
    assert AuditEvent.objects.filter(action="resolve").count() == 1


def test_bulk_in_the_api_names_what_is_missing(api, world):
    client = api(world["captain_a"])
    answer = client.post("/api/v1/conversations/bulk", {
        "action": "assign", "conversation_ids": [world["conv_a"].pk]},
        content_type="application/json")
    assert answer.status_code == 422
    assert "person_id" in str(answer.json())
    answer = client.post("/api/v1/conversations/bulk", {
        "action": "handoff", "conversation_ids": [world["conv_a"].pk], "silo_id": 999_999,
        "reason": "x"}, content_type="application/json")
    assert answer.status_code == 422 and "silo_id" in str(answer.json())
