"""Learned expertise on the person and silo pages, the Find an expert page and its API, and
the index following resolutions and imports."""

import json

import pytest

from tests import factories
from tests.experts.helpers import built, resolved
from tests.inbox import factories as inbox
from unsilo.core.actor import Actor
from unsilo.core.models import Role
from unsilo.experts import ranking
from unsilo.inbox import actions
from unsilo.inbox.history import import_history
from unsilo.inbox.models import Direction

pytestmark = pytest.mark.django_db

REFUND = "I was charged twice on my invoice, please refund the second payment"


@pytest.fixture
def org():
    billing, legal = factories.silo("Billing"), factories.silo("Legal")
    analyst = factories.person(billing, name="Ann Analyst", title="Analyst")
    director = factories.person(billing, name="Dee Director", title="Director of Billing")
    lou = factories.person(legal, name="Lou Law", title="Counsel")
    for n in range(4):
        resolved(analyst, f"double charge on invoice {n}, refund please", days_ago=n + 1,
                 consulted=[lou] if n < 2 else ())
    resolved(director, "team meeting agenda", days_ago=30)
    resolved(analyst, "contract termination clause", silo=legal, days_ago=10)
    built()
    return {"billing": billing, "legal": legal, "analyst": analyst, "director": director,
            "lou": lou}


def test_the_person_page_shows_counts_silos_last_and_consults(login, org):
    viewer = factories.user(Role.VIEWER, org["billing"])
    page = login(viewer).get(f"/people/{org['analyst'].pk}/").content.decode()
    section = page[page.index("What they have shown they can answer"):]
    assert "Resolved <b>5</b> conversations, consulted on <b>0</b>" in section
    assert "invoice × 4" in section and "billing" in section
    assert "<td>4</td><td>0</td>" in section  # Billing: 4 resolved
    assert "Legal</a></th><td>1</td>" in section
    assert "24 h ago</time>" in section  # the last one, a day ago
    assert section.index("invoice × 4") < section.index("termination × 1")
    lou = login(viewer).get(f"/people/{org['lou'].pk}/").content.decode()
    assert "Resolved <b>0</b> conversations, consulted on <b>2</b>" in lou
    director = login(viewer).get(f"/people/{org['director'].pk}/").content.decode()
    assert "invoice" not in director[director.index("What they have shown"):]


def test_the_silo_page_lists_its_people_by_expertise_not_by_name(login, org):
    factories.person(org["billing"], name="Aaron Newcomer")
    page = login(factories.user(Role.VIEWER, org["billing"])).get(
        f"/silos/{org['billing'].slug}/").content.decode()
    section = page[page.index("by what they have shown they can answer"):page.index(
        "<h2>People in")]
    assert section.index("Ann Analyst") < section.index("Dee Director")
    assert "Aaron Newcomer" not in section
    assert "invoice × 4" in section


def test_find_an_expert_page_ranks_with_reasons_and_refuses_viewers(login, org):
    responder = factories.user(Role.RESPONDER, org["billing"])
    client = login(responder)
    assert 'href="/experts/"' in client.get("/inbox/").content.decode()
    page = client.post("/experts/", {"q": REFUND}).content.decode()
    results = page[page.index('id="results"'):]
    assert results.index("Ann Analyst") < results.index("Lou Law")
    assert "invoice × 4" in results and "Available now" in results
    partial = client.post("/experts/", {"q": REFUND}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('\n<div id="results"') or partial.lstrip().startswith(
        '<div id="results"')
    assert "<html" not in partial
    empty = client.post("/experts/", {"q": "  "}).content.decode()
    assert "Type a question or paste a message first." in empty
    viewer = login(factories.user(Role.VIEWER, org["billing"]))
    assert viewer.get("/experts/").status_code == 403
    assert 'href="/experts/"' not in viewer.get("/table/").content.decode()


def test_the_api_finds_experts_for_roles_that_may_consult(api, org, admin):
    body = {"q": REFUND, "limit": 5}
    answer = api(factories.user(Role.RESPONDER, org["legal"])).post(
        "/api/v1/experts/search", json.dumps(body), content_type="application/json")
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["intent"] == "billing" and data["indexed"] is True
    assert {"invoice", "refund"} <= set(data["terms"])
    first = data["experts"][0]
    assert first["person"]["name"] == "Ann Analyst" and first["silo"] == "Billing"
    assert first["match"] == 100 and first["resolved"] == 5
    assert {"term": "invoice", "conversations": 4} in first["matched"]
    assert first["availability"] == {"available": True, "absent": None, "at_capacity": None,
                                     "outside_hours": None}
    assert first["silos"][0] == {"silo": "Billing", "conversations": 4}
    assert [e["person"]["name"] for e in data["experts"]][:2] == ["Ann Analyst", "Lou Law"]
    hub = api(admin).post("/api/v1/experts/search", json.dumps(body),
                          content_type="application/json")
    assert hub.status_code == 200


def test_the_api_refuses_viewers_and_names_bad_fields(api, org):
    viewer = api(factories.user(Role.VIEWER, org["billing"]))
    refused = viewer.post("/api/v1/experts/search", json.dumps({"q": REFUND}),
                          content_type="application/json")
    assert refused.status_code == 403
    responder = api(factories.user(Role.RESPONDER, org["billing"]))
    for body, field in (({"q": ""}, "q"), ({"q": " "}, "q"), ({"q": "x" * 5001}, "q"),
                        ({"q": "refund", "limit": 51}, "limit")):
        bad = responder.post("/api/v1/experts/search", json.dumps(body),
                             content_type="application/json")
        assert bad.status_code == 422, body
        assert any(field in name for name in bad.json()["fields"]), bad.json()


def test_a_persons_expertise_over_the_api(api, org):
    viewer = api(factories.user(Role.VIEWER, org["billing"]))
    data = viewer.get(f"/api/v1/people/{org['analyst'].pk}/expertise").json()
    assert (data["resolved"], data["consulted"]) == (5, 0)
    assert {"term": "invoice", "conversations": 4} in data["topics"]
    assert data["intents"][0] == {"intent": "billing", "resolved": 4}
    assert [(s["silo"], s["resolved"]) for s in data["silos"]] == [("Billing", 4), ("Legal", 1)]
    lou = viewer.get(f"/api/v1/people/{org['lou'].pk}/expertise").json()
    assert (lou["resolved"], lou["consulted"]) == (0, 2)
    assert viewer.get("/api/v1/people/999999/expertise").status_code == 404


def test_resolving_a_conversation_updates_the_index(org, django_capture_on_commit_callbacks):
    kim = factories.user(Role.RESPONDER, org["legal"])
    for n in range(3):
        conv = inbox.conversation(org["legal"], text=f"my warranty voucher {n} expired",
                                  assignee=kim.person)
        inbox.message(conv, text="Sorted", direction=Direction.OUTBOUND)
        assert ranking.rank("warranty voucher").experts == [] or n > 0
        with django_capture_on_commit_callbacks(execute=True):
            actions.resolve(Actor.for_user(kim), conv)
    found = ranking.rank("my warranty voucher expired").experts
    assert found[0].person == kim.person
    assert ("voucher", 3) in found[0].terms and found[0].resolved == 3


def test_importing_history_updates_the_index():
    factories.silo("Billing")
    line = {"id": "h1", "network": "x", "text": "parcel stuck at customs depot",
            "author": "a", "created_at": "2026-03-01T09:00:00Z", "resolved_by_silo": "Billing",
            "resolved_by": "tom@x.com", "consulted": ["ria@x.com"]}
    lines = [json.dumps({**line, "id": f"h{n}"}) for n in range(3)]
    import_history(lines, Actor.system(), retrain=False)
    found = {e.person.email: e for e in ranking.rank("stuck at customs").experts}
    assert set(found) == {"tom@x.com", "ria@x.com"}
    assert (found["tom@x.com"].resolved, found["ria@x.com"].consulted) == (3, 3)


def test_the_search_reads_a_fixed_number_of_queries_however_many_are_found(
        api, org, django_assert_max_num_queries):
    for n in range(30):
        resolved(factories.person(org["legal"]), f"refund for a double charge {n}")
    built()
    client = api(factories.user(Role.RESPONDER, org["billing"]))
    body = json.dumps({"q": REFUND, "limit": 50})
    client.post("/api/v1/experts/search", body, content_type="application/json")
    with django_assert_max_num_queries(12):
        answer = client.post("/api/v1/experts/search", body, content_type="application/json")
    assert len(answer.json()["experts"]) == 32


def test_the_consult_picker_says_who_is_at_capacity_and_leaves_out_the_absent(org):
    import datetime

    from django.utils import timezone

    from unsilo.inbox.models import Absence

    lou = org["lou"]
    lou.capacity = 1
    lou.save()
    inbox.conversation(org["legal"], assignee=lou)
    now = timezone.now()
    Absence.objects.create(person=org["analyst"], starts=now - datetime.timedelta(hours=1),
                           ends=now + datetime.timedelta(days=1))
    conv = inbox.conversation(org["billing"], text=REFUND)
    suggested = dict((p.name, why) for p, why in actions.suggest_experts(conv))
    assert "Ann Analyst" not in suggested
    assert suggested["Lou Law"].endswith("· has 1 open conversation (capacity 1)")


def test_a_burst_of_resolutions_waits_for_one_rebuild_after_the_last(
        org, settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from unsilo.experts import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    kim = factories.user(Role.RESPONDER, org["legal"])
    for n in range(3):
        conv = inbox.conversation(org["legal"], text=f"voucher {n}", assignee=kim.person)
        with django_capture_on_commit_callbacks(execute=True):
            actions.resolve(Actor.for_user(kim), conv)
    waiting = DBTaskResult.objects.filter(task_path=tasks.rebuild_index.module_path)
    assert waiting.count() == 1
    # The index was just built (by the fixture): the one rebuild waits its turn.
    from django.utils import timezone

    assert timezone.now() < waiting.get().run_after <= timezone.now() + tasks.MIN_GAP


def test_a_worker_builds_a_missing_index_for_history_already_there(org):
    from unsilo.core import periodic
    from unsilo.experts import tasks
    from unsilo.experts.models import ExpertIndex

    ExpertIndex.objects.all().delete()
    job = next(j for j in periodic.JOBS.values() if j.func is tasks.build_missing)
    assert job.when() is True
    periodic.run_job.call(job.name)
    assert ExpertIndex.objects.count() == 1 and job.when() is False
    assert ranking.rank(REFUND).experts[0].person == org["analyst"]
