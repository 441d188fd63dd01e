"""Expertise is learned from who resolved what, not from titles; training stores versions."""

import datetime
import pathlib
import pickle

import pytest

from tests import factories
from tests.inbox.factories import billing_history, jsonl
from unsilo.core.actor import Actor
from unsilo.inbox.history import import_history
from unsilo.inbox.models import RoutingModel
from unsilo.inbox.routing import training
from unsilo.inbox.routing.router import Router
from unsilo.learning.types import Incoming
from unsilo.org.models import SiloKind

pytestmark = pytest.mark.django_db
AT = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=datetime.UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def _fresh_router():
    Router._cached = None
    Router._model = Router._refused = None


@pytest.fixture
def billing():
    """Billing has a director (who resolved nothing), an analyst (every refund) and a clerk
    (every invoice); Logistics has a courier lead (every delivery)."""
    factories.silo("COE", kind=SiloKind.HUB)
    silo = factories.silo("Billing")
    people = {
        "director": factories.person(silo, email="dir@x.com", name="Dee Rector",
                                     title="Director of Billing"),
        "analyst": factories.person(silo, email="ann@x.com", name="Ann Lee",
                                    title="Junior Analyst"),
        "clerk": factories.person(silo, email="bob@x.com", name="Bob Roe", title="Clerk"),
    }
    import_history(jsonl(billing_history("ann@x.com", "bob@x.com", "cat@x.com")),
                   Actor.system())
    return people


def message(text: str, n: int = 1, **fields) -> Incoming:
    return Incoming(id=f"q{n}", network="x", text=text, author="@someone", created_at=AT,
                    **fields)


def test_refunds_go_to_the_analyst_who_resolved_them_not_the_director(billing):
    _, [decision] = Router.current().classify_route(
        [message("hello, I am still waiting for my refund on order 7777")])
    assert decision.silo == "Billing"
    assert decision.assignee == "ann@x.com"
    assert decision.source == "model" and not decision.triage
    assert any(r.startswith("like ") and r.endswith("conversations Billing resolved")
               for r in decision.reasons), decision.reasons
    assert any(r.startswith("Ann Lee resolved ") and r.endswith(" like it")
               for r in decision.reasons), decision.reasons


def test_each_kind_of_question_goes_to_whoever_resolves_it(billing):
    _, decisions = Router.current().classify_route([
        message("the invoice for order 9000 has the wrong company name", 1),
        message("my parcel never arrived and the tracking is stuck", 2),
    ])
    assert [(d.silo, d.assignee) for d in decisions] == [("Billing", "bob@x.com"),
                                                         ("Logistics", "cat@x.com")]
    assert all(0 < d.confidence <= 1 for d in decisions)


def test_the_director_is_never_suggested_for_work_they_have_not_done(billing):
    people = [p for p, _ in Router.current().experts_for("refund for my order", limit=10)]
    assert billing["analyst"].pk in people
    assert billing["director"].pk not in people


def test_training_keeps_the_last_three_versions_and_reports_held_out_figures(billing):
    import_history(jsonl(billing_history("ann@x.com", "bob@x.com", "cat@x.com", per_topic=40)),
                   Actor.system())
    for _ in range(3):
        training.train()
    versions = list(RoutingModel.objects.values_list("version", flat=True))
    assert versions == [5, 4, 3]
    newest = RoutingModel.objects.first()
    assert newest.examples == 120
    assert newest.metrics["silo_accuracy"] > 0.9
    assert {"person_hit1", "person_hit3", "held_out"} <= newest.metrics.keys()


def test_no_history_trains_no_model():
    assert training.train() is None
    assert RoutingModel.objects.count() == 0


class Plant:
    """Unpickling this creates a file: proof that a pickle ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (pathlib.Path.touch, (self.path,))


def test_a_pickled_model_row_never_runs_and_is_replaced_by_a_retrained_one(
        billing, tmp_path, caplog, django_capture_on_commit_callbacks):
    """Rows written before models were arrays, and rows someone planted, hold a pickle."""
    planted = tmp_path / "planted"
    stored = RoutingModel.objects.order_by("-version").first()
    stored.blob = pickle.dumps(Plant(planted))
    stored.save(update_fields=["blob"])
    refund = [message("hello, I am still waiting for my refund on order 7777")]
    with django_capture_on_commit_callbacks(execute=True):
        _, [decision] = Router.current().classify_route(refund)
    assert not planted.exists()
    assert decision.source != "model"  # routed without the model meanwhile, not crashed
    assert (f"routing model v{stored.version} refused: not a model in unsilo's array format"
            in caplog.text)
    newest = RoutingModel.objects.order_by("-version").first()
    assert newest.version == stored.version + 1
    _, [decision] = Router.current().classify_route(refund)
    assert (decision.source, decision.silo, decision.assignee) == ("model", "Billing",
                                                                   "ann@x.com")


def test_an_altered_model_row_is_refused(billing, caplog, django_capture_on_commit_callbacks):
    stored = RoutingModel.objects.order_by("-version").first()
    blob = bytearray(stored.blob)
    blob[-50] ^= 1
    stored.blob = bytes(blob)
    stored.save(update_fields=["blob"])
    with django_capture_on_commit_callbacks(execute=True):
        Router.current()
    assert "signature does not match this installation's key" in caplog.text
    assert training.load(RoutingModel.objects.order_by("-version").first()).version == \
        stored.version + 1


def test_training_chooses_how_much_naive_bayes_to_mix_from_the_held_out_history(billing):
    model = training.load(RoutingModel.objects.order_by("-version").first())
    assert model.params.w_nb in training.NB_WEIGHTS
    assert model.w_nb.shape == (model.w_silo.shape[0], len(model.silo_ids))
