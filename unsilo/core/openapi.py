"""The OpenAPI document as a contract. Every operation lists every status it can answer, with
ErrorOut for the errors, derived from its shape so no operation can forget one; and what a
create answers links to the operations on the thing it made (clients and stateful tests follow
them)."""

import re
from http import HTTPStatus

ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
WRITES = {"post", "put", "patch", "delete"}
PARAM = re.compile(r"\{(\w+)\}")


def error_statuses(method: str, operation: dict) -> set[int]:
    """The errors an operation of this shape can answer besides those it names itself."""
    parameters = operation.get("parameters", [])
    # 401 without a valid token; 429 once an address has sent too many wrong ones
    # (core/login_limits.py).
    statuses = {401, 429} if operation.get("security") else set()
    if any(p["in"] == "path" for p in parameters):
        statuses.add(404)  # the thing the path names is not there, or not for you
    if parameters or "requestBody" in operation:
        statuses.add(422)  # an input does not fit
    if "requestBody" in operation:
        statuses.add(413)  # the body is larger than the server reads
    if method in WRITES:
        statuses |= {403, 409}  # your role (or a browser without its CSRF token); a clash
    return statuses


def _links(paths: dict, path: str, method: str, operation: dict) -> dict:
    """From a create (POST on a collection answering 201 with an `id`) to every operation on
    `{collection}/{the id}`; the target's other path parameters that this request has too come
    from it (the rest a client chooses)."""
    created = operation.get("responses", {}).get(201)  # ninja keys statuses by number
    if method != "post" or created is None or path.endswith("}"):
        return {}
    links = {}
    for target, operations in paths.items():
        match = re.fullmatch(re.escape(path) + r"/\{(\w+)\}(/.*)?", target)
        if match is None:
            continue
        for target_op in operations.values():
            parameters = {match.group(1): "$response.body#/id"}
            for name in PARAM.findall(path):
                parameters.setdefault(name, f"$request.path.{name}")
            name = target_op["operationId"].rsplit("_api_", 1)[-1]
            links[name] = {"operationId": target_op["operationId"], "parameters": parameters}
    return links


def complete(spec: dict) -> dict:
    """Add to `spec` (in place) the error answers and the links described above."""
    paths = spec.get("paths", {})
    for path, operations in paths.items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(error_statuses(method, operation)):
                responses.setdefault(status, {"description": HTTPStatus(status).phrase, **ERROR})
            links = _links(paths, path, method, operation)
            if links:
                responses[201]["links"] = links
    return spec
