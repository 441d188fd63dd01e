from django.urls import path

from unsilo.org import import_views

app_name = "people_import"
urlpatterns: list = [
    path("", import_views.upload, name="upload"),
    path("<int:pk>/", import_views.detail, name="detail"),
    path("<int:pk>/confirm/", import_views.confirm, name="confirm"),
]
