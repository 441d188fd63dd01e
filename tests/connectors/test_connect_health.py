"""Connection health on the Accounts list (one column, no query per row) and the account page."""

import datetime

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories as f
from tests.connectors.factories import connection
from unsilo.connectors.models import Connection, ConnectionStatus
from unsilo.core import dates
from unsilo.core.models import Role

pytestmark = pytest.mark.django_db


def update(conn, **fields):
    Connection.objects.filter(pk=conn.pk).update(**fields)


def test_the_list_shows_each_accounts_connection_health(login, settings):
    settings.UNSILO_DEMO_DELIVERY = False
    care = f.silo("Care")
    now = timezone.now()
    good = connection("bluesky", handle="good.bsky.social", owner=care)
    reset = now + datetime.timedelta(minutes=20)
    update(good, last_fetch_at=now - datetime.timedelta(minutes=3), rate_limit=75,
           rate_remaining=74, rate_reset_at=reset)
    expired = connection("x", handle="expiredacme", owner=care, status=ConnectionStatus.EXPIRED)
    checking = connection("x", handle="checkingacme", owner=care, status=ConnectionStatus.PENDING)
    gone = connection("x", handle="goneacme", owner=care, status=ConnectionStatus.DISCONNECTED)
    f.account(care, handle="never.bsky.social")
    response = login(f.user(Role.VIEWER)).get("/accounts/")
    rows = {a.handle: a.health for a in response.context["page"].object_list}
    assert rows["good.bsky.social"].label == "Connected"
    assert rows["expiredacme"].label == "Needs reconnecting"
    assert rows["checkingacme"].label == "Checking"
    assert rows["goneacme"].label == rows["never.bsky.social"].label == "Not connected"
    page = response.content.decode()
    assert f"74/75 until {dates.full(reset)}" in page and "3 min ago</time>" in page
    assert '<span class="badge bad">Needs reconnecting</span>' in page
    assert '<span class="badge warn">Checking</span>' in page
    assert expired.pk and checking.pk and gone.pk


def test_in_the_demo_an_account_without_a_connection_says_the_demo_network_answers(
        login, settings):
    settings.UNSILO_DEMO_DELIVERY = True  # as `unsilo demo` sets it
    f.account(f.silo("Care"), handle="never.bsky.social")
    page = login(f.user(Role.VIEWER)).get("/accounts/").content.decode()
    assert '<span class="badge ok">Demo network</span>' in page


def test_the_list_runs_the_same_queries_for_2_or_12_connected_accounts(login):
    client = login(f.user(Role.VIEWER))
    care = f.silo("Care")

    def queries() -> int:
        with CaptureQueriesContext(db) as context:
            assert client.get("/accounts/").status_code == 200
        return len(context)

    for _ in range(2):
        connection("bluesky", owner=care)
    few = queries()
    for _ in range(10):
        connection("bluesky", owner=care)
    assert queries() == few


def test_the_account_page_shows_the_whole_health_and_the_network_error_escaped(login, admin):
    now = timezone.now()
    conn = connection("bluesky", external_id="did:plc:abc123", status=ConnectionStatus.ERROR)
    update(conn, verified_at=now, last_fetch_at=now, fetched_total=1204,
           last_error="500: <b>Upstream</b> failure", last_error_at=now, rate_limit=3000,
           rate_remaining=2990, paused_until=now + datetime.timedelta(minutes=5),
           token_expires_at=now + datetime.timedelta(hours=2))
    page = login(admin).get(f"/accounts/{conn.account_id}/").content.decode()
    for text in ("did:plc:abc123", "1204 messages", "2990/3000", "Paused until",
                 "500: &lt;b&gt;Upstream&lt;/b&gt; failure", "Token expires", "Reconnect",
                 "Disconnect", "stored encrypted, never shown"):
        assert text in page, text
    assert "<b>Upstream</b>" not in page
