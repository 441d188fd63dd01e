"""The expertise model with the smallest histories: one silo, nobody named, one person."""

import datetime

import pytest

from tests import factories
from tests.inbox.factories import history_line, jsonl
from unsilo.core.actor import Actor
from unsilo.inbox.history import import_history
from unsilo.inbox.routing.router import Router
from unsilo.learning.types import Incoming
from unsilo.org.models import SiloKind

pytestmark = pytest.mark.django_db
AT = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fresh_router():
    Router._cached = None
    Router._model = None
    factories.silo("COE", kind=SiloKind.HUB)


def route(text: str):
    m = Incoming(id="q", network="x", text=text, author="@a", created_at=AT)
    return Router.current().classify_route([m], at=AT)[1][0]


def test_one_silo_and_nobody_named_routes_to_that_silos_queue():
    import_history(jsonl([history_line(n, "Care", f"help with order {n}") for n in range(3)]),
                   Actor.system())
    decision = route("help with my order")
    assert (decision.silo, decision.assignee, decision.confidence) == ("Care", None, 0.999)


def test_one_person_in_a_silo_gets_what_it_resolves():
    import_history(jsonl([history_line(1, "Care", "refund please", "ann@x.com"),
                          history_line(2, "Sales", "a quote for 50 units", None)]),
                   Actor.system())
    decision = route("refund please")
    assert decision.silo == "Care" and decision.assignee == "ann@x.com"
