import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from tests import factories
from tests.inbox import factories as inbox
from unsilo.core.actor import Actor
from unsilo.core.models import Role
from unsilo.inbox import queries
from unsilo.inbox.models import ConsultStatus, Status
from unsilo.org.models import SiloKind

pytestmark = pytest.mark.django_db


def ids(page_or_list):
    items = page_or_list.items if isinstance(page_or_list, queries.Page) else page_or_list
    return [c.pk for c in items]


@pytest.fixture
def world():
    """Two silos with a captain each, a responder in A, the hub, and one conversation each."""
    hub = factories.silo("COE", kind=SiloKind.HUB)
    a, b = factories.silo("Billing"), factories.silo("Legal")
    w = {
        "a": a, "b": b, "hub": hub,
        "captain_a": Actor.for_user(factories.user(Role.CAPTAIN, a)),
        "captain_b": Actor.for_user(factories.user(Role.CAPTAIN, b)),
        "responder_a": Actor.for_user(factories.user(Role.RESPONDER, a)),
        "hub_responder": Actor.for_user(factories.user(Role.RESPONDER, hub)),
        "admin": Actor.for_user(factories.user(Role.HUB_ADMIN, hub)),
        "viewer": Actor.for_user(factories.user(Role.VIEWER, b)),
    }
    w["conv_a"] = inbox.conversation(a, text="Refund please", at=inbox.minutes_ago(3))
    w["conv_b"] = inbox.conversation(b, text="I will sue you", at=inbox.minutes_ago(2))
    w["triaged"] = inbox.conversation(None, triage=True, text="hm", at=inbox.minutes_ago(1))
    return w


def test_silo_queue_is_the_readers_silo(world):
    assert ids(queries.conversation_page(world["captain_a"], "silo", {})) == [world["conv_a"].pk]
    assert ids(queries.conversation_page(world["captain_b"], "silo", {})) == [world["conv_b"].pk]


def test_captain_never_sees_another_silos_conversation_unless_assigned_or_consulted(world):
    captain = world["captain_a"]
    conv_b = world["conv_b"]
    assert conv_b.pk not in ids(queries.conversation_page(captain, "all", {}))
    with pytest.raises(Http404):
        queries.conversation_for(captain, conv_b.pk)
    inbox.consult(conv_b, captain.user.person)
    assert ids(queries.conversation_page(captain, "consults", {})) == [conv_b.pk]
    assert conv_b.pk in ids(queries.conversation_page(captain, "all", {}))
    assert queries.conversation_for(captain, conv_b.pk) == conv_b


def test_an_answered_consult_leaves_the_consults_queue_but_stays_readable(world):
    captain, conv_b = world["captain_a"], world["conv_b"]
    inbox.consult(conv_b, captain.user.person, status=ConsultStatus.ANSWERED)
    assert ids(queries.conversation_page(captain, "consults", {})) == []
    # The expert keeps following what they helped with (access.visible).
    assert ids(queries.conversation_page(captain, "all", {})) == [conv_b.pk, world["conv_a"].pk]
    assert queries.conversation_for(captain, conv_b.pk) == conv_b


def test_mine_is_what_is_assigned_to_me_wherever_it_sits(world):
    responder = world["responder_a"]
    world["conv_b"].assignee = responder.user.person
    world["conv_b"].save()
    assert ids(queries.conversation_page(responder, "mine", {})) == [world["conv_b"].pk]
    assert queries.conversation_for(responder, world["conv_b"].pk) == world["conv_b"]


def test_viewer_and_hub_admin_see_every_silo(world):
    everything = {world["conv_a"].pk, world["conv_b"].pk, world["triaged"].pk}
    for who in ("viewer", "admin"):
        assert set(ids(queries.conversation_page(world[who], "all", {}))) == everything
        assert set(ids(queries.conversation_page(world[who], "silo", {}))) == everything
    only_b = queries.conversation_page(world["admin"], "silo", {"silo": str(world["b"].pk)})
    assert ids(only_b) == [world["conv_b"].pk]


def test_triage_is_for_the_hub_only(world):
    triaged = world["triaged"].pk
    assert ids(queries.conversation_page(world["admin"], "triage", {})) == [triaged]
    assert ids(queries.conversation_page(world["hub_responder"], "triage", {})) == [triaged]
    assert queries.conversation_page(world["responder_a"], "triage", {}).items == []
    assert "triage" not in queries.queues_for(world["responder_a"])
    assert "triage" in queries.queues_for(world["hub_responder"])
    with pytest.raises(Http404):
        queries.conversation_for(world["responder_a"], triaged)


def test_overdue_is_unresolved_past_either_clock(world):
    past, future = inbox.minutes_ago(5), timezone.now() + datetime.timedelta(hours=1)
    a = world["a"]
    late_reply = inbox.conversation(a, first_response_due=past)
    answered = inbox.conversation(a, first_response_due=past, first_response_at=past)
    late_resolution = inbox.conversation(a, resolution_due=past, first_response_due=future)
    inbox.conversation(a, resolution_due=past, status=Status.RESOLVED)
    inbox.conversation(a, first_response_due=future, resolution_due=future)
    got = ids(queries.conversation_page(world["captain_a"], "overdue", {}))
    assert got == [late_resolution.pk, late_reply.pk]
    assert answered.pk not in got


def test_status_defaults_to_unresolved(world):
    a = world["a"]
    waiting = inbox.conversation(a, status=Status.WAITING)
    done = inbox.conversation(a, status=Status.RESOLVED)
    captain = world["captain_a"]
    assert ids(queries.conversation_page(captain, "silo", {})) == [waiting.pk, world["conv_a"].pk]
    assert ids(queries.conversation_page(captain, "silo", {"status": "resolved"})) == [done.pk]
    assert len(queries.conversation_page(captain, "silo", {"status": "all"}).items) == 3


def test_filters_narrow_the_queue(world):
    a = world["a"]
    acc = factories.account(a)
    target = inbox.conversation(a, network="x", account=acc, sentiment="negative",
                                intent="refund", language="de", text="Wo ist mein Geld?",
                                at=inbox.minutes_ago(60 * 24 * 3))
    inbox.conversation(a, network="mastodon", sentiment="positive", intent="praise",
                       language="en")
    captain = world["captain_a"]
    for name, value in [("network", "x"), ("account", acc.pk), ("sentiment", "negative"),
                        ("intent", "refund"), ("language", "de"), ("q", "GELD mein"),
                        ("until", (timezone.now() - datetime.timedelta(days=2)).isoformat())]:
        got = ids(queries.conversation_page(captain, "silo", {name: value}))
        assert target.pk in got, name
        assert len(got) == 1, name
    recent = queries.conversation_page(captain, "silo", {"since": inbox.minutes_ago(10)})
    assert target.pk not in ids(recent)
    assert ids(queries.conversation_page(captain, "silo", {"q": "geld nowhere"})) == []


def test_search_matches_like_characters_literally(world):
    a = world["a"]
    percent = inbox.conversation(a, text="100% wrong")
    inbox.conversation(a, text="100 wrong")
    assert ids(queries.conversation_page(world["captain_a"], "silo", {"q": "100%"})) == [
        percent.pk]


@pytest.mark.parametrize("name,value", [("sentiment", "angry"), ("account", "x"),
                                        ("since", "yesterday"), ("status", "closed")])
def test_a_bad_filter_names_its_field(world, name, value):
    with pytest.raises(queries.BadFilter) as error:
        queries.conversation_page(world["admin"], "all", {name: value})
    assert error.value.field == name


def test_cursor_pages_are_stable_through_ties_and_new_arrivals(world):
    a = world["a"]
    same_time = inbox.minutes_ago(30)
    made = [inbox.conversation(a, at=same_time) for _ in range(5)]
    captain = world["captain_a"]
    first = queries.conversation_page(captain, "silo", {}, limit=3)
    # Something new arriving between pages does not shift the next one.
    inbox.conversation(a)
    second = queries.conversation_page(captain, "silo", {}, after=first.next_cursor, limit=3)
    assert second.next_cursor is None
    expected = [world["conv_a"].pk] + sorted((c.pk for c in made), reverse=True)
    assert ids(first) + ids(second) == expected
    with pytest.raises(queries.BadFilter):
        queries.conversation_page(captain, "silo", {}, after="garbage")


def test_newer_than_returns_only_rows_after_the_top_row(world):
    captain = world["captain_a"]
    top = queries.cursor_of(world["conv_a"])
    assert queries.newer_than(captain, "silo", {}, top) == []
    new = inbox.conversation(world["a"])
    inbox.conversation(world["b"])  # another silo: not for this captain
    assert ids(queries.newer_than(captain, "silo", {}, top)) == [new.pk]


def test_queue_counts(world):
    world["conv_a"].assignee = world["captain_a"].user.person
    world["conv_a"].save()
    counts = queries.queue_counts(world["captain_a"])
    assert counts == {"mine": 1, "silo": 1, "consults": 0, "overdue": 0}
    assert queries.queue_counts(world["admin"])["triage"] == 1


def test_customer_history_only_shows_what_the_reader_may_see(world):
    conv_a = world["conv_a"]
    earlier_a = inbox.conversation(world["a"], network=conv_a.network, author=conv_a.author,
                                   at=inbox.minutes_ago(500))
    earlier_b = inbox.conversation(world["b"], network=conv_a.network, author=conv_a.author,
                                   at=inbox.minutes_ago(400))
    assert ids(queries.customer_history(conv_a)) == [earlier_b.pk, earlier_a.pk]
    assert ids(queries.customer_history(conv_a, world["captain_a"])) == [earlier_a.pk]


def test_thread_interleaves_messages_notes_and_consults(world):
    conv = world["conv_a"]
    inbox.consult(conv, world["captain_b"].user.person)
    kinds = [e.kind for e in queries.thread(conv)]
    assert kinds == ["message", "consult"]


def test_queue_page_query_count_is_fixed(world, django_assert_num_queries):
    a = world["a"]
    for _ in range(20):
        inbox.conversation(a, assignee=factories.person(a), account=factories.account(a))
    captain = world["captain_a"]
    # Open and waiting: one index walk of keys each, then the page's rows with their silo,
    # assignee and account.
    with django_assert_num_queries(3):
        page = queries.conversation_page(captain, "silo", {}, limit=10)
        shown = [(c.silo.name, c.assignee.name, c.account.handle) for c in page.items]
    assert len(shown) == 10
    with django_assert_num_queries(1):
        queries.conversation_page(world["admin"], "all", {"status": "all"})


def test_an_empty_lists_top_reads_as_a_cursor_and_a_huge_id_does_not(world):
    captain = world["captain_a"]
    new = inbox.conversation(world["a"])
    # An empty list polls from "0-0" (the live list's default top).
    assert new.pk in ids(queries.newer_than(captain, "silo", {}, "0-0"))
    with pytest.raises(queries.BadFilter):
        queries.parse_cursor("1-99999999999999999999")
