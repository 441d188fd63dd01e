"""Every message the API accepts renders: its conversation page and its experts answer 200,
however long its text (up to the 100 KB limit) and whatever its words."""

import pytest
from django.utils import timezone

from unsilo.inbox import pipeline
from unsilo.inbox.ingest import MAX_TEXT_BYTES
from unsilo.inbox.models import Message, ResolvedExample

pytestmark = pytest.mark.django_db

TEXTS = {
    "one 60,000-letter word": "x" * 60_000,
    "100 KB of one word": "a" * MAX_TEXT_BYTES,
    "100 KB of long words": ("refund" * 40 + " ") * (MAX_TEXT_BYTES // 241),
    "100 KB of two-byte letters": "é" * (MAX_TEXT_BYTES // 2),
}


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_a_long_message_keeps_its_conversation_page_and_experts(api, login, admin, text):
    # A resolved history, so suggesting experts searches it.
    ResolvedExample.objects.create(source="import", key="h1", network="bluesky",
                                   text="my refund never came back", person=admin.person,
                                   silo=admin.person.silo,
                                   created_at=timezone.now())
    answer = api(admin).post("/api/v1/messages", {
        "id": "long-1", "network": "bluesky", "text": text, "author": "ann.bsky.social",
        "created_at": "2026-03-01T09:00:00Z"}, content_type="application/json")
    assert answer.status_code in (200, 201, 202), answer.content[:300]
    pipeline.process_pending()
    conversation = Message.objects.get(external_id="long-1").conversation
    assert api(admin).get(f"/api/v1/conversations/{conversation.pk}/experts").status_code == 200
    page = login(admin).get(f"/inbox/c/{conversation.pk}/")
    assert page.status_code == 200
    assert text[:1000] in page.content.decode()
