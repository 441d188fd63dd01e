import datetime

import pytest
from django.utils import timezone

from tests import factories as f
from unsilo.core import actions, audit
from unsilo.core.actor import Actor
from unsilo.core.models import AuditEvent, Role, Via

pytestmark = pytest.mark.django_db

NOT_HUB = [Role.CAPTAIN, Role.RESPONDER, Role.REVIEWER, Role.VIEWER]


def event(label="ann@example.com", via=Via.UI, action="update", object_type="accounts.account",
          repr_="acme on X", silo=None, at=None, changes=None):
    return AuditEvent.objects.create(
        actor_label=label, via=via, action=action, object_type=object_type, object_id="1",
        object_repr=repr_, silo=silo, at=at or timezone.now(), changes=changes or {},
    )


def shown(client, **params):
    return [e.pk for e in client.get("/admin/audit/", params).context["page"].events]


# The Admin home -------------------------------------------------------------------------------


def test_admin_home_shows_the_hub_admin_links_and_the_role_matrix(login):
    page = login(f.user(Role.HUB_ADMIN)).get("/admin/").content.decode()
    for link in ["/admin/audit/", "/admin/users/", "/people/import/", "/api/v1/docs",
                 "/me/tokens/"]:
        assert f'href="{link}"' in page
    assert "Register and change accounts" in page
    assert "own silo only" in page and "everywhere" in page


@pytest.mark.parametrize("role", NOT_HUB)
def test_admin_home_shows_others_only_their_tokens(login, role):
    response = login(f.user(role)).get("/admin/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="/me/tokens/"' in page
    assert "/admin/audit/" not in page and "/admin/users/" not in page
    assert "own silo only" not in page


@pytest.mark.parametrize("role", NOT_HUB)
def test_audit_log_is_403_for_everyone_but_the_hub_admin(login, role):
    client = login(f.user(role))
    assert client.get("/admin/audit/").status_code == 403
    assert client.get("/admin/audit/", HTTP_HX_REQUEST="true").status_code == 403


# The log --------------------------------------------------------------------------------------


def test_audit_log_lists_newest_first_with_who_via_and_changes(login):
    silo = f.silo("Care")
    now = timezone.now()
    old = event(label="old@example.com", at=now - datetime.timedelta(hours=1))
    new = event(label="bob@example.com", via=Via.API, silo=silo, at=now,
                changes={"display_name": ["Acme", "Acme Care"], "notes": ["", "x" * 300]})
    client = login(f.user(Role.HUB_ADMIN))
    response = client.get("/admin/audit/")
    page = response.content.decode()
    assert [e.pk for e in response.context["page"].events][:2] == [new.pk, old.pk]
    assert "bob@example.com" in page and ">API<" in page and ">Care<" in page
    assert "display_name</span>: <del>Acme</del> → <ins>Acme Care</ins>" in page
    assert "<del>—</del>" in page  # an empty before-value
    assert "x" * 79 + "…" in page and "x" * 81 not in page  # long values are cut


def test_audit_log_filters(login):
    care, hr = f.silo("Care"), f.silo("HR")
    day = timezone.now().replace(hour=12, minute=0)
    a = event(label="ann@example.com", via=Via.UI, action="create", silo=care, repr_="acme on X",
              at=day - datetime.timedelta(days=3))
    b = event(label="bob@example.com", via=Via.API, action="update", silo=hr,
              object_type="org.person", repr_="Bob <bob@example.com>", at=day)
    c = event(label="unsilo", via=Via.WORKER, action="delete", silo=None,
              object_type="org.silo", repr_="Old silo", at=day - datetime.timedelta(days=1))
    client = login(f.user(Role.HUB_ADMIN, email="zed@corp.test"))
    assert set(shown(client)) >= {a.pk, b.pk, c.pk}
    assert shown(client, actor="ANN@") == [a.pk]
    assert shown(client, via="worker") == [c.pk]
    assert shown(client, action="update") == [b.pk]
    assert shown(client, object_type="org.person") == [b.pk]
    assert shown(client, silo=care.pk) == [a.pk]
    assert shown(client, q="old SILO") == [c.pk]
    since = (day - datetime.timedelta(days=1)).date().isoformat()
    assert set(shown(client, since=since, actor="@example.com")) == {b.pk}
    until = (day - datetime.timedelta(days=1)).date().isoformat()
    assert shown(client, until=until, actor="@example.com") == [a.pk]
    assert shown(client, since=until, until=until) == [c.pk]


def test_audit_log_ignores_a_bad_date_and_says_so(login):
    a = event()
    response = login(f.user(Role.HUB_ADMIN)).get("/admin/audit/", {"since": "yesterday"})
    assert a.pk in [e.pk for e in response.context["page"].events]
    assert response.context["form"].errors["since"]


def test_audit_log_pages_by_fifty_with_newer_and_older_cursors(login):
    now = timezone.now()
    # Ties on `at` must not lose or repeat a row between pages.
    AuditEvent.objects.bulk_create(
        AuditEvent(actor_label="a@example.com", via=Via.UI, action="update", object_type="org.silo",
                   object_id=str(n), object_repr=f"Silo {n}",
                   at=now - datetime.timedelta(seconds=n // 3))
        for n in range(120)
    )
    client = login(f.user(Role.HUB_ADMIN))
    seen, params, pages = [], {"action": "update"}, []
    while True:
        page = client.get("/admin/audit/", params).context["page"]
        pages.append(page)
        seen += [e.pk for e in page.events]
        if not page.older:
            break
        params = {"action": "update", "older": page.older}
    assert [len(p.events) for p in pages] == [50, 50, 20]
    assert len(set(seen)) == 120
    expected = list(AuditEvent.objects.filter(action="update").order_by("-at", "-id")
                    .values_list("pk", flat=True))
    assert seen == expected
    assert pages[0].newer is None
    # Back from the last page to the one before it.
    back = client.get("/admin/audit/", {"action": "update", "newer": pages[2].newer})
    assert [e.pk for e in back.context["page"].events] == [e.pk for e in pages[1].events]
    assert back.context["page"].newer == pages[1].newer and back.context["page"].newer
    page = client.get("/admin/audit/", {"action": "update"}).content.decode()
    assert f"action=update&amp;older={pages[0].older}" in page


def test_audit_log_htmx_request_gets_only_the_results(login):
    event(repr_="only this")
    response = login(f.user(Role.HUB_ADMIN)).get("/admin/audit/", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="results"') and "only this" in page
    assert "<html" not in page


def test_audit_log_page_takes_few_queries(login, django_assert_max_num_queries):
    silo = f.silo()
    for n in range(60):
        event(silo=silo, repr_=f"row {n}")
    client = login(f.user(Role.HUB_ADMIN))
    # session, user, silos for the filter, the cursor row, the page of events (silos joined),
    # unread notifications
    with django_assert_max_num_queries(5):
        first = client.get("/admin/audit/")
    with django_assert_max_num_queries(6):
        older = client.get("/admin/audit/", {"older": first.context["page"].older})
    assert len(older.context["page"].events) == 10


def test_audit_log_shows_secrets_redacted(login):
    admin = f.user(Role.HUB_ADMIN)
    token, secret = actions.create_token(Actor.for_user(admin), "script")
    page = login(admin).get("/admin/audit/", {"object_type": "core.apitoken"}).content.decode()
    assert "[redacted]" in page
    assert token.token_hash not in page and secret not in page


def test_a_real_change_appears_in_the_log(login):
    admin = f.user(Role.HUB_ADMIN)
    acc = f.account(display_name="Before")
    before = audit.snapshot(acc)
    acc.display_name = "<script>x()</script>"
    audit.record(Actor.for_user(admin), "update", acc, audit.diff(before, audit.snapshot(acc)),
                 acc.owner_silo_id)
    page = login(admin).get("/admin/audit/").content.decode()
    assert "<script>x()" not in page
    assert "<ins>&lt;script&gt;x()&lt;/script&gt;</ins>" in page


def test_changes_name_related_objects_instead_of_ids(login):
    care = f.silo("Customer Care")
    ann, bob = f.person(care, name="Ann"), f.person(care, name="Bob")
    gone = ann.pk + bob.pk + 1000
    event(silo=care, changes={"owner_silo": [None, care.pk], "stewards": [[ann.pk], [ann.pk, gone]],
                              "id": [None, 7], "notes": ["", ""]})
    response = login(f.user(Role.HUB_ADMIN)).get("/admin/audit/")
    lines = {c.field: (c.before, c.after) for c in response.context["page"].events[0].lines}
    assert lines["owner_silo"] == ("—", "Customer Care")
    assert lines["stewards"] == ("Ann", f"Ann, #{gone}")  # a deleted person keeps its id
    assert "id" not in lines and "notes" not in lines  # nothing worth reading
