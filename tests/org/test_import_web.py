"""The web import at /people/import/: the hub admin uploads, sees every error or a preview,
confirms, and watches a background task import the file; nobody else may."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from unsilo.core.models import AuditEvent, Role
from unsilo.org.models import ImportStatus, PeopleImport, Person, Silo

pytestmark = pytest.mark.django_db

GOOD = factories.PEOPLE_CSV


def upload(client, text: str, name: str = "people.csv"):
    return client.post("/people/import/",
                       {"file": SimpleUploadedFile(name, text.encode(), "text/csv")})


@pytest.fixture
def admin(login):
    hub = factories.silo("Social COE Hub", kind="hub")
    return login(factories.user(Role.HUB_ADMIN, hub))


def test_the_hub_admin_gets_the_upload_form(admin):
    page = admin.get("/people/import/").content.decode()
    assert '<label for="id_file">People CSV</label>' in page
    assert 'id="id_file"' in page and 'type="file"' in page
    assert ">Check file</button>" in page


def test_a_bad_file_shows_every_bad_line_and_imports_nothing(admin):
    before = factories.org_counts()
    response = upload(admin, "email,name,title,silo\nann@x.com,Ann,Lead,Sales\nbob@,Bob,Clerk,"
                             "Sales\nann@x.com,Ann,Lead,Sales\ncat@x.com,,Lead,Sales\n")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<table class="import-errors">' in page
    assert '<td>Line 3</td><td>malformed email &quot;bob@&quot;</td>' in page
    assert ('<td>Line 4</td><td>duplicate email ann@x.com (first on line 2)</td>'
            in page)
    assert '<td>Line 5</td><td>missing name</td>' in page
    assert "Nothing was imported. Fix these lines and upload the file again." in page
    assert factories.org_counts() == before
    assert not PeopleImport.objects.exists()


def test_user_text_in_errors_is_escaped(admin):
    page = upload(admin, "email,name,title,silo\n<b>x</b>,A,T,S\n").content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert "<b>x</b>" not in page


def test_a_good_file_shows_a_preview_and_writes_no_people(admin):
    factories.silo("Sales")
    before_people = Person.objects.count()
    response = upload(admin, GOOD)
    record = PeopleImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/people/import/{record.pk}/"
    assert (record.status, record.filename, bytes(record.content)) == (
        ImportStatus.CHECKED, "people.csv", GOOD.encode())
    assert (record.people_created, record.people_updated, record.new_silos) == (3, 0, ["Legal"])
    page = admin.get(response["Location"]).content.decode()
    assert "<b>3</b> new people" in page
    assert "<strong>Legal</strong>" in page
    assert ">Import 3 people</button>" in page
    assert Person.objects.count() == before_people
    created = AuditEvent.objects.get(object_type="org.peopleimport")
    assert created.changes["content"] == [None, "[redacted]"]


def test_confirming_imports_the_file_in_the_background(admin, django_capture_on_commit_callbacks):
    upload(admin, GOOD)
    record = PeopleImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin.post(f"/people/import/{record.pk}/confirm/")
    assert response.status_code == 302
    assert len(callbacks) == 1
    record.refresh_from_db()
    assert record.status == ImportStatus.DONE
    assert (record.people_created, record.people_updated, record.people_unchanged) == (3, 0, 0)
    assert record.new_silos == ["Sales", "Legal"]
    assert Person.objects.get(email="ann@x.com").manager.email == "cat@x.com"
    admin_user = record.confirmed_by
    rows = AuditEvent.objects.filter(object_type="org.person", action="create")
    assert rows.count() == 3
    assert {(r.actor, r.actor_label, r.via) for r in rows} == {(admin_user, admin_user.email,
                                                                "worker")}
    assert AuditEvent.objects.filter(object_type="org.peopleimport", action="update").exists()
    page = admin.get(f"/people/import/{record.pk}/").content.decode()
    assert "Imported" in page
    assert "<b>3</b> people created" in page
    assert "hx-trigger" not in page


def test_a_running_import_shows_progress_and_polls(admin):
    record = PeopleImport.objects.create(filename="p.csv", content=b"x", status="running",
                                         step="Checking the file again", progress_done=40,
                                         progress_total=100)
    page = admin.get(f"/people/import/{record.pk}/").content.decode()
    assert '<progress aria-labelledby="import-step" max="100" value="40">' in page
    assert 'hx-trigger="every 1s"' in page
    fragment = admin.get(f"/people/import/{record.pk}/", HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert text.lstrip().startswith('<section id="import-status"')
    assert "<html" not in text
    assert "HX-Request" in fragment["Vary"]


def test_the_file_is_checked_again_when_the_import_runs(admin, django_capture_on_commit_callbacks):
    boss = factories.person(email="boss@x.com")
    upload(admin, "email,name,title,silo,manager_email\nann@x.com,Ann,Lead,Sales,boss@x.com\n")
    record = PeopleImport.objects.get()
    boss.delete()
    before = Person.objects.count(), Silo.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/people/import/{record.pk}/confirm/")
    record.refresh_from_db()
    assert record.status == ImportStatus.FAILED
    assert "line 2: unknown manager boss@x.com" in record.error
    assert (Person.objects.count(), Silo.objects.count()) == before
    page = admin.get(f"/people/import/{record.pk}/").content.decode()
    assert "Nothing was imported" in page
    assert "line 2: unknown manager boss@x.com" in page


def test_an_import_is_confirmed_only_once(admin, django_capture_on_commit_callbacks):
    upload(admin, GOOD)
    record = PeopleImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/people/import/{record.pk}/confirm/")
    audit_rows = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin.post(f"/people/import/{record.pk}/confirm/", follow=True)
    assert callbacks == []
    assert "This import is already done." in response.content.decode()
    assert AuditEvent.objects.count() == audit_rows


@pytest.mark.parametrize("role", [Role.CAPTAIN, Role.VIEWER, Role.RESPONDER])
def test_only_the_hub_admin_may_import(login, role):
    silo = factories.silo("Sales")
    client = login(factories.user(role, silo))
    record = PeopleImport.objects.create(filename="p.csv", content=GOOD.encode())
    before = factories.org_counts()
    assert client.get("/people/import/").status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert client.get(f"/people/import/{record.pk}/").status_code == 403
    assert client.post(f"/people/import/{record.pk}/confirm/").status_code == 403
    record.refresh_from_db()
    assert record.status == ImportStatus.CHECKED
    assert factories.org_counts() == before


def test_the_import_pages_need_a_login(client):
    assert client.get("/people/import/").status_code == 302


def test_an_import_left_running_by_a_dead_worker_runs_again_but_a_done_one_does_not(admin):
    from unsilo.org.tasks import import_people

    upload(admin, GOOD)
    record = PeopleImport.objects.get()
    PeopleImport.objects.filter(pk=record.pk).update(status=ImportStatus.RUNNING,
                                                     confirmed_by=factories.user(Role.HUB_ADMIN))
    import_people.call(record.pk)
    record.refresh_from_db()
    assert record.status == ImportStatus.DONE
    assert Person.objects.filter(email__endswith="@x.com").count() == 3
    audit_rows = AuditEvent.objects.count()
    import_people.call(record.pk)
    assert AuditEvent.objects.count() == audit_rows
