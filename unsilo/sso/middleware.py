"""Sessions signed in through the provider are checked again (recheck.py), at most every
UNSILO_OIDC_RECHECK_SECONDS: one that lost access is signed out on that request, and the
person's open conversations go back to their silo's queue (actions.lose_access)."""

import time

from django.contrib import auth
from django.http import JsonResponse
from django.shortcuts import render

from unsilo.sso import actions, provider, recheck


class SessionRecheck:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = request.session.get("sso")
        if state is None or not request.user.is_authenticated:
            return self.get_response(request)
        conf = provider.config()
        interval = conf.recheck_seconds if conf else 0
        if time.time() - state.get("checked_at", 0) < interval:
            return self.get_response(request)
        reason = recheck.lost_reason(request.user, state, conf)
        if reason is None:
            request.session["sso"] = {**state, "checked_at": time.time()}
            return self.get_response(request)
        user = request.user
        actions.lose_access(user, reason)
        auth.logout(request)
        message = f"You are signed out: {user.email} {reason}."
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=401)
        return render(request, "sso/refused.html", {"message": message}, status=401)
