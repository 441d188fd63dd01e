"""The silos upload at /table/import/ (reached from the COE table): the hub admin uploads, sees
every bad line or a preview, confirms, and the file is checked again and imported; nobody else
may. Also the people import's preview of what its seat column changes."""

import base64
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from unsilo.core.models import AuditEvent, Role
from unsilo.org.models import PeopleImport, Silo, SiloKind

pytestmark = pytest.mark.django_db

GOOD = "name,kind,parent\nRegion DACH,region,\nSales DACH,department,Region DACH\n"


def upload(client, text: str, name: str = "silos.csv"):
    return client.post("/table/import/",
                       {"file": SimpleUploadedFile(name, text.encode(), "text/csv")})


def confirm(client, page: str):
    content = re.search(r'name="content" value="([^"]+)"', page).group(1)
    filename = re.search(r'name="filename" value="([^"]+)"', page).group(1)
    return client.post("/table/import/", {"content": content, "filename": filename})


@pytest.fixture
def admin(login):
    hub = factories.silo("Social COE Hub", kind=SiloKind.HUB)
    return login(factories.user(Role.HUB_ADMIN, hub))


def test_the_table_links_to_the_upload_form(admin):
    assert 'href="/table/import/">Import silos</a>' in admin.get("/table/").content.decode()
    page = admin.get("/table/import/").content.decode()
    assert '<label for="id_file">Silos CSV</label>' in page and ">Check file</button>" in page


def test_a_bad_file_shows_every_bad_line_escaped_and_imports_nothing(admin):
    before = factories.org_counts()
    page = upload(admin, "name,kind,parent\nSales,department,<b>Nowhere</b>\n"
                         "Hub Two,hub,\n").content.decode()
    assert ("<td>Line 2</td><td>parent: unknown silo &quot;&lt;b&gt;Nowhere&lt;/b&gt;&quot; "
            "(neither in the file nor in unsilo)</td>") in page
    assert ("<td>Line 3</td><td>kind: a second hub (Social COE Hub in unsilo is the hub; "
            "there is one)</td>") in page
    assert "Nothing was imported. Fix these lines and upload the file again." in page
    assert 'name="content"' not in page
    assert factories.org_counts() == before


def test_a_good_file_shows_a_preview_then_imports_on_confirming(admin):
    before = factories.org_counts()
    page = upload(admin, GOOD).content.decode()
    assert "<b>2</b> new silos" in page
    assert "<strong>Region DACH</strong>, <strong>Sales DACH</strong>" in page
    assert ">Import 2 silos</button>" in page
    assert factories.org_counts() == before
    response = confirm(admin, page)
    assert response.status_code == 302 and response["Location"] == "/table/"
    sales = Silo.objects.get(name="Sales DACH")
    assert sales.parent.name == "Region DACH"
    assert AuditEvent.objects.filter(object_type="org.silo", action="create").count() == 2
    assert "Imported silos.csv: 2 created, 0 updated, 0 unchanged." in \
        admin.get("/table/").content.decode()
    again = upload(admin, GOOD).content.decode()
    assert "importing it would change nothing" in again and 'name="content"' not in again


def test_the_file_is_checked_again_when_confirmed(admin):
    legal = factories.silo("Legal")
    page = upload(admin, "name,kind,parent\nPrivacy,department,Legal\n").content.decode()
    assert ">Import 1 silo</button>" in page
    legal.delete()  # someone removes the parent between the preview and the confirmation
    before = factories.org_counts()
    response = confirm(admin, page)
    assert response.status_code == 302 and response["Location"] == "/table/import/"
    assert ("Nothing was imported: line 2: parent: unknown silo &quot;Legal&quot;"
            in admin.get("/table/import/").content.decode())
    assert factories.org_counts() == before


def test_a_confirmation_that_is_not_base64_is_refused_without_writing(admin):
    before = factories.org_counts()
    response = admin.post("/table/import/", {"content": "%%%not base64", "filename": "s.csv"})
    assert response.status_code == 200
    assert "The file did not come back whole: upload it again." in response.content.decode()
    assert factories.org_counts() == before


@pytest.mark.parametrize("role", [Role.CAPTAIN, Role.VIEWER, Role.RESPONDER])
def test_only_the_hub_admin_may_import_silos(login, role):
    client = login(factories.user(role, factories.silo("Sales")))
    before = factories.org_counts()
    assert client.get("/table/import/").status_code == 403
    assert upload(client, GOOD).status_code == 403
    content = base64.b64encode(GOOD.encode()).decode()
    assert client.post("/table/import/", {"content": content,
                                          "filename": "s.csv"}).status_code == 403
    assert factories.org_counts() == before
    assert "Import silos" not in client.get("/table/").content.decode()


def test_the_people_preview_counts_what_the_seat_column_changes(admin):
    factories.silo("Sales")
    response = admin.post("/people/import/", {"file": SimpleUploadedFile(
        "people.csv", b"email,name,title,silo,seat\nann@x.com,Ann,Lead,Sales,captain\n",
        "text/csv")})
    record = PeopleImport.objects.get()
    assert (record.seats_added, record.seats_changed, record.seats_removed) == (1, 0, 0)
    page = admin.get(response["Location"]).content.decode()
    assert "<b>1</b> seated" in page and "<b>0</b> unseated" in page
