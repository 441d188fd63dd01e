"""Role × action over the API: the same rules as the web UI, and a refusal changes nothing."""

import pytest

from tests import factories
from unsilo.core.models import AuditEvent, Role
from unsilo.org.models import SeatRole

pytestmark = pytest.mark.django_db
JSON = "application/json"

# Who calls: a role, and whether their person sits in the silo the writes concern.
CALLERS = {
    "hub_admin": (Role.HUB_ADMIN, False),
    "captain_own_silo": (Role.CAPTAIN, True),
    "captain_other_silo": (Role.CAPTAIN, False),
    "responder": (Role.RESPONDER, True),
    "reviewer": (Role.REVIEWER, True),
    "viewer": (Role.VIEWER, True),
}


@pytest.fixture
def world():
    """A silo ("home") with a person, a seat holder and an account; an empty spare silo."""
    home = factories.silo("Home")
    target = factories.person(home, name="Target")
    seated = factories.person(home, name="Seated")
    factories.seat(home, seated, SeatRole.DELEGATE)
    return {
        "home": home,
        "elsewhere": factories.silo("Elsewhere"),
        "spare": factories.silo("Spare"),
        "target": target,
        "seated": seated,
        "account": factories.account(home),
        "stewards": [factories.person(home).pk, factories.person(home).pk],
    }


@pytest.fixture
def call_as(api, world):
    """The test client with a real API token for a caller named in CALLERS."""

    def _as(caller: str):
        role, in_home = CALLERS[caller]
        return api(factories.user(role, world["home"] if in_home else world["elsewhere"]))

    return _as


def _writes(world) -> dict:
    """Each write: (method, path, body)."""
    home, target, account = world["home"], world["target"], world["account"]
    return {
        "create person": ("post", "/api/v1/people",
                          {"email": "new@example.com", "name": "New", "silo_id": home.pk}),
        "update person": ("patch", f"/api/v1/people/{target.pk}", {"title": "Lead"}),
        "delete person": ("delete", f"/api/v1/people/{target.pk}", None),
        "create silo": ("post", "/api/v1/silos", {"name": "Brand new", "parent_id": home.pk}),
        "describe silo": ("patch", f"/api/v1/silos/{home.pk}", {"description": "Hello"}),
        "rename silo": ("patch", f"/api/v1/silos/{home.pk}", {"name": "Renamed"}),
        "delete silo": ("delete", f"/api/v1/silos/{world['spare'].pk}", None),
        "seat person": ("put", f"/api/v1/seats/{home.pk}/members/{target.pk}",
                        {"role": "captain"}),
        "unseat person": ("delete", f"/api/v1/seats/{home.pk}/members/{world['seated'].pk}",
                          None),
        "register account": ("post", "/api/v1/accounts",
                             {"network": "x", "handle": "home", "owner_silo_id": home.pk,
                              "stewards": world["stewards"]}),
        "update account": ("patch", f"/api/v1/accounts/{account.pk}", {"notes": "Hi"}),
        "delete account": ("delete", f"/api/v1/accounts/{account.pk}", None),
    }


SUCCESS = {"post": 201, "patch": 200, "put": 200, "delete": 204}
# The writes a captain may make in their own silo; hub admins may make all of them.
CAPTAIN_MAY = {
    "create person", "update person", "delete person", "describe silo", "seat person",
    "unseat person", "register account", "update account", "delete account",
}
HUB_ONLY = {"create silo", "rename silo", "delete silo"}
WRITES = sorted(CAPTAIN_MAY | HUB_ONLY)


def _allowed(caller: str, write: str) -> bool:
    if caller == "hub_admin":
        return True
    return caller == "captain_own_silo" and write in CAPTAIN_MAY


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("caller", list(CALLERS))
def test_write_matrix(call_as, world, caller, write):
    writes = _writes(world)
    assert writes.keys() == set(WRITES)
    method, path, body = writes[write]
    client = call_as(caller)
    before = AuditEvent.objects.exclude(object_type="core.apitoken").count()
    kwargs = {"content_type": JSON} if body is not None else {}
    response = getattr(client, method)(path, *([body] if body is not None else []), **kwargs)
    written = AuditEvent.objects.exclude(object_type="core.apitoken").count() - before
    if _allowed(caller, write):
        assert response.status_code == SUCCESS[method], response.content
        assert written == 1
        assert AuditEvent.objects.latest("id").via == "api"
    else:
        assert response.status_code == 403, response.content
        assert response.json()["detail"].startswith("Your role may not")
        assert written == 0


READS = [
    "/api/v1/silos", "/api/v1/silos/{home}", "/api/v1/people", "/api/v1/people/{target}",
    "/api/v1/seats", "/api/v1/seats/{home}", "/api/v1/accounts", "/api/v1/accounts/{account}",
    "/api/v1/me", "/api/v1/me/tokens",
]


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("caller", list(CALLERS))
def test_every_role_may_read(call_as, world, caller, path):
    ids = {"home": world["home"].pk, "target": world["target"].pk,
           "account": world["account"].pk}
    assert call_as(caller).get(path.format(**ids)).status_code == 200


@pytest.mark.parametrize("caller", list(CALLERS))
def test_only_hub_admins_read_the_audit_log(call_as, caller):
    response = call_as(caller).get("/api/v1/audit")
    assert response.status_code == (200 if caller == "hub_admin" else 403)
