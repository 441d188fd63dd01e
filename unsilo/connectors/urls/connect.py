"""Connecting accounts and the Unregistered page, mounted at /accounts/ before the registry's
own pages (URL names in the `connect` namespace)."""

from django.urls import path

from unsilo.connectors.views import connect as views_connect
from unsilo.connectors.views import sightings as views_sightings

app_name = "connect"
urlpatterns = [
    path("<int:pk>/connect/", views_connect.connect, name="connect"),
    path("<int:pk>/disconnect/", views_connect.disconnect, name="disconnect"),
    path("<int:pk>/check/", views_connect.check, name="check_connection"),
    path("connect/callback/", views_connect.callback, name="connect_callback"),
    path("unregistered/", views_sightings.unregistered, name="unregistered"),
    path("unregistered/<int:pk>/register/", views_sightings.register,
         name="sighting_register"),
    path("unregistered/<int:pk>/<slug:what>/", views_sightings.decide, name="sighting_decide"),
]
