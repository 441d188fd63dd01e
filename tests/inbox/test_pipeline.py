"""The worker's half of ingestion: threading, what routing writes, reopening, conversation
fields, and idempotent processing."""

import datetime

import pytest

from tests import factories
from tests.inbox import factories as inbox_factories
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent
from unsilo.inbox import ingest, pipeline
from unsilo.inbox.models import (
    Conversation,
    Message,
    MessageState,
    Notification,
    NotificationKind,
    RoutingDecision,
    Status,
)

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)


def msg(ext, minute=0, **fields) -> dict:
    item = {"id": ext, "network": "bluesky", "text": f"message {ext}", "author": "ann.bsky",
            "created_at": (T0 + datetime.timedelta(minutes=minute)).isoformat()}
    item.update(fields)
    return item


def send(*items, batch_size=pipeline.BATCH) -> pipeline.Processed:
    report = ingest.ingest(list(items), Actor.system(), "test")
    assert report.ok, report.errors
    return pipeline.process_pending(batch_size=batch_size)


def conversation_of(ext) -> Conversation:
    return Message.objects.get(external_id=ext).conversation


@pytest.fixture
def routing(monkeypatch):
    return inbox_factories.fixed_routing(monkeypatch)


def test_a_reply_joins_its_parent_whichever_arrives_first(routing):
    send(msg("root"))
    send(msg("r1", 1, in_reply_to="root"))
    send(msg("r2", 2, in_reply_to="late-parent"))
    send(msg("late-parent", 0))
    assert conversation_of("r1") == conversation_of("root")
    assert conversation_of("r2") == conversation_of("late-parent")
    assert conversation_of("r2").message_count == 2
    assert Conversation.objects.count() == 2


def test_a_reply_to_a_reply_and_thread_ids_join_the_same_conversation(routing):
    send(msg("root", thread_id="T1"))
    send(msg("a", 1, in_reply_to="root"), msg("b", 2, in_reply_to="a"), msg("c", 3,
                                                                           thread_id="T1"))
    conv = conversation_of("root")
    assert {m.external_id for m in conv.messages.all()} == {"root", "a", "b", "c"}
    assert conv.thread_key == "bluesky:T1"


def test_a_thread_that_starts_in_one_batch_is_one_conversation(routing):
    done = send(msg("b", 1, in_reply_to="a"), msg("a"), msg("c", 2, in_reply_to="b"),
                msg("other", 3))
    assert done.messages == 4 and done.conversations == 2
    conv = conversation_of("a")
    assert conv.message_count == 3 and conv == conversation_of("c")
    assert conv.author == "ann.bsky"


def test_the_same_id_on_two_networks_is_two_conversations(routing):
    send(msg("1"), msg("1", network="x"))
    assert Conversation.objects.count() == 2


def test_a_thread_split_over_batches_still_makes_one_conversation(routing):
    send(*[msg(f"m{i}", i, in_reply_to="m0" if i else "") for i in range(7)], batch_size=3)
    assert Conversation.objects.count() == 1
    assert Conversation.objects.get().message_count == 7


def test_each_new_conversation_is_routed_once_with_its_decision_and_audit_row(monkeypatch):
    sales = factories.silo("Sales")
    dana = factories.person(sales, name="Dana Ruiz")
    inbox_factories.fixed_routing(monkeypatch, inbox_factories.to_person(dana))
    send(msg("a"), msg("b", 1, in_reply_to="a"), msg("c", 2))
    send(msg("d", 3, in_reply_to="a"))
    assert RoutingDecision.objects.count() == 2
    conv = conversation_of("a")
    decision = RoutingDecision.objects.get(conversation=conv)
    assert (decision.silo_id, decision.assignee_id, decision.source) == (sales.pk, dana.pk,
                                                                          "model")
    assert decision.message.external_id == "a"
    assert (conv.silo_id, conv.assignee_id, conv.triage, conv.confidence) == (
        sales.pk, dana.pk, False, 0.9)
    assert conv.reasons == ["Dana Ruiz resolved 9 like it"]
    rows = AuditEvent.objects.filter(action="route", object_type="inbox.conversation")
    assert rows.count() == 2
    row = rows.get(object_id=str(conv.pk))
    assert (row.via, row.silo_id) == ("worker", sales.pk)
    assert row.changes["assignee"] == [None, dana.pk]
    assert conv.first_response_due is not None and conv.resolution_due > conv.first_response_due
    assigned = Notification.objects.filter(person=dana, kind=NotificationKind.ASSIGNED)
    assert assigned.count() == 2


def test_an_owned_conversation_keeps_its_owner_and_refreshes_its_mood(monkeypatch):
    sales, care = factories.silo("Sales"), factories.silo("Care")
    dana, eve = factories.person(sales), factories.person(care)
    inbox_factories.fixed_routing(monkeypatch, inbox_factories.to_person(dana))
    send(msg("a", text="where is my order"))
    inbox_factories.fixed_routing(monkeypatch, inbox_factories.to_person(eve))
    send(msg("b", 5, in_reply_to="a", text="I am angry, my lawyer will call"))
    conv = conversation_of("a")
    assert conv.assignee_id == dana.pk and conv.silo_id == sales.pk
    assert (conv.sentiment, conv.risk) == ("negative", ["legal"])
    assert conv.preview == "I am angry, my lawyer will call"
    assert conv.last_inbound_at == T0 + datetime.timedelta(minutes=5)
    assert RoutingDecision.objects.count() == 1


def test_a_late_old_message_does_not_take_over_the_preview(routing):
    send(msg("a", 10, text="newest words"))
    send(msg("b", 1, in_reply_to="a", text="older words, delivered late"))
    conv = conversation_of("a")
    assert conv.preview == "newest words" and conv.message_count == 2
    assert "older words" in conv.search and "newest words" in conv.search


def test_a_conversation_in_triage_is_routed_when_a_reply_makes_it_clear(monkeypatch):
    inbox_factories.fixed_routing(monkeypatch)
    send(msg("a", text="hello?"))
    assert conversation_of("a").triage
    send(msg("b", 1, in_reply_to="a", text="still nothing"))  # still unclear: nothing new
    assert RoutingDecision.objects.count() == 1
    billing = factories.silo("Billing")
    ben = factories.person(billing)
    inbox_factories.fixed_routing(monkeypatch, inbox_factories.to_person(ben))
    send(msg("c", 2, in_reply_to="a", text="it is about my refund"))
    conv = conversation_of("a")
    assert (conv.triage, conv.silo_id, conv.assignee_id) == (False, billing.pk, ben.pk)
    assert RoutingDecision.objects.count() == 2


def test_a_reply_reopens_a_resolved_conversation_and_tells_the_assignee(monkeypatch):
    sales = factories.silo("Sales")
    dana = factories.person(sales)
    inbox_factories.fixed_routing(monkeypatch, inbox_factories.to_person(dana))
    send(msg("a"))
    Conversation.objects.update(status=Status.RESOLVED, resolved_at=T0, resolved_by=dana)
    done = send(msg("b", 60, in_reply_to="a", text="it broke again"))
    conv = conversation_of("a")
    assert done.reopened == 1
    assert (conv.status, conv.resolved_at, conv.resolved_by_id) == (Status.OPEN, None, None)
    reply = Notification.objects.get(person=dana, kind=NotificationKind.REPLY)
    assert "it broke again" in reply.text
    assert RoutingDecision.objects.count() == 1


def test_a_customer_message_that_reopens_a_conversation_leaves_an_audit_row(monkeypatch):
    sales = factories.silo("Sales")
    dana = factories.person(sales)
    inbox_factories.fixed_routing(monkeypatch, inbox_factories.to_person(dana))
    send(msg("a"))
    Conversation.objects.update(status=Status.RESOLVED, resolved_at=T0, resolved_by=dana)
    send(msg("b", 60, in_reply_to="a", text="it broke again"))
    conv = conversation_of("a")
    row = AuditEvent.objects.get(action="reopen")
    assert (row.object_id, row.via, row.actor_label, row.silo_id) == (
        str(conv.pk), "worker", "worker", sales.pk)
    assert row.changes["status"] == [Status.RESOLVED, Status.OPEN]
    assert row.changes["resolved_by"] == [dana.pk, None]
    assert row.changes["message"] == [None, Message.objects.get(external_id="b").pk]
    # A customer answering a conversation that waited for them is said too.
    Conversation.objects.update(status=Status.WAITING)
    send(msg("c", 90, in_reply_to="b"))
    waited = AuditEvent.objects.get(action="customer_answered")
    assert waited.changes["status"] == [Status.WAITING, Status.OPEN]
    assert AuditEvent.objects.filter(action="reopen").count() == 1


def test_a_reply_to_our_own_outbound_message_joins_its_conversation(routing):
    conv = inbox_factories.conversation(network="bluesky")
    ours = inbox_factories.message(conv, direction="out", text="Sorry! Fixed now.")
    send(msg("thanks", in_reply_to=ours.external_id, author=conv.author))
    assert conversation_of("thanks") == conv


def test_the_company_account_is_matched_by_network_and_handle(routing):
    account = factories.account(network="bluesky", handle="meridian.bsky.social")
    send(msg("a", account="meridian.bsky.social"), msg("b", 1, account="someone.else"))
    assert conversation_of("a").account == account
    assert conversation_of("b").account is None


def test_messages_get_their_classification_and_are_processed_once(routing):
    send(msg("a", text="angry!", lang="de"))
    stored = Message.objects.get(external_id="a")
    assert (stored.state, stored.sentiment, stored.language) == (MessageState.PROCESSED,
                                                                 "negative", "de")
    assert pipeline.process_pending().messages == 0  # nothing left: running again does nothing
    assert len(routing) == 1


def test_search_holds_the_texts_lowercased_and_capped(routing):
    send(msg("a", text="Refund PLEASE " + "x" * 30_000))
    send(msg("b", 1, in_reply_to="a", text="Second"))
    conv = conversation_of("a")
    assert conv.search.startswith("refund please ")
    assert len(conv.search) == pipeline.SEARCH_CAP


def test_only_the_messages_asked_for_are_processed(routing):
    ingest.ingest([msg("a"), msg("b", 1)], Actor.system(), "test")
    wanted = Message.objects.get(external_id="b").pk
    assert pipeline.process_pending([wanted]).messages == 1
    assert Message.objects.get(external_id="a").state == MessageState.RECEIVED


def test_a_thread_another_worker_started_meanwhile_is_joined_not_routed_again(
        routing, monkeypatch):
    send(msg("root"))
    conv = conversation_of("root")
    # This batch looks for stored conversations before the other worker's commit lands.
    monkeypatch.setattr(pipeline, "stored_conversations", lambda keys: {})
    done = send(msg("reply", 1, in_reply_to="root"), msg("new", 2))
    assert (done.conversations, done.routed) == (1, 1)
    assert conversation_of("reply") == conv
    conv.refresh_from_db()
    assert conv.message_count == 2
    assert RoutingDecision.objects.filter(conversation=conv).count() == 1
    assert Conversation.objects.count() == 2


def test_messages_left_received_are_picked_up_by_a_periodic_job(routing):
    from unsilo.core import periodic
    from unsilo.inbox.tasks import processing as tasks

    job = next(j for j in periodic.JOBS.values() if j.func is tasks.process_left_over)
    assert job.seconds == 30 and not job.when()  # an idle inbox queues nothing
    ingest.store([ingest.check_message(msg("a"))[0]], Actor.system(), "test")  # no commit hook
    assert job.when()
    periodic.run_job.call(job.name)
    assert Message.objects.get(external_id="a").state == MessageState.PROCESSED
    assert not job.when()


def test_a_burst_of_ingests_waits_on_one_queued_task(settings, api, admin,
                                                     django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = api(admin)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            client.post("/api/v1/messages", data=msg(f"b{n}"), content_type="application/json")
    queued = DBTaskResult.objects.filter(task_path="unsilo.inbox.tasks.processing.process_messages")
    assert queued.count() == 1
    queued.update(status="SUCCESSFUL")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/api/v1/messages", data=msg("b9"), content_type="application/json")
    assert queued.count() == 2


def test_a_processing_run_drops_the_duplicate_runs_queued_behind_it(settings, routing):
    from django_tasks_db.models import DBTaskResult

    from unsilo.inbox.tasks import processing as tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    ingest.store([ingest.check_message(msg("a"))[0]], Actor.system(), "test")
    for _ in range(3):
        tasks.process_messages.enqueue()
    tasks.process_messages.enqueue([12345])  # one for given messages stays
    tasks.process_messages.call()
    assert Message.objects.get(external_id="a").state == MessageState.PROCESSED
    left = DBTaskResult.objects.filter(task_path="unsilo.inbox.tasks.processing.process_messages")
    assert [row.args_kwargs["args"] for row in left] == [[[12345]]]


def test_with_the_real_router_and_no_history_a_new_conversation_waits_in_triage(admin):
    send(msg("a", text="My washer is leaking, who can help?"))
    conv = conversation_of("a")
    assert conv.triage and conv.assignee_id is None
    assert conv.intent and conv.sentiment in ("positive", "neutral", "negative")
    decision = RoutingDecision.objects.get(conversation=conv)
    assert decision.triage and decision.reasons


def test_a_message_the_router_cannot_take_is_set_aside_and_the_rest_go_through(monkeypatch):
    def decide(m):
        if "boom" in m.text:
            raise ValueError("the router choked")
        return inbox_factories.to_person(dana)(m)

    dana = factories.person(factories.silo("Sales"))
    inbox_factories.fixed_routing(monkeypatch, decide)
    done = send(msg("a"), msg("b", 1, text="boom"), msg("c", 2))
    assert done.messages == 2
    bad = Message.objects.get(external_id="b")
    assert bad.state == MessageState.FAILED and "the router choked" in bad.delivery_error
    assert Message.objects.filter(state=MessageState.PROCESSED).count() == 2


def test_when_every_message_fails_none_is_set_aside(monkeypatch):
    def decide(m):
        raise RuntimeError("the model is missing")

    inbox_factories.fixed_routing(monkeypatch, decide)
    with pytest.raises(RuntimeError):
        send(msg("a"), msg("b", 1))
    assert Message.objects.filter(state=MessageState.RECEIVED).count() == 2
