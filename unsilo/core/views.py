"""Log in and out, health, and the pages of capabilities still to come."""

from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from unsilo import __version__
from unsilo.core.login_limits import LoginLimits


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        lock = None
        if getattr(self.request, "axes_locked_out", False):
            lock = LoginLimits().lock(self.request, {"username": form.data.get("username")})
        if lock is None:
            return super().form_invalid(form)
        # Not "wrong password": while locked the password was not even checked.
        return self.render_to_response(self.get_context_data(form=form, locked=lock.message()),
                                       status=429)


@require_GET
def healthz(request):
    """200 with status ok when the database answers (the contract in docs/product.md)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any database failure means not healthy
        return JsonResponse(
            {"status": "error", "database": str(error.__class__.__name__)}, status=503
        )
    return JsonResponse({"status": "ok", "database": connection.vendor, "version": __version__})


COMING = {
    "publish": ("Publish", "Posts for every account, with light governance."),
    "knowledge": ("Knowledge", "Playbooks, policies and approved answers, searchable by meaning."),
    "listening": ("Listening", "Listening queries, spike alerts and the crisis room."),
    "analytics": ("Analytics", "Response times, inclusion and the COE's view of itself."),
}


def coming(request, section: str):
    title, promise = COMING[section]
    return render(request, "core/coming.html", {"title": title, "promise": promise})
