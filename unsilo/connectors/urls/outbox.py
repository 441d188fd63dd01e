from django.urls import path

from unsilo.connectors.views import outbox as views_outbox

app_name = "outbox"
urlpatterns = [
    path("", views_outbox.outbox, name="list"),
    path("<int:pk>/retry/", views_outbox.retry, name="retry"),
    path("<int:pk>/cancel/", views_outbox.cancel, name="cancel"),
    path("<int:pk>/edit/", views_outbox.edit, name="edit"),
]
