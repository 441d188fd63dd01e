"""When routing learns from the inbox: debounced retraining after resolves."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from unsilo.inbox.models import HistorySource, InboxSettings, ResolvedExample, RoutingModel
from unsilo.inbox.routing import training
from unsilo.inbox.tasks import training as tasks_training

pytestmark = pytest.mark.django_db


def resolved(n: int, silo, person, texts=("refund for my order", "where is my parcel")):
    for _ in range(n):
        k = ResolvedExample.objects.count()
        ResolvedExample.objects.create(
            source=HistorySource.INBOX, key=f"inbox:{k}", network="x", text=texts[k % 2],
            silo=silo, person=person, created_at=timezone.now())


@pytest.fixture
def billing():
    silo = factories.silo("Billing")
    return silo, factories.person(silo)


def test_the_first_resolved_example_trains_the_first_model(billing):
    resolved(1, *billing)
    assert tasks_training.due() == (True, None)


def test_a_few_new_examples_wait_for_the_debounce_then_train(billing):
    InboxSettings.objects.create(retrain_after=5, retrain_minutes=10)
    resolved(4, *billing)
    model = training.train()
    resolved(1, *billing)
    now_due, when = tasks_training.due()
    assert not now_due and when == model.trained_at + datetime.timedelta(minutes=10)
    assert tasks_training.due(when + datetime.timedelta(seconds=1)) == (True, None)
    resolved(4, *billing)
    assert tasks_training.due() == (True, None)


def test_nothing_new_means_no_retraining(billing):
    resolved(3, *billing)
    training.train()
    assert tasks_training.due() == (False, None)


def test_retrain_soon_trains_after_the_resolve_commits(billing, django_capture_on_commit_callbacks):
    resolved(2, *billing)
    with django_capture_on_commit_callbacks(execute=True):
        tasks_training.retrain_soon()
    assert RoutingModel.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        tasks_training.retrain_soon()  # nothing new since
    assert RoutingModel.objects.count() == 1
