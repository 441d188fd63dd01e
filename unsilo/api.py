"""The one NinjaAPI under /api/v1/; each app adds its Router. Token or session auth.

The error contract (docs/architecture.md): every answer is JSON, every error is
`{"detail": …}` naming the field when there is one, and the OpenAPI document lists every status
an operation can answer (core/openapi.py). Bad input is a 4xx, never a 500.
"""

import json
import logging

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer

from unsilo import __version__
from unsilo.core import openapi
from unsilo.core.actor import Actor
from unsilo.core.auth import TokenLocked, user_for_token
from unsilo.core.models import Via

logger = logging.getLogger("unsilo.api")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer usl_…` with a personal API token."""

    def authenticate(self, request, token):
        try:
            user = user_for_token(token, request)
        except TokenLocked as locked:
            raise HttpError(429, str(locked)) from None
        if user is not None:
            request.actor = Actor.for_user(user, via=Via.API)
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session (CSRF checked), so the web UI can call the API too."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        # No session cookie: skip the CSRF check so a caller without a valid token gets 401.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        if request.user.is_authenticated:
            request.actor = Actor.for_user(request.user, via=Via.API)
            return request.user
        return None


class BadInput(ValueError):
    """Input that cannot be read at all; `fields` names where, as a 422 does."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__(fields)
        self.fields = fields


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def _nul_at(value, where: str = "") -> str | None:
    """Where a NUL character sits in parsed JSON (no database column can store one)."""
    if isinstance(value, str):
        return (where or "body") if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else (
        enumerate(value) if isinstance(value, list) else ())
    for key, item in items:
        path = f"{where}.{key}" if where else str(key)
        if "\x00" in path:
            return path.replace("\x00", "\\0")
        if found := _nul_at(item, path):
            return found
    return None


class StrictJson(Parser):
    """Bodies are one JSON object (what every operation's schema describes), strictly JSON
    (no NaN), and no string anywhere holds a NUL; query strings hold no NUL either."""

    def parse_body(self, request):
        try:
            data = json.loads(request.body, parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError) as error:
            raise BadInput({"body": [f"not valid JSON ({error})"]}) from error
        if not isinstance(data, dict):
            raise BadInput({"body": ["must be a JSON object"]})
        if where := _nul_at(data):
            raise BadInput({where: ["must not contain a NUL character"]})
        return data

    def parse_querydict(self, data, list_fields, request):
        for key, values in data.lists():
            if any("\x00" in v for v in [key, *values]):
                raise BadInput({key.replace("\x00", "\\0"): ["must not contain a NUL character"]})
        return super().parse_querydict(data, list_fields, request)


class UnsiloAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document states the whole contract (core/openapi.py), built
    once per process: the routes do not change while it runs."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._documents: dict[str, dict] = {}

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        if path_prefix not in self._documents:
            self._documents[path_prefix] = openapi.complete(
                super().get_openapi_schema(path_prefix=path_prefix))
        return self._documents[path_prefix]


api = UnsiloAPI(
    title="unsilo API",
    version="1",
    description=(
        "The REST API of unsilo. Authenticate with a personal API token "
        "(`Authorization: Bearer usl_…`, made under Admin → API tokens). Roles are checked per "
        "silo exactly as in the web UI. Errors are JSON: `{\"detail\": …}`, and validation "
        "errors name the field."
    ),
    auth=[TokenAuth(), SessionAuth(csrf=True)],
    urls_namespace="api",
    parser=StrictJson(),
)
api.version_label = __version__


def _error(request, status: int, detail, **extra):
    return api.create_response(request, {"detail": detail, **extra}, status=status)


def _fields_error(request, fields: dict[str, list[str]]):
    name, messages = next(iter(fields.items()), ("body", ["invalid"]))
    return _error(request, 422, f"{name}: {messages[0]}", fields=fields)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return _error(request, 403, str(exc) or "Your role may not do this.")


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, str(exc) or "Not found.")


@api.exception_handler(ObjectDoesNotExist)
def gone(request, exc):
    # Found a moment ago, deleted by someone else before this request could act on it.
    return _error(request, 404, str(exc) or "Not found: it may just have been deleted.")


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return _error(request, 401, "Send a valid API token: Authorization: Bearer usl_…")


# A model's unique checks raise these codes; such a clash is a conflict (409), not bad input.
UNIQUE_CODES = {"unique", "unique_together"}


@api.exception_handler(ValidationError)
def invalid(request, exc):
    errors = sum(exc.error_dict.values(), []) if hasattr(exc, "error_dict") else exc.error_list
    status = 409 if {e.code for e in errors} <= UNIQUE_CODES else 422
    if hasattr(exc, "error_dict"):
        fields = {
            name: [m for e in errs for m in e.messages] for name, errs in exc.error_dict.items()
        }
        name, messages = next(iter(fields.items()))
        detail = messages[0] if name == NON_FIELD_ERRORS else f"{name}: {messages[0]}"
        return _error(request, status, detail, fields=fields)
    return _error(request, status, " ".join(exc.messages))


@api.exception_handler(IntegrityError)
def conflict(request, exc):
    # Checks run before every save; this is a clash that slipped in between check and write.
    if isinstance(exc, ProtectedError | RestrictedError):
        objs = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        kinds = ", ".join(sorted({str(obj._meta.verbose_name_plural) for obj in objs}))
        return _error(request, 409, f"Still in use by {kinds}: move or remove those first.")
    return _error(request, 409, "This conflicts with existing data; reload and try again.")


@api.exception_handler(NinjaValidationError)
def invalid_input(request, exc):
    fields = {}
    for err in exc.errors:
        source, *path = err.get("loc") or ("body",)
        if source == "body":
            path = path[1:]  # the view's parameter name, which the client never sees
        loc = ".".join(str(p) for p in path) or "body"
        message = err.get("msg", "invalid").removeprefix("Value error, ")
        fields.setdefault(loc, []).append(message)
    return _fields_error(request, fields)


@api.exception_handler(BadInput)
def unreadable_input(request, exc):
    return _fields_error(request, exc.fields)


@api.exception_handler(HttpError)
def http_error(request, exc):
    if isinstance(exc.__cause__, BadInput):  # ninja wraps what the parser raises
        return _fields_error(request, exc.__cause__.fields)
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(SuspiciousOperation)
def suspicious(request, exc):
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return _error(request, 413, f"body: larger than the {limit:,} bytes this server reads.")
    return _error(request, 400, "The request could not be read.")


@api.exception_handler(Exception)
def server_error(request, exc):
    # A defect: logged with its traceback for us, answered in JSON without it for the client.
    logger.exception("API error on %s %s", request.method, request.path)
    return _error(request, 500, "Something went wrong on our side; it has been logged.")


# Each app adds its Router here.
from unsilo.accounts.api import requests_router as account_requests_router  # noqa: E402
from unsilo.accounts.api import router as accounts_router  # noqa: E402
from unsilo.connectors.api.connections import router as connections_router  # noqa: E402
from unsilo.connectors.api.deliveries import router as deliveries_router  # noqa: E402
from unsilo.core.api import router as core_router  # noqa: E402
from unsilo.experts.api import router as experts_router  # noqa: E402
from unsilo.inbox.api.conversations import router as inbox_router  # noqa: E402
from unsilo.inbox.api.messages import router as messages_router  # noqa: E402
from unsilo.inbox.api.settings import router as inbox_settings_router  # noqa: E402
from unsilo.org.api import router as org_router  # noqa: E402
from unsilo.publishing.api import router as publishing_router  # noqa: E402
from unsilo.sso.api import router as sso_router  # noqa: E402

api.add_router("/", core_router)
api.add_router("/", org_router)
api.add_router("/", experts_router)
api.add_router("/account-requests", account_requests_router)
api.add_router("/accounts", accounts_router)
api.add_router("/", messages_router)
api.add_router("/", inbox_router)
api.add_router("/", inbox_settings_router)
api.add_router("/", connections_router)
api.add_router("/", deliveries_router)
api.add_router("/", sso_router)
api.add_router("/publishing", publishing_router)
