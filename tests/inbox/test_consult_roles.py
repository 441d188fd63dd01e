"""A consulted expert answers the customer only when their role may work on conversations, as
Admin → Who may do what says; otherwise they answer the consult in a note. Per role, on the
page, in the API and in the actions, against the matrix the admin page renders."""

import pytest
from django.core.exceptions import PermissionDenied

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core.actor import Actor
from unsilo.core.models import Role
from unsilo.core.views_admin import role_matrix
from unsilo.inbox import actions
from unsilo.inbox.models import ConsultStatus, Direction, Message, Note
from unsilo.org.models import SiloKind

pytestmark = pytest.mark.django_db


def may_work_on_conversations(role: str) -> bool:
    """What the admin page's matrix says for `inbox.respond`."""
    row = next(r for r in role_matrix() if r["perm"] == "inbox.respond")
    return bool(row["scopes"][Role.values.index(role)])


def test_the_matrix_says_reviewers_and_viewers_may_not_work_on_conversations():
    assert [r for r in Role.values if not may_work_on_conversations(r)] == [
        Role.REVIEWER, Role.VIEWER]


@pytest.fixture
def setup():
    hub = factories.silo("COE", kind=SiloKind.HUB)
    care, legal = factories.silo("Customer Care"), factories.silo("Legal")
    asker = factories.user(Role.CAPTAIN, care)
    conv = inbox.conversation(care, text="Is this covered by the warranty?")
    return {"hub": hub, "care": care, "legal": legal, "asker": asker, "conv": conv}


def consulted(setup, role):
    """A person of Legal with `role`, consulted on Care's conversation."""
    silo = setup["hub"] if role == Role.HUB_ADMIN else setup["legal"]
    expert = factories.user(role, silo)
    consult = actions.consult(Actor.for_user(setup["asker"]), setup["conv"], expert.person,
                              "What do we say?")
    return expert, consult


@pytest.mark.parametrize("role", Role.values)
def test_a_consultee_replies_to_the_customer_only_if_their_role_may(setup, role):
    expert, consult = consulted(setup, role)
    me = Actor.for_user(expert)
    allowed = may_work_on_conversations(role)
    if allowed:
        actions.answer_consult(me, consult, "Yes, it is covered.", as_reply=True)
        assert Message.objects.filter(direction=Direction.OUTBOUND, sent_by=expert).exists()
    else:
        with pytest.raises(PermissionDenied, match="answer the consult in an internal note"):
            actions.answer_consult(me, consult, "Yes, it is covered.", as_reply=True)
        with pytest.raises(PermissionDenied):
            actions.reply(me, setup["conv"], "Yes, it is covered.")
        with pytest.raises(PermissionDenied):
            actions.resolve(me, setup["conv"])
        assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
        # The note is theirs, whatever their role.
        actions.answer_consult(me, consult, "Yes, it is covered.")
        assert Note.objects.get(consult=consult).author == expert
    consult.refresh_from_db()
    assert consult.status == ConsultStatus.ANSWERED


@pytest.mark.parametrize("role", Role.values)
def test_the_page_offers_reply_to_customer_only_to_those_who_may(setup, role, login):
    expert, _ = consulted(setup, role)
    page = login(expert).get(f"/inbox/c/{setup['conv'].pk}/").content.decode()
    allowed = may_work_on_conversations(role)
    assert ("Send reply" in page) == allowed
    assert ("Send it to the customer" in page) == allowed
    assert "Answer the consult" in page and "Add note" in page
    if not allowed:
        assert "Your answer is an internal note" in page


@pytest.mark.parametrize("role", Role.values)
def test_the_api_answers_per_role(setup, role, api):
    expert, consult = consulted(setup, role)
    client = api(expert)
    allowed = may_work_on_conversations(role)
    conv = setup["conv"]
    reply = client.post(f"/api/v1/conversations/{conv.pk}/replies", {"text": "Hello"},
                        content_type="application/json")
    assert reply.status_code == (201 if allowed else 403)
    as_reply = client.post(f"/api/v1/consults/{consult.pk}/answer",
                           {"text": "Covered", "as_reply": True, "force": True},
                           content_type="application/json")
    assert as_reply.status_code == (201 if allowed else 403)
    if not allowed:
        note = client.post(f"/api/v1/consults/{consult.pk}/answer", {"text": "Covered"},
                           content_type="application/json")
        assert note.status_code == 201 and note.json()["note"]["text"] == "Covered"


def test_the_admin_page_says_how_a_consultee_answers(login):
    admin = factories.user(Role.HUB_ADMIN, factories.silo("COE", kind=SiloKind.HUB))
    page = login(admin).get("/admin/").content.decode()
    assert "reply to customers" in page
    assert "they reply to the customer only when their role may work on conversations" in page
