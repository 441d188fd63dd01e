"""The API's contract (docs/architecture.md): every answer under /api/v1/ is JSON, bad input is a
422 naming the field (never a 500), and the OpenAPI document describes what is answered."""

import logging

import pytest
from django.test import Client
from pydantic import BaseModel

from tests import factories
from unsilo.api import api as ninja_api
from unsilo.core.models import Role
from unsilo.org.models import SeatRole

pytestmark = pytest.mark.django_db
JSON = "application/json"
HUGE = 99999999999999999999  # past 2^63: no database column holds it


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").json()


@pytest.fixture
def hub(api, admin):
    return api(admin)


# Every answer is JSON ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/silos/1/nope", "/api/v1/"])
def test_unknown_path_is_404_in_json(hub, path):
    response = hub.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith(JSON)
    assert response.json() == {"detail": "No such path in the API."}
    assert response["X-Content-Type-Options"] == "nosniff"  # the security headers stay


def test_a_method_the_path_does_not_take_is_405_in_json_with_allow(hub):
    response = hub.put("/api/v1/silos", {}, content_type=JSON)
    assert response.status_code == 405
    assert response.json()["detail"].startswith("This path takes")
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}


def test_a_crash_is_500_in_json_without_a_traceback(admin, monkeypatch, caplog):
    from unsilo.core import api as core_api

    def crash(actor):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(core_api.queries, "audit_events", crash)
    client = Client(raise_request_exception=False,
                    HTTP_AUTHORIZATION=f"Bearer {factories.api_token(admin)}")
    with caplog.at_level(logging.ERROR, logger="unsilo.api"):
        response = client.get("/api/v1/audit")
    assert response.status_code == 500
    assert response["Content-Type"].startswith(JSON)
    assert response.json() == {"detail": "Something went wrong on our side; it has been logged."}
    assert b"secret internals" not in response.content
    assert "secret internals" in caplog.text  # for us, in the log


def test_pages_outside_the_api_keep_their_html_404(login, admin):
    response = login(admin).get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# Bad input is a 422 naming the field ---------------------------------------------------------


@pytest.mark.parametrize("path,field", [
    (f"/api/v1/people?silo_id={HUGE}", "silo_id"),
    (f"/api/v1/people/{HUGE}", "person_id"),
    (f"/api/v1/silos?parent_id={HUGE}", "parent_id"),
    (f"/api/v1/accounts?silo_id={HUGE}", "silo_id"),
    (f"/api/v1/conversations?silo={HUGE}", "silo"),
    (f"/api/v1/deliveries?account_id={HUGE}", "account_id"),
    (f"/api/v1/audit?offset={HUGE}", "offset"),
    (f"/api/v1/saved-replies?silo_id={HUGE}", "silo_id"),
])
def test_an_integer_past_any_id_in_query_or_path_is_422_naming_it(hub, path, field):
    response = hub.get(path)
    assert response.status_code == 422, response.content
    assert list(response.json()["fields"]) == [field]


def test_an_integer_past_any_id_in_a_body_is_422_naming_it(hub, admin):
    sales = factories.silo("Sales")
    person = factories.person(sales)
    account = factories.account(sales)
    answers = {
        "stewards.0": hub.patch(f"/api/v1/accounts/{account.pk}", {"stewards": [HUGE]},
                                content_type=JSON),
        "person_id": hub.put(f"/api/v1/seats/{sales.pk}/members/{HUGE}",
                             {"role": SeatRole.CAPTAIN}, content_type=JSON),
        "silo_id": hub.patch(f"/api/v1/people/{person.pk}", {"silo_id": HUGE},
                             content_type=JSON),
        "capacity": hub.patch(f"/api/v1/people/{person.pk}", {"capacity": 2**40},
                              content_type=JSON),
    }
    for field, response in answers.items():
        assert response.status_code == 422, (field, response.content)
        assert field in response.json()["fields"], (field, response.json())


@pytest.mark.parametrize("body", ["[null, null]", "[]", "null", "42", '"text"'])
def test_a_body_that_is_not_a_json_object_is_422(hub, admin, body):
    response = hub.patch("/api/v1/inbox/settings", body, content_type=JSON)
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == "body: must be a JSON object"


@pytest.mark.parametrize("body,field", [
    ("{not json", "body"),
    ('{"triage_threshold": NaN}', "body"),
    ('{"title": "a\\u0000b"}', "title"),
    ('{"retrain_after": true}', "retrain_after"),
    ('{"retrain_after": "5"}', "retrain_after"),
])
def test_a_body_that_cannot_be_read_is_422_naming_where(hub, admin, body, field):
    path = "/api/v1/saved-replies" if "title" in body else "/api/v1/inbox/settings"
    method = hub.post if "title" in body else hub.patch
    response = method(path, body, content_type=JSON)
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"], response.json()


def test_a_nul_in_a_query_string_is_422(hub):
    response = hub.get("/api/v1/silos", {"q": "a\x00b"})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["q"]


def test_a_date_time_is_iso_8601_and_a_bare_number_is_refused(hub):
    assert hub.get("/api/v1/audit", {"until": "0.5"}).status_code == 422
    assert hub.get("/api/v1/audit", {"until": "2026-12-01T09:00:00-21:55"}).status_code == 200


# The document describes every answer -------------------------------------------------------


def _integers(schema: dict, spec: dict, where: str, seen=()):
    """Every integer schema inside `schema` (refs followed), with where it sits."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _integers(spec["components"]["schemas"][name], spec, f"{where}>{name}",
                                 (*seen, name))
        return
    if schema.get("type") == "integer":
        yield where, schema
    for key in ("anyOf", "oneOf", "allOf"):
        for i, sub in enumerate(schema.get(key, [])):
            yield from _integers(sub, spec, f"{where}|{i}", seen)
    for name, sub in schema.get("properties", {}).items():
        yield from _integers(sub, spec, f"{where}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        yield from _integers(schema["items"], spec, f"{where}[]", seen)


def _operations(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def test_every_integer_the_api_reads_is_bounded(spec):
    unbounded = []
    for name, operation in _operations(spec):
        inputs = [(p["name"], p["schema"]) for p in operation.get("parameters", [])]
        for content in operation.get("requestBody", {}).get("content", {}).values():
            inputs.append(("body", content["schema"]))
        for label, schema in inputs:
            for where, integer in _integers(schema, spec, label):
                if "minimum" not in integer or "maximum" not in integer:
                    unbounded.append(f"{name} {where}")
    assert unbounded == []


def test_every_operation_declares_its_errors_as_json(spec):
    for name, operation in _operations(spec):
        codes = set(operation["responses"])
        assert "401" in codes, name
        if "{" in name:
            assert "404" in codes, name
        if operation.get("parameters") or "requestBody" in operation:
            assert "422" in codes, name
        if name.split()[0] in {"POST", "PUT", "PATCH", "DELETE"}:
            assert {"403", "409"} <= codes, name
        for code in codes - {"200", "201", "202", "204"}:
            schema = operation["responses"][code]["content"]["application/json"]["schema"]
            assert schema["$ref"].rsplit("/", 1)[-1].endswith("Out"), (name, code)


def test_every_reference_in_the_document_names_a_schema_it_holds(spec):
    import json

    text = json.dumps(spec)
    names = {part.split('"')[0] for part in text.split('"#/components/schemas/')[1:]}
    assert names <= spec["components"]["schemas"].keys()
    ingest = spec["paths"]["/api/v1/messages"]["post"]["requestBody"]["content"][JSON]
    assert ingest["schema"]["oneOf"][0]["required"] == ["id", "network", "text", "author",
                                                        "created_at"]


def _models(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from _models(field.annotation)
    for arg in getattr(annotation, "__args__", ()):
        yield from _models(arg)


def test_no_two_schemas_share_a_name_in_the_document():
    # The document keys schemas by class name: a second class of the same name replaces the
    # first, and answers are then checked against the wrong one.
    by_name: dict[str, set] = {}
    for _prefix, router in ninja_api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.response_models.values():
                    for found in _models(model):
                        by_name.setdefault(found.__name__, set()).add(found)
    by_name.pop("NinjaResponseSchema")  # ninja's wrapper around each answer, never listed
    shared = {name: classes for name, classes in by_name.items() if len(classes) > 1}
    assert shared == {}


def test_a_created_silo_links_to_the_operations_on_it(spec):
    links = spec["paths"]["/api/v1/silos"]["post"]["responses"]["201"]["links"]
    targets = {link["operationId"]: link["parameters"] for link in links.values()}
    assert targets["unsilo_org_api_get_silo"] == {"silo_id": "$response.body#/id"}
    assert "unsilo_org_api_delete_silo" in targets
    assert "unsilo_inbox_api_settings_get_silo_sla" in targets


def test_a_stored_message_answers_what_the_document_says(hub, admin):
    from tests.inbox import factories as inbox

    message = inbox.conversation(factories.silo("Sales")).messages.get()
    body = hub.get(f"/api/v1/messages/{message.pk}").json()
    schema = ninja_api.get_openapi_schema()["paths"]["/api/v1/messages/{message_id}"]["get"]
    ref = schema["responses"][200]["content"][JSON]["schema"]["$ref"].rsplit("/", 1)[-1]
    required = ninja_api.get_openapi_schema()["components"]["schemas"][ref]["required"]
    assert set(required) <= body.keys()


def test_a_viewer_may_not_write_even_with_bad_input_the_check_order_is_documented(api):
    # Input is read before roles are checked: a viewer's malformed write is a 422, a
    # well-formed one a 403 — both are documented answers of every write.
    viewer = api(factories.user(Role.VIEWER))
    assert viewer.post("/api/v1/silos", "[]", content_type=JSON).status_code == 422
    assert viewer.post("/api/v1/silos", {"name": "x"}, content_type=JSON).status_code == 403


def test_a_body_past_the_upload_limit_is_413_naming_the_body(hub, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = hub.post("/api/v1/silos", {"name": "x" * 2000}, content_type=JSON)
    assert response.status_code == 413
    assert response.json()["detail"].startswith("body: larger than the 1,000 bytes")
