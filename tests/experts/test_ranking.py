"""Find an expert ranks people of every silo by what they resolved and were consulted on."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests import factories
from tests.experts.helpers import built, resolved
from tests.inbox import factories as inbox
from unsilo.core.actor import Actor
from unsilo.core.models import Role
from unsilo.experts import ranking
from unsilo.experts.models import ExpertiseStat, ExpertProfile
from unsilo.inbox.models import Absence, BusinessHours

pytestmark = pytest.mark.django_db

REFUND = "I was charged twice on my invoice, please refund the second payment"


@pytest.fixture
def org():
    billing, legal = factories.silo("Billing"), factories.silo("Legal")
    analyst = factories.person(billing, name="Ann Analyst", title="Analyst")
    director = factories.person(billing, name="Dee Director", title="Director of Billing")
    lou = factories.person(legal, name="Lou Law", title="Counsel")
    for n in range(6):
        resolved(analyst, f"double charge on invoice {n}, refund please", consulted=[lou]
                 if n < 2 else ())
    for n in range(6):
        resolved(director, f"team meeting agenda for the quarterly review {n}")
    resolved(lou, "what does the termination clause of my contract say")
    built()
    return {"billing": billing, "legal": legal, "analyst": analyst, "director": director,
            "lou": lou}


def names(found) -> list[str]:
    return [e.person.name for e in found.experts]


def test_who_resolved_the_topic_ranks_above_a_same_silo_director_who_never_did(org):
    found = ranking.rank(REFUND)
    assert names(found)[0] == "Ann Analyst"
    assert "Dee Director" not in names(found)
    first = found.experts[0]
    assert ("invoice", 6) in first.terms and ("refund", 6) in first.terms
    assert first.resolved == 6 and first.consulted == 0
    assert first.silos == [("Billing", 6)]
    assert first.intent == ("billing", 6)
    assert first.bar == 100


def test_people_of_other_silos_rank_for_what_they_were_consulted_on(org):
    found = ranking.rank("a refund on a double charge")
    assert names(found)[:2] == ["Ann Analyst", "Lou Law"]
    lou = found.experts[1]
    assert lou.consulted == 2 and ("refund", 2) in lou.terms
    assert dict(lou.silos) == {"Billing": 2, "Legal": 1}
    assert ranking.rank("the termination clause of my contract").experts[0].person == org["lou"]


def test_a_question_nobody_answered_finds_nobody_and_no_index_says_so(org):
    assert ranking.rank("zebra xylophone").experts == []
    from unsilo.experts.models import ExpertIndex

    ExpertIndex.objects.all().delete()
    assert ranking.rank(REFUND).indexed is False


def test_availability_flags_absent_at_capacity_and_outside_hours(org):
    now = timezone.now()
    analyst, lou = org["analyst"], org["lou"]
    Absence.objects.create(person=analyst, starts=now - datetime.timedelta(hours=1),
                           ends=now + datetime.timedelta(days=2))
    lou.capacity = 1
    lou.save()
    inbox.conversation(org["legal"], assignee=lou)
    found = {e.person.name: e for e in ranking.rank("refund on a double charge").experts}
    assert set(found["Ann Analyst"].unavailable) == {"absent"}
    assert "away until" in found["Ann Analyst"].unavailable["absent"]
    assert set(found["Lou Law"].unavailable) == {"at_capacity"}
    # Business hours that never open: everyone in Billing is outside them.
    Absence.objects.all().delete()
    BusinessHours.objects.create(silo=org["billing"], timezone="UTC", weekdays=[],
                                 start=datetime.time(9), end=datetime.time(9, 1))
    ann = ranking.rank(REFUND).experts[0]
    assert list(ann.unavailable) == ["outside_hours"] and not ann.available
    only = ranking.rank(REFUND, available_only=True)
    assert "Ann Analyst" not in names(only) and "Lou Law" not in names(only)


def test_inactive_people_and_the_excluded_are_never_ranked(org):
    org["analyst"].is_active = False
    org["analyst"].save()
    assert "Ann Analyst" not in names(ranking.rank(REFUND))
    assert names(ranking.rank("refund", exclude={org["lou"].pk})) == []


def test_only_roles_that_may_consult_find_experts(org):
    for role in (Role.HUB_ADMIN, Role.CAPTAIN, Role.RESPONDER):
        assert ranking.find(factories.actor(role, org["billing"]), REFUND).experts
    for role in (Role.VIEWER, Role.REVIEWER):
        with pytest.raises(PermissionDenied):
            ranking.find(factories.actor(role, org["billing"]), REFUND)


def test_a_rebuild_is_idempotent_and_keeps_counts_per_silo_and_intent(org):
    before = sorted(ExpertiseStat.objects.values_list("person_id", "silo_id", "intent",
                                                      "resolved", "consulted"))
    built()
    assert sorted(ExpertiseStat.objects.values_list("person_id", "silo_id", "intent",
                                                    "resolved", "consulted")) == before
    lou = ExpertProfile.objects.get(person=org["lou"])
    assert (lou.resolved, lou.consulted) == (1, 2)
    assert ExpertiseStat.objects.get(person=org["lou"], silo=org["billing"]).consulted == 2


def test_an_altered_index_is_refused_and_ranks_nobody(org, caplog):
    from unsilo.experts.models import ExpertIndex

    row = ExpertIndex.objects.first()
    blob = bytearray(row.blob)
    blob[-10] ^= 1
    ExpertIndex.objects.filter(pk=row.pk).update(blob=bytes(blob), version=row.version + 5)
    assert ranking.rank(REFUND).experts == []
    assert "refused" in caplog.text


def test_the_consult_picker_uses_the_same_ranking(org):
    responder = factories.user(Role.RESPONDER, org["billing"])
    conv = inbox.conversation(org["billing"], text=REFUND, assignee=responder.person)
    from unsilo.inbox import actions

    suggested = actions.suggest_experts(conv)
    assert [p.name for p, _ in suggested][:2] == ["Ann Analyst", "Lou Law"]
    assert suggested[0][1].startswith("“invoice” in 6 conversations, ")
    assert suggested[1][1].endswith(" · resolved 1, consulted on 2 (Legal)")
    assert suggested[0][1].endswith("(Billing)")
    actor = Actor.for_user(responder)
    assert [e.person for e in ranking.find(actor, REFUND, limit=2).experts] == [
        p for p, _ in suggested[:2]]
