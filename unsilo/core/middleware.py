from urllib.parse import quote

from django.http import JsonResponse
from django.shortcuts import redirect

# Paths anyone may open: the login page, health checks, static files, the API (token auth) and
# the webhooks networks call (each checks its signature).
PUBLIC_PREFIXES = ("/login/", "/healthz", "/static/", "/api/", "/hooks/")


class LoginRequiredMiddleware:
    """Every page needs a login; the API checks its own tokens and answers in JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            return redirect(f"/login/?next={quote(request.get_full_path())}")
        return self.get_response(request)


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
