"""The outbound queue (unsilo/connectors/outbound.py) against a small network on loopback: each
reply goes out once whatever happens on the way (two workers, timeouts, killed workers), waits
out rate limits without spending attempts, backs off with jitter, and ends FAILED with the
network's words when it cannot go out, for a person to Retry or Cancel.

The connectors below are real plug-ins (loaded through UNSILO_CONNECTORS) that speak HTTP with
`unsilo.connectors.http` to a FakeAPI playing a network: POST /posts posts, GET /posts lists
what the account posted, POST /oauth/token renews the token."""

import datetime
import itertools
import random
import threading

import httpx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection as db_connection
from django.utils import timezone

from tests import factories
from tests.concurrency import wait_when_locked
from tests.connectors import factories as conn_factories
from tests.inbox import factories as inbox
from unsilo.connectors import credentials, http, outbound, plugins, sending
from unsilo.connectors.base import AccountInfo, AuthExpired, Connector, DeliveryResult, Session
from unsilo.connectors.models import Connection, ConnectionStatus, Delivery, DeliveryState
from unsilo.connectors.testing.fakeapi import FakeAPI, Reply, Request
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role
from unsilo.inbox import actions
from unsilo.inbox.models import MessageState

SYSTEM = Actor.system(label="test")
MODULE = "tests.connectors.test_outbound"


# The plug-ins ---------------------------------------------------------------------------------


class LoopbackNet(Connector):
    """A network that can show what an account posted (so an attempt in doubt is checked)."""

    name = "outnet"
    label = "Loopback network"

    def _http(self, session: Session) -> httpx.Client:
        client = http.client(session.options["api_base"])
        client.timeout = httpx.Timeout(session.options.get("timeout", 5.0))
        return client

    def _auth(self, session: Session) -> dict:
        return {"authorization": f"Bearer {session.secret['access_token']}"}

    def verify(self, session: Session) -> AccountInfo:
        return AccountInfo(external_id=session.handle, handle=session.handle)

    def refresh(self, session: Session) -> None:
        with self._http(session) as client:
            answer = client.post("/oauth/token", data={
                "grant_type": "refresh_token", "refresh_token": session.secret["refresh_token"]})
        if answer.status_code != 200:
            raise AuthExpired(http.error_text(answer))
        session.update_secret({**session.secret, **answer.json()})

    def headers(self, session: Session, out) -> dict:
        return self._auth(session)

    def reply(self, session: Session, out) -> DeliveryResult:
        with self._http(session) as client:
            answer = http.call(session, client, "POST", "/posts",
                               refresh=lambda: self.refresh(session),
                               headers=lambda s: self.headers(s, out),
                               json={"text": out.text, "in_reply_to": out.in_reply_to})
        post = answer.json()
        return DeliveryResult(external_id=post["id"], url=post["url"])

    publish = reply

    def find_sent(self, session: Session, out) -> DeliveryResult | None:
        since = out.created_at - datetime.timedelta(minutes=1)
        with self._http(session) as client:
            answer = http.call(session, client, "GET", "/posts", headers=self._auth,
                               params={"since": since.isoformat()})
        for post in answer.json()["posts"]:
            if post["text"] == out.text and post["in_reply_to"] == out.in_reply_to:
                return DeliveryResult(external_id=post["id"], url=post["url"])
        return None


class BlindNet(LoopbackNet):
    """A network with no way to list what was posted (the base class's find_sent)."""

    name = "outnet_blind"
    find_sent = Connector.find_sent


class KeyedNet(LoopbackNet):
    """A network that honours an Idempotency-Key header (as Mastodon does)."""

    name = "outnet_keyed"
    idempotent = True

    def headers(self, session: Session, out) -> dict:
        return {**self._auth(session), "idempotency-key": out.idempotency_key}

    find_sent = Connector.find_sent


# The network ----------------------------------------------------------------------------------


class Network:
    """The FakeAPI's state: the posts made, and troubles to answer the next POSTs with
    ("503", "429", "slow": post but answer after the client's timeout, "lost": answer late
    without posting, "401"). "empty" (remaining 0) is sent with a successful post."""

    TIMEOUT = 0.3

    def __init__(self, api: FakeAPI):
        self.api = api
        self.api.requests.clear()
        self.posts: list[dict] = []
        self.troubles: list[str] = []
        self.ids = itertools.count(100)
        self.api.route("POST", "/posts", self._post)
        self.api.route("GET", "/posts", lambda r: Reply(json={"posts": list(self.posts)}))
        self.api.route("POST", "/oauth/token", Reply(400, json={
            "error": "invalid_grant", "error_description": "The refresh token was revoked."}))

    def _post(self, request: Request) -> Reply:
        trouble = self.troubles.pop(0) if self.troubles else ""
        if trouble == "503":
            return Reply(503, json={"error": "Service Unavailable", "message": "Over capacity"})
        if trouble == "429":
            return Reply(429, json={"error": "Too Many Requests"},
                         headers={"retry-after": "3600", "x-rate-limit-remaining": "0"})
        if trouble == "401":
            return Reply(401, json={"error": "The access token expired"})
        if trouble == "lost":
            return Reply(500, delay=self.TIMEOUT * 3)
        body = request.json()
        post = {"id": str(next(self.ids)), "text": body["text"],
                "in_reply_to": body["in_reply_to"], "key": request.headers.get("idempotency-key"),
                "token": request.headers["authorization"]}
        post["url"] = f"https://net.example/p/{post['id']}"
        self.posts.append(post)
        headers = {"x-rate-limit-limit": "300", "x-rate-limit-remaining": "299"}
        if trouble == "empty":
            reset = timezone.now() + datetime.timedelta(minutes=15)
            headers = {"x-rate-limit-limit": "300", "x-rate-limit-remaining": "0",
                       "x-rate-limit-reset": str(int(reset.timestamp()))}
        return Reply(201, json=post, headers=headers,
                     delay=self.TIMEOUT * 3 if trouble == "slow" else 0)

    def post_calls(self) -> list[Request]:
        return self.api.calls("POST", "/posts")

    def connect(self, network: str = "outnet", *, owner=None, **fields) -> Connection:
        return conn_factories.connection(
            network, owner=owner, secret={"access_token": "tok-1", "refresh_token": "ref-1"},
            options={"api_base": self.api.url, "timeout": self.TIMEOUT}, **fields)


@pytest.fixture(scope="module")
def fake_api():
    api = FakeAPI()
    yield api
    api.close()


@pytest.fixture
def net(fake_api, monkeypatch, settings):
    settings.UNSILO_DEMO_DELIVERY = False
    monkeypatch.setenv("UNSILO_CONNECTORS", ",".join(
        f"{cls.name}={MODULE}:{cls.__name__}" for cls in (LoopbackNet, BlindNet, KeyedNet)))
    plugins.reload()
    yield Network(fake_api)
    plugins.reload()


def queued(conn: Connection, text: str = "Sorry about that, a new one is on its way.",
           **fields) -> Delivery:
    fields.setdefault("in_reply_to", "m-1")
    return outbound.queue(SYSTEM, kind="reply", network=conn.network, text=text,
                          account=conn.account, silo_id=conn.account.owner_silo_id, **fields)


def later(delivery: Delivery, seconds: float = 1) -> datetime.datetime:
    """A moment just after the delivery's next attempt is due."""
    delivery.refresh_from_db()
    return max(delivery.next_attempt_at, timezone.now()) + datetime.timedelta(seconds=seconds)


def seconds_from_now(moment: datetime.datetime) -> float:
    return (moment - timezone.now()).total_seconds()


# Sent once ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_delivery_is_posted_once_however_often_send_runs(net):
    delivery = queued(net.connect())
    assert sending.send(delivery.pk) == DeliveryState.SENT
    assert sending.send(delivery.pk) == DeliveryState.SENT
    delivery.refresh_from_db()
    assert len(net.posts) == 1 and delivery.attempts == 1
    assert (delivery.external_id, delivery.url) == ("100", "https://net.example/p/100")
    assert net.post_calls()[0].headers["authorization"] == "Bearer tok-1"
    assert net.post_calls()[0].json() == {"text": delivery.text, "in_reply_to": "m-1"}


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_delivery_post_it_once(net):
    deliveries = [queued(net.connect(), text=f"Reply {n}") for n in range(5)]
    start = threading.Barrier(2)
    states: list[str] = []

    def worker():
        start.wait()
        try:
            with db_connection.execute_wrapper(wait_when_locked):
                for delivery in deliveries:
                    states.append(sending.send(delivery.pk))
        finally:
            db_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(p["text"] for p in net.posts) == [f"Reply {n}" for n in range(5)]
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
    assert len(states) == 10 and set(states) <= {DeliveryState.SENT, DeliveryState.SENDING}


# Back-off -------------------------------------------------------------------------------------


def test_backoff_doubles_is_jittered_and_capped():
    rng = random.Random(4)
    for attempts in range(1, 12):
        ceiling = min(sending.MAX_DELAY, sending.BASE_DELAY * 2 ** (attempts - 1))
        waits = [sending.backoff(attempts, rng) for _ in range(50)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert len(set(waits)) == 50  # jittered: deliveries that failed together spread out
    assert sending.backoff(20, rng) <= sending.MAX_DELAY


@pytest.mark.django_db
def test_a_5xx_is_retried_later_then_given_up_with_the_networks_words(net):
    delivery = queued(net.connect())
    net.troubles = ["503"] * sending.MAX_ATTEMPTS
    now = None
    for attempt in range(1, sending.MAX_ATTEMPTS):
        assert sending.send(delivery.pk, now=now) == DeliveryState.QUEUED
        delivery.refresh_from_db()
        ceiling = sending.BASE_DELAY * 2 ** (attempt - 1)
        assert ceiling / 2 - 1 <= seconds_from_now(delivery.next_attempt_at) <= ceiling
        assert delivery.attempts == attempt
        assert delivery.last_error == "503: Over capacity"
        assert sending.send(delivery.pk) == DeliveryState.QUEUED  # not due yet: no call
        assert len(net.post_calls()) == attempt
        now = later(delivery)
    assert sending.send(delivery.pk, now=now) == DeliveryState.FAILED
    delivery.refresh_from_db()
    assert delivery.last_error == (f"Gave up after {sending.MAX_ATTEMPTS} attempts. "
                                   "Last error: 503: Over capacity")
    assert net.posts == [] and len(net.post_calls()) == sending.MAX_ATTEMPTS
    assert AuditEvent.objects.filter(action="delivery_failed").count() == 1


# Rate limits ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_429_pauses_the_account_without_spending_an_attempt(net):
    busy, calm = net.connect(), net.connect()
    first, second, other = queued(busy, text="first"), queued(busy, text="second"), \
        queued(calm, text="other")
    net.troubles = ["429"]
    assert sending.send(first.pk) == DeliveryState.QUEUED
    first.refresh_from_db()
    busy.refresh_from_db()
    assert first.attempts == 0 and first.last_error == "429: Too Many Requests"
    assert 3590 <= seconds_from_now(first.next_attempt_at) <= 3600
    assert abs((busy.paused_until - first.next_attempt_at).total_seconds()) < 2

    # The sweep (once the queue's first hand-over has lapsed) leaves the paused account alone.
    assert outbound.send_due(now=timezone.now() + outbound.HANDED_OVER * 1.1) == 1
    other.refresh_from_db()
    assert other.state == DeliveryState.SENT
    # Even a task already queued for the paused account waits for the end of the pause.
    assert sending.send(second.pk) == DeliveryState.QUEUED
    second.refresh_from_db()
    assert second.next_attempt_at == busy.paused_until and second.attempts == 0
    assert [p["text"] for p in net.posts] == ["other"]

    after_pause = busy.paused_until + datetime.timedelta(seconds=1)
    assert sending.send(second.pk, now=after_pause) == DeliveryState.SENT
    assert sending.send(first.pk, now=after_pause) == DeliveryState.SENT
    assert [p["text"] for p in net.posts] == ["other", "second", "first"]


@pytest.mark.django_db
def test_no_calls_left_pauses_the_account_until_the_reset(net):
    conn = net.connect()
    first, second = queued(conn, text="first"), queued(conn, text="second")
    net.troubles = ["empty"]
    assert sending.send(first.pk) == DeliveryState.SENT
    conn.refresh_from_db()
    assert (conn.rate_limit, conn.rate_remaining) == (300, 0)
    assert 890 <= seconds_from_now(conn.paused_until) <= 900
    assert conn.paused_until == conn.rate_reset_at
    assert sending.send(second.pk) == DeliveryState.QUEUED
    assert len(net.post_calls()) == 1
    assert sending.send(second.pk, now=later(second)) == DeliveryState.SENT
    conn.refresh_from_db()
    assert conn.rate_remaining == 299


# Attempts in doubt ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_after_a_timeout_the_network_is_asked_and_a_post_it_shows_is_not_repeated(net):
    delivery = queued(net.connect())
    net.troubles = ["slow"]
    assert sending.send(delivery.pk) == DeliveryState.QUEUED
    delivery.refresh_from_db()
    assert delivery.in_doubt and "no answer from the network" in delivery.last_error
    assert len(net.posts) == 1  # it went out; the answer did not come back

    assert sending.send(delivery.pk, now=later(delivery)) == DeliveryState.SENT
    delivery.refresh_from_db()
    assert len(net.post_calls()) == 1 and len(net.api.calls("GET", "/posts")) == 1
    assert (delivery.external_id, delivery.in_doubt) == (net.posts[0]["id"], False)


@pytest.mark.django_db
def test_after_a_timeout_that_did_not_post_it_is_posted_once(net):
    delivery = queued(net.connect())
    net.troubles = ["lost"]
    assert sending.send(delivery.pk) == DeliveryState.QUEUED
    assert sending.send(delivery.pk, now=later(delivery)) == DeliveryState.SENT
    assert len(net.posts) == 1 and len(net.api.calls("GET", "/posts")) == 1


@pytest.mark.django_db
def test_after_a_timeout_a_network_that_cannot_tell_fails_it_for_a_person(net):
    delivery = queued(net.connect("outnet_blind"))
    net.troubles = ["slow"]
    assert sending.send(delivery.pk) == DeliveryState.QUEUED
    assert sending.send(delivery.pk, now=later(delivery)) == DeliveryState.FAILED
    delivery.refresh_from_db()
    assert "offers no way to check whether the reply went out" in delivery.last_error
    assert "Retry to send it again or Cancel" in delivery.last_error
    assert len(net.posts) == 1  # not posted a second time


@pytest.mark.django_db
def test_giving_up_while_in_doubt_says_it_may_have_gone_out(net):
    delivery = queued(net.connect())
    Delivery.objects.filter(pk=delivery.pk).update(attempts=sending.MAX_ATTEMPTS - 1,
                                                   in_doubt=True)
    net.api.route("GET", "/posts", Reply(503, json={"message": "Over capacity"}))
    assert sending.send(delivery.pk) == DeliveryState.FAILED
    delivery.refresh_from_db()
    assert delivery.last_error.endswith("Last error: 503: Over capacity (An earlier attempt "
                                        "got no answer and may have gone out: look on the "
                                        "account before you Retry.)")
    assert net.post_calls() == []


@pytest.mark.django_db
def test_a_network_that_honours_the_key_gets_the_same_key_again(net):
    delivery = queued(net.connect("outnet_keyed"))
    net.troubles = ["slow"]
    assert sending.send(delivery.pk) == DeliveryState.QUEUED
    assert sending.send(delivery.pk, now=later(delivery)) == DeliveryState.SENT
    keys = [call.headers["idempotency-key"] for call in net.post_calls()]
    assert keys == [delivery.idempotency_key] * 2
    assert net.api.calls("GET", "/posts") == []


@pytest.mark.django_db
def test_a_worker_killed_mid_send_leaves_a_lease_the_sweep_picks_up_in_doubt(net):
    delivery = queued(net.connect())
    net.posts.append({"id": "77", "text": delivery.text, "in_reply_to": "m-1", "key": None,
                      "token": "", "url": "https://net.example/p/77"})  # it did go out
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SENDING, attempts=1,
                                                   lease_until=long_ago)
    assert outbound.send_due() == 1  # the test's task backend runs the send at once
    delivery.refresh_from_db()
    assert (delivery.state, delivery.external_id, delivery.attempts) == (
        DeliveryState.SENT, "77", 2)
    assert net.post_calls() == []


@pytest.mark.django_db
def test_a_delivery_waiting_behind_a_backlog_of_tasks_is_not_handed_over_twice(net):
    delivery = queued(net.connect())  # its task is on the queue (not run in this test)
    assert outbound.send_due(now=timezone.now() + datetime.timedelta(minutes=5)) == 0
    # Only an enqueue lost for good is made up for, once the hand-over lapses.
    assert outbound.send_due(now=timezone.now() + outbound.HANDED_OVER * 1.1) == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and len(net.posts) == 1


@pytest.mark.django_db
def test_a_live_lease_is_left_to_its_worker(net):
    delivery = queued(net.connect())
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.SENDING, lease_until=timezone.now() + datetime.timedelta(minutes=1))
    assert outbound.send_due() == 0
    assert sending.send(delivery.pk) == DeliveryState.SENDING
    assert net.api.requests == []


# Accounts that cannot send --------------------------------------------------------------------


@pytest.mark.django_db
def test_an_expired_token_is_renewed_and_the_new_one_stored(net):
    conn = net.connect()
    net.api.route("POST", "/oauth/token", Reply(json={"access_token": "tok-2"}))
    delivery = queued(conn)
    net.troubles = ["401"]
    assert sending.send(delivery.pk) == DeliveryState.SENT
    assert [c.headers["authorization"] for c in net.post_calls()] == ["Bearer tok-1",
                                                                       "Bearer tok-2"]
    assert conn_factories.stored_secret(conn)["access_token"] == "tok-2"


@pytest.mark.django_db
def test_a_refused_refresh_fails_the_delivery_and_marks_the_connection_expired(net):
    conn = net.connect()
    delivery = queued(conn)
    net.troubles = ["401"]
    assert sending.send(delivery.pk) == DeliveryState.FAILED
    delivery.refresh_from_db()
    conn.refresh_from_db()
    assert delivery.last_error == ("The account needs reconnecting: 400: The refresh token was "
                                   "revoked.")
    assert conn.status == ConnectionStatus.EXPIRED and "tok-" not in conn.last_error


@pytest.mark.django_db(transaction=True)
def test_a_refresh_lost_to_another_worker_is_tried_again_with_its_token(net):
    """Refresh tokens that work once (X): while this worker's refresh is refused, another
    worker has just stored the renewed token. The account is fine: the reply goes out with
    the new token on the next attempt, once."""
    conn = net.connect()

    def other_worker_renewed_first(request):
        # Runs in the fake network's thread, with a database connection of its own.
        try:
            with credentials.worker_access():
                credentials.store_secret(conn, {"access_token": "tok-9",
                                                "refresh_token": "ref-9"})
        finally:
            db_connection.close()
        return Reply(400, json={"error": "invalid_grant",
                                "error_description": "The refresh token was already used."})

    net.api.route("POST", "/oauth/token", other_worker_renewed_first)
    net.troubles = ["401"]
    delivery = queued(conn)  # committed: its first attempt runs at once (immediate tasks)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.QUEUED, 1)
    conn.refresh_from_db()
    assert conn.status == ConnectionStatus.CONNECTED
    assert sending.send(delivery.pk, now=later(delivery)) == DeliveryState.SENT
    assert [p["token"] for p in net.posts] == ["Bearer tok-9"]


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "words"), [
    (ConnectionStatus.DISCONNECTED, "is not connected: connect it on its account page"),
    (ConnectionStatus.EXPIRED, "needs reconnecting: its token expired or was revoked"),
])
def test_an_account_without_a_usable_connection_fails_saying_what_to_do(net, status, words):
    delivery = queued(net.connect(status=status))
    assert sending.send(delivery.pk) == DeliveryState.FAILED
    delivery.refresh_from_db()
    assert words in delivery.last_error and net.api.requests == []


# People act on failures -----------------------------------------------------------------------


@pytest.fixture
def failed(net):
    """A delivery that failed (503s until it gave up), its silo and a captain of it."""
    silo = factories.silo("Care")
    delivery = queued(net.connect(owner=silo))
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.FAILED, attempts=8,
                                                   last_error="503: Over capacity")
    return delivery


@pytest.mark.django_db
def test_retry_starts_a_failed_delivery_afresh_and_it_is_sent(net, failed,
                                                              django_capture_on_commit_callbacks):
    captain = Actor.for_user(factories.user(Role.CAPTAIN, failed.silo))
    with django_capture_on_commit_callbacks(execute=True):
        outbound.retry(captain, failed)
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.last_error) == (DeliveryState.SENT, 1, "")
    event = AuditEvent.objects.get(action="delivery_retry")
    assert event.actor_label == captain.label


@pytest.mark.django_db
def test_a_captain_of_another_silo_may_not_retry_or_cancel(net, failed):
    stranger = Actor.for_user(factories.user(Role.CAPTAIN, factories.silo("Sales")))
    with pytest.raises(PermissionDenied):
        outbound.retry(stranger, failed)
    with pytest.raises(PermissionDenied):
        outbound.cancel(stranger, failed)
    failed.refresh_from_db()
    assert failed.state == DeliveryState.FAILED
    assert not AuditEvent.objects.filter(action__in=["delivery_retry",
                                                     "delivery_cancelled"]).exists()


@pytest.mark.django_db
def test_only_a_failed_delivery_can_be_retried(net):
    delivery = queued(net.connect())
    sending.send(delivery.pk)
    with pytest.raises(ValidationError, match="this one is sent"):
        outbound.retry(SYSTEM, delivery)


@pytest.mark.django_db
def test_a_cancelled_delivery_is_never_sent(net):
    delivery = queued(net.connect())
    outbound.cancel(SYSTEM, delivery)
    assert sending.send(delivery.pk) == DeliveryState.CANCELLED
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("Cancelled by test; not sent.")
    assert net.api.requests == []
    assert AuditEvent.objects.filter(action="delivery_cancelled").count() == 1
    with pytest.raises(ValidationError):
        outbound.cancel(SYSTEM, delivery)


# The inbox's reply ----------------------------------------------------------------------------


@pytest.fixture
def conversation(net):
    care = factories.silo("Care")
    conn = net.connect(owner=care)
    conv = inbox.conversation(care, network="outnet", account=conn.account,
                              thread_key="outnet:root-1")
    return conv


@pytest.mark.django_db
def test_a_reply_follows_its_delivery_and_takes_the_networks_id(
        net, conversation, django_capture_on_commit_callbacks):
    agent = Actor.for_user(factories.user(Role.RESPONDER, conversation.silo))
    net.troubles = ["503"]
    with django_capture_on_commit_callbacks(execute=True):
        message = actions.reply(agent, conversation, "We are on it.")
    message.refresh_from_db()
    assert message.state == MessageState.QUEUED and message.delivery.attempts == 1
    delivery = message.delivery
    assert net.post_calls()[0].json()["in_reply_to"] == message.in_reply_to != ""

    assert sending.send(delivery.pk, now=later(delivery)) == DeliveryState.SENT
    message.refresh_from_db()
    assert (message.state, message.external_id, message.url) == (
        MessageState.SENT, "100", "https://net.example/p/100")
    actions_written = list(AuditEvent.objects.filter(object_type="connectors.delivery",
                                                      object_id=str(delivery.pk))
                           .order_by("id").values_list("action", flat=True))
    assert actions_written == ["delivery_queued", "delivered"]


@pytest.mark.django_db
def test_a_failed_reply_shows_the_networks_error_on_its_message(net, conversation):
    agent = Actor.for_user(factories.user(Role.RESPONDER, conversation.silo))
    message = actions.reply(agent, conversation, "We are on it.")
    net.troubles = ["401"]
    sending.send(message.delivery.pk)
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert message.delivery_error == ("The account needs reconnecting: 400: The refresh token "
                                      "was revoked.")
    outbound.retry(agent, message.delivery)
    message.refresh_from_db()
    assert (message.state, message.delivery_error) == (MessageState.QUEUED, "")
