"""Log in and out, health, and the pages of capabilities still to come."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from unsilo import __version__


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        locked_until = getattr(self.request, "login_locked_until", None)
        if locked_until:
            minutes = max(1, int((locked_until - timezone.now()).total_seconds() // 60) + 1)
            messages.error(
                self.request,
                f"Too many failed attempts: this login is locked for {minutes} more minutes.",
            )
        return super().form_invalid(form)


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
