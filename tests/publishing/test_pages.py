"""Admin → Publishing policy: the hub changes the policy there; others read it and are refused."""

import pytest

from tests import factories
from unsilo.core.models import AuditEvent, Role
from unsilo.publishing.models import PolicyRule, PublishingSwitch

pytestmark = pytest.mark.django_db


def test_the_hub_adds_a_rule_pauses_and_removes_it_on_the_page(login, admin):
    legal = factories.silo("Legal")
    client = login(admin)
    page = client.get("/admin/publishing/")
    assert page.status_code == 200 and b"Add a rule" in page.content
    added = client.post("/admin/publishing/", {
        "kind": "regulated", "name": "Cures", "terms": "cure\nsans risque\n",
        "reviewer_silo": legal.pk, "reviewer": "reviewer"}, follow=True)
    assert "Added the rule" in added.content.decode()
    assert "Legal: reviewer" in added.content.decode()
    rule = PolicyRule.objects.get()
    assert rule.terms == ["cure", "sans risque"]
    client.post("/admin/publishing/pause/", {"paused": "on", "reason": "Oven recall <b>"})
    assert PublishingSwitch.objects.get().paused
    shown = client.get("/admin/publishing/").content.decode()
    assert "Publishing is paused" in shown and "Oven recall &lt;b&gt;" in shown
    client.post("/admin/publishing/pause/", {"paused": ""})
    assert not PublishingSwitch.objects.get().paused
    client.post(f"/admin/publishing/rules/{rule.pk}/remove/")
    assert not PolicyRule.objects.exists()
    assert AuditEvent.objects.filter(object_type__startswith="publishing").count() == 4


@pytest.mark.parametrize("role", [Role.CAPTAIN, Role.RESPONDER])
def test_others_see_the_policy_without_forms_and_are_refused_a_write(login, role):
    rule = PolicyRule.objects.create(kind="banned", name="Profanity", terms=["damn"])
    client = login(factories.user(role, factories.silo("Sales")))
    page = client.get("/admin/publishing/")
    assert page.status_code == 200 and b"Profanity" in page.content
    assert b"Add a rule" not in page.content and b"Pause all" not in page.content
    assert client.post(f"/admin/publishing/rules/{rule.pk}/remove/").status_code == 403
    assert client.post("/admin/publishing/pause/", {"paused": "on"}).status_code == 403
    assert client.post("/admin/publishing/", {"kind": "banned", "name": "x",
                                              "terms": "x"}).status_code == 403
    assert PolicyRule.objects.count() == 1 and not PublishingSwitch.objects.exists()
