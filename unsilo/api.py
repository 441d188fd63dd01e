"""The one NinjaAPI under /api/v1/; each app adds its Router. Token or session auth."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from unsilo import __version__
from unsilo.core.actor import Actor
from unsilo.core.auth import user_for_token
from unsilo.core.models import Via


class TokenAuth(HttpBearer):
    """`Authorization: Bearer usl_…` with a personal API token."""

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.actor = Actor.for_user(user, via=Via.API)
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session (CSRF checked), so the web UI can call the API too."""

    param_name = "sessionid"

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


@api.exception_handler(ValidationError)
def invalid(request, exc):
    if hasattr(exc, "error_dict"):
        fields = {name: [m for e in errs for m in e.messages] for name, errs in exc.error_dict.items()}
        first = next(iter(fields.items()))
        return _error(request, 422, f"{first[0]}: {first[1][0]}", fields=fields)
    return _error(request, 422, " ".join(exc.messages))


@api.exception_handler(NinjaValidationError)
def invalid_input(request, exc):
    fields = {}
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", ())[1:] if p != "body") or "body"
        fields.setdefault(loc, []).append(err.get("msg", "invalid"))
    first = next(iter(fields.items()), ("body", ["invalid"]))
    return _error(request, 422, f"{first[0]}: {first[1][0]}", fields=fields)


def actor_of(request) -> Actor:
    return request.actor


# Each app adds its Router here.
from unsilo.accounts.api import router as accounts_router  # noqa: E402
from unsilo.core.api import router as core_router  # noqa: E402
from unsilo.org.api import router as org_router  # noqa: E402

api.add_router("/", core_router)
api.add_router("/", org_router)
api.add_router("/accounts", accounts_router)
