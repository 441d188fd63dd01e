from urllib.parse import quote

from django.shortcuts import redirect

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
