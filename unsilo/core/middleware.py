from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import get_resolver
from django.utils import timezone
from django.utils.log import log_response

from unsilo.core import dates

# Paths anyone may open: the login page, health checks, static files and the icon, the API
# (token auth) and the webhooks networks call (each checks its signature).
PUBLIC_PREFIXES = ("/login/", "/healthz", "/static/", "/favicon.ico", "/api/", "/hooks/")


class LoginRequiredMiddleware:
    """Every page needs a login; the API checks its own tokens and answers in JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            return redirect(f"/login/?next={quote(request.get_full_path())}")
        return self.get_response(request)


class RefusalMiddleware:
    """A PermissionDenied is an everyday answer: the 403 page and one log line, no traceback
    (Django's own handler logs the whole stack)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PermissionDenied):
            return None
        response = get_resolver().resolve_error_handler(403)(request, exception=exception)
        who = request.user.get_username() if request.user.is_authenticated else "anonymous"
        # log_response marks the response logged, so Django does not log it a second time.
        log_response("Forbidden (%s): %s %s by %s", exception, request.method, request.path,
                     who, response=response, request=request)
        return response


class ReaderTimeZoneMiddleware:
    """Pages show dates in the reader's time zone (their person's, else the hub's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(dates.reader_zone(getattr(request, "user", None)))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class ApiAnswersJson:
    """Every answer under /api/ is JSON: an error that Django or ninja answered otherwise (an
    unknown path, a method the path does not take, a crash) becomes `{"detail": …}` with its
    status and headers kept, and never shows a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        if "\x00" in request.path:
            return self._json(404, "No such path.")
        response = self.get_response(request)
        if response.status_code < 400 or response.get("Content-Type", "").startswith(
                "application/json"):
            return response
        detail = {404: "No such path in the API.",
                  405: f"This path takes {response.get('Allow', 'other methods')}."}.get(
            response.status_code, f"{response.reason_phrase}.")
        answer = self._json(response.status_code, detail)
        # Every other header stays: Allow, and what the security middleware set.
        for header, value in response.items():
            if header.lower() not in ("content-type", "content-length"):
                answer[header] = value
        answer.cookies = response.cookies
        return answer

    @staticmethod
    def _json(status: int, detail: str) -> JsonResponse:
        return JsonResponse({"detail": detail}, status=status)
