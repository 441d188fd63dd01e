"""Saved replies in the composer, server side: the text Insert puts at the caret, and Insert
without JavaScript keeping the draft."""

import pytest

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core.models import Role
from unsilo.inbox.models import Direction, Message, SavedReply

pytestmark = pytest.mark.django_db


@pytest.fixture
def care():
    return factories.silo("Care")


def test_insert_fetches_the_reply_filled_in_for_this_conversation(login, care):
    saved = SavedReply.objects.create(title="Hi", text="Hi {customer}!", silo=care)
    conv = inbox.conversation(care, author="dana")
    client = login(factories.user(Role.RESPONDER, care))
    response = client.get(f"/inbox/c/{conv.pk}/saved/{saved.pk}/")
    assert response.json() == {"text": "Hi dana!"}


def test_another_silos_saved_reply_is_not_offered(login, care):
    other = SavedReply.objects.create(title="Hi", text="secret", silo=factories.silo("Legal"))
    conv = inbox.conversation(care)
    client = login(factories.user(Role.HUB_ADMIN, care))
    assert client.get(f"/inbox/c/{conv.pk}/saved/{other.pk}/").status_code == 404


def test_a_reader_who_may_not_answer_gets_no_saved_reply(login, care):
    saved = SavedReply.objects.create(title="Hi", text="Hi", silo=care)
    conv = inbox.conversation(care)
    client = login(factories.user(Role.VIEWER, care))
    assert client.get(f"/inbox/c/{conv.pk}/saved/{saved.pk}/").status_code == 403


def test_insert_without_javascript_keeps_the_draft_and_sends_nothing(login, care):
    saved = SavedReply.objects.create(title="Hi", text="Thanks, {customer}.")
    conv = inbox.conversation(care, author="dana")
    client = login(factories.user(Role.RESPONDER, care))
    response = client.post(f"/inbox/c/{conv.pk}/saved/", {"reply-text": "My draft",
                                                           "saved": saved.pk})
    assert response.status_code == 200
    assert response.context["reply_form"]["text"].value() == "My draft\n\nThanks, dana."
    nothing = client.post(f"/inbox/c/{conv.pk}/saved/", {"reply-text": "My draft"})
    assert nothing.context["reply_form"]["text"].value() == "My draft"
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
