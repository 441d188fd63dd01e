"""The publishing policy over the API: the hub writes, others read and are refused with 403."""

import pytest

from tests import factories
from unsilo.core.models import AuditEvent, Role

pytestmark = pytest.mark.django_db

RULES = "/api/v1/publishing/rules"


def test_the_hub_adds_changes_and_removes_a_rule(api, admin):
    legal = factories.silo("Legal")
    client = api(admin)
    made = client.post(RULES, {"kind": "regulated", "name": "Cures", "terms": ["cure"],
                               "reviewer_silo_id": legal.pk, "reviewer": "reviewer"},
                       content_type="application/json")
    assert made.status_code == 201, made.content
    rule = made.json()
    assert rule["reviewers"] == ["Legal: reviewer"] and rule["terms"] == ["cure"]
    changed = client.patch(f"{RULES}/{rule['id']}", {"enabled": False},
                           content_type="application/json")
    assert changed.status_code == 200 and changed.json()["enabled"] is False
    assert client.get(RULES).json()["items"][0]["id"] == rule["id"]
    assert client.delete(f"{RULES}/{rule['id']}").status_code == 204
    no_reviewer = client.post(RULES, {"kind": "risky", "name": "r", "terms": ["x"]},
                              content_type="application/json")
    assert no_reviewer.status_code == 422 and "reviewer_silo_id" in no_reviewer.json()["fields"]


def test_pause_and_certify_through_the_api(api, admin):
    client = api(admin)
    paused = client.put("/api/v1/publishing/pause", {"paused": True, "reason": "Recall"},
                        content_type="application/json")
    assert paused.status_code == 200 and paused.json()["paused"] is True
    account = factories.account()
    made = client.post("/api/v1/publishing/certifications",
                       {"person_id": admin.person_id, "account_id": account.pk},
                       content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["account"] == f"bluesky:{account.handle}"
    assert client.delete(f"/api/v1/publishing/certifications/{made.json()['id']}"
                         ).status_code == 204


@pytest.mark.parametrize("role", [Role.CAPTAIN, Role.RESPONDER])
def test_captains_and_responders_read_but_may_not_write(api, role):
    silo = factories.silo("Sales")
    client = api(factories.user(role, silo))
    rows = AuditEvent.objects.count()
    assert client.get(RULES).status_code == 200
    assert client.get("/api/v1/publishing/pause").status_code == 200
    refused = client.post(RULES, {"kind": "banned", "name": "b", "terms": ["x"]},
                          content_type="application/json")
    assert refused.status_code == 403
    assert client.put("/api/v1/publishing/pause", {"paused": True},
                      content_type="application/json").status_code == 403
    assert AuditEvent.objects.count() == rows
