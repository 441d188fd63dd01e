"""Mounted at /hooks/, which the login middleware leaves public: every call is checked by its
network's signature instead (views_hooks.py)."""

from django.urls import path

from unsilo.connectors.views import hooks as views_hooks

app_name = "hooks"

urlpatterns = [
    path("<str:network>/<uuid:hook_id>/", views_hooks.connection_hook, name="connection"),
    path("<str:network>/", views_hooks.app_hook, name="app"),
]
