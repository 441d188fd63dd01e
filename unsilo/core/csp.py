"""The Content-Security-Policy every answer carries: scripts, styles, images and fonts from
unsilo's own static files only, no inline script or style, no plug-ins, no <base>, no framing,
forms posting back to unsilo. A script that slipped into a page through data would not run.

htmx is configured for it in base.html (no indicator <style> of its own, no eval). A view that
must relax one directive for its own answer says so with `@csp_update(directive=value)`.
"""

from functools import wraps

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # Swagger UI's stylesheet draws its icons as data: images.
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
HEADER = "Content-Security-Policy"


def header_value(policy: dict[str, str | None]) -> str:
    return "; ".join(f"{name} {value}" for name, value in policy.items() if value)


def csp_update(**directives: str | None):
    """A view's own changes to the policy (directive names with '_' for '-'; None drops one)."""
    changes = {name.replace("_", "-"): value for name, value in directives.items()}

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response.csp = {**getattr(response, "csp", {}), **changes}
            return response
        return wrapped
    return decorate


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = header_value({**POLICY, **getattr(response, "csp", {})})
        return response
