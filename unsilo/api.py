"""The one NinjaAPI under /api/v1/; each app adds its Router. Token or session auth."""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from unsilo import __version__
from unsilo.core.actor import Actor
from unsilo.core.auth import TokenLocked, user_for_token
from unsilo.core.models import Via


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


api = NinjaAPI(
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
)
api.version_label = __version__


def _error(request, status: int, detail, **extra):
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return _error(request, 403, str(exc) or "Your role may not do this.")


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, str(exc) or "Not found.")


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
    first = next(iter(fields.items()), ("body", ["invalid"]))
    return _error(request, 422, f"{first[0]}: {first[1][0]}", fields=fields)


# Each app adds its Router here.
from unsilo.accounts.api import router as accounts_router  # noqa: E402
from unsilo.connectors.api.connections import router as connections_router  # noqa: E402
from unsilo.connectors.api.deliveries import router as deliveries_router  # noqa: E402
from unsilo.core.api import router as core_router  # noqa: E402
from unsilo.inbox.api.conversations import router as inbox_router  # noqa: E402
from unsilo.inbox.api.messages import router as messages_router  # noqa: E402
from unsilo.inbox.api.settings import router as inbox_settings_router  # noqa: E402
from unsilo.org.api import router as org_router  # noqa: E402

api.add_router("/", core_router)
api.add_router("/", org_router)
api.add_router("/accounts", accounts_router)
api.add_router("/", messages_router)
api.add_router("/", inbox_router)
api.add_router("/", inbox_settings_router)
api.add_router("/", connections_router)
api.add_router("/", deliveries_router)
